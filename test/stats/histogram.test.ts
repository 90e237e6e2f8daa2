import { describe, expect, it } from 'vitest';
import {
  bucketBounds,
  bucketIndex,
  bucketMidpoint,
  createDistribution,
  type Distribution,
  distributionData,
  distributionFromData,
  distributionPercentiles,
  distributionStats,
  EXACT_LIMIT,
  LOWEST_MS,
  MAX_RELATIVE_ERROR,
  mergeDistribution,
  recordValue,
} from '../../src/stats/histogram.js';
import { percentile } from '../../src/stats/latency.js';
import { mt19937 } from '../../src/stats/mt19937.js';

/** Seeded samples: uniform in (0, 1). */
function uniforms(seed: number): () => number {
  const next = mt19937(seed);
  return () => (next() + 0.5) / 2 ** 32;
}

/** Latency-like samples: a log-normal body (~50 ms) with a far tail, some under 1 µs. */
function latencies(n: number, seed: number): number[] {
  const u = uniforms(seed);
  return Array.from({ length: n }, (_, i) => {
    if (i % 97 === 0) return u() * 0.002; // below and around LOWEST_MS
    const normal = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    const body = 50 * Math.exp(0.8 * normal);
    return i % 13 === 0 ? body * 40 : body;
  });
}

function of(values: readonly number[]): Distribution {
  const d = createDistribution();
  for (const v of values) recordValue(d, v);
  return d;
}

/** Bucket data only: what a results document carries (no exact values). */
const fromBuckets = (d: Distribution) => distributionFromData(distributionData(d));

const QS = Array.from({ length: 101 }, (_, q) => q).concat([99.9, 99.99, 0.1]);

/** Every percentile within the stated precision of numpy's 'linear' one on the same values. */
function expectWithinPrecision(d: Distribution, values: readonly number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const got = distributionPercentiles(d, QS);
  QS.forEach((q, i) => {
    const exact = percentile(sorted, q);
    // Relative above LOWEST_MS; below it, within half of it.
    const allowed = Math.max(exact * MAX_RELATIVE_ERROR, LOWEST_MS / 2) * (1 + 1e-9);
    expect(
      Math.abs((got[i] as number) - exact),
      `p${q}: ${got[i]} vs ${exact}`,
    ).toBeLessThanOrEqual(allowed);
  });
}

describe('buckets', () => {
  it('cover the line without gaps: each bucket starts where the previous one ends', () => {
    for (let index = 1; index < 3 * 256 + 5; index++) {
      expect(bucketBounds(index)[0]).toBeCloseTo(bucketBounds(index - 1)[1], 12);
    }
  });

  it('put every value in the bucket whose bounds hold it, exact powers of two included', () => {
    const u = uniforms(3);
    const values = [LOWEST_MS, 0.002, 0.004, 1.024, 2 ** 20 * LOWEST_MS, 3_600_000];
    for (let i = 0; i < 20_000; i++) values.push(10 ** (u() * 9 - 3));
    for (const v of values) {
      const [lower, upper] = bucketBounds(bucketIndex(v));
      expect(v, `${v}`).toBeGreaterThanOrEqual(lower * (1 - 1e-12));
      expect(v, `${v}`).toBeLessThan(upper * (1 + 1e-12));
      expect(Math.abs(bucketMidpoint(bucketIndex(v)) - v) / v).toBeLessThanOrEqual(
        MAX_RELATIVE_ERROR * (1 + 1e-9),
      );
    }
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(LOWEST_MS / 2)).toBe(0);
    expect(bucketIndex(-1)).toBe(0);
    expect(bucketIndex(Number.NaN)).toBe(0);
  });
});

describe('percentiles', () => {
  it('are exact (numpy linear) while the values are kept', () => {
    const values = latencies(2_000, 1);
    const d = of(values);
    const sorted = [...values].sort((a, b) => a - b);
    expect(distributionPercentiles(d, [0, 50, 99, 100])).toEqual(
      [0, 50, 99, 100].map((q) => percentile(sorted, q)),
    );
    expect(distributionStats(of([1, 2, 3, 4]))).toEqual({
      count: 4,
      avg: 2.5,
      min: 1,
      max: 4,
      // numpy.percentile([1, 2, 3, 4], [50, 90, 95, 99])
      p50: 2.5,
      p90: expect.closeTo(3.7, 12),
      p95: expect.closeTo(3.85, 12),
      p99: expect.closeTo(3.97, 12),
    });
  });

  it('from the buckets alone, are within the stated precision of the exact ones', () => {
    for (const [n, seed] of [
      [1, 2],
      [2, 3],
      [7, 4],
      [1_000, 5],
      [30_000, 6],
    ] as const) {
      const values = latencies(n, seed);
      expectWithinPrecision(fromBuckets(of(values)), values);
    }
    // Two far-apart values: the interpolation between them is still within the precision.
    expectWithinPrecision(fromBuckets(of([10, 300])), [10, 300]);
  });

  it('past EXACT_LIMIT values, come from the buckets with the exact extremes and mean', () => {
    const values = latencies(EXACT_LIMIT + 1, 7);
    const d = of(values);
    expect(d.exact).toBeNull();
    expectWithinPrecision(d, values);
    const stats = distributionStats(d);
    expect(stats?.min).toBe(Math.min(...values));
    expect(stats?.max).toBe(Math.max(...values));
    expect(stats?.avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
  });

  it('are undefined for an empty distribution', () => {
    expect(distributionStats(createDistribution())).toBeNull();
    expect(() => distributionPercentiles(createDistribution(), [50])).toThrow(/empty/);
  });
});

describe('merging', () => {
  it('adds bucket by bucket: the merge of parts equals the whole, in any order', () => {
    const values = latencies(25_000, 8);
    const parts = [values.slice(0, 7_000), values.slice(7_000, 19_000), values.slice(19_000)];
    const whole = distributionData(of(values));
    const forward = createDistribution();
    for (const part of parts) mergeDistribution(forward, fromBuckets(of(part)));
    const backward = createDistribution();
    for (const part of [...parts].reverse()) mergeDistribution(backward, of(part));
    for (const merged of [forward, backward]) {
      const data = distributionData(merged);
      expect(data.indexes).toEqual(whole.indexes);
      expect(data.counts).toEqual(whole.counts);
      expect(data.count).toBe(whole.count);
      expect(data.min).toBe(whole.min);
      expect(data.max).toBe(whole.max);
      expect(data.sum).toBeCloseTo(whole.sum, 6);
      expectWithinPrecision(merged, values);
    }
  });

  it('keeps the values, and exact percentiles, while the merged count stays within EXACT_LIMIT', () => {
    const a = of([5, 1, 9]);
    mergeDistribution(a, of([3, 7]));
    expect(distributionPercentiles(a, [50])).toEqual([5]);
    expect(a.exact).toHaveLength(5);
    const big = of(latencies(EXACT_LIMIT, 9));
    mergeDistribution(big, of([1]));
    expect(big.exact).toBeNull();
    expect(big.count).toBe(EXACT_LIMIT + 1);
  });

  it('round-trips through plain data, and an empty one stays empty', () => {
    const d = of(latencies(500, 10));
    expect(distributionData(fromBuckets(d))).toEqual(distributionData(d));
    const empty = distributionFromData(distributionData(createDistribution()));
    expect(empty.count).toBe(0);
    mergeDistribution(empty, of([4]));
    expect(distributionStats(empty)?.p50).toBe(4);
  });
});
