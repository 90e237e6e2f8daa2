import { describe, expect, it } from 'vitest';
import {
  exactBinomialTest,
  exactMultinomialTest,
  monteCarloMultinomialTest,
} from '../../src/stats/exact.js';
import { BINOMTEST, EXACT_MULTINOMIAL, expectRel, SHARES_532, THIRDS } from './reference.js';

describe('exactBinomialTest (two-sided, as R binom.test / scipy binomtest)', () => {
  it('matches scipy for small samples', () => {
    expect(exactBinomialTest(2, 6, 0.5)).toBeCloseTo(BINOMTEST.k2n6, 8);
    expect(exactBinomialTest(14, 20, 0.5)).toBeCloseTo(BINOMTEST.k14n20, 8);
    expect(exactBinomialTest(3, 10, 0.25)).toBeCloseTo(BINOMTEST.k3n10p25, 8);
    expect(exactBinomialTest(0, 6, 0.5)).toBeCloseTo(BINOMTEST.k0n6, 8);
  });

  it('matches scipy on asymmetric nulls, below and above the mean', () => {
    expectRel(exactBinomialTest(0, 20, 0.3), BINOMTEST.k0n20p3);
    expectRel(exactBinomialTest(12, 20, 0.3), BINOMTEST.k12n20p3);
    expectRel(exactBinomialTest(3, 100, 0.0499), BINOMTEST.k3n100p0499);
  });

  it('keeps a tiny p-value accurate (100 of 100 at 0.5)', () => {
    expectRel(exactBinomialTest(100, 100, 0.5), BINOMTEST.k100n100);
    expectRel(exactBinomialTest(0, 100, 0.5), BINOMTEST.k100n100);
  });

  it('is 1 when the count equals the expected count', () => {
    expect(exactBinomialTest(1, 50, 0.02)).toBe(1);
    expect(exactBinomialTest(3, 6, 0.5)).toBe(1);
  });

  it('rejects impossible arguments', () => {
    expect(() => exactBinomialTest(7, 6, 0.5)).toThrow(/k must be an integer in \[0, n\]/);
    expect(() => exactBinomialTest(1.5, 6, 0.5)).toThrow(/k must be an integer/);
    expect(() => exactBinomialTest(1, 6, 1.2)).toThrow(/p must be a number in \[0, 1\]/);
  });
});

describe('exactMultinomialTest', () => {
  it('matches the exact enumeration for three targets at n = 20', () => {
    expectRel(exactMultinomialTest([14, 2, 4], SHARES_532), EXACT_MULTINOMIAL.threeWay20, 1e-9);
  });

  it('matches the exact enumeration for four targets', () => {
    expectRel(
      exactMultinomialTest([2, 5, 3, 2], [0.4, 0.3, 0.2, 0.1]),
      EXACT_MULTINOMIAL.fourWay12,
      1e-9,
    );
  });

  it('is 1 for the most likely outcome and small for an extreme one', () => {
    expect(exactMultinomialTest([10, 6, 4], SHARES_532)).toBeCloseTo(1, 10);
    expectRel(exactMultinomialTest([20, 0, 0], SHARES_532), EXACT_MULTINOMIAL.allOnOne20, 1e-9);
  });

  it('counts outcomes that tie with the observation (equal shares)', () => {
    expectRel(exactMultinomialTest([1, 2, 7], THIRDS), EXACT_MULTINOMIAL.equalThirds, 1e-9);
    expectRel(exactMultinomialTest([7, 1, 2], THIRDS), EXACT_MULTINOMIAL.equalThirds, 1e-9);
  });

  it('reduces to the exact binomial test for two targets', () => {
    expect(exactMultinomialTest([6, 14], [0.5, 0.5])).toBeCloseTo(BINOMTEST.k14n20, 10);
  });

  it('matches scipy at n = 300 (45,451 outcomes)', () => {
    expectRel(exactMultinomialTest([160, 80, 60], SHARES_532), EXACT_MULTINOMIAL.threeWay300, 1e-6);
  });
});

describe('monteCarloMultinomialTest', () => {
  it('is deterministic for a seed and depends on it', () => {
    const a = monteCarloMultinomialTest([14, 2, 4], SHARES_532, 20_000, 42);
    const b = monteCarloMultinomialTest([14, 2, 4], SHARES_532, 20_000, 42);
    const c = monteCarloMultinomialTest([14, 2, 4], SHARES_532, 20_000, 43);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('estimates the exact p-value within 0.01', () => {
    const small = monteCarloMultinomialTest([14, 2, 4], SHARES_532, 100_000, 1);
    expect(Math.abs(small - EXACT_MULTINOMIAL.threeWay20)).toBeLessThan(0.01);
    const four = monteCarloMultinomialTest([2, 5, 3, 2], [0.4, 0.3, 0.2, 0.1], 100_000, 5);
    expect(Math.abs(four - EXACT_MULTINOMIAL.fourWay12)).toBeLessThan(0.01);
    const ties = monteCarloMultinomialTest([2, 7, 1], THIRDS, 100_000, 3);
    expect(Math.abs(ties - EXACT_MULTINOMIAL.equalThirds)).toBeLessThan(0.01);
    const large = monteCarloMultinomialTest([160, 80, 60], SHARES_532, 100_000, 9);
    expect(Math.abs(large - EXACT_MULTINOMIAL.threeWay300)).toBeLessThan(0.01);
  });

  it('rejects a bad seed or sample count', () => {
    expect(() => monteCarloMultinomialTest([1, 2, 3], SHARES_532, 100, 0)).toThrow(/seed/);
    expect(() => monteCarloMultinomialTest([1, 2, 3], SHARES_532, 100, 2 ** 32)).toThrow(/seed/);
    expect(() => monteCarloMultinomialTest([1, 2, 3], SHARES_532, 0, 1)).toThrow(/samples/);
  });
});
