// The run command: settings -> (embedded stack) -> scenarios -> runner -> stats -> report.
import { EXIT, WriteError } from '../errors.js';
import { evaluateGate } from '../gate.js';
import { type LineFile, openLineFile, writeFileSafely } from '../io/files.js';
import { createRedactor, type Redactor } from '../io/redact.js';
import { type CliIO, colours, filtered, packageVersion } from '../io/streams.js';
import { attributeFromSimulators } from '../local/attribution.js';
import { disruptor } from '../local/disruptor.js';
import { REQUEST_ID_HEADER } from '../local/simulator/server.js';
import { type EmbeddedStack, startEmbeddedStack } from '../local/stack.js';
import type { GatewayConnection, Settings, TargetSpec } from '../model/input.js';
import type { RequestRecord } from '../model/request.js';
import type { RunContext, ScenarioResult } from '../model/run.js';
import type { UserConfig } from '../model/tree.js';
import { checkName, scenarioLabel } from '../report/format.js';
import { renderHtmlReport } from '../report/html/page.js';
import { buildResultsDocument, formatResultsJson, scenarioEntry } from '../report/json.js';
import { formatRecordLine } from '../report/records.js';
import { formatFindings } from '../report/text/lint.js';
import { formatBanner, formatScenarioHeader } from '../report/text/live.js';
import { formatScenarioResult } from '../report/text/scenario.js';
import { formatChecks, formatComparison, formatSummary } from '../report/text/summary.js';
import { checkReachable } from '../runner/reach.js';
import { planScenario } from '../scenarios.js';
import { formatFaults } from '../settings/faults.js';
import { runCases } from './run-cases.js';
import { runOneScenario, type ScenarioHooks, type ScenarioOutput } from './run-scenario.js';

export async function runDemo(settings: Settings, rawIo: CliIO): Promise<number> {
  // A provider's error message can echo the key it was sent: text from the network is masked
  // where it comes in; a last net over every stream catches the long keys anywhere.
  const vocabulary = settings.deployment.targets.flatMap((t) => [t.name, t.provider, t.model]);
  const redact = createRedactor(settings.secrets, vocabulary);
  const io: CliIO = {
    ...rawIo,
    stdout: filtered(rawIo.stdout, redact.net),
    stderr: filtered(rawIo.stderr, redact.net),
  };
  const c = colours(io.stdout, io.env);
  // In --json mode stdout carries the document alone.
  const say = (text: string) => {
    if (!settings.json) io.stdout.write(text);
  };
  if (settings.userConfig) {
    const stop = lintGate(settings.userConfig, settings, io, say, c);
    if (stop !== undefined) return stop;
  }
  let stack: EmbeddedStack | undefined;
  let records: LineFile | undefined;
  try {
    const { deployment } = settings;
    if (deployment.kind === 'own-gateway') await checkReachable(deployment.gateway);
    else stack = await startEmbeddedStack(deployment.targets, deployment.simulation);
    const connection: GatewayConnection =
      deployment.kind === 'own-gateway' ? deployment.gateway : embeddedConnection(stack);
    const targets = stack?.targets ?? (deployment.kind === 'own-gateway' ? deployment.targets : []);
    const context = runContext(connection, settings, stack);
    say(formatBanner(context, c));
    records = settings.records ? openLineFile(settings.records, '--records') : undefined;
    const lines = records;
    const out: ScenarioOutput = {
      io,
      say,
      c,
      mask: maskRecord(redact),
      ...(lines
        ? {
            keep: (plan, record) =>
              lines.writeLine(redact.net(formatRecordLine(scenarioLabel(plan), plan, record))),
          }
        : {}),
    };
    const results = await runScenarios(settings, connection, targets, stack, out);
    return finish(settings, context, results, stack, out, redact, records);
  } catch (error) {
    if (error instanceof Error) error.message = redact.text(error.message);
    throw error;
  } finally {
    records?.discard();
    await stack?.stop();
  }
}

/** lb-demo's own gateway, which takes only requests that carry its token. */
function embeddedConnection(stack: EmbeddedStack | undefined): GatewayConnection {
  const token = stack?.gateway.token;
  return { url: stack?.gateway.url ?? '', ...(token ? { token } : {}) };
}

function runContext(
  connection: GatewayConnection,
  settings: Settings,
  stack: EmbeddedStack | undefined,
): RunContext {
  const simulation =
    settings.deployment.kind === 'embedded' ? settings.deployment.simulation : undefined;
  const keyed = settings.deployment.targets.filter((t) => t.provider === 'ollama' && t.apiKey);
  return {
    version: packageVersion(),
    gatewayUrl: connection.url,
    // The gateway's ollama provider has no headers of its own: a key would never reach Ollama.
    notes: [
      ...keyed.map(
        (t) =>
          `${t.name}: an API key is set, but the gateway's ollama provider sends none to Ollama; it is not used`,
      ),
      ...(settings.userConfig && stack
        ? [
            `dry run of ${settings.userConfig.file}: each leaf is one of lb-demo's simulated providers standing for the provider it names (Ollama for ollama, OpenAI-compatible otherwise); no key, virtual key or real host is called`,
          ]
        : []),
    ],
    ...(stack ? { embeddedGateway: { version: stack.gateway.version } } : {}),
    ...(settings.shard
      ? { shard: { ...settings.shard, gate: settings.gate, alpha: settings.alpha } }
      : {}),
    simulated: [...(stack?.simulated ?? [])].map(([target, sim]) => ({
      target,
      kind: sim.kind,
      latencyMs:
        (sim.kind === 'ollama' ? simulation?.ollamaLatencyMs : simulation?.openaiLatencyMs) ?? 0,
      url: sim.baseUrl,
      faults: formatFaults(sim.faults),
    })),
  };
}

/** Every scenario asked for, in turn; a resilience scenario's runs side by side after them. */
async function runScenarios(
  settings: Settings,
  connection: GatewayConnection,
  targets: readonly TargetSpec[],
  stack: EmbeddedStack | undefined,
  out: ScenarioOutput,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const name of settings.scenarios) {
    if (out.io.signal?.aborted || results.some((r) => r.stopReason === 'gateway-gone')) break;
    const plans = planScenario(name, targets, {
      ...(settings.requests !== undefined ? { requests: settings.requests } : {}),
      ...(settings.load.durationMs !== undefined ? { durationMs: settings.load.durationMs } : {}),
      ...(settings.weights ? { weights: settings.weights } : {}),
      ...(settings.userConfig
        ? { userConfig: settings.userConfig, simulated: stack !== undefined }
        : {}),
      ...(settings.shard ? { shard: settings.shard } : {}),
    });
    const entries = [];
    for (const plan of plans) {
      if (out.io.signal?.aborted || results.some((r) => r.stopReason === 'gateway-gone')) break;
      out.say(formatScenarioHeader(plan, settings.load, out.c));
      const disrupt = disruptor(plan, stack?.simulated ?? new Map());
      try {
        await disrupt.start();
        const hooks: ScenarioHooks = {
          onCompleted: disrupt.completed,
          ...(stack
            ? {
                attribute: {
                  header: REQUEST_ID_HEADER,
                  complete: attributeFromSimulators(plan, stack.takeAttempts),
                },
                gatewayGone: stack.gateway.gone,
              }
            : {}),
        };
        const result = await runOneScenario(plan, connection, settings, hooks, out);
        if (settings.userConfig && result.stopReason === null) {
          result.cases = await runCases(
            settings.userConfig,
            plan,
            connection,
            settings,
            hooks,
            out,
          );
        }
        results.push(result);
        entries.push(scenarioEntry(result));
        out.say(formatScenarioResult(scenarioEntry(result), out.c));
      } finally {
        stack?.clearAttempts();
        await disrupt.restore();
      }
    }
    if (entries.length > 1) out.say(formatComparison(entries, out.c));
  }
  return results;
}

/**
 * The lint's findings before a config runs; errors stop it (exit 1) unless --ignore-lint. In
 * --json mode they go to stderr, and into the document.
 */
function lintGate(
  config: UserConfig,
  settings: Settings,
  io: CliIO,
  say: (text: string) => void,
  c: ScenarioOutput['c'],
): number | undefined {
  const { findings } = config;
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (findings.length > 0) {
    const text = formatFindings(config.file, findings, c);
    if (settings.json) io.stderr.write(text);
    else say(`${text}\n`);
  }
  if (errors === 0 || settings.ignoreLint) return undefined;
  io.stderr.write(
    `lb-demo: ${config.file}: ${errors} error(s) the gateway would not report; fix them, or run it anyway with --ignore-lint\n`,
  );
  return EXIT.checkFailed;
}

/** The network's words in a record (an answer's start, an error message), masked. */
function maskRecord(redact: Redactor): (record: RequestRecord) => RequestRecord {
  return (record) => {
    if (record.snippet === undefined && record.error === undefined) return record;
    return {
      ...record,
      ...(record.snippet === undefined ? {} : { snippet: redact.text(record.snippet) }),
      ...(record.error
        ? { error: { ...record.error, message: redact.text(record.error.message) } }
        : {}),
    };
  };
}

/** The summary, the checks, the files; the exit status. */
function finish(
  settings: Settings,
  context: RunContext,
  results: readonly ScenarioResult[],
  stack: EmbeddedStack | undefined,
  { io, say, c }: ScenarioOutput,
  redact: Redactor,
  records: LineFile | undefined,
): number {
  const sent = results.reduce((n, r) => n + r.summary.requests, 0);
  if (io.signal?.aborted && sent === 0) {
    // Nothing was measured: no summary that could read as a success, no file written over.
    io.stderr.write('lb-demo: interrupted before any request was sent; nothing to report\n');
    return EXIT.interrupted;
  }
  // A shard's checks are the merged run's: `lb-demo merge` judges them once, on all shards.
  const checks = settings.shard
    ? []
    : evaluateGate(
        results.map((r) => ({
          scenario: scenarioLabel(r.plan),
          summary: r.summary,
          ...(r.cases ? { cases: r.cases } : {}),
          ...(r.plan.failuresExpected ? { failuresExpected: true } : {}),
        })),
        settings.gate,
      );
  const served = [...(stack?.simulated ?? [])].map(([target, sim]) => {
    const counts = sim.served();
    return {
      target,
      chatCompletions: counts.chatCompletions,
      chatRequests: counts.chatRequests,
      faults: { ...counts.faults },
    };
  });
  const document = buildResultsDocument(context, results, served, checks, io.signal?.aborted);
  // Built from masked values; the net only catches a long key that slipped into a name.
  const text = redact.net(formatResultsJson(document));
  const failedChecks = checks.filter((check) => !check.passed);
  // What the user asked to see comes first; a file that then cannot be written costs only itself.
  if (settings.json) {
    io.stdout.write(text);
    // stdout holds the document alone; failed checks still reach a CI log.
    for (const check of failedChecks) {
      io.stderr.write(`lb-demo: FAIL ${checkName(check.check)} ${check.message}\n`);
    }
  } else {
    say(formatSummary(document.scenarios, document.interrupted, c));
    say(formatChecks(document.checks, c));
  }
  const written = writeOutputs(settings, document, text, records, { io, say, c });
  if (io.signal?.aborted) return EXIT.interrupted;
  const gone = results.find((r) => r.stopReason === 'gateway-gone');
  if (gone) {
    io.stderr.write(
      `lb-demo: the gateway went away during ${scenarioLabel(gone.plan)}: ${gone.gatewayGoneReason ?? 'no answer'}; the report covers the ${sent} request(s) that completed\n`,
    );
    return EXIT.cannotRun;
  }
  if (!written) return EXIT.writeFailed;
  return failedChecks.length > 0 ? EXIT.checkFailed : EXIT.ok;
}

/** --out and --report, each tried whatever became of the other; false when one failed. */
function writeOutputs(
  settings: Settings,
  document: ReturnType<typeof buildResultsDocument>,
  text: string,
  records: LineFile | undefined,
  { io, say, c }: Pick<ScenarioOutput, 'io' | 'say' | 'c'>,
): boolean {
  const outputs: [string | undefined, string, () => string][] = [
    [settings.out, '--out', () => text],
    [settings.report, '--report', () => renderHtmlReport(document)],
  ];
  let ok = true;
  try {
    records?.close();
    if (records) say(c.dim(`Request records written to ${settings.records}\n`));
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    io.stderr.write(`lb-demo: ${error.message}\n`);
    ok = false;
  }
  for (const [path, input, render] of outputs) {
    if (!path) continue;
    try {
      writeFileSafely(path, render(), input);
      say(c.dim(`${input === '--out' ? 'JSON results' : 'HTML report'} written to ${path}\n`));
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      io.stderr.write(`lb-demo: ${error.message}\n`);
      ok = false;
    }
  }
  return ok;
}
