import { describe, expect, it } from 'vitest';
import {
  logGamma,
  normalQuantile,
  regularizedGammaP,
  regularizedGammaQ,
  stirlingError,
} from '../../src/stats/special.js';

// test/reference/special_reference.py prints these (standard library only: closed forms in
// 80-digit decimal arithmetic).
const GAMMA_WHOLE: Array<[number, number, number, number]> = [
  // a, x, P(a, x), Q(a, x)
  [1, 0.5, 0.3934693402873666, 0.6065306597126334],
  [2, 600, 1.0, 1.5928883283555908e-258],
  [3, 2.5, 0.45618688411667047, 0.5438131158833295],
  [5, 40, 0.999999999999498, 5.020464318829134e-13],
  [10, 3, 0.0011024881301154798, 0.9988975118698845],
  [50, 45, 0.24680203440017026, 0.7531979655998298],
  [50, 80, 0.9998692160234086, 0.00013078397659141034],
];
const GAMMA_HALF: Array<[number, number]> = [
  // x, Q(1/2, x) = erfc(sqrt x)
  [0.01, 0.8875370839817152],
  [0.5, 0.31731050786291404],
  [2, 0.045500263896358396],
  [10, 7.744216431044074e-6],
  [50, 1.5239706048320995e-23],
];
const NORMAL_QUANTILE: Array<[number, number]> = [
  [0.5000001, 2.506628273311648e-7],
  [0.6, 0.2533471031357997],
  [0.8, 0.8416212335729144],
  [0.9, 1.2815515655446006],
  [0.95, 1.6448536269514722],
  [0.975, 1.9599639845400538],
  [0.995, 2.5758293035489004],
  [0.999, 3.090232306167813],
  [0.3, -0.5244005127080408],
  [0.025, -1.9599639845400543],
  [1e-10, -6.361340902404057],
];

/** |actual - expected| within `relative` of |expected|. */
function expectRelative(actual: number, expected: number, relative: number, what: string) {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    relative * Math.abs(expected),
  );
}

describe('logGamma and stirlingError', () => {
  it('give ln((n-1)!) and the error of Stirling’s formula', () => {
    for (let n = 1; n <= 25; n++) {
      let factorial = 0;
      for (let i = 2; i < n; i++) factorial += Math.log(i);
      expect(logGamma(n)).toBeCloseTo(factorial, 12);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8), 7);
    // The series (n > 15) and the log-gamma form (n <= 15) agree where they meet.
    const direct = (n: number) =>
      logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - 0.5 * Math.log(2 * Math.PI);
    for (const n of [16, 20, 36, 81, 501]) expect(stirlingError(n)).toBeCloseTo(direct(n), 12);
    expect(() => logGamma(0)).toThrow(/x > 0/);
  });
});

describe('the regularized incomplete gamma functions', () => {
  it('match the closed forms for whole a, P + Q = 1, tails to full relative precision', () => {
    for (const [a, x, p, q] of GAMMA_WHOLE) {
      expectRelative(regularizedGammaP(a, x), p, 1e-13, `P(${a}, ${x})`);
      expectRelative(regularizedGammaQ(a, x), q, 1e-12, `Q(${a}, ${x})`);
    }
  });

  it('match erfc for a = 1/2, the chi-square with one degree of freedom', () => {
    for (const [x, q] of GAMMA_HALF) {
      expectRelative(regularizedGammaQ(0.5, x), q, 1e-13, `Q(1/2, ${x})`);
      expectRelative(regularizedGammaP(0.5, x), 1 - q, 1e-13, `P(1/2, ${x})`);
    }
  });

  it('are 0 and 1 at x = 0 and refuse a <= 0 or x < 0', () => {
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaQ(3, 0)).toBe(1);
    expect(() => regularizedGammaP(0, 1)).toThrow(/a > 0 and x >= 0/);
    expect(() => regularizedGammaQ(1, -1)).toThrow(/a > 0 and x >= 0/);
  });
});

describe('normalQuantile', () => {
  it('matches the quantiles computed in 80-digit arithmetic', () => {
    for (const [p, z] of NORMAL_QUANTILE) expectRelative(normalQuantile(p), z, 4e-15, `p = ${p}`);
  });

  it('is 0 at 1/2, odd about it, and refuses p outside (0, 1)', () => {
    expect(normalQuantile(0.5)).toBe(0);
    for (const p of [0.6, 0.9, 0.975, 0.9999]) {
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 12);
    }
    expect(() => normalQuantile(0)).toThrow(/0 < p < 1/);
    expect(() => normalQuantile(1)).toThrow(/0 < p < 1/);
  });
});
