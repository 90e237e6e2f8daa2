// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
import type { Weights } from '../model/input.js';
import type { RequestRecord } from '../model/request.js';
import type { FailureCause, ScenarioSummary, TargetSummary } from '../model/stats.js';
import { binomialCountRange, wilsonInterval } from './intervals.js';
import { latencyHistogram, latencyStats } from './latency.js';
import { requestsToDetectSkew } from './power.js';
import { judgeSplit } from './verdict.js';

export interface ExpectedTarget {
  name: string;
  provider: string;
}

export type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'pickedIndex' | 'error'> &
  Partial<
    Pick<
      RequestRecord,
      | 'answeredIndex'
      | 'fallbackDepth'
      | 'attributedBy'
      | 'retries'
      | 'retriesExhausted'
      | 'ttftMs'
      | 'tpotMs'
      | 'outputTokens'
      | 'startedMs'
    >
  >;

/**
 * What a scenario keeps while it runs: numbers per target, never the records themselves. Rows
 * are per target, plus one last row for requests whose target is not known.
 */
export interface ScenarioTally {
  expected: readonly ExpectedTarget[];
  weights: Weights;
  requests: number;
  /** By the target the load balancer picked. */
  picked: number[];
  failed: number[];
  retries: number[];
  /** Successful requests a fallback answered, by the target picked first. */
  fallbacks: number[];
  /** By the target that answered: latency, stream timing and tokens of successful requests. */
  latency: number[][];
  ttft: number[][];
  tpot: number[][];
  outputTokens: number[];
  /** Latency of successful requests with a nested path, split by whether a fallback served them. */
  directLatency: number[];
  fallbackLatency: number[];
  failuresByCause: Partial<Record<FailureCause, number>>;
  unattributedByCause: Partial<Record<FailureCause | 'ok', number>>;
  attributedBySimulator: number;
  retriesExhausted: number;
  /** Earliest and latest send time (ms from the start of the run). */
  firstSentMs: number;
  lastSentMs: number;
}

export function createTally(expected: readonly ExpectedTarget[], weights: Weights): ScenarioTally {
  const rows = () => Array.from({ length: expected.length + 1 }, (): number[] => []);
  const zeros = () => new Array<number>(expected.length + 1).fill(0);
  return {
    expected,
    weights,
    requests: 0,
    picked: zeros(),
    failed: zeros(),
    retries: zeros(),
    fallbacks: zeros(),
    latency: rows(),
    ttft: rows(),
    tpot: rows(),
    outputTokens: zeros(),
    directLatency: [],
    fallbackLatency: [],
    failuresByCause: {},
    unattributedByCause: {},
    attributedBySimulator: 0,
    retriesExhausted: 0,
    firstSentMs: Number.POSITIVE_INFINITY,
    lastSentMs: Number.NEGATIVE_INFINITY,
  };
}

/** Adds one record to the tally (in place: this runs once per request). */
export function tallyRecord(tally: ScenarioTally, record: RecordFields): void {
  const k = tally.expected.length;
  const row = (index: number | null | undefined) =>
    index !== null && index !== undefined && index < k ? index : k;
  const pick = row(record.pickedIndex);
  const add = (counts: number[], at: number, n = 1) => {
    counts[at] = (counts[at] ?? 0) + n;
  };
  tally.requests += 1;
  if (record.startedMs !== undefined) {
    tally.firstSentMs = Math.min(tally.firstSentMs, record.startedMs);
    tally.lastSentMs = Math.max(tally.lastSentMs, record.startedMs);
  }
  add(tally.picked, pick);
  add(tally.retries, pick, record.retries ?? 0);
  if (record.retriesExhausted) tally.retriesExhausted += 1;
  if (pick === k) {
    const why = record.ok ? 'ok' : (record.error?.cause ?? 'gateway-error');
    tally.unattributedByCause[why] = (tally.unattributedByCause[why] ?? 0) + 1;
  } else if (record.attributedBy === 'simulator') {
    tally.attributedBySimulator += 1;
  }
  if (!record.ok) {
    add(tally.failed, pick);
    const cause = record.error?.cause ?? 'gateway-error';
    tally.failuresByCause[cause] = (tally.failuresByCause[cause] ?? 0) + 1;
    return;
  }
  const answer = row(record.answeredIndex);
  tally.latency[answer]?.push(record.latencyMs);
  if (record.ttftMs !== undefined) tally.ttft[answer]?.push(record.ttftMs);
  if (record.tpotMs !== undefined) tally.tpot[answer]?.push(record.tpotMs);
  add(tally.outputTokens, answer, record.outputTokens ?? 0);
  const depth = record.fallbackDepth ?? null;
  if (depth !== null && depth > 0) {
    add(tally.fallbacks, pick);
    tally.fallbackLatency.push(record.latencyMs);
  } else if (depth === 0) {
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

const total = (counts: readonly number[]) => counts.reduce((sum, n) => sum + n, 0);

/**
 * The verdict judges the load balancer's picks: every request whose pick is known, whether the
 * provider then answered or failed. Latency is of successful requests, by the target that
 * answered.
 */
export function summarizeTally(tally: ScenarioTally, alpha = 0.05, elapsedMs = 0): ScenarioSummary {
  const { expected, weights } = tally;
  const k = expected.length;
  const picked = tally.picked.slice(0, k);
  const attributed = total(picked);
  const unattributed = tally.picked[k] ?? 0;
  const succeeded = total(tally.latency.map((row) => row.length));
  const seconds = elapsedMs / 1000;
  const sendWindowMs = tally.requests > 1 ? tally.lastSentMs - tally.firstSentMs : 0;
  return {
    requests: tally.requests,
    succeeded,
    failed: tally.requests - succeeded,
    successRate: tally.requests === 0 ? 0 : succeeded / tally.requests,
    latencyMs: latencyStats(tally.latency.flat()),
    targets: expected.map((_, index) => targetSummary(tally, index, attributed)),
    attributed,
    attributedBySimulator: tally.attributedBySimulator,
    unattributedByCause: tally.unattributedByCause,
    unattributed,
    failuresByCause: tally.failuresByCause,
    fit: judgeSplit(picked, weights, unattributed, alpha),
    latencyHistogram: latencyHistogram(tally.latency.slice(0, k)),
    elapsedMs,
    requestsPerSec: seconds > 0 ? tally.requests / seconds : 0,
    sendWindowMs,
    sentPerSec: sendWindowMs > 0 ? ((tally.requests - 1) * 1000) / sendWindowMs : 0,
    outputTokensPerSec: seconds > 0 ? total(tally.outputTokens) / seconds : 0,
    ttftMs: latencyStats(tally.ttft.flat()),
    tpotMs: latencyStats(tally.tpot.flat()),
    retries: total(tally.retries),
    retriesExhausted: tally.retriesExhausted,
    fallbacks: total(tally.fallbacks),
    directLatencyMs: latencyStats(tally.directLatency),
    fallbackLatencyMs: latencyStats(tally.fallbackLatency),
    requestsFor5ppSkew: requestsToDetectSkew(weights, alpha),
  };
}

function targetSummary(tally: ScenarioTally, index: number, attributed: number): TargetSummary {
  const target = tally.expected[index] as ExpectedTarget;
  const expectedShare = tally.weights[index] ?? 0;
  const picked = tally.picked[index] ?? 0;
  const share = attributed === 0 ? 0 : picked / attributed;
  return {
    index,
    name: target.name,
    provider: target.provider,
    expectedShare,
    picked,
    answered: tally.latency[index]?.length ?? 0,
    failed: tally.failed[index] ?? 0,
    share,
    deviationPp: (share - expectedShare) * 100,
    ci95: attributed === 0 ? [0, 1] : wilsonInterval(picked, attributed),
    expectedRange: binomialCountRange(attributed, expectedShare),
    latencyMs: latencyStats(tally.latency[index] ?? []),
    retries: tally.retries[index] ?? 0,
    ttftMs: latencyStats(tally.ttft[index] ?? []),
    tpotMs: latencyStats(tally.tpot[index] ?? []),
    outputTokens: tally.outputTokens[index] ?? 0,
    fallbacks: tally.fallbacks[index] ?? 0,
  };
}
