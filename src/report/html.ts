// The shareable report: one self-contained HTML page rendered from the --json / --out document.
// Inline CSS and inline SVG drawn here, no script, no font, no fetch; the page's own Content
// Security Policy forbids any request. Pure: a document in, a string out; the same document
// always gives the same page.
import { methodName } from '../checks.js';
import type { ResultsDocument } from './results-document.js';

type Scenario = ResultsDocument['scenarios'][number];
type Target = Scenario['targets'][number];
type Latency = NonNullable<Scenario['latency_ms']>;
type Check = ResultsDocument['checks'][number];
type SimulatedProvider = ResultsDocument['simulated_providers'][number];

export function renderHtmlReport(doc: ResultsDocument): string {
  const labels = doc.scenarios.map(scenarioLabel);
  const title = `lb-demo report: ${labels.join(', ') || 'no scenario'}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="lb-demo ${doc.lb_demo}">
<title>${title}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
${header(doc)}
<main>
${summarySection(doc)}
${checksSection(doc)}
${doc.scenarios.map((scenario, i) => scenarioSection(scenario, i))}
</main>
<footer>
<p>Rendered by lb-demo from the results document of a run of lb-demo ${doc.lb_demo}. This page is self-contained: no script, no external style, font or image.</p>
</footer>
</body>
</html>
`;
  return page.text;
}

// ---------------------------------------------------------------------------------------------
// Page sections.

function header(doc: ResultsDocument): Html {
  const embedded = doc.embedded_gateway;
  return html`<header>
<h1>Portkey AI Gateway load balancing</h1>
<dl class="facts">
<dt>lb-demo</dt><dd>${doc.lb_demo}</dd>
<dt>Gateway</dt><dd><span class="url">${doc.gateway}</span></dd>
<dt>Embedded gateway</dt><dd class="embedded">${
    embedded
      ? `yes: ${embedded.package} ${embedded.version}, started by lb-demo on this machine (loopback only)`
      : 'no: a gateway that was already running'
  }</dd>
<dt>Providers</dt><dd class="providers">${
    doc.simulated_providers.length > 0
      ? 'SIMULATED by lb-demo (see below)'
      : 'real: none was simulated by lb-demo'
  }</dd>
</dl>
${simulatedNotice(doc.simulated_providers)}
${
  doc.interrupted
    ? html`<p class="notice interrupted"><strong>Interrupted:</strong> the run was stopped early; the figures cover the requests that completed.</p>`
    : ''
}
</header>`;
}

function simulatedNotice(simulated: readonly SimulatedProvider[]): Html | '' {
  if (simulated.length === 0) return '';
  const items = simulated.map(
    (s) =>
      html`<li data-target="${s.target}"><strong>${s.target}</strong>: ${s.kind}-compatible simulator, about ${s.latency_ms} ms per answer${
        s.faults ? html`, faults injected: <code>${s.faults}</code>` : ''
      }; it counted ${count(s.served_chat_completions)} chat completions over the whole run</li>`,
  );
  return html`<div class="notice simulated">
<p><strong>Providers were SIMULATED on this machine.</strong> Their answers and latencies are made up (the simulated latencies are below); the routing decisions are the real gateway's.</p>
<ul>${items}</ul>
</div>`;
}

function summarySection(doc: ResultsDocument): Html {
  if (doc.scenarios.length === 0) {
    return html`<section class="summary"><h2>Summary</h2><p>The document holds no scenario: the run ended before the first one completed.</p></section>`;
  }
  const rows = doc.scenarios.map((s, i) => {
    const checks = checksOf(doc, s);
    const failed = checks.filter((c) => !c.passed).length;
    return html`<tr>
<td class="text"><a href="#scenario-${i + 1}">${scenarioLabel(s)}</a></td>
<td>${count(s.requests)}</td>
<td>${percent(s.success_rate)}</td>
<td class="text">${s.test.consistent ? 'consistent' : 'differs'} (p = ${pValue(s.test.p_value)})</td>
<td class="text">${
      checks.length === 0
        ? 'none'
        : failed === 0
          ? `${checks.length} passed`
          : `${failed} of ${checks.length} FAILED`
    }</td>
</tr>`;
  });
  return html`<section class="summary">
<h2>Summary</h2>
${table(
  'summary-table',
  html`<tr><th class="text">Scenario</th><th>Requests</th><th>Success</th><th class="text">Split against the weights</th><th class="text">Checks</th></tr>`,
  rows,
)}
</section>`;
}

function checksSection(doc: ResultsDocument): Html {
  if (doc.checks.length === 0) {
    return html`<section class="checks"><h2>Checks</h2><p>No check was asked for (--fail-on-skew, --min-success-rate, --max-p99).</p></section>`;
  }
  const failed = doc.checks.filter((c) => !c.passed).length;
  const outcome =
    failed === 0
      ? `All ${doc.checks.length} checks passed.`
      : `${failed} of ${doc.checks.length} checks FAILED: the run exited with status 1.`;
  const items = doc.checks.map(
    (c) =>
      html`<li class="check ${c.passed ? 'pass' : 'fail'}" data-check="${c.check}" data-scenario="${c.scenario}"><span class="badge">${c.passed ? 'PASS' : 'FAIL'}</span> <code>--${c.check}</code> ${c.message}</li>`,
  );
  return html`<section class="checks">
<h2>Checks</h2>
<p class="checks-outcome ${doc.checks_passed === false ? 'fail' : 'pass'}"><strong>${outcome}</strong></p>
<ul class="check-list">${items}</ul>
</section>`;
}

function scenarioSection(s: Scenario, index: number): Html {
  return html`<section class="scenario" id="scenario-${index + 1}" data-scenario="${scenarioLabel(s)}">
<h2>${index + 1}. ${scenarioLabel(s)}</h2>
${
  s.interrupted
    ? html`<p class="notice interrupted"><strong>Interrupted:</strong> ${count(s.requests)} request(s) accounted for${
        s.planned_requests === null ? '' : ` of ${count(s.planned_requests)} planned`
      }.</p>`
    : ''
}
${configuration(s)}
${splitSection(s)}
${outcomesSection(s)}
${latencySection(s)}
${streamingSection(s)}
</section>`;
}

function configuration(s: Scenario): Html {
  const config = s.gateway_config;
  const extras: Html[] = [];
  if (config.retry) {
    extras.push(
      html`<li>Gateway retry: up to ${config.retry.attempts} more attempt(s) on status ${config.retry.on_status_codes.join(', ')}</li>`,
    );
  }
  if (config.request_timeout_ms !== null) {
    extras.push(html`<li>Gateway request timeout: ${count(config.request_timeout_ms)} ms</li>`);
  }
  if (config.fallback) extras.push(html`<li>Each target is a fallback group over the others</li>`);
  for (const disruption of s.disruptions) extras.push(html`<li>Fault injected: ${disruption}</li>`);
  const rows = s.targets.map(
    (t) => html`<tr data-target="${t.name}">
<td>${t.index + 1}</td><td class="text">${t.name}</td><td class="text">${t.provider}</td><td class="text">${t.model ?? '-'}</td><td class="text url">${t.custom_host || '-'}</td><td>${decimal(t.weight)} (${percent(t.weight)})</td>
</tr>`,
  );
  return html`<h3>Configuration</h3>
<p class="load">Load: ${describeLoad(s)}.</p>
${extras.length > 0 ? html`<ul class="gateway-config">${extras}</ul>` : ''}
${table(
  'targets-table',
  html`<tr><th>#</th><th class="text">Target</th><th class="text">Provider</th><th class="text">Model</th><th class="text">custom_host</th><th>Weight (normalized)</th></tr>`,
  rows,
)}`;
}

function splitSection(s: Scenario): Html {
  const { test } = s;
  const hint =
    test.consistent && s.attributed < test.requests_for_5pp_skew
      ? html`<p class="hint">${count(s.attributed)} requests can only reveal a large skew; about ${count(test.requests_for_5pp_skew)} would detect a 5 pp skew with 80% power.</p>`
      : '';
  const rows = s.targets.map((t) => {
    const [low, high] = interval(t);
    return html`<tr data-target="${t.name}">
<td class="text">${t.name}</td><td>${count(t.routed)}</td><td>${percent(t.share)}</td><td>${percent(low)}–${percent(high)}</td><td>${percent(t.expected_share)}</td><td>${count(t.expected_range[0])}–${count(t.expected_range[1])}</td><td>${signedPp(t.deviation_pp)}</td>
</tr>`;
  });
  return html`<h3>Split: expected against observed</h3>
<figure class="chart-block">
${splitChart(s)}
<figcaption>Share of the ${count(s.attributed)} requests whose target the gateway named, against the configured weight. The whisker on each observed bar is the 95% (Wilson) interval of that share.</figcaption>
</figure>
<p class="verdict ${test.consistent ? 'consistent' : 'differs'}"><strong>Verdict: ${test.verdict}.</strong> <span class="method">${describeTest(test)}</span></p>
${hint}
<p class="note">The gateway picks each request's target at random by weight: it does not take turns, so small runs stray from the weights.</p>
${table(
  'split-table',
  html`<tr><th class="text">Target</th><th>Routed</th><th>Observed</th><th>95% interval</th><th>Expected</th><th>Expected range</th><th>Deviation</th></tr>`,
  rows,
)}`;
}

function outcomesSection(s: Scenario): Html {
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
<td class="text">${t.name}</td><td>${count(t.routed)}</td><td>${count(t.count)}</td><td class="failed">${count(t.failed)}</td><td>${count(t.retries)}</td><td>${count(t.fallbacks)}</td>
</tr>`,
  );
  const direct = s.direct_latency_ms;
  const fallback = s.fallback_latency_ms;
  const fallbackNote =
    s.fallbacks > 0
      ? html`<p class="note">Fallbacks: requests the gateway routed to a target but answered from another one of its fallback group. They count, with their latency, under the target they were routed to.</p>`
      : '';
  return html`<h3>Outcomes</h3>
<dl class="facts outcomes">
<dt>Requests</dt><dd>${count(s.requests)}${s.planned_requests === null ? '' : ` of ${count(s.planned_requests)} planned`}</dd>
<dt>Succeeded</dt><dd class="succeeded">${count(s.succeeded)} (${percent(s.success_rate)})</dd>
<dt>Failed</dt><dd class="failed">${count(s.failed)}</dd>
<dt>Throughput</dt><dd>${decimal(s.requests_per_s, 1)} requests/s over ${seconds(s.elapsed_ms)}</dd>
<dt>Gateway retries</dt><dd class="retries">${count(s.retries)}</dd>
<dt>Served by a fallback</dt><dd>${count(s.fallbacks)}</dd>
${s.unattributed > 0 ? html`<dt>Target not named</dt><dd>${count(s.unattributed)} successful request(s): the gateway sent no last-used-option-index header</dd>` : ''}
</dl>
${failures}
${
  direct && fallback
    ? html`<p>A fallback answer took ${duration(fallback.p50)} at the median, against ${duration(direct.p50)} from the first choice.</p>`
    : ''
}
${table(
  'outcomes-table',
  html`<tr><th class="text">Target</th><th>Routed</th><th>Succeeded</th><th>Failed</th><th>Retries</th><th>Fallbacks</th></tr>`,
  rows,
)}
${fallbackNote}`;
}

function latencySection(s: Scenario): Html {
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
  stats: Latency | null,
  mark: { target?: string; all?: boolean },
): Html {
  const cells = stats
    ? [stats.min, stats.avg, stats.p50, stats.p90, stats.p95, stats.p99, stats.max].map(
        (v) => html`<td>${ms(v)}</td>`,
      )
    : Array.from({ length: 7 }, () => html`<td>-</td>`);
  return html`<tr${mark.target === undefined ? '' : html` data-target="${mark.target}"`}${mark.all ? raw(' class="all"') : ''}><td class="text">${name}</td><td>${count(stats?.count ?? 0)}</td>${cells}</tr>`;
}

function streamingSection(s: Scenario): Html | '' {
  if (!s.load.stream && s.ttft_ms === null) return '';
  const cells = (stats: Latency | null) =>
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

// ---------------------------------------------------------------------------------------------
// Charts: inline SVG sized by its viewBox, so it scales with the page and prints sharply.

const SPLIT = {
  width: 400,
  /** Room left of the bars for "observed 43.3%". */
  labelWidth: 104,
  barWidth: 286,
  barHeight: 13,
  group: 60,
  axis: 22,
} as const;

/** Expected and observed share per target, with the observed share's 95% interval. */
function splitChart(s: Scenario): Html {
  const { width, labelWidth: x0, barWidth, group } = SPLIT;
  const top = Math.max(
    0.1,
    ...s.targets.flatMap((t) => [t.share, t.expected_share, interval(t)[1]]),
  );
  const scaleMax = Math.min(1, Math.ceil(top * 10 - 1e-9) / 10);
  const x = (share: number) => x0 + (Math.min(Math.max(share, 0), scaleMax) / scaleMax) * barWidth;
  const plotHeight = s.targets.length * group;
  const ticks = [0, scaleMax / 2, scaleMax].map((tick, i) => {
    const anchor = i === 0 ? 'start' : i === 2 ? 'end' : 'middle';
    return html`${svg('line', { class: 'grid', x1: x(tick), x2: x(tick), y1: 0, y2: plotHeight })}${svg(
      'text',
      { class: 'tick', x: x(tick), y: plotHeight + 15, 'text-anchor': anchor },
      percent(tick, 0),
    )}`;
  });
  const groups = s.targets.map((t, i) => splitGroup(t, i * group, x));
  return html`<svg class="chart split-chart" data-scenario="${scenarioLabel(s)}" data-scale-max="${scaleMax}" viewBox="0 0 ${width} ${plotHeight + SPLIT.axis}" role="img" aria-label="${`Expected and observed share per target, ${scenarioLabel(s)}`}" xmlns="http://www.w3.org/2000/svg">
${ticks}
${svg('line', { class: 'axis', x1: x0, x2: x0, y1: 0, y2: plotHeight })}
${groups}
</svg>`;
}

/** One target: its name and interval, then the expected bar and the observed bar with whisker. */
function splitGroup(t: Target, y: number, x: (share: number) => number): Html {
  const { width, labelWidth: x0, barHeight } = SPLIT;
  const [low, high] = interval(t);
  const row = (kind: 'expected' | 'observed', share: number, rowY: number) =>
    html`${svg('text', { class: 'row-label', x: 0, y: rowY + 10.5 }, kind)}${svg(
      'text',
      { class: `value ${kind}`, x: x0 - 6, y: rowY + 10.5, 'text-anchor': 'end' },
      percent(share),
    )}${svg('rect', {
      class: `bar ${kind}`,
      'data-target': t.name,
      'data-share': share,
      x: x0,
      y: rowY,
      width: x(share) - x0,
      height: barHeight,
    })}`;
  const observedY = y + 38;
  const mid = observedY + barHeight / 2;
  const whisker = `M${n(x(low))} ${n(mid)}H${n(x(high))}M${n(x(low))} ${n(mid - 5)}v10M${n(x(high))} ${n(mid - 5)}v10`;
  const ci = `95% CI ${percent(low, 1, false)}–${percent(high)}`;
  // A long name is shortened to end before the interval; the tables below give it whole.
  const name = fitText(t.name, 13, width - textWidth(ci, 12) - 12);
  return html`<g class="target" data-target="${t.name}">
${svg('text', { class: 'name', x: 0, y: y + 13 }, name)}
${svg('text', { class: 'value ci', x: width, y: y + 13, 'text-anchor': 'end' }, ci)}
${row('expected', t.expected_share, y + 20)}
${row('observed', t.share, observedY)}
${svg('path', { class: 'ci95', 'data-target': t.name, 'data-low': low, 'data-high': high, d: whisker })}
</g>`;
}

const HISTOGRAM = {
  width: 400,
  height: 156,
  left: 30,
  right: 10,
  bottom: 36,
  /** More document bins than this are summed in pairs (or more), so each bar has room for a label. */
  maxBars: 20,
  /** Approximate width of a digit of a bar's label, in viewBox units. */
  digitWidth: 6.5,
} as const;

/** One target's latencies over the document's shared, log-spaced bins. */
function histogramChart(name: string, edges: readonly number[], counts: readonly number[]): Html {
  const { width, height, left, right, bottom } = HISTOGRAM;
  const bins = mergeBins(edges, counts, HISTOGRAM.maxBars);
  const slot = (width - left - right) / bins.length;
  const labels = bins.map((bin) => compactCount(bin.count));
  // Labels wider than a bar stand upright, so that neighbours never overlap.
  const upright = labels.some((label) => label.length * HISTOGRAM.digitWidth > slot - 2);
  const top = upright ? 8 + Math.max(...labels.map((l) => l.length)) * HISTOGRAM.digitWidth : 18;
  const base = height - bottom;
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const bars = bins.map((bin, i) => {
    if (bin.count === 0) return '';
    const barHeight = Math.max(1, (bin.count / peak) * (base - top));
    const center = left + (i + 0.5) * slot;
    const label = upright
      ? svg(
          'text',
          {
            class: 'bin-count',
            x: center + 4,
            y: base - barHeight - 3,
            transform: `rotate(-90 ${n(center + 4)} ${n(base - barHeight - 3)})`,
          },
          labels[i] ?? '',
        )
      : svg(
          'text',
          { class: 'bin-count', x: center, y: base - barHeight - 4, 'text-anchor': 'middle' },
          labels[i] ?? '',
        );
    return html`${svg('rect', {
      class: 'bin',
      'data-target': name,
      'data-count': bin.count,
      'data-from-ms': bin.from,
      'data-to-ms': bin.to,
      x: left + i * slot + 1,
      y: base - barHeight,
      width: Math.max(1, slot - 2),
      height: barHeight,
    })}${label}`;
  });
  const tickAt = [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * bins.length)))];
  const ticks = tickAt.map((i) => {
    const edge = i === bins.length ? bins[i - 1]?.to : bins[i]?.from;
    const anchor = i === 0 ? 'start' : i === bins.length ? 'end' : 'middle';
    const at = left + i * slot;
    return html`${svg('line', { class: 'tick-mark', x1: at, x2: at, y1: base, y2: base + 4 })}${svg(
      'text',
      { class: 'tick', x: at, y: base + 16, 'text-anchor': anchor },
      duration(edge ?? 0),
    )}`;
  });
  return html`<svg class="chart latency-histogram" data-target="${name}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${`Latency histogram of ${name}`}" xmlns="http://www.w3.org/2000/svg">
${svg('line', { class: 'axis', x1: left, x2: width - right, y1: base, y2: base })}
${svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: base })}
${svg('text', { class: 'tick', x: left - 4, y: base, 'text-anchor': 'end' }, '0')}
${svg('text', { class: 'tick', x: left - 4, y: top + 9, 'text-anchor': 'end' }, compactCount(peak))}
${bars}
${ticks}
${svg('text', { class: 'axis-title', x: width - right, y: height - 4, 'text-anchor': 'end' }, 'latency, log scale')}
</svg>`;
}

interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Adjacent bins summed in groups, so that at most `max` remain; exact, as the edges are shared. */
function mergeBins(edges: readonly number[], counts: readonly number[], max: number): Bin[] {
  const total = edges.length - 1;
  const size = Math.max(1, Math.ceil(total / max));
  const bins: Bin[] = [];
  for (let start = 0; start < total; start += size) {
    const end = Math.min(start + size, total);
    let sum = 0;
    for (let i = start; i < end; i++) sum += counts[i] ?? 0;
    bins.push({ from: edges[start] ?? 0, to: edges[end] ?? 0, count: sum });
  }
  return bins;
}

// ---------------------------------------------------------------------------------------------
// Words and numbers.

/** The scenario as the checks name it: "failover (with fallback)". */
function scenarioLabel(s: Scenario): string {
  if (s.label) return s.label;
  return s.variant ? `${s.scenario} (${s.variant})` : s.scenario;
}

function checksOf(doc: ResultsDocument, s: Scenario): Check[] {
  const label = scenarioLabel(s);
  return doc.checks.filter((c) => c.scenario === label);
}

function describeLoad(s: Scenario): string {
  const { load } = s;
  const shape =
    load.mode === 'open-loop'
      ? `open loop, ${load.rate_per_s} requests/s with Poisson arrivals`
      : load.concurrency === 1
        ? 'closed loop, one request at a time'
        : `closed loop, ${load.concurrency} requests in flight`;
  const amount =
    s.planned_requests !== null
      ? `${count(s.planned_requests)} requests planned`
      : `requests for ${s.duration_s ?? '?'} s`;
  return `${shape}, ${load.stream ? 'streamed' : 'not streamed'}; ${amount}, ${count(s.requests)} sent in ${seconds(s.elapsed_ms)}`;
}

function describeTest(test: Scenario['test']): string {
  const fit = {
    method: test.method,
    statistic: test.statistic,
    df: test.df,
    pValue: test.p_value,
    alpha: test.alpha,
    consistent: test.consistent,
    zeroWeightViolations: test.zero_weight_violations,
    ...('monte_carlo_samples' in test
      ? { monteCarloSamples: test.monte_carlo_samples, monteCarloSeed: test.seed }
      : {}),
  };
  return `${methodName(fit)}: statistic ${decimal(test.statistic, 3)}, df ${test.df}, p = ${pValue(test.p_value)}, alpha ${test.alpha}.`;
}

function interval(t: Target): [number, number] {
  return [t.ci95[0] ?? t.share, t.ci95[1] ?? t.share];
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whole numbers with thousands separators: 12,345. */
function count(value: number): string {
  if (!isNumber(value)) return 'n/a';
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Short counts for chart labels: 950, 1.2k, 12k. */
function compactCount(value: number): string {
  if (value < 1000) return String(value);
  if (value < 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (value < 1_000_000) return `${Math.round(value / 1000)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

function percent(fraction: number, digits = 1, sign = true): string {
  if (!isNumber(fraction)) return 'n/a';
  return `${(fraction * 100).toFixed(digits)}${sign ? '%' : ''}`;
}

function decimal(value: number, digits = 3): string {
  if (!isNumber(value)) return 'n/a';
  return String(Number(value.toFixed(digits)));
}

function signedPp(pp: number): string {
  if (!isNumber(pp)) return 'n/a';
  const rounded = Math.abs(pp) < 0.05 ? 0 : pp;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(1)} pp`;
}

/** The document's p-value as written there (6 significant digits), tiny ones in e-notation. */
function pValue(p: number): string {
  if (!isNumber(p)) return 'n/a';
  return p !== 0 && p < 1e-4 ? p.toExponential(2) : String(p);
}

/** Milliseconds for a table whose heading carries the unit. */
function ms(value: number): string {
  if (!isNumber(value)) return 'n/a';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return String(Number(value.toPrecision(2)));
}

function duration(value: number): string {
  if (!isNumber(value)) return 'n/a';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${ms(value)} ms`;
}

function seconds(milliseconds: number): string {
  return isNumber(milliseconds) ? `${(milliseconds / 1000).toFixed(2)} s` : 'n/a';
}

/**
 * A generous estimate of the width of text in px at `size`, measured on DejaVu Sans Bold (wider
 * than the usual system fonts).
 */
function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) {
    if ('WMmw@%…'.includes(c)) em += 1.1;
    else if ("iljtfrI.,:;!|' ".includes(c)) em += 0.45;
    else if (c >= 'A' && c <= 'Z') em += 0.8;
    else em += 0.72;
  }
  return em * size;
}

/** The text, shortened with an ellipsis if it would be wider than `room`. */
function fitText(text: string, size: number, room: number): string {
  if (textWidth(text, size) <= room) return text;
  const chars = Array.from(text.slice(0, 200));
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, size) > room) chars.pop();
  return `${chars.join('')}…`;
}

// ---------------------------------------------------------------------------------------------
// Markup. Every string goes through `html`, which escapes it unless it is already markup.

/** Markup known to be safe. Anything else interpolated into `html` is escaped. */
class Html {
  constructor(readonly text: string) {}
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function raw(text: string): Html {
  return new Html(text);
}

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('\n');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(typeof part === 'number' ? String(part) : (part as string));
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For text and for attribute values (always written in double quotes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * An SVG element. Coordinates are rounded to 2 decimals so the markup stays short; data-*
 * attributes keep the document's figures as they are.
 */
function svg(tag: string, attributes: Record<string, string | number>, content?: string): Html {
  const list = Object.entries(attributes)
    .map(([name, value]) => {
      const text =
        typeof value === 'string' ? value : name.startsWith('data-') ? String(value) : n(value);
      return ` ${name}="${escapeHtml(text)}"`;
    })
    .join('');
  return content === undefined
    ? raw(`<${tag}${list}/>`)
    : raw(`<${tag}${list}>${escapeHtml(content)}</${tag}>`);
}

function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A table in a wrapper that scrolls sideways on a narrow screen instead of widening the page. */
function table(className: string, head: Html, rows: readonly Html[], caption?: string): Html {
  // A note above the wrapper rather than a <caption>, which would scroll away with the table.
  return html`${caption ? html`<p class="table-note">${caption}</p>` : ''}<div class="table-wrap"><table class="${className}">
<thead>${head}</thead>
<tbody>${rows}</tbody>
</table></div>`;
}

const STYLES = `
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 62rem; padding: 1rem;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1b1f24; background: #fff;
}
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
p, li, dd, figcaption { overflow-wrap: anywhere; }
a { color: #0b57a4; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem 1rem; margin: .5rem 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.notice { border: 2px solid #9a6700; background: #fff8c5; padding: .5rem .75rem; margin: .75rem 0; }
.notice p { margin: .25rem 0; }
.notice ul { margin: .25rem 0; padding-left: 1.25rem; }
.note, figcaption, .table-note { color: #57606a; font-size: .875rem; }
.table-note { margin: .5rem 0 0; }
.hint { border-left: 4px solid #9a6700; padding-left: .5rem; }
.verdict { padding: .4rem .6rem; border-left: 6px solid; }
.verdict.consistent { border-color: #1a7f37; background: #f0fff4; }
.verdict.differs { border-color: #b3261e; background: #fff1f0; }
.checks-outcome.pass { color: #116329; }
.checks-outcome.fail { color: #a40e26; }
.check-list { list-style: none; padding: 0; }
.check { margin: .3rem 0; }
.badge { display: inline-block; min-width: 3.2em; text-align: center; font-weight: 700; font-size: .8rem; padding: 0 .3rem; border: 1px solid; border-radius: 3px; }
.check.pass .badge { color: #116329; background: #dafbe1; }
.check.fail .badge { color: #a40e26; background: #ffebe9; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .2rem .5rem; border-bottom: 1px solid #d0d7de; text-align: right; white-space: nowrap; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
th.text, td.text { text-align: left; }
tr.all td { font-weight: 600; }
td.url, .url { overflow-wrap: anywhere; }
figure { margin: .5rem 0 1rem; }
.chart { display: block; width: 100%; height: auto; max-width: 32rem; }
.chart text { font-size: 12px; fill: #1b1f24; }
.chart .name { font-size: 13px; font-weight: 700; }
.chart .name, .chart .ci { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.chart .row-label, .chart .tick, .chart .axis-title { fill: #57606a; }
.chart .bin-count { font-size: 11px; }
.chart .axis-title { font-size: 11px; }
.chart .axis, .chart .tick-mark { stroke: #57606a; stroke-width: 1; }
.chart .grid { stroke: #d0d7de; stroke-width: 1; stroke-dasharray: 3 3; }
.bar.expected { fill: #d0d7de; stroke: #57606a; stroke-width: 1; }
.bar.observed { fill: #4a86c8; stroke: #1f4e79; stroke-width: 1; }
.ci95 { stroke: #111; stroke-width: 2; fill: none; }
.bin { fill: #3572b0; }
.histograms { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 0 1.5rem; }
.histograms figure { margin: 0 0 1rem; }
.no-data { color: #57606a; font-style: italic; }
footer { margin-top: 2rem; color: #57606a; font-size: .8rem; border-top: 1px solid #d0d7de; }
@media (max-width: 30rem) {
  body { padding: .75rem; font-size: 14px; }
  .facts { column-gap: .75rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; color: #000; background: #fff; }
  a { color: inherit; text-decoration: none; }
  .table-wrap { overflow: visible; }
  .verdict.consistent, .verdict.differs, .notice, th { background: #fff; }
  .scenario { break-before: page; }
  figure, .chart-block, .histograms, table, .verdict, .check { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .chart { max-width: 16cm; }
}
`;
