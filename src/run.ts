// The run command: settings -> (embedded stack) -> scenarios -> runner -> stats -> report.
import { Chalk, type ChalkInstance, supportsColor } from 'chalk';
import type { CliIO, OutputStream } from './cli.js';
import { packageVersion } from './cli.js';
import type { TargetSpec } from './config.js';
import { EXIT, RunError } from './errors.js';
import { type EmbeddedStack, startEmbeddedStack } from './local/stack.js';
import { buildJsonDocument } from './report/json.js';
import {
  formatBanner,
  formatProgress,
  formatRequestLine,
  formatScenarioHeader,
  formatScenarioResult,
  formatSummary,
  type RunContext,
  type ScenarioResult,
} from './report/text.js';
import { type GatewayConnection, runScenario } from './runner.js';
import { planScenario } from './scenarios.js';
import { loadEnv, type RawOptions, resolveSettings } from './settings.js';
import { summarizeScenario } from './stats.js';
import { maskUrl } from './validate.js';

const PROGRESS_EVERY = 5;

export async function runDemo(options: RawOptions, io: CliIO): Promise<number> {
  const settings = resolveSettings(options, loadEnv(io.env));
  const c = colours(io.stdout, io.env);
  // In --json mode stdout carries the document alone.
  const say = (text: string) => {
    if (!settings.json) io.stdout.write(text);
  };

  let stack: EmbeddedStack | undefined;
  try {
    let connection: GatewayConnection;
    let targets: TargetSpec[];
    if (settings.gateway) {
      connection = settings.gateway;
      targets = settings.targets.map((t) => ({ ...t, customHost: t.customHost ?? '' }));
      await checkReachable(connection.url);
    } else {
      stack = await startEmbeddedStack(settings.targets, settings.simulation);
      connection = { url: stack.gateway.url };
      targets = stack.targets;
    }
    const context: RunContext = {
      version: packageVersion(),
      gatewayUrl: connection.url,
      ...(stack ? { embeddedGateway: { version: stack.gateway.version } } : {}),
      simulated: [...(stack?.simulated ?? [])].map(([target, sim]) => ({
        target,
        kind: sim.kind,
        latencyMs:
          sim.kind === 'ollama'
            ? settings.simulation.ollamaLatencyMs
            : settings.simulation.openaiLatencyMs,
        url: sim.baseUrl,
      })),
    };
    say(formatBanner(context, c));

    const results: ScenarioResult[] = [];
    for (const name of settings.scenarios) {
      if (io.signal?.aborted) break;
      const plan = planScenario(name, targets, {
        ...(settings.requests !== undefined ? { requests: settings.requests } : {}),
        ...(settings.weights ? { weights: settings.weights } : {}),
      });
      say(formatScenarioHeader(plan, c));
      let done = 0;
      const records = await runScenario(plan, connection, {
        ...(io.signal ? { signal: io.signal } : {}),
        onRecord: (record) => {
          done += 1;
          if (plan.display === 'per-request') say(formatRequestLine(record, plan, c));
          else if (done % PROGRESS_EVERY === 0 || done === plan.requests) {
            say(formatProgress(done, plan.requests));
          }
        },
      });
      const expected = plan.config.targets.map((t, i) => ({
        name: plan.targets[i]?.name ?? t.provider,
        provider: t.provider,
        weight: t.weight,
      }));
      const result = {
        plan,
        summary: summarizeScenario(records, expected),
        interrupted: records.length < plan.requests,
      };
      results.push(result);
      say(formatScenarioResult(result, c));
    }

    if (settings.json) {
      const served = [...(stack?.simulated ?? [])].map(([target, sim]) => ({
        target,
        chatCompletions: sim.served().chatCompletions,
      }));
      io.stdout.write(`${JSON.stringify(buildJsonDocument(context, results, served), null, 2)}\n`);
    } else {
      say(formatSummary(results, c));
    }
    return io.signal?.aborted ? EXIT.interrupted : EXIT.ok;
  } finally {
    await stack?.stop();
  }
}

/** Any HTTP answer means the gateway is there; a network error ends the run before it starts. */
async function checkReachable(url: string): Promise<void> {
  try {
    await fetch(new URL('/', url), { signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === 'TimeoutError'
        ? 'no answer within 5 s'
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new RunError(`cannot reach the gateway at ${maskUrl(url)} (${why})`);
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
function colours(stream: OutputStream, env: CliIO['env']): ChalkInstance {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const wanted = !env.NO_COLOR && (stream.isTTY === true || forced);
  return new Chalk({ level: wanted ? (supportsColor ? supportsColor.level : 1) || 1 : 0 });
}
