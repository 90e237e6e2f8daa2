// Latency percentiles and histograms. Pure.
import type { LatencyHistogram, LatencyStats } from '../model/stats.js';

/**
 * The q-th percentile (q in [0, 100]) of an ascending array, interpolating linearly between the
 * closest ranks (numpy's default 'linear' method). The array is assumed sorted.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty array is undefined');
  if (!Number.isFinite(q) || q < 0 || q > 100) {
    throw new Error(`percentile q must be in [0, 100] (got ${q})`);
  }
  const rank = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  const t = rank - lo;
  if (t === 0 || a === b) return a;
  // numpy's _lerp: interpolate from the nearer end, which keeps the result within [a, b].
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

/** Count, mean, extremes and p50/p90/p95/p99 of latency samples; null when there are none. */
export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    count: sorted.length,
    avg: sorted.reduce((total, x) => total + x, 0) / sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

/**
 * Log-spaced bins from the fastest to the slowest sample, shared by all targets. Log spacing
 * keeps a 15 ms provider and a 300 ms one both readable on one axis.
 */
export function latencyHistogram(
  samples: readonly (readonly number[])[],
  bins = 40,
): LatencyHistogram {
  return weightedLatencyHistogram(
    samples.map((row) => row.map((value): [number, number] => [value, 1])),
    bins,
  );
}

/** The same from values with their counts (a distribution's buckets, say). */
export function weightedLatencyHistogram(
  rows: readonly (readonly [value: number, count: number][])[],
  bins = 40,
): LatencyHistogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    for (const [value] of row) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min === Number.POSITIVE_INFINITY) return { edgesMs: [], counts: rows.map(() => []) };
  const low = Math.max(min, 1e-3);
  const high = Math.max(max, low);
  const n = high > low ? bins : 1;
  const ratio = (high / low) ** (1 / n);
  const edgesMs = Array.from({ length: n + 1 }, (_, i) => (i === n ? high : low * ratio ** i));
  const counts = rows.map((row) => {
    const binCounts = new Array<number>(n).fill(0);
    for (const [value, count] of row) {
      const at =
        high > low ? Math.floor(Math.log(Math.max(value, low) / low) / Math.log(ratio)) : 0;
      const bin = Math.min(Math.max(at, 0), n - 1);
      binCounts[bin] = (binCounts[bin] ?? 0) + count;
    }
    return binCounts;
  });
  return { edgesMs, counts };
}
