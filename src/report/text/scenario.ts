// One scenario's result in the text report, read from its entry in the results document (the
// HTML page reads the same entry, with the same formatters).
import type { ChalkInstance } from 'chalk';
import {
  FAULT_OUTCOME_HEAD,
  faultOutcomeRows,
  lateFirstTokenSentence,
  providerCallsSentence,
  RETRY_GAP_HEAD,
  retryGapRows,
  retryScheduleSentences,
} from '../calls.js';
import { latencyRows, shareBars } from '../charts.js';
import {
  alphaText,
  count,
  driftText,
  duration,
  fitOf,
  methodName,
  ms,
  percent,
  percentRange,
  signedPp,
  throughput,
  verdictText,
} from '../format.js';
import { openLoopSummary, openLoopWarning } from '../open-loop.js';
import type { ScenarioEntry } from '../schema.js';
import { indent, newTable } from './table.js';
import { formatCases, formatTree } from './tree.js';

export function formatScenarioResult(s: ScenarioEntry, c: ChalkInstance): string {
  const lines = [''];
  if (s.interrupted) {
    lines.push(
      c.yellow(
        `  Interrupted: ${s.requests} request(s) accounted for${s.planned_requests === null ? '' : ` of ${s.planned_requests} planned`}.`,
      ),
    );
  }
  lines.push('  Statistics:', indent(statisticsTable(s, c)));
  const cost = providerCallsSentence(s);
  lines.push(...(cost ? [`  Cost: ${cost}`] : []), '');
  if (s.open_loop) {
    const [arrivals, lag] = openLoopSummary(s.open_loop, s.load.rate_per_s);
    lines.push(`  Open loop: ${arrivals}`, `  ${lag}`);
    const warning = openLoopWarning(s.open_loop, s.load.rate_per_s);
    lines.push(...(warning ? [c.yellow(`  ${warning}`)] : []), '');
  }
  lines.push('  Distribution (the target the load balancer picked for each request):');
  lines.push(indent(distributionTable(s, c)), ...attributionLines(s, c));
  const shares = s.targets.map((t) => ({ ...t, expectedShare: t.expected_share }));
  lines.push('', shareBars(shares, c), '', ...verdictLines(s, c));
  if (s.nodes) lines.push('', ...formatTree(s, c), ...formatCases(s, c));
  lines.push(...callsSections(s, c));
  if (s.ttft_ms) {
    lines.push(
      '',
      `  Streaming by target, ms (successful requests; ${s.output_tokens_per_s.toFixed(1)} output tokens/s overall):`,
      indent(streamingTable(s, c)),
    );
    const late = lateFirstTokenSentence(s);
    if (late) lines.push(c.yellow(`  ${late}`));
  }
  if (s.targets.some((t) => t.latency_ms)) {
    lines.push('', '  Latency by target, ms (successful requests):', indent(latencyTable(s, c)));
    const histogram = { edgesMs: s.latency_histogram.edges_ms, counts: s.latency_histogram.counts };
    lines.push(
      latencyRows(
        histogram,
        s.targets.map((t) => t.name),
        duration,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What became of the requests faults hit, and the retry schedule measured. */
function callsSections(s: ScenarioEntry, c: ChalkInstance): string[] {
  const lines: string[] = [];
  const outcomes = faultOutcomeRows(s);
  if (outcomes.length > 0) {
    const table = newTable(c, FAULT_OUTCOME_HEAD);
    table.push(...outcomes);
    lines.push(
      '',
      "  Faults injected, and what the client got (by lb-demo's simulators' log):",
      indent(table.toString()),
    );
  }
  const gaps = retryGapRows(s);
  if (gaps.length > 0) {
    const table = newTable(c, RETRY_GAP_HEAD);
    table.push(...gaps);
    lines.push(
      '',
      '  Retry schedule, measured (gap from the previous call to the same target):',
      indent(table.toString()),
    );
  }
  const retried = retryScheduleSentences(s);
  if (retried.length > 0) lines.push('', ...retried.map((line) => `  ${line}`));
  return lines;
}

function verdictLines(s: ScenarioEntry, c: ChalkInstance): string[] {
  const fit = fitOf(s.test);
  const names = s.targets.map((t) => t.name);
  const verdict = `Verdict: ${verdictText(fit, names)}; ${methodName(fit)}, alpha ${alphaText(fit.alpha)}.`;
  const paint =
    fit.outcome === 'consistent' ? c.green : fit.outcome === 'differs' ? c.red : c.yellow;
  const lines = [`  ${paint(verdict)}`];
  if (fit.outcome === 'consistent' && s.attributed < s.test.requests_for_5pp_skew) {
    lines.push(
      c.dim(
        `  ${count(s.attributed)} requests can only reveal a large skew; about ${count(s.test.requests_for_5pp_skew)} would detect a 5 pp skew with 80% power.`,
      ),
    );
  }
  lines.push(
    c.dim(
      "  The gateway picks each request's target at random by weight: it does not take turns, so small runs stray.",
    ),
  );
  const drift = s.shards_homogeneity;
  if (drift) {
    const paint =
      drift.outcome === 'consistent' ? c.green : drift.outcome === 'differs' ? c.red : c.yellow;
    lines.push(paint(`  Across shards: ${driftText(drift)}.`));
  }
  return lines;
}

/** Requests whose pick nothing told, by cause, and picks only the simulators knew. */
function attributionLines(s: ScenarioEntry, c: ChalkInstance): string[] {
  const lines: string[] = [];
  if (s.unattributed > 0) {
    const causes = Object.entries(s.unattributed_by_cause)
      .map(([cause, n]) => `${cause === 'ok' ? 'succeeded' : cause} ${count(n)}`)
      .join(', ');
    lines.push(
      c.yellow(
        `  Unattributed: ${count(s.unattributed)} request(s) whose target nothing named (${causes || 'no cause recorded'}).`,
      ),
    );
  }
  if (s.attributed_by_simulator > 0) {
    lines.push(
      c.dim(
        `  ${count(s.attributed_by_simulator)} pick(s) known from lb-demo's simulators: the gateway's answer did not name a target.`,
      ),
    );
  }
  return lines;
}

function statisticsTable(s: ScenarioEntry, c: ChalkInstance): string {
  const table = newTable(c);
  table.push(
    { 'Total requests': count(s.requests) },
    { Successful: count(s.succeeded) },
    { Failed: s.failed > 0 ? c.red(count(s.failed)) : '0' },
    { 'Success rate': percent(s.success_rate) },
  );
  for (const [cause, n] of Object.entries(s.failures)) {
    table.push({ [`  ${cause}`]: count(n) });
  }
  if (s.partial_answers > 0) {
    table.push({
      '  answers broken midway': c.red(
        `${count(s.partial_answers)} (${count(s.partial_output_tokens)} tokens shown, then cut)`,
      ),
    });
  }
  if (s.elapsed_ms > 0) {
    table.push({ Throughput: throughput(s) });
  }
  if (s.retries > 0) table.push({ 'Gateway retries': count(s.retries) });
  const l = s.latency_ms;
  if (l) {
    table.push(
      { 'Avg latency': duration(l.avg) },
      { 'Min / max latency': `${duration(l.min)} / ${duration(l.max)}` },
      { 'p50 / p90': `${duration(l.p50)} / ${duration(l.p90)}` },
      { 'p95 / p99': `${duration(l.p95)} / ${duration(l.p99)}` },
    );
  }
  return table.toString();
}

function distributionTable(s: ScenarioEntry, c: ChalkInstance): string {
  const withFailures = s.targets.some((t) => t.failed > 0);
  const withFallbacks = s.fallbacks > 0;
  const head = ['Target', 'Picked', 'Observed', '95% CI', 'Expected (range)', 'Deviation'];
  if (withFailures) head.push('Failed');
  if (withFallbacks) head.push('Answered', 'Fallbacks');
  const withCalls = (s.provider_calls?.total ?? 0) > 0;
  if (withCalls) head.push('Provider calls');
  const table = newTable(c, head);
  for (const t of s.targets) {
    const [min, max] = t.expected_range;
    const { picked } = t;
    const outside = picked < min || picked > max;
    const row = [
      t.name,
      outside ? c.yellow(count(picked)) : count(picked),
      percent(t.share),
      percentRange(t.ci95),
      `${percent(t.expected_share)} (${count(min)}–${count(max)})`,
      signedPp(t.deviation_pp),
    ];
    if (withFailures) row.push(t.failed > 0 ? c.red(count(t.failed)) : '0');
    if (withFallbacks) row.push(count(t.answered), count(t.fallbacks));
    if (withCalls) row.push(count(t.provider_calls ?? 0));
    table.push(row);
  }
  return table.toString();
}

function latencyTable(s: ScenarioEntry, c: ChalkInstance): string {
  const table = newTable(c, ['Target', 'n', 'min', 'avg', 'p50', 'p90', 'p95', 'p99', 'max']);
  for (const t of s.targets) {
    const l = t.latency_ms;
    table.push(
      l
        ? [t.name, count(l.count), ...[l.min, l.avg, l.p50, l.p90, l.p95, l.p99, l.max].map(ms)]
        : [t.name, '0', '-', '-', '-', '-', '-', '-', '-'],
    );
  }
  return table.toString();
}

/** Time to first token and time per output token: the figures of LLM serving benchmarks. */
function streamingTable(s: ScenarioEntry, c: ChalkInstance): string {
  const table = newTable(c, [
    'Target',
    'n',
    'TTFT p50',
    'TTFT p90',
    'TTFT p99',
    'TPOT p50',
    'TPOT p99',
    'tokens',
  ]);
  for (const t of s.targets) {
    const ttft = t.ttft_ms;
    const tpot = t.tpot_ms;
    table.push([
      t.name,
      count(ttft?.count ?? 0),
      ...(ttft ? [ttft.p50, ttft.p90, ttft.p99].map(ms) : ['-', '-', '-']),
      ...(tpot ? [tpot.p50, tpot.p99].map(ms) : ['-', '-']),
      count(t.output_tokens),
    ]);
  }
  return table.toString();
}
