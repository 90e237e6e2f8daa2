// The run command: settings -> (embedded stack) -> scenarios -> runner -> stats -> report.
import { renameSync, writeFileSync } from 'node:fs';
import { Chalk, type ChalkInstance, supportsColor } from 'chalk';
import { evaluateGate } from './checks.js';
import type { CliIO, OutputStream } from './cli.js';
import { packageVersion } from './cli.js';
import type { TargetSpec } from './config.js';
import { EXIT, RunError } from './errors.js';
import { type EmbeddedStack, startEmbeddedStack } from './local/stack.js';
import { buildJsonDocument } from './report/json.js';
import {
  formatBanner,
  formatChecks,
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

/** Progress lines: the seed's every 5 requests, at most about ten per scenario. */
const progressStep = (requests: number) => Math.max(5, Math.ceil(requests / 10));

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
          else if (done % progressStep(plan.requests) === 0 || done === plan.requests) {
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
        summary: summarizeScenario(records, expected, settings.alpha),
        interrupted: records.length < plan.requests,
      };
      results.push(result);
      say(formatScenarioResult(result, c));
    }

    const checks = evaluateGate(
      results.map((r) => ({ scenario: r.plan.name, summary: r.summary })),
      settings.gate,
    );
    const failedChecks = checks.filter((check) => !check.passed);
    if (settings.json || settings.out) {
      const served = [...(stack?.simulated ?? [])].map(([target, sim]) => ({
        target,
        chatCompletions: sim.served().chatCompletions,
      }));
      const document = `${JSON.stringify(buildJsonDocument(context, results, served, checks), null, 2)}\n`;
      if (settings.out) writeFileAtomically(settings.out, document);
      if (settings.json) io.stdout.write(document);
    }
    if (settings.json) {
      // stdout holds the document alone; failed checks still reach a CI log.
      for (const check of failedChecks)
        io.stderr.write(`lb-demo: FAIL --${check.check} ${check.message}\n`);
    } else {
      say(formatSummary(results, c));
      say(formatChecks(checks, c));
      if (settings.out) say(c.dim(`JSON results written to ${settings.out}\n`));
    }
    if (io.signal?.aborted) return EXIT.interrupted;
    return failedChecks.length > 0 ? EXIT.checkFailed : EXIT.ok;
  } finally {
    await stack?.stop();
  }
}

/** Writes the whole file or nothing: a reader never sees half a document. */
function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
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
