// Charts of the HTML page: inline SVG sized by its viewBox, so it scales with the page and
// prints sharply.

import { compactCount, duration, percent, percentRange, scenarioLabel } from '../format.js';
import type { ScenarioEntry, TargetEntry } from '../schema.js';
import { fitText, type Html, html, n, svg, textWidth } from './markup.js';

const SPLIT = {
  width: 400,
  /** Room left of the bars for "expected 100.0%". */
  labelWidth: 116,
  barWidth: 274,
  barHeight: 13,
  group: 60,
  axis: 22,
} as const;

/** Expected and observed share per target, with the observed share's 95% interval. */
export function splitChart(s: ScenarioEntry): Html {
  const { width, labelWidth: x0, barWidth, group } = SPLIT;
  const top = Math.max(0.1, ...s.targets.flatMap((t) => [t.share, t.expected_share, t.ci95[1]]));
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
  return html`<svg class="chart split-chart" data-scenario="${s.label || scenarioLabel({ name: s.scenario, variant: s.variant })}" data-scale-max="${scaleMax}" viewBox="0 0 ${width} ${plotHeight + SPLIT.axis}" role="img" aria-label="${`Expected and observed share per target, ${s.label || scenarioLabel({ name: s.scenario, variant: s.variant })}`}" xmlns="http://www.w3.org/2000/svg">
${ticks}
${svg('line', { class: 'axis', x1: x0, x2: x0, y1: 0, y2: plotHeight })}
${groups}
</svg>`;
}

/** One target: its name and interval, then the expected bar and the observed bar with whisker. */
function splitGroup(t: TargetEntry, y: number, x: (share: number) => number): Html {
  const { width, labelWidth: x0, barHeight } = SPLIT;
  const [low, high] = t.ci95;
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
  const ci = `95% CI ${percentRange(t.ci95)}`;
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
export function histogramChart(
  name: string,
  edges: readonly number[],
  counts: readonly number[],
): Html {
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
