import { describe, expect, it } from 'vitest';
import {
  binomialCountRange,
  exactBinomialTest,
  exactMultinomialTest,
  goodnessOfFit,
  latencyStats,
  monteCarloMultinomialTest,
  pearsonChiSquare,
  percentile,
  requestsToDetect,
  wilsonInterval,
} from '../src/significance.js';

// Reference values printed by test/reference/significance_reference.py (scipy 1.17.1, numpy 2.4),
// an independent implementation: scipy.stats.binomtest / chisquare / binom.ppf / norm.ppf,
// numpy.percentile, and the exact multinomial test enumerated in exact rational arithmetic.
const BINOMTEST = {
  k2n6: 0.6875,
  k14n20: 0.11531829833984375,
  k3n10p25: 0.7184324264526367,
  k0n20p3: 0.0010589696700355874,
  k12n20p3: 0.005936084198097523,
  k100n100: 1.5777218104420236e-30,
  k3n100p0499: 0.4917700304775996,
  k0n6: 0.03125,
  k0n20p2: 0.02151100136679278,
  k10n20p2: 0.00259482740067402,
};
const CHISQUARE = {
  threeWay300: { statistic: 1.7777777777777777, pValue: 0.41111229050718756 },
  threeWayFarOff: { statistic: 133.33333333333334, pValue: 1.1143831578403355e-29 },
  allOnOne: { statistic: 100, pValue: 1.5239706048320995e-23 },
  fourWay100: { statistic: 5.92, pValue: 0.11556793582519362 },
  boundary5: { statistic: 0.8421052631578948, pValue: 0.3587953578869416 },
  boundary499: { statistic: 0.8352880901261532, pValue: 0.3607478660623543 },
  threeWay20: { statistic: 4.266666666666667, pValue: 0.1184418290138037 },
  fourWay12: { statistic: 2.8611111111111116, pValue: 0.41353848891181844 },
  fourteenOf20: { statistic: 3.2, pValue: 0.07363827012030258 },
  twelveOf20At30: { statistic: 8.571428571428571, pValue: 0.0034147911781178208 },
};
const EXACT_MULTINOMIAL = {
  threeWay20: 0.110475519398875, // [14, 2, 4] at 0.5/0.3/0.2
  allOnOne20: 7.416910908338e-6, // [20, 0, 0] at 0.5/0.3/0.2
  fourWay12: 0.279219073024, // [2, 5, 3, 2] at 0.4/0.3/0.2/0.1
  threeWay300: 0.41167173501469395, // [160, 80, 60] at 0.5/0.3/0.2 (scipy logpmf, vectorized)
  equalThirds: 0.09312604785855814, // [1, 2, 7] at 1/3 each: permutations tie with it
};
const WILSON_SCIPY: Array<[number, number, number, number, number]> = [
  // k, n, confidence, lower, upper
  [81, 263, 0.95, 0.2552885198782742, 0.36620957698280004],
  [15, 148, 0.95, 0.0623863995307363, 0.16048724172330803],
  [0, 20, 0.95, 0, 0.16112515805281938],
  [1, 29, 0.95, 0.006113214292762653, 0.17175521879320288],
  [7, 10, 0.9, 0.44169979586983504, 0.8731234160968022],
];
// Published in Newcombe (1998), Statistics in Medicine 17:857-872, table II (4 decimals).
const WILSON_NEWCOMBE: Array<[number, number, number, number]> = [
  [81, 263, 0.2553, 0.3662],
  [15, 148, 0.0624, 0.1605],
  [0, 20, 0, 0.1611],
  [1, 29, 0.0061, 0.1718],
];
const PERCENTILE_QS = [0, 25, 50, 90, 95, 99, 100];
const PERCENTILES: Array<[number[], number[]]> = [
  [[42], [42, 42, 42, 42, 42, 42, 42]],
  [
    [10, 20],
    [10, 12.5, 15, 19, 19.5, 19.9, 20],
  ],
  [
    [1, 2, 3, 4, 5],
    [1, 2, 3, 4.6, 4.8, 4.96, 5],
  ],
  [
    [3, 7, 8, 15, 21, 22, 40],
    [3, 7.5, 15, 29.200000000000006, 34.59999999999999, 38.91999999999999, 40],
  ],
];
const LATENCY: readonly number[] = Object.freeze([120, 95, 310, 101, 88, 143, 97, 1020, 130, 99]);
const LATENCY_REF = {
  avg: 220.3,
  p50: 110.5,
  p90: 380.9999999999998,
  p95: 700.4999999999993,
  p99: 956.1000000000001,
};

const SHARES_532 = [0.5, 0.3, 0.2];
const THIRDS = [1 / 3, 1 / 3, 1 / 3];

/** Asserts |actual - expected| / |expected| < tolerance; for p-values too small for toBeCloseTo. */
function expectRel(actual: number, expected: number, tolerance = 5e-5): void {
  expect(expected).not.toBe(0);
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

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

describe('wilsonInterval', () => {
  it('matches the closed form computed with scipy', () => {
    for (const [k, n, confidence, lower, upper] of WILSON_SCIPY) {
      const [lo, hi] = wilsonInterval(k, n, confidence);
      expect(lo).toBeCloseTo(lower, 10);
      expect(hi).toBeCloseTo(upper, 10);
    }
  });

  it('reproduces the values published by Newcombe (1998)', () => {
    for (const [k, n, lower, upper] of WILSON_NEWCOMBE) {
      const [lo, hi] = wilsonInterval(k, n);
      expect(lo).toBeCloseTo(lower, 4);
      expect(hi).toBeCloseTo(upper, 4);
    }
  });

  it('is [0, 1] without data and rejects k > n', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    expect(() => wilsonInterval(3, 2)).toThrow(/k must be an integer in \[0, n\]/);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(/confidence/);
  });
});

describe('binomialCountRange', () => {
  it('shows 1 to 5 per target for an equal split of 6', () => {
    expect(binomialCountRange(6, 0.5)).toEqual([1, 5]);
  });

  it('matches scipy.stats.binom.ppf', () => {
    expect(binomialCountRange(20, 0.3)).toEqual([2, 10]);
    expect(binomialCountRange(100, 0.5)).toEqual([40, 60]);
    expect(binomialCountRange(1000, 0.2, 0.99)).toEqual([168, 233]);
    expect(binomialCountRange(50, 0.1, 0.9)).toEqual([2, 9]);
  });

  it('rejects bad arguments', () => {
    expect(() => binomialCountRange(-1, 0.5)).toThrow(/n must be/);
    expect(() => binomialCountRange(10, 2)).toThrow(/p must be/);
  });
});

describe('requestsToDetect', () => {
  it('needs 783 requests to detect 5 pp on a 50% share', () => {
    expect(requestsToDetect(0.5)).toBe(783);
  });

  it('matches the Python computation for other shares and settings', () => {
    expect(requestsToDetect(0.3)).toBe(676);
    expect(requestsToDetect(0.1, 2)).toBe(1856);
    expect(requestsToDetect(0.2, 5, 0.01, 0.9)).toBe(1006);
    // 0.97 + 5 pp leaves [0, 1]: only the downward shift counts.
    expect(requestsToDetect(0.97)).toBe(127);
  });

  it('rejects shifts that leave [0, 1] both ways and bad parameters', () => {
    expect(() => requestsToDetect(0.5, 60)).toThrow(/leaves \[0, 1\]/);
    expect(() => requestsToDetect(0.5, 0)).toThrow(/deltaPp/);
    expect(() => requestsToDetect(1.5)).toThrow(/share/);
    expect(() => requestsToDetect(0.5, 5, 0.05, 1)).toThrow(/power/);
  });
});

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
