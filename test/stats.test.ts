import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/runner.js';
import { summarizeLatency, summarizeScenario } from '../src/stats.js';

const expected = [
  { name: 'ollama', provider: 'ollama', weight: 0.25 },
  { name: 'vllm', provider: 'openai', weight: 0.75 },
];

function ok(
  targetIndex: number | null,
  latencyMs: number,
): Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex'> {
  return { ok: true, latencyMs, targetIndex };
}

describe('summarizeScenario', () => {
  it('reproduces the seed weighted run: 7 vllm, 3 ollama out of 10', () => {
    const records = [
      ok(1, 946),
      ok(0, 17743),
      ok(1, 928),
      ok(1, 958),
      ok(1, 963),
      ok(1, 950),
      ok(0, 17740),
      ok(1, 951),
      ok(1, 922),
      ok(0, 17664),
    ];
    const s = summarizeScenario(records, expected);
    expect(s.requests).toBe(10);
    expect(s.succeeded).toBe(10);
    expect(s.failed).toBe(0);
    expect(s.successRate).toBe(1);
    // (946+17743+928+958+963+950+17740+951+922+17664) / 10 = 59765 / 10
    expect(s.latencyMs?.avg).toBeCloseTo(5976.5, 10);
    expect(s.latencyMs?.min).toBe(922);
    expect(s.latencyMs?.max).toBe(17743);
    expect(s.targets.map((t) => [t.name, t.count, t.share])).toEqual([
      ['ollama', 3, 0.3],
      ['vllm', 7, 0.7],
    ]);
    expect(s.targets[0]?.deviationPp).toBeCloseTo(5, 10);
    expect(s.targets[1]?.deviationPp).toBeCloseTo(-5, 10);
    expect(s.unattributed).toBe(0);
  });

  it('keeps failures out of latency and shares, counted per cause and per target', () => {
    const records: Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex' | 'error'>[] = [
      ok(1, 10),
      ok(1, 30),
      ok(0, 200),
      {
        ok: false,
        latencyMs: 5,
        targetIndex: 0,
        error: { cause: 'provider-error', status: 500, message: 'x' },
      },
      { ok: false, latencyMs: 1, targetIndex: null, error: { cause: 'connection', message: 'y' } },
      ok(null, 20),
    ];
    const s = summarizeScenario(records, expected);
    expect(s.requests).toBe(6);
    expect(s.succeeded).toBe(4);
    expect(s.failed).toBe(2);
    expect(s.successRate).toBeCloseTo(4 / 6, 12);
    expect(s.latencyMs).toEqual({ avg: 65, min: 10, max: 200 });
    expect(s.unattributed).toBe(1);
    // shares are over the 3 attributed successes
    expect(s.targets[0]).toMatchObject({ count: 1, failed: 1 });
    expect(s.targets[0]?.share).toBeCloseTo(1 / 3, 12);
    expect(s.targets[1]).toMatchObject({ count: 2, failed: 0 });
    expect(s.targets[1]?.share).toBeCloseTo(2 / 3, 12);
    expect(s.targets[1]?.deviationPp).toBeCloseTo((2 / 3 - 0.75) * 100, 10);
    expect(s.failuresByCause).toEqual({ 'provider-error': 1, connection: 1 });
  });

  it('reports an empty run without dividing by zero', () => {
    const s = summarizeScenario([], expected);
    expect(s).toMatchObject({
      requests: 0,
      succeeded: 0,
      failed: 0,
      successRate: 0,
      latencyMs: null,
    });
    expect(s.targets.map((t) => t.share)).toEqual([0, 0]);
    expect(s.targets.map((t) => t.deviationPp)).toEqual([-25, -75]);
  });

  it('does not attribute an index beyond the configured targets', () => {
    const s = summarizeScenario([ok(5, 1)], expected);
    expect(s.unattributed).toBe(1);
    expect(s.targets.map((t) => t.count)).toEqual([0, 0]);
  });
});

describe('summarizeLatency', () => {
  it('computes average, min and max', () => {
    expect(summarizeLatency([995, 941, 935, 20834, 963, 17216])).toEqual({
      avg: (995 + 941 + 935 + 20834 + 963 + 17216) / 6,
      min: 935,
      max: 20834,
    });
    expect(summarizeLatency([])).toBeNull();
  });
});
