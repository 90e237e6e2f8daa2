import { describe, expect, it } from 'vitest';
import { goodnessOfFit, pearsonChiSquare } from '../../src/stats/fit.js';
import { BINOMTEST, CHISQUARE, EXACT_MULTINOMIAL, expectRel, SHARES_532 } from './reference.js';

describe('pearsonChiSquare', () => {
  it('matches scipy.stats.chisquare', () => {
    const r = pearsonChiSquare([160, 80, 60], SHARES_532);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expect(r.df).toBe(2);
    expect(r.pValue).toBeCloseTo(CHISQUARE.threeWay300.pValue, 8);
  });

  it('keeps tiny upper-tail p-values accurate', () => {
    const r = pearsonChiSquare([250, 30, 20], SHARES_532);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWayFarOff.statistic, 9);
    expectRel(r.pValue, CHISQUARE.threeWayFarOff.pValue);
  });

  it('leaves zero-share targets out of the statistic and the degrees of freedom', () => {
    const r = pearsonChiSquare([160, 0, 80, 60], [0.5, 0, 0.3, 0.2]);
    expect(r.df).toBe(2);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expect(r.pValue).toBeCloseTo(CHISQUARE.threeWay300.pValue, 8);
  });
});

describe('goodnessOfFit', () => {
  it('uses the exact binomial test for two targets when an expected count is below 5', () => {
    const six = goodnessOfFit([2, 4], [0.5, 0.5]);
    expect(six.method).toBe('exact-binomial');
    expect(six.df).toBe(1);
    expect(six.pValue).toBeCloseTo(BINOMTEST.k2n6, 8);
    expect(six.consistent).toBe(true);

    const quarter = goodnessOfFit([3, 7], [0.25, 0.75]);
    expect(quarter.method).toBe('exact-binomial');
    expect(quarter.pValue).toBeCloseTo(BINOMTEST.k3n10p25, 8);

    // n = 20 at 20/80: the expected count 4 is below 5.
    const none = goodnessOfFit([0, 20], [0.2, 0.8]);
    expect(none.method).toBe('exact-binomial');
    expectRel(none.pValue, BINOMTEST.k0n20p2);
    expect(none.consistent).toBe(false);
    const half = goodnessOfFit([10, 10], [0.2, 0.8]);
    expect(half.method).toBe('exact-binomial');
    expectRel(half.pValue, BINOMTEST.k10n20p2);
    expect(half.consistent).toBe(false);
  });

  it('uses chi-square for two targets at n = 20 when both expect at least 5', () => {
    // The seed's 30/70 split observed as 6 and 14 of 20 where 50/50 was expected.
    const twenty = goodnessOfFit([6, 14], [0.5, 0.5]);
    expect(twenty.method).toBe('chi-square');
    expect(twenty.statistic).toBeCloseTo(CHISQUARE.fourteenOf20.statistic, 10);
    expect(twenty.pValue).toBeCloseTo(CHISQUARE.fourteenOf20.pValue, 8);
    expect(twenty.consistent).toBe(true);

    const skewed = goodnessOfFit([12, 8], [0.3, 0.7]);
    expect(skewed.method).toBe('chi-square');
    expectRel(skewed.pValue, CHISQUARE.twelveOf20At30.pValue);
    expect(skewed.consistent).toBe(false);
  });

  it('uses the exact multinomial test for three targets at n = 20', () => {
    const r = goodnessOfFit([14, 2, 4], SHARES_532);
    expect(r.method).toBe('exact-multinomial');
    expect(r.df).toBe(2);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay20.statistic, 10);
    expectRel(r.pValue, EXACT_MULTINOMIAL.threeWay20, 1e-9);
    expect(r.consistent).toBe(true);
    expect(r.monteCarloSamples).toBeUndefined();
  });

  it('uses chi-square for three targets at n = 300', () => {
    const r = goodnessOfFit([160, 80, 60], SHARES_532);
    expect(r.method).toBe('chi-square');
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expect(r.pValue).toBeCloseTo(CHISQUARE.threeWay300.pValue, 8);
    expect(r.consistent).toBe(true);
  });

  it('handles four targets with chi-square and with the exact test', () => {
    const large = goodnessOfFit([30, 18, 32, 20], [0.25, 0.25, 0.25, 0.25]);
    expect(large.method).toBe('chi-square');
    expect(large.df).toBe(3);
    expect(large.statistic).toBeCloseTo(CHISQUARE.fourWay100.statistic, 10);
    expect(large.pValue).toBeCloseTo(CHISQUARE.fourWay100.pValue, 8);

    const small = goodnessOfFit([2, 5, 3, 2], [0.4, 0.3, 0.2, 0.1]);
    expect(small.method).toBe('exact-multinomial');
    expect(small.df).toBe(3);
    expect(small.statistic).toBeCloseTo(CHISQUARE.fourWay12.statistic, 10);
    expectRel(small.pValue, EXACT_MULTINOMIAL.fourWay12, 1e-9);
  });

  it('reports a tiny p-value accurately for a very skewed split', () => {
    const r = goodnessOfFit([100, 0], [0.5, 0.5]);
    expect(r.method).toBe('chi-square');
    expect(r.statistic).toBeCloseTo(CHISQUARE.allOnOne.statistic, 10);
    expectRel(r.pValue, CHISQUARE.allOnOne.pValue);
    expect(r.consistent).toBe(false);

    const three = goodnessOfFit([250, 30, 20], SHARES_532);
    expectRel(three.pValue, CHISQUARE.threeWayFarOff.pValue);
    expect(three.consistent).toBe(false);
  });

  it('switches method exactly at an expected count of 5 (4.99 is exact)', () => {
    const below = goodnessOfFit([3, 97], [0.0499, 0.9501]);
    expect(below.method).toBe('exact-binomial');
    expect(below.pValue).toBeCloseTo(BINOMTEST.k3n100p0499, 8);
    expect(below.statistic).toBeCloseTo(CHISQUARE.boundary499.statistic, 10);

    const at = goodnessOfFit([3, 97], [0.05, 0.95]);
    expect(at.method).toBe('chi-square');
    expect(at.pValue).toBeCloseTo(CHISQUARE.boundary5.pValue, 8);
    expect(at.statistic).toBeCloseTo(CHISQUARE.boundary5.statistic, 10);
  });

  it('leaves a zero-weight target without traffic out of the test', () => {
    const r = goodnessOfFit([2, 0, 4], [0.5, 0, 0.5]);
    expect(r.method).toBe('exact-binomial');
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(BINOMTEST.k2n6, 8);
    expect(r.zeroWeightViolations).toEqual([]);
    expect(r.consistent).toBe(true);
  });

  it('reports traffic to a zero-weight target as a violation whatever the p-value', () => {
    const r = goodnessOfFit([3, 2, 1], [0.5, 0.5, 0]);
    expect(r.zeroWeightViolations).toEqual([2]);
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(1, 10); // scipy binomtest(3, 5, 0.5) = 1.0
    expect(r.consistent).toBe(false);

    const large = goodnessOfFit([0, 160, 80, 60, 5], [0, 0.5, 0.3, 0.2, 0]);
    expect(large.zeroWeightViolations).toEqual([4]);
    expect(large.method).toBe('chi-square');
    expect(large.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expect(large.pValue).toBeCloseTo(CHISQUARE.threeWay300.pValue, 8);
    expect(large.consistent).toBe(false);
  });

  it('gives p = 1 and df = 0 with a single weighted target', () => {
    const r = goodnessOfFit([40, 0], [1, 0]);
    expect(r.df).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.statistic).toBe(0);
    expect(r.consistent).toBe(true);
  });

  it('judges nothing when no request was counted', () => {
    const two = goodnessOfFit([0, 0], [0.3, 0.7]);
    expect(two).toMatchObject({ method: 'exact-binomial', pValue: 1, consistent: true, df: 1 });
    const three = goodnessOfFit([0, 0, 0], SHARES_532);
    expect(three).toMatchObject({ method: 'exact-multinomial', pValue: 1, consistent: true });
  });

  it('falls back to a seeded Monte Carlo test when the exact test is too large', () => {
    const options = { maxExactOutcomes: 0 };
    const r = goodnessOfFit([14, 2, 4], SHARES_532, 0.05, options);
    expect(r.method).toBe('monte-carlo');
    expect(r.monteCarloSamples).toBe(100_000);
    expect(r.monteCarloSeed).toBe(1);
    expect(Math.abs(r.pValue - EXACT_MULTINOMIAL.threeWay20)).toBeLessThan(0.01);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay20.statistic, 10);
    expect(goodnessOfFit([14, 2, 4], SHARES_532, 0.05, options).pValue).toBe(r.pValue);

    const seeded = goodnessOfFit([14, 2, 4], SHARES_532, 0.05, {
      maxExactOutcomes: 230,
      monteCarloSamples: 5_000,
      seed: 99,
    });
    expect(seeded).toMatchObject({
      method: 'monte-carlo',
      monteCarloSamples: 5_000,
      monteCarloSeed: 99,
    });
    // C(22, 2) = 231 outcomes: a limit of 231 still allows the exact test.
    expect(goodnessOfFit([14, 2, 4], SHARES_532, 0.05, { maxExactOutcomes: 231 }).method).toBe(
      'exact-multinomial',
    );
  });

  it('compares the p-value with alpha', () => {
    // p = 0.0736 for 6 and 14 of 20 at 50/50.
    expect(goodnessOfFit([6, 14], [0.5, 0.5], 0.07).consistent).toBe(true);
    expect(goodnessOfFit([6, 14], [0.5, 0.5], 0.08).consistent).toBe(false);
    expect(goodnessOfFit([6, 14], [0.5, 0.5], 0.08).alpha).toBe(0.08);
  });

  it('validates its inputs', () => {
    expect(() => goodnessOfFit([1, 2], [1])).toThrow(/same length/);
    expect(() => goodnessOfFit([-1, 2], [0.5, 0.5])).toThrow(/counts\[0\].*non-negative integer/);
    expect(() => goodnessOfFit([1.5, 2], [0.5, 0.5])).toThrow(/counts\[0\].*non-negative integer/);
    expect(() => goodnessOfFit([1, 2], [Number.NaN, 0.5])).toThrow(/shares\[0\].*finite/);
    expect(() => goodnessOfFit([1, 2], [1.5, -0.5])).toThrow(/shares\[1\].*non-negative/);
    expect(() => goodnessOfFit([1, 2], [0.5, 0.6])).toThrow(/sum to 1/);
    expect(() => goodnessOfFit([], [])).toThrow(/at least one target/);
    expect(() => goodnessOfFit([1, 2], [0.5, 0.5], 0)).toThrow(/alpha/);
    expect(() => goodnessOfFit([1, 2], [0.5, 0.5], 0.05, { maxExactOutcomes: -1 })).toThrow(
      /maxExactOutcomes/,
    );
    expect(() => pearsonChiSquare([1], [0.5])).toThrow(/sum to 1/);
    // Shares within 1e-9 of summing to 1 are accepted.
    expect(goodnessOfFit([2, 4], [0.5, 0.5 + 5e-10]).method).toBe('exact-binomial');
  });
});
