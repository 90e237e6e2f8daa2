import { describe, expect, it } from 'vitest';
import { latencyHistogram, latencyStats, percentile } from '../../src/stats/latency.js';
import { LATENCY, LATENCY_REF, PERCENTILE_QS, PERCENTILES } from './reference.js';

describe('percentile', () => {
  it('interpolates linearly like numpy.percentile', () => {
    for (const [values, expected] of PERCENTILES) {
      PERCENTILE_QS.forEach((q, i) => {
        expect(percentile(values, q)).toBeCloseTo(expected[i]!, 10);
      });
    }
  });

  it('throws on an empty array or q outside [0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1, 2], 101)).toThrow(/\[0, 100\]/);
    expect(() => percentile([1, 2], -1)).toThrow(/\[0, 100\]/);
  });
});

describe('latencyStats', () => {
  it('summarizes an unsorted sample like numpy', () => {
    const stats = latencyStats([...LATENCY])!;
    expect(stats.count).toBe(10);
    expect(stats.min).toBe(88);
    expect(stats.max).toBe(1020);
    expect(stats.avg).toBeCloseTo(LATENCY_REF.avg, 10);
    expect(stats.p50).toBeCloseTo(LATENCY_REF.p50, 10);
    expect(stats.p90).toBeCloseTo(LATENCY_REF.p90, 10);
    expect(stats.p95).toBeCloseTo(LATENCY_REF.p95, 10);
    expect(stats.p99).toBeCloseTo(LATENCY_REF.p99, 10);
  });

  it('does not mutate its input', () => {
    const input = [120, 95, 310, 101, 88, 143, 97, 1020, 130, 99];
    latencyStats(input);
    expect(input).toEqual([120, 95, 310, 101, 88, 143, 97, 1020, 130, 99]);
    expect(latencyStats(LATENCY)?.max).toBe(1020); // a frozen array would throw if sorted in place
  });

  it('returns null for no samples', () => {
    expect(latencyStats([])).toBeNull();
  });
});

describe('latencyHistogram', () => {
  it('puts every sample in one of the shared log-spaced bins', () => {
    const h = latencyHistogram(
      [
        [10, 10, 12],
        [100, 1000],
      ],
      4,
    );
    expect(h.edgesMs).toHaveLength(5);
    expect(h.edgesMs[0]).toBe(10);
    expect(h.edgesMs[4]).toBe(1000);
    expect(h.edgesMs[2]).toBeCloseTo(100, 10); // log-spaced: 10, 31.6, 100, 316, 1000
    expect(h.counts).toEqual([
      [3, 0, 0, 0],
      [0, 0, 1, 1],
    ]);
  });

  it('copes with one value and with no samples', () => {
    expect(latencyHistogram([[5, 5]], 10)).toEqual({ edgesMs: [5, 5], counts: [[2]] });
    expect(latencyHistogram([[], []])).toEqual({ edgesMs: [], counts: [[], []] });
  });
});
