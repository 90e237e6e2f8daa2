// The run command: settings -> (embedded stack) -> scenarios -> runner -> stats -> report.
import { performance } from 'node:perf_hooks';
import { Chalk, type ChalkInstance, supportsColor } from 'chalk';
import { Agent, setGlobalDispatcher } from 'undici';
import { evaluateGate } from './checks.js';
import type { TargetSpec } from './config.js';
import { EXIT, RunError, UsageError } from './errors.js';
import { formatFaults } from './faults.js';
import { type CliIO, type OutputStream, packageVersion } from './io.js';
import { type EmbeddedStack, startEmbeddedStack } from './local/stack.js';
import { createRedactor, type Redactor } from './redact.js';
import { renderHtmlReport } from './report/html.js';
import { buildJsonDocument } from './report/json.js';
import { startProgressBar } from './report/progress.js';
import { parseResultsDocument } from './report/results-document.js';
import {
  formatBanner,
  formatChecks,
  formatComparison,
  formatProgress,
  formatRequestLine,
  formatScenarioHeader,
  formatScenarioResult,
  formatSummary,
  type RunContext,
  type ScenarioResult,
} from './report/text.js';
import { writeFileAtomically } from './report-file.js';
import { type GatewayConnection, type RunOutcome, runScenario } from './runner.js';
import { planScenario, type ScenarioPlan, scenarioLabel } from './scenarios.js';
import { type GatewaySettings, type Settings, secretsOf } from './settings.js';
import { createTally, summarizeTally, tallyRecord } from './stats.js';
import type { Env } from './targets.js';

/** Above this many requests a scenario shows progress instead of a line per request. */
const PER_REQUEST_LINES_MAX = 50;

export async function runDemo(settings: Settings, env: Env, rawIo: CliIO): Promise<number> {
  // Whatever leaves the process goes through the redactor: a provider's error message can echo
  // the key it was sent, and a URL can carry a password.
  const redact = createRedactor(secretsOf(settings, env));
  const io: CliIO = {
    ...rawIo,
    stdout: redacting(rawIo.stdout, redact),
    stderr: redacting(rawIo.stderr, redact),
  };
  try {
    return await runWith(settings, io, redact);
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message);
    throw error;
  }
}

function redacting(stream: OutputStream, redact: Redactor): OutputStream {
  return {
    write: (text: string) => stream.write(redact(text)),
    isTTY: stream.isTTY === true,
    get columns() {
      return (stream as { columns?: number }).columns;
    },
  };
}

async function runWith(settings: Settings, io: CliIO, redact: Redactor): Promise<number> {
  const c = colours(io.stdout, io.env);
  // The SDK cannot abort a request; the HTTP agent's timeouts close a stalled socket instead.
  setGlobalDispatcher(
    new Agent({ headersTimeout: settings.load.timeoutMs, bodyTimeout: settings.load.timeoutMs }),
  );
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
      await checkReachable(settings.gateway);
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
        faults: formatFaults(sim.faults),
      })),
    };
    say(formatBanner(context, c));

    const results: ScenarioResult[] = [];
    for (const name of settings.scenarios) {
      if (io.signal?.aborted) break;
      const plans = planScenario(name, targets, {
        ...(settings.requests !== undefined ? { requests: settings.requests } : {}),
        ...(settings.load.durationMs !== undefined ? { durationMs: settings.load.durationMs } : {}),
        ...(settings.weights ? { weights: settings.weights } : {}),
      });
      const variants: ScenarioResult[] = [];
      for (const plan of plans) {
        if (io.signal?.aborted) break;
        say(formatScenarioHeader(plan, settings.load, c));
        const disrupt = disruptor(plan, stack);
        try {
          variants.push(await runOne(plan, connection, settings, io, say, c, disrupt));
        } finally {
          await disrupt.restore();
        }
      }
      if (variants.length > 1) say(formatComparison(variants, c));
      results.push(...variants);
    }

    const checks = evaluateGate(
      results.map((r) => ({ scenario: scenarioLabel(r.plan), summary: r.summary })),
      settings.gate,
    );
    const failedChecks = checks.filter((check) => !check.passed);
    const served = [...(stack?.simulated ?? [])].map(([target, sim]) => ({
      target,
      chatCompletions: sim.served().chatCompletions,
    }));
    const document = `${JSON.stringify(buildJsonDocument(context, results, served, checks), null, 2)}\n`;
    // What the user asked to see comes first; a file that then cannot be written costs only itself.
    if (settings.json) {
      io.stdout.write(document);
      // stdout holds the document alone; failed checks still reach a CI log.
      for (const check of failedChecks) {
        io.stderr.write(`lb-demo: FAIL --${check.check} ${check.message}\n`);
      }
    } else {
      say(formatSummary(results, c));
      say(formatChecks(checks, c));
    }
    if (settings.out) {
      writeFileAtomically(settings.out, redact(document), '--out');
      say(c.dim(`JSON results written to ${settings.out}\n`));
    }
    // The page is rendered from the redacted document, as `lb-demo report` would render the
    // saved file: HTML escaping would otherwise hide a secret such as a&b from the redactor.
    if (settings.report) {
      const page = renderHtmlReport(parseResultsDocument(redact(document), settings.report));
      writeFileAtomically(settings.report, page, '--report');
      say(c.dim(`HTML report written to ${settings.report}\n`));
    }
    if (io.signal?.aborted) return EXIT.interrupted;
    return failedChecks.length > 0 ? EXIT.checkFailed : EXIT.ok;
  } finally {
    await stack?.stop();
  }
}

interface Disruptor {
  /** Applies the faults that hold from the start. */
  start(): Promise<void>;
  /** Called with the number of requests completed so far. */
  completed(count: number): void;
  /** Puts every disrupted simulator back as it was. */
  restore(): Promise<void>;
}

/**
 * Injects a plan's faults into the simulated providers. Only lb-demo's own simulators can be
 * disrupted, so resilience scenarios need the embedded default for the targets they disrupt.
 */
function disruptor(plan: ScenarioPlan, stack: EmbeddedStack | undefined): Disruptor {
  const touched = plan.disruptions.map((disruption) => {
    const target = plan.targets[disruption.target];
    const sim = target ? stack?.simulated.get(target.name) : undefined;
    if (!sim) {
      throw new UsageError(
        `--scenario ${plan.name}: it injects faults into "${target?.name ?? '?'}", which only works for lb-demo's own simulated providers; run it without GATEWAY_URL, OLLAMA_URL and VLLM_URL (or with a targets file without custom_host)`,
      );
    }
    return { disruption, sim, before: sim.faults };
  });
  const apply = ({ disruption, sim, before }: (typeof touched)[number]) =>
    sim.setFaults({ ...before, ...disruption.faults });
  return {
    start: async () => {
      await Promise.all(touched.filter((t) => t.disruption.afterRequests === undefined).map(apply));
    },
    completed: (count) => {
      for (const t of touched) if (t.disruption.afterRequests === count) void apply(t);
    },
    restore: async () => {
      await Promise.all(touched.map(({ sim, before }) => sim.setFaults(before)));
    },
  };
}

/** Runs one scenario, showing each request, progress lines or a progress bar as it goes. */
async function runOne(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  settings: Settings,
  io: CliIO,
  say: (text: string) => void,
  c: ChalkInstance,
  disrupt: Disruptor,
): Promise<ScenarioResult> {
  const expected = plan.targets.map((t, i) => ({
    name: t.name,
    provider: t.provider,
    weight: plan.weights[i] ?? 0,
  }));
  const tally = createTally(expected);
  const perRequestLines =
    plan.display === 'per-request' &&
    plan.requests !== undefined &&
    plan.requests <= PER_REQUEST_LINES_MAX;
  const bar =
    !perRequestLines && !settings.json && io.stderr.isTTY
      ? startProgressBar(
          io.stderr,
          expected.map((t) => t.name),
          plan,
        )
      : undefined;
  const step = progressStep(plan);
  const started = performance.now();
  let done = 0;
  let errors = 0;
  const split = expected.map(() => 0);

  let outcome: RunOutcome;
  await disrupt.start();
  try {
    outcome = await runScenario(
      plan,
      connection,
      { ...settings.load, ...(plan.requests !== undefined ? { requests: plan.requests } : {}) },
      {
        ...(io.signal ? { signal: io.signal } : {}),
        onRecord: (record) => {
          tallyRecord(tally, record);
          done += 1;
          disrupt.completed(done);
          if (!record.ok) errors += 1;
          if (record.targetIndex !== null && record.targetIndex < split.length) {
            split[record.targetIndex] = (split[record.targetIndex] ?? 0) + 1;
          }
          if (perRequestLines) say(formatRequestLine(record, plan, c));
          else if (bar) bar.update({ done, errors, split, elapsedMs: performance.now() - started });
          else if (done % step === 0) say(formatProgress(done, plan.requests));
        },
      },
    );
  } finally {
    bar?.stop();
  }
  if (!perRequestLines && !bar && done % step !== 0) say(formatProgress(done, plan.requests));
  const result = {
    plan,
    summary: summarizeTally(tally, settings.alpha, outcome.elapsedMs),
    interrupted: outcome.interrupted,
    load: settings.load,
  };
  say(formatScenarioResult(result, c));
  return result;
}

/** Progress lines: the seed's every 5 requests, at most about ten per scenario. */
function progressStep(plan: ScenarioPlan): number {
  return plan.requests === undefined ? 100 : Math.max(5, Math.ceil(plan.requests / 10));
}

/** Any HTTP answer means the gateway is there; a network error ends the run before it starts. */
async function checkReachable(gateway: GatewaySettings): Promise<void> {
  // A plain timer, not AbortSignal.timeout(): that one does not keep Node alive, and a fetch
  // to a server that accepts and never answers would leave nothing to wait for.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, 5_000);
  try {
    await fetch(new URL('/', gateway.url), {
      signal: controller.signal,
      ...(gateway.authorization ? { headers: { authorization: gateway.authorization } } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = timedOut
      ? 'no answer within 5 s'
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new RunError(`cannot reach the gateway at ${gateway.url} (${why})`);
  } finally {
    clearTimeout(timer);
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
function colours(stream: OutputStream, env: CliIO['env']): ChalkInstance {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const wanted = !env.NO_COLOR && (stream.isTTY === true || forced);
  return new Chalk({ level: wanted ? (supportsColor ? supportsColor.level : 1) || 1 : 0 });
}
