import { describe, expect, it } from 'vitest';
import { judgeSplit } from '../../src/stats/verdict.js';
import { normalizeWeights } from '../../src/weights.js';
import { BINOMTEST } from './reference.js';

const half = normalizeWeights([1, 1]);

describe('judgeSplit: no evidence, no verdict', () => {
  it('is inconclusive when no response named its target', () => {
    const v = judgeSplit([0, 0], half, 40, 0.05);
    expect(v.outcome).toBe('inconclusive');
    expect(v.reason).toBe(
      'no response named its target (40 request(s) without one): is this a Portkey gateway?',
    );
    expect(judgeSplit([0, 0], half, 0, 0.05)).toMatchObject({
      outcome: 'inconclusive',
      reason: 'no request completed',
    });
  });

  it('is inconclusive when this many requests could not show any skew at alpha', () => {
    // 5 of 5 on one target at 50/50: p = 2 / 32 = 0.0625, above 0.05; 6 of 6 gives 0.03125.
    const five = judgeSplit([3, 2], half, 0, 0.05);
    expect(five.outcome).toBe('inconclusive');
    expect(five.reason).toBe(
      '5 request(s) cannot show a skew at alpha 0.05: even all of them on one target gives p = 0.063',
    );
    const six = judgeSplit([3, 3], half, 0, 0.05);
    expect(six.outcome).toBe('consistent');
    expect(judgeSplit([6, 0], half, 0, 0.05)).toMatchObject({
      outcome: 'differs',
      pValue: BINOMTEST.k0n6,
    });
  });

  it('says differs when a weight-0 target got traffic, however few requests', () => {
    const v = judgeSplit([1, 1], normalizeWeights([1, 0]), 0, 0.05);
    expect(v.outcome).toBe('differs');
    expect(v.zeroWeightViolations).toEqual([1]);
  });
});

describe('judgeSplit with requests whose pick is unknown', () => {
  it('does not blame a correct gateway for the failures of a sick target', () => {
    // The gateway split 300/300; 91 of the second target's requests failed without naming it.
    const v = judgeSplit([300, 209], half, 91, 0.05);
    expect(v.outcome).toBe('inconclusive');
    expect(v.pValueRange?.[1]).toBe(1); // 300/300 where they went back to the sick target
    expect(v.pValueRange?.[0]).toBeLessThan(1e-10); // all 91 on the first target
    expect(v.reason).toMatch(/^91 request\(s\) could not be attributed: depending on where/);
    // Without the unattributed ones the same counts would have read "differs".
    expect(judgeSplit([300, 209], half, 0, 0.05).outcome).toBe('differs');
  });

  it('says consistent or differs only when that holds wherever they went', () => {
    const consistent = judgeSplit([250, 250], half, 2, 0.05);
    expect(consistent.outcome).toBe('consistent');
    expect(consistent.pValueRange?.[0]).toBeGreaterThan(0.05);
    const differs = judgeSplit([400, 100], half, 10, 0.05);
    expect(differs.outcome).toBe('differs');
    expect(differs.pValueRange?.[1]).toBeLessThan(0.05);
  });

  it('spreads them over three targets for the best fit, and piles them on one for the worst', () => {
    const shares = normalizeWeights([5, 3, 2]);
    const v = judgeSplit([100, 60, 20], shares, 20, 0.05);
    // Best: 20 more to the third target, exactly 100/60/40 of 200: p = 1.
    expect(v.pValueRange?.[1]).toBeCloseTo(1, 10);
    expect(v.outcome).toBe('inconclusive');
  });
});

describe('judgeSplit with a Monte Carlo estimate', () => {
  it('is inconclusive when the estimate stays too close to alpha to call', () => {
    const shares = normalizeWeights([5, 3, 2]);
    const options = { maxExactOutcomes: 0, monteCarloSamples: 200, maxMonteCarloSamples: 200 };
    // p is about 0.11 for these counts.
    const v = judgeSplit([14, 2, 4], shares, 0, 0.11, options);
    expect(v.outcome).toBe('inconclusive');
    expect(v.reason).toMatch(/Monte Carlo estimate p = .* is too close to alpha to call/);
    expect(judgeSplit([14, 2, 4], shares, 0, 0.5, options).outcome).toBe('differs');
  });
});
