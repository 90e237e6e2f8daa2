// A request case's verdict from what its requests reached.
import { describe, expect, it } from 'vitest';
import { judgeCase } from '../../src/stats/cases.js';

const base = {
  case: {
    label: 'metadata.plan = "paid"',
    metadata: { plan: 'paid' },
    params: {},
    source: 'built' as const,
  },
  predicted: [0, 1],
  branches: ['premium'],
  expected: null,
  leafNames: ['gpt-a', 'gpt-b', 'free'],
};
const at = (leaf: number | null, ok = true, status?: number) => ({
  ok,
  answeredIndex: leaf,
  pickedIndex: leaf,
  ...(ok
    ? {}
    : { error: { cause: 'gateway-error' as const, message: 'x', ...(status ? { status } : {}) } }),
});

describe('judgeCase', () => {
  it('passes when every request reached a predicted leaf', () => {
    const outcome = judgeCase(base, [at(0), at(1), at(1)]);
    expect(outcome.passed).toBe(true);
    expect(outcome.observed).toEqual([
      { leaf: 'gpt-a', requests: 1 },
      { leaf: 'gpt-b', requests: 2 },
    ]);
  });

  it('fails on one request outside the prediction', () => {
    const outcome = judgeCase(base, [at(0), at(2)]);
    expect(outcome.passed).toBe(false);
    expect(outcome.reason).toMatch(/free, which the tree does not predict/);
  });

  it('fails without evidence: nothing sent, or nothing attributed', () => {
    expect(judgeCase(base, []).passed).toBe(false);
    const unknown = judgeCase(base, [at(null, false), at(null, false)]);
    expect(unknown.passed).toBe(false);
    expect(unknown.unattributed).toBe(2);
  });

  it('checks the user’s expectation against what happened, and says when the tree disagrees', () => {
    const wrong = judgeCase({ ...base, case: { ...base.case, expect: 'free' }, expected: [2] }, [
      at(0),
    ]);
    expect(wrong.expectAgrees).toBe(false);
    expect(wrong.passed).toBe(false);
    const right = judgeCase(
      { ...base, case: { ...base.case, expect: 'premium' }, expected: [0, 1] },
      [at(1)],
    );
    expect(right.expectAgrees).toBe(true);
    expect(right.passed).toBe(true);
  });

  it('a case the tree routes nowhere passes only on the gateway’s 400 for every request', () => {
    const nowhere = { ...base, predicted: [], branches: ['none'] };
    expect(judgeCase(nowhere, [at(null, false, 400), at(null, false, 400)]).passed).toBe(true);
    expect(judgeCase(nowhere, [at(null, false, 400), at(2)]).passed).toBe(false);
    expect(judgeCase(nowhere, [at(null, false, 502)]).passed).toBe(false);
  });
});
