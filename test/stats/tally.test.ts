// Reference values below were computed independently with scipy/numpy (see the comments).
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/model/request.js';
import { MAX_RELATIVE_ERROR } from '../../src/stats/histogram.js';
import { percentile } from '../../src/stats/latency.js';
import {
  createTally,
  mergeTally,
  type RecordFields,
  summarizeScenario,
  summarizeTally,
  tallyRecord,
} from '../../src/stats/tally.js';
import { normalizeWeights } from '../../src/weights.js';

const expected = [
  { name: 'ollama', provider: 'ollama', weight: 0.25 },
  { name: 'vllm', provider: 'openai', weight: 0.75 },
];

type Fields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'pickedIndex' | 'error'> &
  Partial<Pick<RequestRecord, 'answeredIndex' | 'fallbackDepth' | 'attributedBy'>>;

function ok(pickedIndex: number | null, latencyMs: number, answeredIndex = pickedIndex): Fields {
  return { ok: true, latencyMs, pickedIndex, answeredIndex };
}

function failed(
  pickedIndex: number | null,
  cause: 'provider-error' | 'connection' | 'gateway-error',
): Fields {
  return { ok: false, latencyMs: 1, pickedIndex, error: { cause, message: 'x' } };
}

const weightsOf = (targets: { weight: number }[]) => normalizeWeights(targets.map((t) => t.weight));

describe('summarizeScenario', () => {
  // The seed's weighted run: 7 vllm, 3 ollama out of 10, with its latencies.
  const seed = [
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

  it('counts, shares and deviations of the seed weighted run', () => {
    const s = summarizeScenario(seed, expected, weightsOf(expected));
    expect(s).toMatchObject({
      requests: 10,
      succeeded: 10,
      failed: 0,
      successRate: 1,
      attributed: 10,
    });
    expect(s.targets.map((t) => [t.name, t.answered, t.picked, t.share])).toEqual([
      ['ollama', 3, 3, 0.3],
      ['vllm', 7, 7, 0.7],
    ]);
    expect(s.targets[0]?.deviationPp).toBeCloseTo(5, 10);
    expect(s.targets[1]?.deviationPp).toBeCloseTo(-5, 10);
    expect(s.unattributed).toBe(0);
  });

  it('latency of the seed run, overall and per target (numpy.percentile, linear)', () => {
    const s = summarizeScenario(seed, expected, weightsOf(expected));
    expect(s.latencyMs?.avg).toBeCloseTo(5976.5, 10); // 59765 / 10
    expect(s.latencyMs).toMatchObject({ count: 10, min: 922, max: 17743 });
    expect(s.latencyMs?.p50).toBeCloseTo(954.5, 10);
    expect(s.latencyMs?.p90).toBeCloseTo(17740.3, 10);
    expect(s.latencyMs?.p95).toBeCloseTo(17741.65, 10);
    expect(s.latencyMs?.p99).toBeCloseTo(17742.73, 10);
    const vllm = s.targets[1]?.latencyMs;
    expect(vllm).toMatchObject({ count: 7, min: 922, max: 963, p50: 950 });
    expect(vllm?.p90).toBeCloseTo(960, 10);
    expect(vllm?.p99).toBeCloseTo(962.7, 10);
    expect(s.targets[0]?.latencyMs).toMatchObject({ count: 3, min: 17664, max: 17743 });
  });

  it('judges the seed split: exact binomial, p = 0.71843 (scipy binomtest(3, 10, 0.25))', () => {
    const s = summarizeScenario(seed, expected, weightsOf(expected));
    expect(s.fit.method).toBe('exact-binomial');
    expect(s.fit.pValue).toBeCloseTo(0.7184324264526367, 6);
    expect(s.fit.outcome).toBe('consistent');
    // Wilson 95% intervals of 3/10 and 7/10
    expect(s.targets[0]?.ci95[0]).toBeCloseTo(0.10779126740630099, 6);
    expect(s.targets[0]?.ci95[1]).toBeCloseTo(0.6032218525388546, 6);
    expect(s.targets[1]?.ci95[0]).toBeCloseTo(0.39677814746114537, 6);
    // binom.ppf(0.025 / 0.975, 10, p)
    expect(s.targets.map((t) => t.expectedRange)).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(s.requestsFor5ppSkew).toBeGreaterThan(10);
  });

  it('judges the picks, not the answers: failed requests count for the target picked', () => {
    const records = [
      ok(1, 10),
      ok(1, 30),
      ok(0, 200),
      failed(0, 'provider-error'),
      failed(null, 'connection'),
      ok(null, 20),
    ];
    const s = summarizeScenario(records, expected, weightsOf(expected));
    expect(s).toMatchObject({
      requests: 6,
      succeeded: 4,
      failed: 2,
      attributed: 4,
      unattributed: 2,
      unattributedByCause: { connection: 1, ok: 1 },
    });
    expect(s.successRate).toBeCloseTo(4 / 6, 12);
    expect(s.latencyMs).toMatchObject({ count: 4, avg: 65, min: 10, max: 200 });
    expect(s.targets[0]).toMatchObject({ answered: 1, failed: 1, picked: 2, share: 0.5 });
    expect(s.targets[1]).toMatchObject({ answered: 2, failed: 0, picked: 2, share: 0.5 });
    expect(s.targets[1]?.deviationPp).toBeCloseTo(-25, 10);
    expect(s.failuresByCause).toEqual({ 'provider-error': 1, connection: 1 });
    // scipy binomtest(2, 4, 0.25) and the Wilson interval of 2/4
    expect(s.fit.pValue).toBeCloseTo(0.26171875, 8);
    expect(s.targets[0]?.ci95[0]).toBeCloseTo(0.15003898915214947, 6);
    expect(s.targets[0]?.ci95[1]).toBeCloseTo(0.8499610108478506, 6);
  });

  it('fails the verdict when a weight-0 target receives traffic, whatever the p-value', () => {
    const zero = [
      { name: 'a', provider: 'openai', weight: 1 },
      { name: 'off', provider: 'openai', weight: 0 },
    ];
    const clean = summarizeScenario([ok(0, 1), ok(0, 1), ok(0, 1)], zero, weightsOf(zero));
    expect(clean.fit.outcome).toBe('consistent');
    const leak = summarizeScenario([ok(0, 1), ok(0, 1), ok(1, 1)], zero, weightsOf(zero));
    expect(leak.fit.outcome).toBe('differs');
    expect(leak.fit.zeroWeightViolations).toEqual([1]);
  });

  it('reports an empty run without dividing by zero', () => {
    const s = summarizeScenario([], expected, weightsOf(expected));
    expect(s).toMatchObject({
      requests: 0,
      succeeded: 0,
      failed: 0,
      successRate: 0,
      latencyMs: null,
    });
    expect(s.targets.map((t) => t.share)).toEqual([0, 0]);
    expect(s.targets.map((t) => t.deviationPp)).toEqual([-25, -75]);
    expect(s.fit.pValue).toBe(1);
    expect(s.fit.outcome).toBe('inconclusive');
  });

  it('does not attribute an index beyond the configured targets', () => {
    const s = summarizeScenario([ok(5, 1)], expected, weightsOf(expected));
    expect(s.unattributed).toBe(1);
    expect(s.targets.map((t) => t.picked)).toEqual([0, 0]);
  });

  it('keys latency by the target that answered, and counts the fallback for the one picked', () => {
    const s = summarizeScenario(
      [
        { ...ok(1, 500, 0), fallbackDepth: 1 },
        { ...ok(1, 20), fallbackDepth: 0 },
        { ...ok(0, 300), fallbackDepth: 0 },
      ],
      expected,
      weightsOf(expected),
    );
    expect(s.targets[0]).toMatchObject({ picked: 1, answered: 2, fallbacks: 0 });
    expect(s.targets[1]).toMatchObject({ picked: 2, answered: 1, fallbacks: 1 });
    expect(s.targets[0]?.latencyMs).toMatchObject({ count: 2, min: 300, max: 500 });
    expect(s.targets[1]?.latencyMs).toMatchObject({ count: 1, min: 20 });
    expect(s.fallbacks).toBe(1);
    expect(s.fallbackLatencyMs?.p50).toBe(500);
  });

  it('counts the picks only a simulator knew, and reports the send window', () => {
    const s = summarizeScenario(
      [
        { ...failed(1, 'gateway-error'), attributedBy: 'simulator', startedMs: 0 },
        { ...ok(0, 10), attributedBy: 'header', startedMs: 100 },
        { ...ok(1, 10), attributedBy: 'header', startedMs: 500 },
      ],
      expected,
      weightsOf(expected),
      0.05,
      1000,
    );
    expect(s).toMatchObject({ attributed: 3, attributedBySimulator: 1, unattributed: 0 });
    expect(s).toMatchObject({ sendWindowMs: 500, sentPerSec: 4, requestsPerSec: 3 });
  });
});

describe('mergeTally: the parts of a run (worker threads) add up to the whole', () => {
  /** A varied run: both targets, unattributed ones, failures, fallbacks, streams, lags. */
  function records(n: number): RecordFields[] {
    return Array.from({ length: n }, (_, i): RecordFields => {
      const latencyMs = 5 + ((i * 7919) % 997) / 3;
      if (i % 11 === 0) return { ...failed(i % 2, 'provider-error'), startedMs: i };
      if (i % 17 === 0) return { ...failed(null, 'connection'), startedMs: i };
      return {
        ...ok(i % 5 === 0 ? null : i % 3 === 0 ? 0 : 1, latencyMs),
        fallbackDepth: i % 7 === 0 ? 1 : 0,
        ttftMs: latencyMs / 4,
        tpotMs: (i % 13) / 10,
        outputTokens: 3,
        retries: i % 4,
        scheduleLagMs: (i % 19) / 2,
        startedMs: i,
      };
    });
  }
  const whole = (all: RecordFields[]) =>
    summarizeScenario(all, expected, weightsOf(expected), 0.05, 1000);
  function merged(all: RecordFields[], parts: number) {
    const into = createTally(expected, weightsOf(expected));
    for (let p = 0; p < parts; p++) {
      const part = createTally(expected, weightsOf(expected));
      for (const r of all.filter((_, i) => i % parts === p)) tallyRecord(part, r);
      // What a worker thread posts arrives as a structured clone.
      mergeTally(into, structuredClone(part));
    }
    return summarizeTally(into, 0.05, 1000);
  }

  it('equals the tally of the whole, figure for figure, while the values are kept', () => {
    const all = records(3_000);
    const a = whole(all);
    const b = merged(all, 3);
    const { distributions: da, ...restA } = a;
    const { distributions: db, ...restB } = b;
    expect(restB).toEqual({
      ...restA,
      // Sums of the same values in another order: equal to the last bits.
      latencyMs: { ...restA.latencyMs, avg: expect.closeTo(restA.latencyMs!.avg, 9) },
      directLatencyMs: expect.anything(),
      fallbackLatencyMs: expect.anything(),
      ttftMs: expect.anything(),
      tpotMs: expect.anything(),
      scheduleLagMs: expect.anything(),
      targets: expect.anything(),
    });
    expect(
      b.targets.map((t) => [t.picked, t.failed, t.answered, t.retries, t.outputTokens]),
    ).toEqual(a.targets.map((t) => [t.picked, t.failed, t.answered, t.retries, t.outputTokens]));
    for (const key of [
      'directLatencyMs',
      'fallbackLatencyMs',
      'ttftMs',
      'scheduleLagMs',
    ] as const) {
      expect(b[key]?.p99, key).toBe(a[key]?.p99);
      expect(b[key]?.count, key).toBe(a[key]?.count);
    }
    expect(db.latency.map((d) => d.counts)).toEqual(da.latency.map((d) => d.counts));
    expect(db.scheduleLag.indexes).toEqual(da.scheduleLag.indexes);
    expect(a.scheduleLagMs?.max).toBe(9);
  });

  it('past the kept values, percentiles stay within the stated precision of the whole', () => {
    const all = records(40_000);
    const a = whole(all);
    const b = merged(all, 4);
    expect(b.requests).toBe(a.requests);
    expect(b.failuresByCause).toEqual(a.failuresByCause);
    const sorted = all
      .filter((r) => r.ok)
      .map((r) => r.latencyMs)
      .sort((x, y) => x - y);
    for (const [key, q] of [
      ['p50', 50],
      ['p90', 90],
      ['p95', 95],
      ['p99', 99],
    ] as const) {
      const exact = percentile(sorted, q);
      expect(Math.abs(b.latencyMs![key] - exact)).toBeLessThanOrEqual(exact * MAX_RELATIVE_ERROR);
      expect(b.latencyMs![key]).toBe(a.latencyMs![key]);
    }
    expect(b.latencyHistogram.counts.flat().reduce((x, y) => x + y, 0)).toBe(
      a.targets[0]!.answered + a.targets[1]!.answered,
    );
  });
});
