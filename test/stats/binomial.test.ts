import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialPmf, binomialQuantile } from '../../src/stats/binomial.js';
import { binomialUpperTail } from '../../src/stats/support.js';

// test/reference/special_reference.py prints these (exact rational arithmetic).
const BINOMIAL: Array<[number, number, number, number, number]> = [
  // k, n, p, P(X = k), P(X <= k)
  [3, 10, 0.5, 0.1171875, 0.171875],
  [0, 20, 0.3, 0.00079792266297612, 0.00079792266297612],
  [7, 20, 0.3, 0.1642619852172365, 0.7722717974181604],
  [2, 100, 0.25, 1.763961201959827e-10, 1.8740751436579253e-10],
  [60, 100, 0.25, 1.040003481550535e-13, 0.9999999999999714],
  [150, 1000, 0.1, 1.7150019584540083e-7, 0.9999997225559099],
  [4999, 10000, 0.5, 0.007977050729236306, 0.4960106769303089],
  [10, 5000, 0.001, 0.018105567003924673, 0.9863500474758174],
  [50000, 100000, 0.5, 0.00252312621419674, 0.5012615631070984],
];
const UPPER_TAIL: Array<[number, number, number, number]> = [
  // k, n, p, P(X >= k)
  [95, 100, 0.5, 6.26162256269268e-23],
  [61, 100, 0.25, 2.868311928082031e-14],
  [300, 1000, 0.2, 3.811044687488596e-14],
];

function expectRelative(actual: number, expected: number, relative: number, what: string) {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    relative * Math.abs(expected),
  );
}

describe('binomialPmf and binomialCdf', () => {
  it('match exact rational arithmetic, even at n = 100,000', () => {
    for (const [k, n, p, pmf, cdf] of BINOMIAL) {
      expectRelative(binomialPmf(k, n, p), pmf, 1e-13, `P(X = ${k}; ${n}, ${p})`);
      expectRelative(binomialCdf(k, n, p), cdf, 1e-13, `P(X <= ${k}; ${n}, ${p})`);
    }
  });

  it('keep tiny upper tails to full relative precision', () => {
    for (const [k, n, p, tail] of UPPER_TAIL) {
      expectRelative(binomialUpperTail(k, n, p), tail, 1e-12, `P(X >= ${k}; ${n}, ${p})`);
    }
  });

  it('handle the edges: k outside [0, n], p of 0 or 1, powers of 1/2 exactly', () => {
    expect(binomialPmf(-1, 5, 0.5)).toBe(0);
    expect(binomialPmf(6, 5, 0.5)).toBe(0);
    expect(binomialPmf(0, 6, 0.5)).toBe(1 / 64);
    expect(binomialPmf(6, 6, 0.5)).toBe(1 / 64);
    expect(binomialPmf(0, 5, 0)).toBe(1);
    expect(binomialPmf(5, 5, 1)).toBe(1);
    expect(binomialCdf(-1, 5, 0.3)).toBe(0);
    expect(binomialCdf(5, 5, 0.3)).toBe(1);
    expect(binomialCdf(0, 6, 0.5)).toBe(1 / 64);
    expect(binomialCdf(2, 5, 0)).toBe(1);
    expect(binomialCdf(2, 5, 1)).toBe(0);
  });
});

describe('binomialQuantile', () => {
  it('is the smallest k whose cdf reaches the level', () => {
    for (const [n, p] of [
      [7, 0.5],
      [20, 0.3],
      [1000, 0.001],
      [100_000, 0.25],
    ] as const) {
      for (const level of [0.005, 0.025, 0.5, 0.975, 0.995]) {
        const k = binomialQuantile(level, n, p);
        expect(binomialCdf(k, n, p)).toBeGreaterThanOrEqual(level * (1 - 1e-13));
        if (k > 0) expect(binomialCdf(k - 1, n, p)).toBeLessThan(level);
      }
    }
  });

  it('takes an exact tie as reached: the median of Binomial(7, 1/2) is 3', () => {
    expect(binomialQuantile(0.5, 7, 0.5)).toBe(3);
  });

  it('is 0 without trials or chance, n when certain, and refuses a level outside (0, 1)', () => {
    expect(binomialQuantile(0.5, 0, 0.5)).toBe(0);
    expect(binomialQuantile(0.975, 10, 0)).toBe(0);
    expect(binomialQuantile(0.025, 10, 1)).toBe(10);
    expect(() => binomialQuantile(1, 10, 0.5)).toThrow(/0 < level < 1/);
  });
});
