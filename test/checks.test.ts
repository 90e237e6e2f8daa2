import { describe, expect, it } from 'vitest';
import { evaluateGate, formatP, verdictText } from '../src/checks.js';
import type { FitResult } from '../src/significance.js';
import { summarizeScenario } from '../src/stats.js';

const targets = [
  { name: 'a', provider: 'openai', weight: 0.5 },
  { name: 'b', provider: 'openai', weight: 0.5 },
];
const ok = (targetIndex: number, latencyMs: number) => ({ ok: true, latencyMs, targetIndex });
const fail = (targetIndex: number) => ({
  ok: false,
  latencyMs: 1,
  targetIndex,
  error: { cause: 'provider-error' as const, message: 'x' },
});

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
    consistent: true,
    zeroWeightViolations: [],
  };
  it('says consistent or differs, with the p-value', () => {
    expect(verdictText(fit)).toBe('consistent with the configured weights (p = 0.69)');
    expect(verdictText({ ...fit, pValue: 0.003, consistent: false })).toBe(
      'differs from the configured weights (p = 0.003)',
    );
  });
  it('names a weight-0 target that received traffic', () => {
    expect(
      verdictText({ ...fit, consistent: false, zeroWeightViolations: [1] }, ['x', 'off']),
    ).toBe('differs from the configured weights: "off" has weight 0 but received traffic');
  });
});

describe('evaluateGate', () => {
  // 20 of 20 to target a at 50/50: exact... no, expected 10 each, so chi-square X2 = 20, p < 0.0001
  const skewed = summarizeScenario(
    Array.from({ length: 20 }, () => ok(0, 5)),
    targets,
  );
  const balanced = summarizeScenario(
    [ok(0, 10), ok(1, 20), ok(0, 30), ok(1, 40), fail(0), ok(1, 1000)],
    targets,
  );

  it('checks nothing unless asked', () => {
    expect(evaluateGate([{ scenario: 'x', summary: skewed }], { failOnSkew: false })).toEqual([]);
  });

  it('fails --fail-on-skew on a skewed split and passes a balanced one', () => {
    const [bad] = evaluateGate([{ scenario: 'weighted', summary: skewed }], { failOnSkew: true });
    expect(bad).toMatchObject({
      check: 'fail-on-skew',
      scenario: 'weighted',
      passed: false,
      threshold: 0.05,
    });
    expect(bad?.message).toBe(
      "weighted: split differs from the configured weights (p < 0.0001), Pearson's chi-square test, alpha 0.05",
    );
    const [good] = evaluateGate([{ scenario: 'w', summary: balanced }], { failOnSkew: true });
    expect(good?.passed).toBe(true);
  });

  it('compares the success rate in percent, failing below the threshold', () => {
    const outcomes = evaluateGate([{ scenario: 'rr', summary: balanced }], {
      failOnSkew: false,
      minSuccessRatePct: 83.4,
    });
    expect(outcomes[0]).toMatchObject({ passed: false, threshold: 83.4 });
    expect(outcomes[0]?.value).toBeCloseTo(500 / 6, 10);
    expect(outcomes[0]?.message).toBe('rr: success rate 83.3% (5/6) < 83.4%');
    const pass = evaluateGate([{ scenario: 'rr', summary: balanced }], {
      failOnSkew: false,
      minSuccessRatePct: 83.3,
    });
    expect(pass[0]?.passed).toBe(true);
  });

  it('compares p99 latency and fails when there is none', () => {
    // successful latencies 10, 20, 30, 40, 1000: numpy.percentile(..., 99) = 961.6
    const [over] = evaluateGate([{ scenario: 'd', summary: balanced }], {
      failOnSkew: false,
      maxP99Ms: 900,
    });
    expect(over?.passed).toBe(false);
    expect(over?.value).toBeCloseTo(961.6, 10);
    expect(over?.message).toBe('d: p99 latency 961.6 ms > 900 ms');
    const [under] = evaluateGate([{ scenario: 'd', summary: balanced }], {
      failOnSkew: false,
      maxP99Ms: 1000,
    });
    expect(under?.passed).toBe(true);
    const none = summarizeScenario([fail(0)], targets);
    const [missing] = evaluateGate([{ scenario: 'd', summary: none }], {
      failOnSkew: false,
      maxP99Ms: 1000,
    });
    expect(missing?.passed).toBe(false);
    expect(missing?.message).toMatch(/no successful request/);
  });
});
