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
  it('uses the exact binomial test for two targets, at any n', () => {
    const six = goodnessOfFit([2, 4], [0.5, 0.5]);
    expect(six.method).toBe('exact-binomial');
    expect(six.df).toBe(1);
    expect(six.pValue).toBeCloseTo(BINOMTEST.k2n6, 8);

    const quarter = goodnessOfFit([3, 7], [0.25, 0.75]);
    expect(quarter.pValue).toBeCloseTo(BINOMTEST.k3n10p25, 8);
    expectRel(goodnessOfFit([0, 20], [0.2, 0.8]).pValue, BINOMTEST.k0n20p2);
    expectRel(goodnessOfFit([10, 10], [0.2, 0.8]).pValue, BINOMTEST.k10n20p2);

    // Expected counts of 10 each: the chi-square approximation would say 0.074; exact is 0.115.
    const twenty = goodnessOfFit([6, 14], [0.5, 0.5]);
    expect(twenty.method).toBe('exact-binomial');
    expect(twenty.statistic).toBeCloseTo(CHISQUARE.fourteenOf20.statistic, 10);
    expect(twenty.pValue).toBeCloseTo(BINOMTEST.k14n20, 10);
    expectRel(goodnessOfFit([12, 8], [0.3, 0.7]).pValue, BINOMTEST.k12n20p3);
    expectRel(goodnessOfFit([100, 0], [0.5, 0.5]).pValue, BINOMTEST.k100n100);
    expect(goodnessOfFit([3, 97], [0.0499, 0.9501]).pValue).toBeCloseTo(BINOMTEST.k3n100p0499, 8);
    expect(goodnessOfFit([3, 97], [0.05, 0.95]).pValue).toBeCloseTo(BINOMTEST.k3n100p05, 8);
  });

  it('uses the exact multinomial test for three or more targets while it can enumerate them', () => {
    const r = goodnessOfFit([14, 2, 4], SHARES_532);
    expect(r.method).toBe('exact-multinomial');
    expect(r.df).toBe(2);
    expect(r.statistic).toBeCloseTo(CHISQUARE.threeWay20.statistic, 10);
    expectRel(r.pValue, EXACT_MULTINOMIAL.threeWay20, 1e-9);
    expect(r.monteCarloSamples).toBeUndefined();

    // n = 300: C(302, 2) = 45,451 outcomes.
    const large = goodnessOfFit([160, 80, 60], SHARES_532);
    expect(large.method).toBe('exact-multinomial');
    expect(large.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expectRel(large.pValue, EXACT_MULTINOMIAL.threeWay300, 1e-7);
    expectRel(
      goodnessOfFit([250, 30, 20], SHARES_532).pValue,
      EXACT_MULTINOMIAL.threeWayFarOff,
      1e-6,
    );

    const four = goodnessOfFit([30, 18, 32, 20], [0.25, 0.25, 0.25, 0.25]);
    expect(four.method).toBe('exact-multinomial');
    expect(four.df).toBe(3);
    expect(four.statistic).toBeCloseTo(CHISQUARE.fourWay100.statistic, 10);
    expectRel(four.pValue, EXACT_MULTINOMIAL.fourWay100, 1e-9);
    const small = goodnessOfFit([2, 5, 3, 2], [0.4, 0.3, 0.2, 0.1]);
    expectRel(small.pValue, EXACT_MULTINOMIAL.fourWay12, 1e-9);
  });

  it('leaves a zero-weight target without traffic out of the test', () => {
    const r = goodnessOfFit([2, 0, 4], [0.5, 0, 0.5]);
    expect(r.method).toBe('exact-binomial');
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(BINOMTEST.k2n6, 8);
    expect(r.zeroWeightViolations).toEqual([]);
  });

  it('reports traffic to a zero-weight target as a violation', () => {
    const r = goodnessOfFit([3, 2, 1], [0.5, 0.5, 0]);
    expect(r.zeroWeightViolations).toEqual([2]);
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(1, 10); // scipy binomtest(3, 5, 0.5) = 1.0

    const large = goodnessOfFit([0, 160, 80, 60, 5], [0, 0.5, 0.3, 0.2, 0]);
    expect(large.zeroWeightViolations).toEqual([4]);
    expect(large.statistic).toBeCloseTo(CHISQUARE.threeWay300.statistic, 10);
    expectRel(large.pValue, EXACT_MULTINOMIAL.threeWay300, 1e-7);
  });

  it('gives p = 1 and df = 0 with a single weighted target, and with nothing counted', () => {
    expect(goodnessOfFit([40, 0], [1, 0])).toMatchObject({ df: 0, pValue: 1, statistic: 0 });
    expect(goodnessOfFit([0, 0], [0.3, 0.7])).toMatchObject({
      method: 'exact-binomial',
      pValue: 1,
    });
    expect(goodnessOfFit([0, 0, 0], SHARES_532)).toMatchObject({ pValue: 1 });
  });

  it('estimates the exact multinomial test by seeded Monte Carlo when it is too large', () => {
    const options = { maxExactOutcomes: 0 };
    const r = goodnessOfFit([14, 2, 4], SHARES_532, 0.05, options);
    expect(r.method).toBe('monte-carlo');
    expect(r.monteCarloSamples).toBe(100_000);
    expect(r.monteCarloSeed).toBe(1);
    expect(Math.abs(r.pValue - EXACT_MULTINOMIAL.threeWay20)).toBeLessThan(0.01);
    expect(r.pValueError).toBeCloseTo(Math.sqrt((r.pValue * (1 - r.pValue)) / 100_000), 12);
    expect(goodnessOfFit([14, 2, 4], SHARES_532, 0.05, options).pValue).toBe(r.pValue);
    // C(22, 2) = 231 outcomes: a limit of 231 still allows the exact test.
    expect(goodnessOfFit([14, 2, 4], SHARES_532, 0.05, { maxExactOutcomes: 231 }).method).toBe(
      'exact-multinomial',
    );
  });

  it('draws ten times more when the Monte Carlo estimate is too close to alpha to call', () => {
    // p is about 0.11: at alpha 0.11 a thousand draws cannot tell which side it is on.
    const options = {
      maxExactOutcomes: 0,
      monteCarloSamples: 1_000,
      maxMonteCarloSamples: 100_000,
    };
    const far = goodnessOfFit([14, 2, 4], SHARES_532, 0.5, options);
    expect(far.monteCarloSamples).toBe(1_000);
    const near = goodnessOfFit([14, 2, 4], SHARES_532, 0.11, options);
    expect(near.monteCarloSamples).toBeGreaterThan(1_000);
    expect(near.monteCarloSamples).toBeLessThanOrEqual(100_000);
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
