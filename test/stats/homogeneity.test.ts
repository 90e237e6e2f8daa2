// The test of homogeneity across shards, against values computed independently in closed form:
// the chi-square survival for df 1 is erfc(sqrt(x/2)) and for df 4 is exp(-x/2)(1 + x/2) (the
// same numbers scipy.stats.chi2_contingency gives with correction=False); Fisher's exact p for
// the perfectly separated 6/6 table is 2 / C(12, 6).
import { describe, expect, it } from 'vitest';
import { testHomogeneity } from '../../src/stats/homogeneity.js';

describe('testHomogeneity', () => {
  it('a 2 x 2 table: X² = 4.8, p = erfc(sqrt(2.4)) = 0.0284597369...', () => {
    const t = testHomogeneity(
      [
        [30, 70],
        [45, 55],
      ],
      0.05,
    );
    expect(t.method).toBe('chi-square');
    expect(t.statistic).toBeCloseTo(4.8, 10);
    expect(t.df).toBe(1);
    expect(t.pValue).toBeCloseTo(0.0284597369, 8);
    expect(t.outcome).toBe('differs');
  });

  it('a 3 x 3 table of shards that agree: X² = 1.306426..., df 4, p = 0.860284...', () => {
    const t = testHomogeneity(
      [
        [25, 75, 100],
        [27, 70, 103],
        [22, 80, 98],
      ],
      0.05,
    );
    expect(t.df).toBe(4);
    expect(t.statistic).toBeCloseTo(1.30642602735626, 10);
    expect(t.pValue).toBeCloseTo(0.8602843212719613, 10);
    expect(t.outcome).toBe('consistent');
  });

  it('draws tables with the same margins when the counts are small', () => {
    const agree = testHomogeneity(
      [
        [2, 3],
        [3, 2],
      ],
      0.05,
    );
    expect(agree.method).toBe('monte-carlo');
    expect(agree.pValue).toBeGreaterThan(0.5);
    // All of one shard on A, all of the other on B: 2 / C(12, 6) = 0.0021645 exactly; the
    // estimate from 10,000 draws is within a few thousandths of it.
    const apart = testHomogeneity(
      [
        [6, 0],
        [0, 6],
      ],
      0.05,
    );
    expect(Math.abs(apart.pValue - 0.0021645)).toBeLessThan(0.0015);
    expect(apart.outcome).toBe('differs');
  });

  it('has nothing to compare with one shard, and ignores empty rows and columns', () => {
    expect(testHomogeneity([[5, 5]], 0.05).outcome).toBe('inconclusive');
    const t = testHomogeneity(
      [
        [30, 0, 70],
        [0, 0, 0],
        [45, 0, 55],
      ],
      0.05,
    );
    expect(t.df).toBe(1);
    expect(t.statistic).toBeCloseTo(4.8, 10);
  });
});
