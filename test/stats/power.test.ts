import { describe, expect, it } from 'vitest';
import { goodnessOfFit } from '../../src/stats/fit.js';
import {
  chiSquareQuantile,
  exactBinomialPower,
  noncentralChiSquareCdf,
  powerAt,
  requestsToDetectSkew,
} from '../../src/stats/power.js';
import { multinomialSampler } from './simulate.js';

// Quantiles of chi-square from the tables (R: qchisq(q, df)).
const QCHISQ: [number, number, number][] = [
  [0.95, 1, 3.841458820694124],
  [0.95, 2, 5.991464547107979],
  [0.999, 3, 16.26623619623813],
];
// With one degree of freedom the noncentral chi-square is a squared shifted normal:
// P(X <= x) = Phi(sqrt(x) - sqrt(l)) - Phi(-sqrt(x) - sqrt(l)), computed with Python's math.erf.
const NCX2_DF1: [number, number, number][] = [
  [3.841458820694124, 7.848861, 0.19999997548384368],
  [2, 1.5, 0.5709791953556163],
  [10, 4, 0.8774385290253846],
  [0.5, 9, 0.010822256383067996],
];

describe('chi-square distribution functions', () => {
  it.each(QCHISQ)('the %f quantile with %i df is %f', (q, df, expected) => {
    expect(chiSquareQuantile(q, df)).toBeCloseTo(expected, 8);
  });

  it.each(NCX2_DF1)('noncentral, 1 df: P(X <= %f; lambda %f) = %f', (x, lambda, expected) => {
    expect(noncentralChiSquareCdf(x, 1, lambda)).toBeCloseTo(expected, 9);
  });

  // test/reference/exact_reference.py: summed over every outcome in exact arithmetic.
  it.each([
    [20, 0.5, 0.7, 0.05, 0.416413769469435],
    [100, 0.25, 0.35, 0.05, 0.619729108798168],
    [60, 0.5, 0.4, 0.01, 0.11696821891706846],
  ])(
    'exact binomial test, n %i, share %f, true %f, alpha %f: power %f',
    (n, p, q, alpha, power) => {
      expect(exactBinomialPower(n, p, q, alpha)).toBeCloseTo(power, 10);
    },
  );

  it('gives 80% power at the textbook noncentrality (1.96 + 0.84)^2 for one df', () => {
    expect(powerAt(7.848861, 1, 0.05)).toBeCloseTo(0.8, 6);
  });
});

describe('requestsToDetectSkew: the power of the test that is run, checked by simulation', () => {
  // At the hinted n, move 5 pp from the largest share to the next and count how often the
  // verdict's own test (exact binomial, or the multinomial test) rejects at alpha.
  const cases: [string, number[], number, number][] = [
    ['25/75', [0.25, 0.75], 0.05, 2000],
    ['50/30/20', [0.5, 0.3, 0.2], 0.05, 600],
    ['four equal', [0.25, 0.25, 0.25, 0.25], 0.05, 600],
    ['25/75 at alpha 0.001', [0.25, 0.75], 0.001, 2000],
  ];
  it.each(cases)('%s', (_, shares, alpha, sims) => {
    const n = requestsToDetectSkew(shares, alpha);
    const order = shares.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
    const skewed = [...shares];
    skewed[order[0]![1]] = order[0]![0] - 0.05;
    skewed[order[1]![1]] = order[1]![0] + 0.05;
    const draw = multinomialSampler(skewed, 11);
    // The multinomial test is estimated with few draws here: still a valid test, and fast.
    const options = { monteCarloSamples: 400, maxMonteCarloSamples: 400, maxExactOutcomes: 0 };
    let rejected = 0;
    for (let s = 0; s < sims; s++) {
      if (goodnessOfFit(draw(n), shares, alpha, options).pValue < alpha) rejected += 1;
    }
    const power = rejected / sims;
    // 80% by the formula; the simulation's own error is about 0.01 to 0.02.
    expect(power).toBeGreaterThan(0.74);
    expect(power).toBeLessThan(0.86);
  });

  it('is 0 with fewer than two targets that can be picked', () => {
    expect(requestsToDetectSkew([1, 0])).toBe(0);
  });

  it('asks more at a smaller alpha, and less of an uneven pair', () => {
    expect(requestsToDetectSkew([0.5, 0.5])).toBe(797);
    expect(requestsToDetectSkew([0.25, 0.75])).toBe(617);
    expect(requestsToDetectSkew([0.5, 0.3, 0.2])).toBe(723);
    expect(requestsToDetectSkew([0.5, 0.5], 0.001)).toBeGreaterThan(797);
  });
});
