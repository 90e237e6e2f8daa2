import { describe, expect, it } from 'vitest';
import type { FitResult } from '../../src/model/stats.js';
import { formatP, verdictText } from '../../src/report/format.js';

describe('formatP', () => {
  it.each([
    [0.6875, 'p = 0.69'],
    [0.1, 'p = 0.10'],
    [0.0736, 'p = 0.074'],
    [0.0012345, 'p = 0.0012'],
    [0.00009, 'p < 0.0001'],
  ])('%f -> %s', (p, text) => {
    expect(formatP(p)).toBe(text);
  });
});

describe('verdictText', () => {
  const fit: FitResult = {
    method: 'exact-binomial',
    statistic: 0.67,
    df: 1,
    pValue: 0.6875,
    alpha: 0.05,
    outcome: 'consistent',
    reason: null,
    pValueRange: null,
    zeroWeightViolations: [],
  };
  it('says consistent or differs, with the p-value', () => {
    expect(verdictText(fit)).toBe('consistent with the configured weights (p = 0.69)');
    expect(verdictText({ ...fit, pValue: 0.003, outcome: 'differs' })).toBe(
      'differs from the configured weights (p = 0.003)',
    );
  });
  it('names a weight-0 target that received traffic', () => {
    expect(
      verdictText({ ...fit, outcome: 'differs', zeroWeightViolations: [1] }, ['x', 'off']),
    ).toBe('differs from the configured weights: "off" has weight 0 but received traffic');
  });
  it('gives the reason when inconclusive, and no p-value', () => {
    expect(verdictText({ ...fit, outcome: 'inconclusive', reason: 'no request completed' })).toBe(
      'inconclusive: no request completed',
    );
  });
  it('gives the range of p wherever the unattributed requests went', () => {
    expect(verdictText({ ...fit, pValueRange: [0.2134, 0.9] })).toBe(
      'consistent with the configured weights (p = 0.69; p from 0.21 to 0.90 wherever the unattributed requests went)',
    );
    expect(
      verdictText({ ...fit, outcome: 'differs', pValue: 1e-9, pValueRange: [1e-12, 0.0023] }),
    ).toBe(
      'differs from the configured weights (p < 0.0001; p from < 0.0001 to 0.0023 wherever the unattributed requests went)',
    );
  });
});
