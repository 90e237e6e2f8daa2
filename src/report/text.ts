// Human output. Every function returns a string; the caller decides where it goes.
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { type CheckOutcome, methodName, verdictText } from '../checks.js';
import type { RequestRecord } from '../runner.js';
import { promptFor, type ScenarioPlan, scenarioLabel } from '../scenarios.js';
import type { LoadSettings } from '../settings.js';
import type { ScenarioSummary } from '../stats.js';
import { maskUrl } from '../validate.js';
import { latencyRows, shareBars } from './charts.js';

export interface RunContext {
  version: string;
  gatewayUrl: string;
  /** Set when lb-demo started the gateway itself. */
  embeddedGateway?: { version: string };
  /** Targets served by a simulator started by lb-demo. */
  simulated: { target: string; kind: string; latencyMs: number; url: string; faults: string }[];
}

export interface ScenarioResult {
  plan: ScenarioPlan;
  summary: ScenarioSummary;
  load: LoadSettings;
  /** The run was interrupted before all requests were sent. */
  interrupted: boolean;
}

const RULE = '='.repeat(70);

export function formatBanner(context: RunContext, c: ChalkInstance): string {
  const lines = [c.bold(`lb-demo ${context.version}`)];
  if (context.embeddedGateway) {
    lines.push(
      `Gateway: ${context.gatewayUrl} (embedded Portkey AI Gateway ${context.embeddedGateway.version}, loopback only)`,
    );
  } else {
    lines.push(`Gateway: ${maskUrl(context.gatewayUrl)}`);
  }
  if (context.simulated.length > 0) {
    const list = context.simulated
      .map(
        (s) =>
          `${s.target} (${s.kind}-compatible, ~${s.latencyMs} ms${s.faults ? `, faults ${s.faults}` : ''})`,
      )
      .join(', ');
    lines.push(
      c.yellow(`Providers are SIMULATED on this machine: ${list}.`),
      c.dim(
        "  Answers and latencies are made up; the routing is the real gateway's. To use real Ollama/vLLM,",
      ),
      c.dim(
        '  set OLLAMA_URL and VLLM_URL (and GATEWAY_URL for your own gateway) in .env; see README.',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatScenarioHeader(
  plan: ScenarioPlan,
  load: LoadSettings,
  c: ChalkInstance,
): string {
  const lines = [
    '',
    RULE,
    c.bold(`TEST ${plan.number}: ${plan.title}${plan.variant ? ` (${plan.variant})` : ''}`),
    RULE,
    '',
    'Configuration:',
    `  Strategy: ${plan.strategy}`,
    '  Targets:',
  ];
  plan.targets.forEach((target, i) => {
    const weight = plan.weights[i] ?? 0;
    lines.push(
      `    ${i + 1}. ${target.name} (${target.provider}, model ${target.model}) - ` +
        `${maskUrl(target.customHost)} - weight ${formatWeight(weight)} (${formatPercent(weight)})`,
    );
  });
  for (const disruption of plan.disruptions)
    lines.push(`  Fault injected: ${disruption.description}`);
  const amount =
    plan.requests === undefined
      ? `requests for ${formatSeconds(plan.durationMs ?? 0)}`
      : `${plan.requests} request${plan.requests === 1 ? '' : 's'}`;
  lines.push(`  Load: ${describeLoad(load)}`, '', `[Testing] Sending ${amount}...`, '');
  return `${lines.join('\n')}\n`;
}

export function describeLoad(load: LoadSettings): string {
  const shape =
    load.rate !== undefined
      ? `open loop, ${load.rate} requests/s with Poisson arrivals`
      : load.concurrency === 1
        ? 'closed loop, one request at a time'
        : `closed loop, ${load.concurrency} requests in flight`;
  return load.stream ? `${shape}, streamed` : shape;
}

export function formatRequestLine(
  record: RequestRecord,
  plan: ScenarioPlan,
  c: ChalkInstance,
): string {
  const head = `[Request ${record.seq + 1}/${plan.requests ?? '?'}] '${promptFor(plan, record.seq)}'`;
  const ttft = record.ttftMs === undefined ? '' : ` (first token ${formatDuration(record.ttftMs)})`;
  const retries = record.retries > 0 ? ` | Gateway retries: ${record.retries}` : '';
  const served = `Latency: ${formatDuration(record.latencyMs)}${ttft} | Target: ${targetLabel(record, plan)}${retries}`;
  if (record.ok) {
    return `${head}\n  ${c.green('SUCCESS')}: ${snippet(record.snippet ?? '')}\n  ${served}\n\n`;
  }
  const error = record.error;
  const status = error?.status ? ` ${error.status}` : '';
  return `${head}\n  ${c.red('FAILED')} (${error?.cause ?? 'error'}${status}): ${error?.message ?? ''}\n  ${served}\n\n`;
}

export function formatProgress(done: number, total: number | undefined): string {
  return `  Progress: ${done}${total === undefined ? '' : `/${total}`} requests done...\n`;
}

export function formatScenarioResult(result: ScenarioResult, c: ChalkInstance): string {
  const { summary, plan } = result;
  const lines = [''];
  if (result.interrupted) {
    lines.push(
      c.yellow(
        `  Interrupted: ${summary.requests} request(s) accounted for${plan.requests === undefined ? '' : ` of ${plan.requests} planned`}.`,
      ),
    );
  }
  lines.push('  Statistics:', indent(statisticsTable(summary, c)), '');

  lines.push('  Distribution (requests the gateway routed to each target):');
  lines.push(indent(distributionTable(summary, c)));
  if (summary.unattributed > 0) {
    lines.push(
      c.yellow(
        `  ${summary.unattributed} successful request(s) could not be attributed: the gateway sent no last-used-option-index header.`,
      ),
    );
  }
  lines.push('', shareBars(summary.targets, c), '');

  const { fit } = summary;
  const names = summary.targets.map((t) => t.name);
  const verdict = `Verdict: ${verdictText(fit, names)}; ${methodName(fit)}, alpha ${fit.alpha}.`;
  lines.push(`  ${fit.consistent ? c.green(verdict) : c.red(verdict)}`);
  if (fit.consistent && summary.attributed < summary.requestsFor5ppSkew) {
    lines.push(
      c.dim(
        `  ${summary.attributed} requests can only reveal a large skew; about ${summary.requestsFor5ppSkew.toLocaleString('en-US')} would detect a 5 pp skew with 80% power.`,
      ),
    );
  }
  lines.push(
    c.dim(
      "  The gateway picks each request's target at random by weight: it does not take turns, so small runs stray.",
    ),
  );

  if (summary.ttftMs) {
    lines.push(
      '',
      `  Streaming by target, ms (successful requests; ${summary.outputTokensPerSec.toFixed(1)} output tokens/s overall):`,
      indent(streamingTable(summary, c)),
    );
  }
  if (summary.latencyMs) {
    lines.push(
      '',
      '  Latency by target, ms (successful requests):',
      indent(latencyTable(summary, c)),
    );
    lines.push(
      latencyRows(
        summary.latencyHistogram,
        summary.targets.map((t) => t.name),
        formatDuration,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function statisticsTable(summary: ScenarioSummary, c: ChalkInstance): string {
  const table = new Table({ style: tableStyle(c) });
  table.push(
    { 'Total requests': String(summary.requests) },
    { Successful: String(summary.succeeded) },
    { Failed: summary.failed > 0 ? c.red(String(summary.failed)) : '0' },
    { 'Success rate': formatPercent(summary.successRate) },
  );
  for (const [cause, count] of Object.entries(summary.failuresByCause)) {
    table.push({ [`  ${cause}`]: String(count) });
  }
  if (summary.elapsedMs > 0) {
    table.push({
      Throughput: `${summary.requestsPerSec.toFixed(1)} req/s over ${formatSeconds(summary.elapsedMs)}`,
    });
  }
  if (summary.retries > 0) table.push({ 'Gateway retries': String(summary.retries) });
  const l = summary.latencyMs;
  if (l) {
    table.push(
      { 'Avg latency': formatDuration(l.avg) },
      { 'Min / max latency': `${formatDuration(l.min)} / ${formatDuration(l.max)}` },
      { 'p50 / p90': `${formatDuration(l.p50)} / ${formatDuration(l.p90)}` },
      { 'p95 / p99': `${formatDuration(l.p95)} / ${formatDuration(l.p99)}` },
    );
  }
  return table.toString();
}

function distributionTable(summary: ScenarioSummary, c: ChalkInstance): string {
  const withFailures = summary.targets.some((t) => t.failed > 0);
  const withFallbacks = summary.fallbacks > 0;
  const head = ['Target', 'Requests', 'Observed', '95% CI', 'Expected (range)', 'Deviation'];
  if (withFailures) head.push('Failed');
  if (withFallbacks) head.push('Fallbacks');
  const table = new Table({
    head,
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const t of summary.targets) {
    const [lo, hi] = t.ci95;
    const [min, max] = t.expectedRange;
    const outside = t.routed < min || t.routed > max;
    const row = [
      t.name,
      outside ? c.yellow(String(t.routed)) : String(t.routed),
      formatPercent(t.share),
      `${(lo * 100).toFixed(1)}–${(hi * 100).toFixed(1)}%`,
      `${formatPercent(t.expectedShare)} (${min}–${max})`,
      formatPp(t.deviationPp),
    ];
    if (withFailures) row.push(t.failed > 0 ? c.red(String(t.failed)) : '0');
    if (withFallbacks) row.push(String(t.fallbacks));
    table.push(row);
  }
  return table.toString();
}

function latencyTable(summary: ScenarioSummary, c: ChalkInstance): string {
  const table = new Table({
    head: ['Target', 'n', 'min', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'],
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const t of summary.targets) {
    const l = t.latencyMs;
    table.push(
      l
        ? [t.name, String(l.count), ...[l.min, l.avg, l.p50, l.p90, l.p95, l.p99, l.max].map(ms)]
        : [t.name, '0', '-', '-', '-', '-', '-', '-', '-'],
    );
  }
  return table.toString();
}

/** Time to first token and time per output token: the figures of LLM serving benchmarks. */
function streamingTable(summary: ScenarioSummary, c: ChalkInstance): string {
  const table = new Table({
    head: ['Target', 'n', 'TTFT p50', 'TTFT p90', 'TTFT p99', 'TPOT p50', 'TPOT p99', 'tokens'],
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const t of summary.targets) {
    const ttft = t.ttftMs;
    const tpot = t.tpotMs;
    table.push([
      t.name,
      String(ttft?.count ?? 0),
      ...(ttft ? [ttft.p50, ttft.p90, ttft.p99].map(ms) : ['-', '-', '-']),
      ...(tpot ? [tpot.p50, tpot.p99].map(ms) : ['-', '-']),
      String(t.outputTokens),
    ]);
  }
  return table.toString();
}

export function formatChecks(outcomes: readonly CheckOutcome[], c: ChalkInstance): string {
  if (outcomes.length === 0) return '';
  const lines = ['', c.bold('Checks:')];
  for (const o of outcomes) {
    lines.push(`  ${o.passed ? c.green('PASS') : c.red('FAIL')} --${o.check} ${o.message}`);
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  lines.push(
    failed === 0
      ? c.green(`All ${outcomes.length} checks passed.`)
      : c.red(`${failed} of ${outcomes.length} checks failed: exit status 1.`),
  );
  return `${lines.join('\n')}\n`;
}

/** A resilience scenario's runs side by side: without and with the gateway feature. */
export function formatComparison(results: readonly ScenarioResult[], c: ChalkInstance): string {
  const table = new Table({
    head: ['Run', 'Requests', 'Succeeded', 'Success', 'Fallbacks', 'Retries', 'p50', 'p99'],
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const { plan, summary } of results) {
    table.push([
      plan.variant ?? plan.name,
      String(summary.requests),
      String(summary.succeeded),
      formatPercent(summary.successRate),
      String(summary.fallbacks),
      String(summary.retries),
      summary.latencyMs ? formatDuration(summary.latencyMs.p50) : '-',
      summary.latencyMs ? formatDuration(summary.latencyMs.p99) : '-',
    ]);
  }
  const lines = ['', c.bold(`Side by side: ${results[0]?.plan.title ?? ''}`), table.toString()];
  for (const { plan, summary } of results) {
    const causes = Object.entries(summary.failuresByCause)
      .map(([cause, n]) => `${cause} ${n}`)
      .join(', ');
    lines.push(`  ${plan.variant ?? plan.name}: failures ${causes || 'none'}`);
    const direct = summary.directLatencyMs;
    const fallback = summary.fallbackLatencyMs;
    if (direct && fallback) {
      lines.push(
        `  ${plan.variant ?? plan.name}: a fallback answer took ${formatDuration(fallback.p50)} at the median, against ${formatDuration(direct.p50)} from the first choice (${formatSigned(fallback.p50 - direct.p50)})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatSummary(results: readonly ScenarioResult[], c: ChalkInstance): string {
  const table = new Table({
    head: ['Scenario', 'Requests', 'Success rate', 'Avg latency', 'Distribution'],
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'left'],
  });
  for (const { plan, summary } of results) {
    const split = summary.targets.map((t) => `${t.name} ${t.count}`).join(', ');
    table.push([
      scenarioLabel(plan),
      String(summary.requests),
      formatPercent(summary.successRate),
      summary.latencyMs ? formatDuration(summary.latencyMs.avg) : '-',
      split + (summary.unattributed ? `, unattributed ${summary.unattributed}` : ''),
    ]);
  }
  const failed = results.reduce((n, r) => n + r.summary.failed, 0);
  const interrupted = results.some((r) => r.interrupted);
  const closing = interrupted
    ? c.yellow('Interrupted: the figures above cover the requests that completed.')
    : failed > 0
      ? c.yellow(`Demo completed with ${failed} failed request(s).`)
      : c.green('Demo completed: every request succeeded.');
  const verdicts = results.map(({ plan, summary }) => {
    const text = `${scenarioLabel(plan)}: ${verdictText(
      summary.fit,
      summary.targets.map((t) => t.name),
    )}`;
    return `  ${summary.fit.consistent ? text : c.red(text)}`;
  });
  return [
    '',
    RULE,
    c.bold('LOAD BALANCING DEMO RESULTS SUMMARY'),
    RULE,
    table.toString(),
    'Split against the configured weights:',
    ...verdicts,
    closing,
    '',
  ].join('\n');
}

function targetLabel(record: RequestRecord, plan: ScenarioPlan): string {
  if (record.targetIndex === null)
    return record.provider ? `unknown target (${record.provider})` : 'unknown';
  const spec = plan.targets[record.targetIndex];
  return `${spec?.name ?? `target ${record.targetIndex + 1}`} (${record.provider ?? spec?.provider ?? '?'})`;
}

function tableStyle(c: ChalkInstance): { head: string[]; border: string[]; compact: boolean } {
  // cli-table3 colours headers itself; with colour off it must not.
  return c.level > 0
    ? { head: ['cyan'], border: ['grey'], compact: true }
    : { head: [], border: [], compact: true };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Milliseconds for a table whose heading carries the unit. */
function ms(value: number): string {
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function snippet(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

function formatSigned(ms: number): string {
  return `${ms >= 0 ? '+' : '-'}${formatDuration(Math.abs(ms))}`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(3)} s`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function formatWeight(weight: number): string {
  return Number(weight.toFixed(3)).toString();
}

function formatPp(pp: number): string {
  const rounded = Math.abs(pp) < 0.05 ? 0 : pp;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(1)} pp`;
}
