// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
import type {
  FailureCause,
  RequestRecord,
  ScenarioSummary,
  TargetSummary,
  Weights,
} from '../model.js';
import { goodnessOfFit } from './fit.js';
import { binomialCountRange, requestsToDetect, wilsonInterval } from './intervals.js';
import { latencyHistogram, latencyStats } from './latency.js';

export interface ExpectedTarget {
  name: string;
  provider: string;
}

type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex' | 'error'> &
  Partial<Pick<RequestRecord, 'retries' | 'ttftMs' | 'tpotMs' | 'outputTokens' | 'nestedIndex'>>;

/**
 * What a scenario keeps while it runs: numbers per target, never the records themselves. Rows
 * are per target, and the last row holds requests whose target the gateway did not name.
 */
export interface ScenarioTally {
  expected: readonly ExpectedTarget[];
  weights: Weights;
  requests: number;
  /** Latency of successful requests. */
  latency: number[][];
  ttft: number[][];
  tpot: number[][];
  outputTokens: number[];
  failed: number[];
  retries: number[];
  /** Successful requests served by a fallback. */
  fallbacks: number[];
  /** Latency of successful requests with a nested path, split by whether a fallback served them. */
  directLatency: number[];
  fallbackLatency: number[];
  failuresByCause: Partial<Record<FailureCause, number>>;
}

export function createTally(expected: readonly ExpectedTarget[], weights: Weights): ScenarioTally {
  const rows = () => Array.from({ length: expected.length + 1 }, (): number[] => []);
  const zeros = () => new Array<number>(expected.length + 1).fill(0);
  return {
    expected,
    weights,
    requests: 0,
    latency: rows(),
    ttft: rows(),
    tpot: rows(),
    outputTokens: zeros(),
    failed: zeros(),
    retries: zeros(),
    fallbacks: zeros(),
    directLatency: [],
    fallbackLatency: [],
    failuresByCause: {},
  };
}

/** Adds one record to the tally (in place: this runs once per request). */
export function tallyRecord(tally: ScenarioTally, record: RecordFields): void {
  const known = record.targetIndex !== null && record.targetIndex < tally.expected.length;
  const row = known ? (record.targetIndex as number) : tally.expected.length;
  const add = (counts: number[], n: number) => {
    counts[row] = (counts[row] ?? 0) + n;
  };
  tally.requests += 1;
  add(tally.retries, record.retries ?? 0);
  if (!record.ok) {
    if (known) add(tally.failed, 1);
    const cause = record.error?.cause ?? 'gateway-error';
    tally.failuresByCause[cause] = (tally.failuresByCause[cause] ?? 0) + 1;
    return;
  }
  tally.latency[row]?.push(record.latencyMs);
  if (record.ttftMs !== undefined) tally.ttft[row]?.push(record.ttftMs);
  if (record.tpotMs !== undefined) tally.tpot[row]?.push(record.tpotMs);
  add(tally.outputTokens, record.outputTokens ?? 0);
  const nested = record.nestedIndex ?? null;
  if (nested !== null && nested > 0) {
    add(tally.fallbacks, 1);
    tally.fallbackLatency.push(record.latencyMs);
  } else if (nested === 0) {
    tally.directLatency.push(record.latencyMs);
  }
}

/** All records at once: the same result as tallying them one by one. */
export function summarizeScenario(
  records: readonly RecordFields[],
  expected: readonly ExpectedTarget[],
  weights: Weights,
  alpha = 0.05,
  elapsedMs = 0,
): ScenarioSummary {
  const tally = createTally(expected, weights);
  for (const record of records) tallyRecord(tally, record);
  return summarizeTally(tally, alpha, elapsedMs);
}

/**
 * The verdict judges the gateway's routing decisions: every request it reports sending to a
 * target, whether the provider then answered or failed. Latency is of successful requests only.
 */
export function summarizeTally(tally: ScenarioTally, alpha = 0.05, elapsedMs = 0): ScenarioSummary {
  const { expected, weights } = tally;
  const served = expected.map((_, i) => tally.latency[i] ?? []);
  const routed = expected.map((_, i) => (served[i]?.length ?? 0) + (tally.failed[i] ?? 0));
  const attributed = routed.reduce((sum, n) => sum + n, 0);
  const succeeded = tally.latency.reduce((sum, row) => sum + row.length, 0);
  const totalTokens = tally.outputTokens.reduce((sum, n) => sum + n, 0);
  const seconds = elapsedMs / 1000;
  const total = (counts: number[]) => counts.reduce((sum, n) => sum + n, 0);
  return {
    requests: tally.requests,
    succeeded,
    failed: tally.requests - succeeded,
    successRate: tally.requests === 0 ? 0 : succeeded / tally.requests,
    latencyMs: latencyStats(tally.latency.flat()),
    targets: expected.map((_, index) => targetSummary(tally, index, routed, attributed)),
    attributed,
    unattributed: tally.latency[expected.length]?.length ?? 0,
    failuresByCause: tally.failuresByCause,
    fit: goodnessOfFit(routed, weights, alpha),
    latencyHistogram: latencyHistogram(served),
    elapsedMs,
    requestsPerSec: seconds > 0 ? tally.requests / seconds : 0,
    outputTokensPerSec: seconds > 0 ? totalTokens / seconds : 0,
    ttftMs: latencyStats(tally.ttft.flat()),
    tpotMs: latencyStats(tally.tpot.flat()),
    retries: total(tally.retries),
    fallbacks: total(tally.fallbacks),
    directLatencyMs: latencyStats(tally.directLatency),
    fallbackLatencyMs: latencyStats(tally.fallbackLatency),
    requestsFor5ppSkew: Math.max(
      ...weights.filter((s) => s > 0 && s < 1).map((s) => requestsToDetect(s, 5, alpha)),
      0,
    ),
  };
}

function targetSummary(
  tally: ScenarioTally,
  index: number,
  routed: readonly number[],
  attributed: number,
): TargetSummary {
  const target = tally.expected[index] as ExpectedTarget;
  const expectedShare = tally.weights[index] ?? 0;
  const n = routed[index] ?? 0;
  const share = attributed === 0 ? 0 : n / attributed;
  return {
    index,
    name: target.name,
    provider: target.provider,
    expectedShare,
    count: tally.latency[index]?.length ?? 0,
    failed: tally.failed[index] ?? 0,
    routed: n,
    share,
    deviationPp: (share - expectedShare) * 100,
    ci95: attributed === 0 ? [0, 1] : wilsonInterval(n, attributed),
    expectedRange: binomialCountRange(attributed, expectedShare),
    latencyMs: latencyStats(tally.latency[index] ?? []),
    retries: tally.retries[index] ?? 0,
    ttftMs: latencyStats(tally.ttft[index] ?? []),
    tpotMs: latencyStats(tally.tpot[index] ?? []),
    outputTokens: tally.outputTokens[index] ?? 0,
    fallbacks: tally.fallbacks[index] ?? 0,
  };
}
