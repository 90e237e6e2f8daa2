import { describe, expect, it } from 'vitest';
import { binomialCountRange, requestsToDetect, wilsonInterval } from '../../src/stats/intervals.js';
import { WILSON_NEWCOMBE, WILSON_SCIPY } from './reference.js';

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
