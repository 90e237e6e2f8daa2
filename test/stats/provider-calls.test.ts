// The provider calls behind requests: cost per target, fault outcomes, retry gaps and Retry-After,
// with exact reference values.
import { describe, expect, it } from 'vitest';
import type { ProviderCall } from '../../src/model/request.js';
import {
  createCallsTally,
  mergeCalls,
  summarizeFaultOutcomes,
  summarizeProviderCalls,
  summarizeRetrySchedule,
  tallyCalls,
} from '../../src/stats/provider-calls.js';

const call = (target: number, atMs: number, extra: Partial<ProviderCall> = {}): ProviderCall => ({
  target,
  atMs,
  status: 200,
  fault: null,
  retryAfterMs: null,
  ...extra,
});
const e503 = { status: 503, fault: 'error' as const };
const e429 = (retryAfterMs: number) => ({ status: 429, fault: 'error' as const, retryAfterMs });

describe('provider calls', () => {
  it('counts every call by the target that received it: the amplification', () => {
    const tally = createCallsTally(2);
    tallyCalls(tally, { ok: true, calls: [call(0, 0)] });
    tallyCalls(tally, { ok: true, calls: [call(1, 0, e503), call(1, 1000, e503), call(1, 3000)] });
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e503), call(1, 5)] });
    expect(tally.byTarget).toEqual([2, 4, 0]);
    expect(summarizeProviderCalls(tally, 3)).toEqual({
      total: 6,
      perRequest: 2,
      source: 'simulators',
      unknownRequests: 0,
    });
  });

  it("without the simulators' log: the gateway's headers, a lower bound; nothing when none came", () => {
    const tally = createCallsTally(2);
    // Retries ran out (-1): record.retries holds the attempts, so all 1 + 3 calls count.
    tallyCalls(tally, { ok: false, targetPath: 'config.targets[1]', answeredIndex: 1, retries: 3 });
    tallyCalls(tally, {
      ok: true,
      targetPath: 'config.targets[0].targets[1]',
      answeredIndex: 1,
      fallbackDepth: 1,
    });
    tallyCalls(tally, { ok: false, targetPath: null });
    expect(tally.byTarget).toEqual([0, 5, 1]);
    expect(summarizeProviderCalls(tally, 3)).toEqual({
      total: 6,
      perRequest: 2,
      source: 'headers',
      unknownRequests: 1,
    });
  });
});

describe('fault outcomes', () => {
  it('sorts the requests each fault hit by what the client got, once per request', () => {
    const tally = createCallsTally(2);
    const cut = { fault: 'cut' as const };
    tallyCalls(tally, { ok: true, calls: [call(0, 0, cut), call(1, 3)] });
    tallyCalls(tally, {
      ok: false,
      error: { cause: 'truncated-stream', message: '' },
      calls: [call(0, 0, cut)],
    });
    tallyCalls(tally, {
      ok: false,
      error: { cause: 'gateway-error', message: '' },
      calls: [call(0, 0, { ...cut, status: null })],
    });
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e503), call(0, 1000, e503), call(0, 3000)] });
    expect(summarizeFaultOutcomes(tally)).toEqual([
      { fault: 'error', requests: 1, succeeded: 1, brokenAnswers: 0, errors: 0 },
      { fault: 'cut', requests: 3, succeeded: 1, brokenAnswers: 1, errors: 1 },
    ]);
  });
});

describe('retry schedule', () => {
  it('gaps by retry number, per target; their spread is the jitter; null without retries', () => {
    const tally = createCallsTally(2);
    expect(summarizeRetrySchedule(tally)).toBeNull();
    tallyCalls(tally, { ok: true, calls: [call(1, 0, e503), call(1, 1000, e503), call(1, 3000)] });
    tallyCalls(tally, { ok: true, calls: [call(1, 0, e503), call(1, 1010, e503), call(1, 3030)] });
    // A fallback hop is no retry: 0 -> 1 has no gap; 1's own retry has.
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e503), call(1, 2, e503), call(1, 1004)] });
    const r = summarizeRetrySchedule(tally);
    expect(r?.requestsRetried).toBe(3);
    expect(r?.gaps.map((g) => [g.retry, g.count, g.minMs, g.maxMs])).toEqual([
      [1, 3, 1000, 1010],
      [2, 2, 2000, 2020],
    ]);
    expect(r?.gaps[0]?.meanMs).toBeCloseTo(1004, 6);
    // sd of 1000, 1010, 1002.
    expect(r?.gaps[0]?.sdMs).toBeCloseTo(5.2915, 3);
    expect(r?.gaps[1]?.sdMs).toBeCloseTo(14.1421, 3);
    expect(r?.retryTimeMs?.max).toBeCloseTo(3030, 0);
    expect(r?.retryAfterAsked).toBe(0);
  });

  it('a retry honours a Retry-After when it waits at least that long (50 ms of slack)', () => {
    const tally = createCallsTally(1);
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e429(2000)), call(0, 1003)] });
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e429(2000)), call(0, 1960)] });
    tallyCalls(tally, { ok: true, calls: [call(0, 0, e429(2000)), call(0, 2400)] });
    const r = summarizeRetrySchedule(tally);
    expect([r?.retryAfterAsked, r?.retryAfterHonoured]).toEqual([3, 2]);
  });

  it('merges exactly: two halves give the whole', () => {
    const records = [
      { ok: true, calls: [call(1, 0, e503), call(1, 1000, e503), call(1, 3000)] },
      { ok: true, calls: [call(0, 0, e429(1000)), call(0, 1200)] },
      { ok: false, targetPath: 'config.targets[0]', answeredIndex: 0, retries: 2 },
    ];
    const whole = createCallsTally(2);
    for (const r of records) tallyCalls(whole, r);
    const a = createCallsTally(2);
    const b = createCallsTally(2);
    tallyCalls(a, records[0] as (typeof records)[0]);
    for (const r of records.slice(1)) tallyCalls(b, r);
    mergeCalls(a, b);
    expect(summarizeProviderCalls(a, 3)).toEqual(summarizeProviderCalls(whole, 3));
    expect(summarizeRetrySchedule(a)).toEqual(summarizeRetrySchedule(whole));
    expect(summarizeFaultOutcomes(a)).toEqual(summarizeFaultOutcomes(whole));
  });
});
