import { expect } from 'vitest';

// Reference values printed by test/reference/significance_reference.py (scipy 1.17.1, numpy 2.4),
// an independent implementation: scipy.stats.binomtest / chisquare / binom.ppf / norm.ppf,
// numpy.percentile, and the exact multinomial test enumerated in exact rational arithmetic.
export const BINOMTEST = {
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
  // test/reference/exact_reference.py (exact rational arithmetic, standard library only)
  k3n100p05: 0.4918246751011844,
};
export const CHISQUARE = {
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
export const EXACT_MULTINOMIAL = {
  threeWay20: 0.110475519398875, // [14, 2, 4] at 0.5/0.3/0.2
  allOnOne20: 7.416910908338e-6, // [20, 0, 0] at 0.5/0.3/0.2
  fourWay12: 0.279219073024, // [2, 5, 3, 2] at 0.4/0.3/0.2/0.1
  threeWay300: 0.41167173501469395, // [160, 80, 60] at 0.5/0.3/0.2 (scipy logpmf, vectorized)
  equalThirds: 0.09312604785855814, // [1, 2, 7] at 1/3 each: permutations tie with it
  // test/reference/exact_reference.py (exact rational arithmetic, standard library only)
  fourWay100: 0.11665332887008169, // [30, 18, 32, 20] at 1/4 each
  threeWayFarOff: 4.0409627660293934e-32, // [250, 30, 20] at 0.5/0.3/0.2
};
export const WILSON_SCIPY: Array<[number, number, number, number, number]> = [
  // k, n, confidence, lower, upper
  [81, 263, 0.95, 0.2552885198782742, 0.36620957698280004],
  [15, 148, 0.95, 0.0623863995307363, 0.16048724172330803],
  [0, 20, 0.95, 0, 0.16112515805281938],
  [1, 29, 0.95, 0.006113214292762653, 0.17175521879320288],
  [7, 10, 0.9, 0.44169979586983504, 0.8731234160968022],
];
// Published in Newcombe (1998), Statistics in Medicine 17:857-872, table II (4 decimals).
export const WILSON_NEWCOMBE: Array<[number, number, number, number]> = [
  [81, 263, 0.2553, 0.3662],
  [15, 148, 0.0624, 0.1605],
  [0, 20, 0, 0.1611],
  [1, 29, 0.0061, 0.1718],
];
export const PERCENTILE_QS = [0, 25, 50, 90, 95, 99, 100];
export const PERCENTILES: Array<[number[], number[]]> = [
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
export const LATENCY: readonly number[] = Object.freeze([
  120, 95, 310, 101, 88, 143, 97, 1020, 130, 99,
]);
export const LATENCY_REF = {
  avg: 220.3,
  p50: 110.5,
  p90: 380.9999999999998,
  p95: 700.4999999999993,
  p99: 956.1000000000001,
};

export const SHARES_532 = [0.5, 0.3, 0.2];
export const THIRDS = [1 / 3, 1 / 3, 1 / 3];

/** Asserts |actual - expected| / |expected| < tolerance; for p-values too small for toBeCloseTo. */
export function expectRel(actual: number, expected: number, tolerance = 5e-5): void {
  expect(expected).not.toBe(0);
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}
