// The shards' latency, TTFT and TPOT distributions merged bucket by bucket (exact: counts add),
// and the figures the document shows read again from the merged buckets: percentiles within
// the histograms' stated relative precision of those of all the requests together. Pure.
import { UsageError } from '../errors.js';
import type { DistributionData, LatencyStats } from '../model/stats.js';
import {
  type Distribution,
  distributionData,
  distributionFromData,
  distributionStats,
  mergeDistribution,
  weightedValues,
} from '../stats/histogram.js';
import { weightedLatencyHistogram } from '../stats/latency.js';
import { round, roundLatency } from './rounding.js';
import type { ScenarioEntry } from './schema.js';

type Histograms = NonNullable<ScenarioEntry['histograms']>;

/** The merged distributions, and the fields of the scenario and of each target they give. */
export function mergeLatency(entries: readonly ScenarioEntry[]): {
  scenario: Pick<
    ScenarioEntry,
    | 'latency_ms'
    | 'ttft_ms'
    | 'tpot_ms'
    | 'direct_latency_ms'
    | 'fallback_latency_ms'
    | 'latency_histogram'
    | 'histograms'
    | 'open_loop'
  >;
  targets: Pick<ScenarioEntry['targets'][number], 'latency_ms' | 'ttft_ms' | 'tpot_ms'>[];
} {
  const parts = entries.map((entry, i) => {
    if (!entry.histograms) {
      throw new UsageError(
        `shard document ${i + 1} of ${entry.label}: no histograms to merge (written by lb-demo before 0.2, or edited)`,
      );
    }
    return entry.histograms;
  });
  const first = parts[0] as Histograms;
  const rows = (pick: (h: Histograms) => DistributionData[]) =>
    pick(first).map((_, row) => mergeAll(parts.map((h) => pick(h)[row])));
  const latency = rows((h) => h.latency_ms);
  const ttft = rows((h) => h.ttft_ms);
  const tpot = rows((h) => h.tpot_ms);
  const direct = mergeAll(parts.map((h) => h.direct_latency_ms));
  const fallback = mergeAll(parts.map((h) => h.fallback_latency_ms));
  const lag = mergeAll(parts.map((h) => h.schedule_lag_ms));
  const all = (distributions: readonly Distribution[]) =>
    mergeAll(distributions.map(distributionData));
  const targets = (entries[0]?.targets ?? []).map((_, i) => ({
    latency_ms: stats(latency[i]),
    ttft_ms: stats(ttft[i]),
    tpot_ms: stats(tpot[i]),
  }));
  const histogram = weightedLatencyHistogram(
    latency.slice(0, targets.length).map((d) => weightedValues(d)),
  );
  return {
    scenario: {
      latency_ms: stats(all(latency)),
      ttft_ms: stats(all(ttft)),
      tpot_ms: stats(all(tpot)),
      direct_latency_ms: stats(direct),
      fallback_latency_ms: stats(fallback),
      latency_histogram: {
        edges_ms: histogram.edgesMs.map((edge) => round(edge, 3)),
        counts: histogram.counts,
      },
      histograms: {
        ...first,
        latency_ms: latency.map(distributionData),
        ttft_ms: ttft.map(distributionData),
        tpot_ms: tpot.map(distributionData),
        direct_latency_ms: distributionData(direct),
        fallback_latency_ms: distributionData(fallback),
        schedule_lag_ms: distributionData(lag),
      },
      open_loop: mergeOpenLoop(entries, lag),
    },
    targets,
  };
}

function mergeAll(parts: readonly (DistributionData | undefined)[]): Distribution {
  const [head, ...rest] = parts.filter((p): p is DistributionData => p !== undefined);
  const merged = distributionFromData(
    head ?? { count: 0, sum: 0, min: null, max: null, indexes: [], counts: [] },
  );
  for (const part of rest) mergeDistribution(merged, distributionFromData(part));
  return merged;
}

function stats(d: Distribution | undefined): LatencyStats | null {
  return roundLatency(d ? distributionStats(d) : null);
}

/** The shards' open loops: what each scheduled, sent, dropped and ran late, summed. */
function mergeOpenLoop(
  entries: readonly ScenarioEntry[],
  lag: Distribution,
): ScenarioEntry['open_loop'] {
  type OpenLoop = NonNullable<ScenarioEntry['open_loop']>;
  const loops = entries.map((e) => e.open_loop).filter((l): l is OpenLoop => l != null);
  const head = loops[0];
  if (!head) return null;
  const add = (pick: (l: OpenLoop) => number) => loops.reduce((sum, l) => sum + pick(l), 0);
  return {
    ...head,
    scheduled: add((l) => l.scheduled),
    sent: add((l) => l.sent),
    dropped: add((l) => l.dropped),
    dropped_at_max_in_flight: add((l) => l.dropped_at_max_in_flight),
    dropped_behind_schedule: add((l) => l.dropped_behind_schedule),
    late: add((l) => l.late),
    schedule_lag_ms: stats(lag),
    // The shards' caps and peaks add: the peaks need not have come at the same moment, so the
    // sum is the most that can have been in flight at once.
    max_in_flight: add((l) => l.max_in_flight),
    peak_in_flight: add((l) => l.peak_in_flight),
  };
}
