import { describe, expect, it } from 'vitest';
import { exponentialGaps } from '../../src/runner/arrivals.js';

describe('exponentialGaps (Poisson arrivals)', () => {
  it('has mean 1000/rate ms and the spread of an exponential distribution', () => {
    const next = exponentialGaps(50, 7);
    const gaps = Array.from({ length: 20_000 }, next);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    // Exponential with mean 20 ms: sd 20 ms too; the mean of 20,000 has sd 0.14 ms.
    expect(mean).toBeGreaterThan(19.4);
    expect(mean).toBeLessThan(20.6);
    expect(sd).toBeGreaterThan(18.5);
    expect(sd).toBeLessThan(21.5);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
  });

  it('gives arrival counts per second whose variance equals their mean (Poisson)', () => {
    const next = exponentialGaps(30, 11);
    const counts = new Array<number>(400).fill(0);
    let t = 0;
    for (;;) {
      t += next();
      const second = Math.floor(t / 1000);
      if (second >= counts.length) break;
      counts[second] = (counts[second] ?? 0) + 1;
    }
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, n) => a + (n - mean) ** 2, 0) / (counts.length - 1);
    expect(mean).toBeGreaterThan(29);
    expect(mean).toBeLessThan(31);
    // Index of dispersion of a Poisson process is 1; a fixed-interval sender would give ~0.
    expect(variance / mean).toBeGreaterThan(0.8);
    expect(variance / mean).toBeLessThan(1.2);
  });

  it('repeats for a seed and differs between seeds', () => {
    const a = exponentialGaps(10, 3);
    const b = exponentialGaps(10, 3);
    const c = exponentialGaps(10, 4);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
  });
});
