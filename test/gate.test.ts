import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../src/gate.js';
import { summarizeScenario } from '../src/stats/tally.js';
import { normalizeWeights } from '../src/weights.js';

const targets = [
  { name: 'a', provider: 'openai' },
  { name: 'b', provider: 'openai' },
];
const half = normalizeWeights([1, 1]);
const ok = (pickedIndex: number, latencyMs: number) => ({ ok: true, latencyMs, pickedIndex });
const fail = (pickedIndex: number) => ({
  ok: false,
  latencyMs: 1,
  pickedIndex,
  error: { cause: 'provider-error' as const, message: 'x' },
});

describe('evaluateGate', () => {
  // 20 of 20 to target a at 50/50: exact... no, expected 10 each, so chi-square X2 = 20, p < 0.0001
  const skewed = summarizeScenario(
    Array.from({ length: 20 }, () => ok(0, 5)),
    targets,
    half,
  );
  const balanced = summarizeScenario(
    [ok(0, 10), ok(1, 20), ok(0, 30), ok(1, 40), fail(0), ok(1, 1000)],
    targets,
    half,
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
      'weighted: split differs from the configured weights (p < 0.0001), exact binomial test, alpha 0.05',
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
    const none = summarizeScenario([fail(0)], targets, half);
    const [nothing, missing] = evaluateGate([{ scenario: 'd', summary: none }], {
      failOnSkew: false,
      maxP99Ms: 1000,
    });
    expect(nothing).toMatchObject({ check: 'any-success', passed: false });
    expect(missing?.passed).toBe(false);
    expect(missing?.message).toMatch(/no successful request/);
  });

  it('fails a scenario in which no request succeeded, with or without gate flags', () => {
    const none = summarizeScenario([fail(0), fail(1)], targets, half);
    expect(evaluateGate([{ scenario: 'w', summary: none }], { failOnSkew: false })).toEqual([
      {
        check: 'any-success',
        scenario: 'w',
        passed: false,
        value: 0,
        threshold: null,
        message: 'w: no request succeeded (2 failed: provider-error 2)',
      },
    ]);
    expect(evaluateGate([{ scenario: 'w', summary: balanced }], { failOnSkew: false })).toEqual([]);
    // A drill's variant meant to fail every request is not failed for it.
    expect(
      evaluateGate([{ scenario: 'w', summary: none, failuresExpected: true }], {
        failOnSkew: false,
      }),
    ).toEqual([]);
  });

  it('fails --fail-on-skew on an inconclusive verdict: no evidence, no pass', () => {
    const unattributed = summarizeScenario(
      [ok(0, 1), fail(0), { ok: true, latencyMs: 1, pickedIndex: null }],
      targets,
      half,
    );
    expect(unattributed.fit.outcome).toBe('inconclusive');
    const [check] = evaluateGate([{ scenario: 'w', summary: unattributed }], { failOnSkew: true });
    expect(check?.passed).toBe(false);
    expect(check?.message).toMatch(/^w: split inconclusive: /);
  });
});
