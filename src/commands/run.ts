// The run command: settings -> (embedded stack) -> scenarios -> runner -> stats -> report.
import { EXIT } from '../errors.js';
import { evaluateGate } from '../gate.js';
import { writeFileAtomically } from '../io/files.js';
import { createRedactor, type Redactor } from '../io/redact.js';
import { type CliIO, colours, filtered, packageVersion } from '../io/streams.js';
import { attributeFromSimulators } from '../local/attribution.js';
import { disruptor } from '../local/disruptor.js';
import { REQUEST_ID_HEADER } from '../local/simulator/server.js';
import { type EmbeddedStack, startEmbeddedStack } from '../local/stack.js';
import type { GatewayConnection, Settings, TargetSpec } from '../model/input.js';
import type { RunContext, ScenarioResult } from '../model/run.js';
import { parseResultsDocument } from '../report/document.js';
import { scenarioLabel } from '../report/format.js';
import { renderHtmlReport } from '../report/html/page.js';
import { buildResultsDocument, scenarioEntry } from '../report/json.js';
import { formatBanner, formatScenarioHeader } from '../report/text/live.js';
import { formatScenarioResult } from '../report/text/scenario.js';
import { formatChecks, formatComparison, formatSummary } from '../report/text/summary.js';
import { checkReachable } from '../runner/reach.js';
import { planScenario } from '../scenarios.js';
import { formatFaults } from '../settings/faults.js';
import { runOneScenario, type ScenarioHooks, type ScenarioOutput } from './run-scenario.js';

export async function runDemo(settings: Settings, rawIo: CliIO): Promise<number> {
  // Whatever leaves the process goes through the redactor: a provider's error message can echo
  // the key it was sent, and a URL can carry a password.
  const redact = createRedactor(settings.secrets);
  const io: CliIO = {
    ...rawIo,
    stdout: filtered(rawIo.stdout, redact),
    stderr: filtered(rawIo.stderr, redact),
  };
  const c = colours(io.stdout, io.env);
  // In --json mode stdout carries the document alone.
  const say = (text: string) => {
    if (!settings.json) io.stdout.write(text);
  };
  let stack: EmbeddedStack | undefined;
  try {
    const { deployment } = settings;
    if (deployment.kind === 'own-gateway') await checkReachable(deployment.gateway);
    else stack = await startEmbeddedStack(deployment.targets, deployment.simulation);
    const connection: GatewayConnection =
      deployment.kind === 'own-gateway' ? deployment.gateway : embeddedConnection(stack);
    const targets = stack?.targets ?? (deployment.kind === 'own-gateway' ? deployment.targets : []);
    const context = runContext(connection, settings, stack);
    say(formatBanner(context, c));
    const results = await runScenarios(settings, connection, targets, stack, { io, say, c });
    return finish(settings, context, results, stack, { io, say, c }, redact);
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message);
    throw error;
  } finally {
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
  return {
    version: packageVersion(),
    gatewayUrl: connection.url,
    ...(stack ? { embeddedGateway: { version: stack.gateway.version } } : {}),
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

/** The summary, the checks, the files; the exit status. */
function finish(
  settings: Settings,
  context: RunContext,
  results: readonly ScenarioResult[],
  stack: EmbeddedStack | undefined,
  { io, say, c }: ScenarioOutput,
  redact: Redactor,
): number {
  const checks = evaluateGate(
    results.map((r) => ({ scenario: scenarioLabel(r.plan), summary: r.summary })),
    settings.gate,
  );
  const served = [...(stack?.simulated ?? [])].map(([target, sim]) => ({
    target,
    chatCompletions: sim.served().chatCompletions,
    chatRequests: sim.served().chatRequests,
  }));
  const document = buildResultsDocument(context, results, served, checks);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const failedChecks = checks.filter((check) => !check.passed);
  // What the user asked to see comes first; a file that then cannot be written costs only itself.
  if (settings.json) {
    io.stdout.write(text);
    // stdout holds the document alone; failed checks still reach a CI log.
    for (const check of failedChecks) {
      io.stderr.write(`lb-demo: FAIL --${check.check} ${check.message}\n`);
    }
  } else {
    say(formatSummary(document.scenarios, document.interrupted, c));
    say(formatChecks(document.checks, c));
  }
  if (settings.out) {
    writeFileAtomically(settings.out, redact(text), '--out');
    say(c.dim(`JSON results written to ${settings.out}\n`));
  }
  // The page is rendered from the redacted document, as `lb-demo report` would render the
  // saved file: HTML escaping would otherwise hide a secret such as a&b from the redactor.
  if (settings.report) {
    const page = renderHtmlReport(parseResultsDocument(redact(text), settings.report));
    writeFileAtomically(settings.report, page, '--report');
    say(c.dim(`HTML report written to ${settings.report}\n`));
  }
  if (io.signal?.aborted) return EXIT.interrupted;
  const gone = results.find((r) => r.stopReason === 'gateway-gone');
  if (gone) {
    const completed = results.reduce((n, r) => n + r.summary.requests, 0);
    io.stderr.write(
      `lb-demo: the gateway went away during ${scenarioLabel(gone.plan)}: ${gone.gatewayGoneReason ?? 'no answer'}; the report covers the ${completed} request(s) that completed\n`,
    );
    return EXIT.cannotRun;
  }
  return failedChecks.length > 0 ? EXIT.checkFailed : EXIT.ok;
}
