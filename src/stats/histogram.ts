// A mergeable distribution of durations: count, sum, extremes and log-linear buckets (HDR-like),
// plus the values themselves while there are few. Pure.
//
// Buckets: values below LOWEST_MS share bucket 0; above, each power of two from LOWEST_MS up is cut
// into SUB_BUCKETS equal parts. A bucket's midpoint is within MAX_RELATIVE_ERROR of every value
// in it, so a percentile read from the buckets (by the same rank interpolation as the exact one)
// is within MAX_RELATIVE_ERROR of the exact percentile of the same values, however many
// distributions were merged to make it. Merging adds counts bucket by bucket: exact, and in any
// order. Memory is bounded by the buckets in use, not by the number of values.
import type { DistributionData, LatencyStats } from '../model/stats.js';
import { percentile } from './latency.js';

/** Values below this (ms) share one bucket, whose midpoint is within LOWEST_MS / 2 of them. */
export const LOWEST_MS = 0.001;
/** Linear buckets per power of two. */
export const SUB_BUCKETS = 256;
/** Of a bucket's midpoint to any value at or above LOWEST_MS in it: 1 / (2 × SUB_BUCKETS). */
export const MAX_RELATIVE_ERROR = 1 / (2 * SUB_BUCKETS);
/** Values kept as they are up to this count: their percentiles are exact. */
export const EXACT_LIMIT = 10_000;

export interface Distribution {
  count: number;
  /** Of every value added: the mean is sum / count. */
  sum: number;
  /** Exact extremes (Infinity and -Infinity while empty). */
  min: number;
  max: number;
  /** Bucket index -> values in it. */
  buckets: Map<number, number>;
  /** Every value added, while count <= EXACT_LIMIT; null after (and after a merge past it). */
  exact: number[] | null;
}

export function createDistribution(): Distribution {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    buckets: new Map(),
    exact: [],
  };
}

/** The bucket of a value in ms (negative and non-finite values are not durations: bucket 0). */
export function bucketIndex(valueMs: number): number {
  if (!(valueMs >= LOWEST_MS) || !Number.isFinite(valueMs)) return 0;
  const x = valueMs / LOWEST_MS;
  let octave = Math.floor(Math.log2(x));
  // log2 can land one off at exact powers of two.
  if (2 ** octave > x) octave -= 1;
  else if (2 ** (octave + 1) <= x) octave += 1;
  const sub = Math.min(SUB_BUCKETS - 1, Math.floor((x / 2 ** octave - 1) * SUB_BUCKETS));
  return 1 + octave * SUB_BUCKETS + sub;
}

/** [lower, upper) bounds of a bucket, in ms. */
export function bucketBounds(index: number): [number, number] {
  if (index <= 0) return [0, LOWEST_MS];
  const octave = Math.floor((index - 1) / SUB_BUCKETS);
  const sub = (index - 1) % SUB_BUCKETS;
  const base = LOWEST_MS * 2 ** octave;
  return [base * (1 + sub / SUB_BUCKETS), base * (1 + (sub + 1) / SUB_BUCKETS)];
}

/** The value a bucket stands for: its midpoint. */
export function bucketMidpoint(index: number): number {
  const [lower, upper] = bucketBounds(index);
  return (lower + upper) / 2;
}

/** Adds one value (in place: this runs once per request). */
export function recordValue(d: Distribution, valueMs: number): void {
  d.count += 1;
  d.sum += valueMs;
  if (valueMs < d.min) d.min = valueMs;
  if (valueMs > d.max) d.max = valueMs;
  const index = bucketIndex(valueMs);
  d.buckets.set(index, (d.buckets.get(index) ?? 0) + 1);
  if (d.exact) {
    if (d.count <= EXACT_LIMIT) d.exact.push(valueMs);
    else d.exact = null;
  }
}

/** Adds `from` into `into`: counts bucket by bucket, so the order of merges does not matter. */
export function mergeDistribution(into: Distribution, from: Distribution): void {
  const exact =
    into.exact && from.exact && into.count + from.count <= EXACT_LIMIT
      ? into.exact.concat(from.exact)
      : null;
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  for (const [index, n] of from.buckets)
    into.buckets.set(index, (into.buckets.get(index) ?? 0) + n);
  into.exact = exact;
}

/**
 * The q-th percentiles (q in [0, 100]) with numpy's 'linear' interpolation between closest ranks:
 * exact while the values are kept, else from the buckets' midpoints (clamped to the exact
 * extremes), within MAX_RELATIVE_ERROR of the exact ones.
 */
export function distributionPercentiles(d: Distribution, qs: readonly number[]): number[] {
  if (d.count === 0) throw new Error('percentile of an empty distribution is undefined');
  if (d.exact) {
    const sorted = [...d.exact].sort((x, y) => x - y);
    return qs.map((q) => percentile(sorted, q));
  }
  const indexes = [...d.buckets.keys()].sort((x, y) => x - y);
  const clamp = (v: number) => Math.min(d.max, Math.max(d.min, v));
  /** The value of the rank-th smallest (0-based), from its bucket. */
  const valueAt = (rank: number): number => {
    if (rank <= 0) return d.min;
    if (rank >= d.count - 1) return d.max;
    let seen = 0;
    for (const index of indexes) {
      seen += d.buckets.get(index) ?? 0;
      if (seen > rank) return clamp(bucketMidpoint(index));
    }
    return d.max;
  };
  return qs.map((q) => {
    if (!Number.isFinite(q) || q < 0 || q > 100) {
      throw new Error(`percentile q must be in [0, 100] (got ${q})`);
    }
    const rank = ((d.count - 1) * q) / 100;
    const lo = Math.floor(rank);
    const a = valueAt(lo);
    const b = valueAt(Math.min(lo + 1, d.count - 1));
    const t = rank - lo;
    if (t === 0 || a === b) return a;
    return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
  });
}

/** Count, mean, extremes and p50/p90/p95/p99; null when empty. */
export function distributionStats(d: Distribution): LatencyStats | null {
  if (d.count === 0) return null;
  const [p50, p90, p95, p99] = distributionPercentiles(d, [50, 90, 95, 99]) as [
    number,
    number,
    number,
    number,
  ];
  return { count: d.count, avg: d.sum / d.count, min: d.min, max: d.max, p50, p90, p95, p99 };
}

/** Every value with its count: each kept value once, or each bucket's midpoint with its count. */
export function weightedValues(d: Distribution): [value: number, count: number][] {
  if (d.exact) return d.exact.map((v) => [v, 1]);
  const clamp = (v: number) => Math.min(d.max, Math.max(d.min, v));
  return [...d.buckets].map(([index, n]) => [clamp(bucketMidpoint(index)), n]);
}

/** A distribution as plain data (the results document): buckets as two parallel arrays. */
export function distributionData(d: Distribution): DistributionData {
  const indexes = [...d.buckets.keys()].sort((x, y) => x - y);
  return {
    count: d.count,
    sum: d.sum,
    min: d.count === 0 ? null : d.min,
    max: d.count === 0 ? null : d.max,
    indexes,
    counts: indexes.map((index) => d.buckets.get(index) ?? 0),
  };
}

/** Back from plain data; the values themselves are not in it, so percentiles come from buckets. */
export function distributionFromData(data: DistributionData): Distribution {
  const buckets = new Map<number, number>();
  data.indexes.forEach((index, i) => {
    buckets.set(index, (buckets.get(index) ?? 0) + (data.counts[i] ?? 0));
  });
  return {
    count: data.count,
    sum: data.sum,
    min: data.min ?? Number.POSITIVE_INFINITY,
    max: data.max ?? Number.NEGATIVE_INFINITY,
    buckets,
    exact: data.count === 0 ? [] : null,
  };
}
