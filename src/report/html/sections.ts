// The sections of one scenario on the HTML page.

import {
  FAULT_OUTCOME_HEAD,
  faultOutcomeRows,
  lateFirstTokenSentence,
  providerCallsSentence,
  RETRY_GAP_HEAD,
  retryGapRows,
  retryScheduleSentences,
} from '../calls.js';
import {
  count,
  decimal,
  describeLoad,
  driftText,
  duration,
  fitOf,
  formatP,
  loadOf,
  methodName,
  ms,
  percent,
  percentRange,
  scenarioLabel,
  seconds,
  signedPp,
  throughput,
  verdictText,
} from '../format.js';
import { openLoopSummary, openLoopWarning } from '../open-loop.js';
import type { CheckEntry, LatencyEntry, ResultsDocument, ScenarioEntry } from '../schema.js';
import { histogramChart, splitChart } from './charts.js';
import { type Html, html, raw, table } from './markup.js';
import { treeSection } from './tree.js';

export function scenarioSection(s: ScenarioEntry, index: number): Html {
  return html`<section class="scenario" id="scenario-${index + 1}" data-scenario="${label(s)}">
<h2>${index + 1}. ${label(s)}</h2>
${
  s.interrupted
    ? html`<p class="notice interrupted"><strong>Interrupted:</strong> ${count(s.requests)} request(s) accounted for${
        s.planned_requests === null ? '' : ` of ${count(s.planned_requests)} planned`
      }.</p>`
    : ''
}
${configuration(s)}
${splitSection(s)}
${treeSection(s)}
${outcomesSection(s)}
${callsSection(s)}
${latencySection(s)}
${streamingSection(s)}
</section>`;
}

function configuration(s: ScenarioEntry): Html {
  const config = s.gateway_config;
  const extras: Html[] = [];
  if (config.retry) {
    extras.push(
      html`<li>Gateway retry: up to ${config.retry.attempts} more attempt(s) on status ${config.retry.on_status_codes.join(', ')}${config.retry.use_retry_after_header ? ', use_retry_after_header' : ''}</li>`,
    );
  }
  if (config.request_timeout_ms !== null) {
    extras.push(html`<li>Gateway request timeout: ${count(config.request_timeout_ms)} ms</li>`);
  }
  if (config.fallback) extras.push(html`<li>Each target is a fallback group over the others</li>`);
  for (const disruption of s.disruptions) extras.push(html`<li>Fault injected: ${disruption}</li>`);
  const rows = s.targets.map(
    (t) => html`<tr data-target="${t.name}">
<td>${t.index + 1}</td><td class="text">${t.name}</td><td class="text">${t.provider}</td><td class="text">${t.model ?? '-'}</td><td class="text url">${t.custom_host || '-'}</td><td>${decimal(t.expected_share)} (${percent(t.expected_share)})</td>
</tr>`,
  );
  return html`<h3>Configuration</h3>
<p class="load">Load: ${loadWords(s)}.</p>
${openLoopParagraphs(s)}
${extras.length > 0 ? html`<ul class="gateway-config">${extras}</ul>` : ''}
${table(
  'targets-table',
  html`<tr><th>#</th><th class="text">Target</th><th class="text">Provider</th><th class="text">Model</th><th class="text">custom_host</th><th>Weight (normalized)</th></tr>`,
  rows,
)}`;
}

/** How an open loop kept its schedule, and a warning when it did not. */
function openLoopParagraphs(s: ScenarioEntry): Html | string {
  if (!s.open_loop) return '';
  const warning = openLoopWarning(s.open_loop, s.load.rate_per_s);
  return html`<p class="open-loop">Open loop: ${openLoopSummary(s.open_loop, s.load.rate_per_s).join(' ')}</p>
${warning ? html`<p class="hint open-loop-warning">${warning}</p>` : ''}`;
}

function splitSection(s: ScenarioEntry): Html {
  const { test } = s;
  const hint =
    test.outcome === 'consistent' && s.attributed < test.requests_for_5pp_skew
      ? html`<p class="hint">${count(s.attributed)} requests can only reveal a large skew; about ${count(test.requests_for_5pp_skew)} would detect a 5 pp skew with 80% power.</p>`
      : '';
  const rows = s.targets.map((t) => {
    return html`<tr data-target="${t.name}">
<td class="text">${t.name}</td><td>${count(t.picked)}</td><td>${percent(t.share)}</td><td>${percentRange(t.ci95)}</td><td>${percent(t.expected_share)}</td><td>${count(t.expected_range[0])}–${count(t.expected_range[1])}</td><td>${signedPp(t.deviation_pp)}</td>
</tr>`;
  });
  return html`<h3>Split: expected against observed</h3>
<figure class="chart-block">
${splitChart(s)}
<figcaption>Share of the ${count(s.attributed)} requests whose target the gateway named, against the configured weight. The whisker on each observed bar is the 95% (Wilson) interval of that share.</figcaption>
</figure>
<p class="verdict ${test.outcome}"><strong>Verdict: ${verdictText(
    fitOf(test),
    s.targets.map((t) => t.name),
  )}.</strong> <span class="method">${describeTest(test)}</span></p>
${hint}
<p class="note">The gateway picks each request's target at random by weight: it does not take turns, so small runs stray from the weights.</p>
${
  s.shards_homogeneity
    ? html`<p class="verdict ${s.shards_homogeneity.outcome}"><strong>Across shards:</strong> ${driftText(s.shards_homogeneity)}.</p>`
    : ''
}
${table(
  'split-table',
  html`<tr><th class="text">Target</th><th>Picked</th><th>Observed</th><th>95% interval</th><th>Expected</th><th>Expected range</th><th>Deviation</th></tr>`,
  rows,
)}`;
}

/** The cost in provider calls, the faults' outcomes and the retry schedule: as the text says. */
function callsSection(s: ScenarioEntry): Html {
  const cost = providerCallsSentence(s);
  const cells = (row: string[]) =>
    html`<tr>${row.map((cell, i) => (i === 0 ? html`<td class="text">${cell}</td>` : html`<td>${cell}</td>`))}</tr>`;
  const head = (names: string[]) =>
    html`<tr>${names.map((name, i) => (i === 0 ? html`<th class="text">${name}</th>` : html`<th>${name}</th>`))}</tr>`;
  const outcomes = faultOutcomeRows(s);
  const gaps = retryGapRows(s);
  const late = lateFirstTokenSentence(s);
  if (!cost && !late && outcomes.length === 0 && gaps.length === 0) return html``;
  return html`<h3>Provider calls</h3>
${cost ? html`<p class="cost">${cost}</p>` : ''}
${late ? html`<p class="notice late-first-token">${late}</p>` : ''}
${outcomes.length > 0 ? table('fault-outcomes', head(FAULT_OUTCOME_HEAD), outcomes.map(cells), "Faults injected, and what the client got (by lb-demo's simulators' log).") : ''}
${gaps.length > 0 ? table('retry-schedule', head(RETRY_GAP_HEAD), gaps.map(cells), 'Retry schedule, measured: the gap from the previous call to the same target.') : ''}
${retryScheduleSentences(s).map((line) => html`<p class="retry-note">${line}</p>`)}`;
}

function outcomesSection(s: ScenarioEntry): Html {
  const causes = Object.entries(s.failures).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  const failures =
    causes.length === 0
      ? html`<p class="failures none">Failures by cause: none.</p>`
      : html`<p>Failures by cause:</p><ul class="failures">${causes.map(
          ([cause, n]) =>
            html`<li data-cause="${cause}"><strong>${cause}</strong>: ${count(n)}</li>`,
        )}</ul>`;
  const rows = s.targets.map(
    (t) => html`<tr data-target="${t.name}">
<td class="text">${t.name}</td><td>${count(t.picked)}</td><td>${count(t.answered)}</td><td class="failed">${count(t.failed)}</td><td>${count(t.retries)}</td><td>${count(t.fallbacks)}</td>
</tr>`,
  );
  const direct = s.direct_latency_ms;
  const fallback = s.fallback_latency_ms;
  const fallbackNote =
    s.fallbacks > 0
      ? html`<p class="note">Picked: requests the load balancer sent to the target first. Answered: successful responses the target produced, for its own picks or as another's fallback; latency is by the target that answered. Fallbacks: picks of the target that another member of its fallback group answered.</p>`
      : '';
  return html`<h3>Outcomes</h3>
<dl class="facts outcomes">
<dt>Requests</dt><dd>${count(s.requests)}${s.planned_requests === null ? '' : ` of ${count(s.planned_requests)} planned`}</dd>
<dt>Succeeded</dt><dd class="succeeded">${count(s.succeeded)} (${percent(s.success_rate)})</dd>
<dt>Failed</dt><dd class="failed">${count(s.failed)}</dd>
<dt>Throughput</dt><dd>${throughput(s)}</dd>
<dt>Gateway retries</dt><dd class="retries">${count(s.retries)}</dd>
<dt>Served by a fallback</dt><dd>${count(s.fallbacks)}</dd>
${s.unattributed > 0 ? html`<dt>Unattributed</dt><dd class="unattributed">${count(s.unattributed)} request(s) whose target nothing named (${unattributedCauses(s)})</dd>` : ''}
${
  Object.keys(s.failure_statuses).length > 0
    ? html`<dt>Failed, by status</dt><dd class="failure-statuses">${Object.entries(
        s.failure_statuses,
      )
        .map(([status, n]) => `HTTP ${status} ${count(n)}`)
        .join(', ')}</dd>`
    : ''
}
${s.partial_answers > 0 ? html`<dt>Answers broken midway</dt><dd class="partial">${count(s.partial_answers)} (${count(s.partial_output_tokens)} output tokens shown, then cut)</dd>` : ''}
${s.attributed_by_simulator > 0 ? html`<dt>Known from simulators</dt><dd>${count(s.attributed_by_simulator)} pick(s): the gateway's answer did not name a target, lb-demo's simulator of it did</dd>` : ''}
</dl>
${failures}
${
  direct && fallback
    ? html`<p>A fallback answer took ${duration(fallback.p50)} at the median, against ${duration(direct.p50)} from the first choice.</p>`
    : ''
}
${table(
  'outcomes-table',
  html`<tr><th class="text">Target</th><th>Picked</th><th>Answered</th><th>Failed</th><th>Retries</th><th>Fallbacks</th></tr>`,
  rows,
)}
${fallbackNote}`;
}

function latencySection(s: ScenarioEntry): Html {
  const { edges_ms: edges, counts } = s.latency_histogram;
  const figures = s.targets.map((t, i) => {
    const row = counts[i] ?? [];
    const total = row.reduce((sum, n) => sum + n, 0);
    const chart =
      total === 0 || edges.length < 2
        ? html`<p class="no-data">No successful request: nothing to draw.</p>`
        : histogramChart(t.name, edges, row);
    return html`<figure class="chart-block histogram" data-target="${t.name}">
<figcaption><strong>${t.name}</strong>: ${count(total)} successful request(s)${t.latency_ms ? `, median ${duration(t.latency_ms.p50)}` : ''}</figcaption>
${chart}
</figure>`;
  });
  const rows = s.targets.map((t) => percentileRow(t.name, t.latency_ms, { target: t.name }));
  rows.push(percentileRow('All targets', s.latency_ms, { all: true }));
  return html`<h3>Latency of successful requests</h3>
<p class="note">One histogram per target on a shared logarithmic axis, so targets far apart in speed stay comparable; each bar is labelled with its number of requests, and each histogram is scaled to its own tallest bar.</p>
<div class="histograms">${figures}</div>
${table(
  'latency-table',
  html`<tr><th class="text">Target</th><th>n</th><th>min</th><th>avg</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th></tr>`,
  rows,
  'Latency in ms',
)}`;
}

function percentileRow(
  name: string,
  stats: LatencyEntry | null,
  mark: { target?: string; all?: boolean },
): Html {
  const cells = stats
    ? [stats.min, stats.avg, stats.p50, stats.p90, stats.p95, stats.p99, stats.max].map(
        (v) => html`<td>${ms(v)}</td>`,
      )
    : Array.from({ length: 7 }, () => html`<td>-</td>`);
  return html`<tr${mark.target === undefined ? '' : html` data-target="${mark.target}"`}${mark.all ? raw(' class="all"') : ''}><td class="text">${name}</td><td>${count(stats?.count ?? 0)}</td>${cells}</tr>`;
}

function streamingSection(s: ScenarioEntry): Html | '' {
  if (!s.load.stream && s.ttft_ms === null) return '';
  const cells = (stats: LatencyEntry | null) =>
    stats
      ? [stats.p50, stats.p90, stats.p99].map((v) => html`<td>${ms(v)}</td>`)
      : [html`<td>-</td>`, html`<td>-</td>`, html`<td>-</td>`];
  const rows = s.targets.map(
    (t) =>
      html`<tr data-target="${t.name}"><td class="text">${t.name}</td><td>${count(t.ttft_ms?.count ?? 0)}</td>${cells(t.ttft_ms)}${cells(t.tpot_ms)}<td>${count(t.output_tokens)}</td></tr>`,
  );
  const tokens = s.targets.reduce((sum, t) => sum + t.output_tokens, 0);
  rows.push(
    html`<tr class="all"><td class="text">All targets</td><td>${count(s.ttft_ms?.count ?? 0)}</td>${cells(s.ttft_ms)}${cells(s.tpot_ms)}<td>${count(tokens)}</td></tr>`,
  );
  return html`<h3>Streaming</h3>
<p class="tokens-per-s">Output tokens/s: <strong>${decimal(s.output_tokens_per_s, 1)}</strong> over the whole scenario.</p>
${table(
  'streaming-table',
  html`<tr><th class="text" rowspan="2">Target</th><th rowspan="2">n</th><th colspan="3">Time to first token</th><th colspan="3">Time per output token</th><th rowspan="2">Output tokens</th></tr>
<tr><th>p50</th><th>p90</th><th>p99</th><th>p50</th><th>p90</th><th>p99</th></tr>`,
  rows,
  'Time to first token (TTFT) and time per output token (TPOT), in ms, of successful streamed requests',
)}`;
}

/** The scenario as the checks name it: "failover (with fallback)". */
export function label(s: ScenarioEntry): string {
  return s.label || scenarioLabel({ name: s.scenario, variant: s.variant });
}

export function checksOf(doc: ResultsDocument, s: ScenarioEntry): CheckEntry[] {
  return doc.checks.filter((c) => c.scenario === label(s));
}

function loadWords(s: ScenarioEntry): string {
  const amount =
    s.planned_requests !== null
      ? `${count(s.planned_requests)} requests planned`
      : `requests for ${s.duration_s ?? '?'} s`;
  return `${describeLoad(loadOf(s))}; ${amount}, ${count(s.requests)} sent in ${seconds(s.elapsed_ms)}`;
}

function unattributedCauses(s: ScenarioEntry): string {
  return Object.entries(s.unattributed_by_cause)
    .map(([cause, n]) => `${cause === 'ok' ? 'succeeded' : cause} ${count(n)}`)
    .join(', ');
}

function describeTest(test: ScenarioEntry['test']): string {
  const fit = fitOf(test);
  return `${methodName(fit)}: statistic ${decimal(test.statistic, 3)}, df ${test.df}, ${formatP(test.p_value)}, alpha ${test.alpha}.`;
}
