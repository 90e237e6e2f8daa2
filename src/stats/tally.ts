// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
import type { Weights } from '../model/input.js';
import type { RequestRecord } from '../model/request.js';
import type { FailureCause, ScenarioSummary, TargetSummary } from '../model/stats.js';
import {
  createDistribution,
  type Distribution,
  distributionData,
  distributionStats,
  mergeDistribution,
  recordValue,
  weightedValues,
} from './histogram.js';
import { binomialCountRange, wilsonInterval } from './intervals.js';
import { weightedLatencyHistogram } from './latency.js';
import { requestsToDetectSkew } from './power.js';
import {
  type CallFields,
  type CallsTally,
  createCallsTally,
  mergeCalls,
  summarizeFaultOutcomes,
  summarizeProviderCalls,
  summarizeRetrySchedule,
  tallyCalls,
} from './provider-calls.js';
import { judgeSplit } from './verdict.js';

export interface ExpectedTarget {
  name: string;
  provider: string;
}

export type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'pickedIndex' | 'error'> &
  CallFields &
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
      | 'scheduleLagMs'
    >
  >;

/**
 * What a scenario keeps while it runs: numbers per target and mergeable distributions, never the
 * records themselves, so its size does not grow with the run. Rows are per target, plus one last
 * row for requests whose target is not known. Tallies of parts of a run (worker threads) merge
 * into the tally of the whole: `mergeTally`.
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
  latency: Distribution[];
  ttft: Distribution[];
  tpot: Distribution[];
  outputTokens: number[];
  /** Latency of successful requests with a nested path, split by whether a fallback served them. */
  directLatency: Distribution;
  fallbackLatency: Distribution;
  /** Open loop: how late each request left, against its scheduled time. */
  scheduleLag: Distribution;
  failuresByCause: Partial<Record<FailureCause, number>>;
  /** Failed requests that got an HTTP status, by that status. */
  failuresByStatus: Record<string, number>;
  /** Failed answers that had delivered content first (cut, stalled, error event), and its tokens. */
  partialAnswers: number;
  partialTokens: number;
  /** The provider calls behind the requests. */
  calls: CallsTally;
  unattributedByCause: Partial<Record<FailureCause | 'ok', number>>;
  attributedBySimulator: number;
  retriesExhausted: number;
  /** Earliest and latest send time (ms from the start of the run). */
  firstSentMs: number;
  lastSentMs: number;
}

export function createTally(expected: readonly ExpectedTarget[], weights: Weights): ScenarioTally {
  const rows = () => Array.from({ length: expected.length + 1 }, createDistribution);
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
    directLatency: createDistribution(),
    fallbackLatency: createDistribution(),
    scheduleLag: createDistribution(),
    failuresByCause: {},
    failuresByStatus: {},
    partialAnswers: 0,
    partialTokens: 0,
    calls: createCallsTally(expected.length),
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
  if (record.scheduleLagMs !== undefined) recordValue(tally.scheduleLag, record.scheduleLagMs);
  add(tally.picked, pick);
  add(tally.retries, pick, record.retries ?? 0);
  if (record.retriesExhausted) tally.retriesExhausted += 1;
  tallyCalls(tally.calls, record);
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
    const status = record.error?.status;
    if (status !== undefined) {
      tally.failuresByStatus[status] = (tally.failuresByStatus[status] ?? 0) + 1;
    }
    if (record.outputTokens) {
      tally.partialAnswers += 1;
      tally.partialTokens += record.outputTokens;
    }
    return;
  }
  const answer = row(record.answeredIndex);
  const into = (rows: Distribution[], value: number | undefined) => {
    const d = rows[answer];
    if (d && value !== undefined) recordValue(d, value);
  };
  into(tally.latency, record.latencyMs);
  into(tally.ttft, record.ttftMs);
  into(tally.tpot, record.tpotMs);
  add(tally.outputTokens, answer, record.outputTokens ?? 0);
  const depth = record.fallbackDepth ?? null;
  if (depth !== null && depth > 0) {
    add(tally.fallbacks, pick);
    recordValue(tally.fallbackLatency, record.latencyMs);
  } else if (depth === 0) {
    recordValue(tally.directLatency, record.latencyMs);
  }
}

/**
 * Adds the tally of one part of a run into another's (in place): counts add, distributions merge
 * bucket by bucket. Both must be of the same plan (same targets, same weights).
 */
export function mergeTally(into: ScenarioTally, from: ScenarioTally): void {
  const addAll = (a: number[], b: readonly number[]) => {
    b.forEach((n, i) => {
      a[i] = (a[i] ?? 0) + n;
    });
  };
  const mergeRows = (a: Distribution[], b: readonly Distribution[]) => {
    b.forEach((d, i) => {
      const row = a[i];
      if (row) mergeDistribution(row, d);
    });
  };
  const addCauses = <K extends string>(
    a: Partial<Record<K, number>>,
    b: Partial<Record<K, number>>,
  ) => {
    for (const [cause, n] of Object.entries(b) as [K, number][]) a[cause] = (a[cause] ?? 0) + n;
  };
  into.requests += from.requests;
  for (const key of ['picked', 'failed', 'retries', 'fallbacks', 'outputTokens'] as const) {
    addAll(into[key], from[key]);
  }
  for (const key of ['latency', 'ttft', 'tpot'] as const) mergeRows(into[key], from[key]);
  for (const key of ['directLatency', 'fallbackLatency', 'scheduleLag'] as const) {
    mergeDistribution(into[key], from[key]);
  }
  addCauses(into.failuresByCause, from.failuresByCause);
  addCauses(into.failuresByStatus, from.failuresByStatus);
  addCauses(into.unattributedByCause, from.unattributedByCause);
  into.attributedBySimulator += from.attributedBySimulator;
  into.retriesExhausted += from.retriesExhausted;
  mergeCalls(into.calls, from.calls);
  into.partialAnswers += from.partialAnswers;
  into.partialTokens += from.partialTokens;
  into.firstSentMs = Math.min(into.firstSentMs, from.firstSentMs);
  into.lastSentMs = Math.max(into.lastSentMs, from.lastSentMs);
}

/** All the rows merged into one distribution (the rows are left as they are). */
function mergedRows(rows: readonly Distribution[]): Distribution {
  const all = createDistribution();
  for (const row of rows) mergeDistribution(all, row);
  return all;
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
  const succeeded = total(tally.latency.map((row) => row.count));
  const seconds = elapsedMs / 1000;
  const sendWindowMs = tally.requests > 1 ? tally.lastSentMs - tally.firstSentMs : 0;
  return {
    requests: tally.requests,
    succeeded,
    failed: tally.requests - succeeded,
    successRate: tally.requests === 0 ? 0 : succeeded / tally.requests,
    latencyMs: distributionStats(mergedRows(tally.latency)),
    targets: expected.map((_, index) => targetSummary(tally, index, attributed)),
    attributed,
    attributedBySimulator: tally.attributedBySimulator,
    unattributedByCause: tally.unattributedByCause,
    unattributed,
    failuresByCause: tally.failuresByCause,
    failuresByStatus: tally.failuresByStatus,
    partialAnswers: tally.partialAnswers,
    partialOutputTokens: tally.partialTokens,
    providerCalls: summarizeProviderCalls(tally.calls, tally.requests),
    faultOutcomes: summarizeFaultOutcomes(tally.calls),
    retrySchedule: summarizeRetrySchedule(tally.calls),
    fit: judgeSplit(picked, weights, unattributed, alpha),
    latencyHistogram: weightedLatencyHistogram(tally.latency.slice(0, k).map(weightedValues)),
    elapsedMs,
    requestsPerSec: seconds > 0 ? tally.requests / seconds : 0,
    sendWindowMs,
    sentPerSec: sendWindowMs > 0 ? ((tally.requests - 1) * 1000) / sendWindowMs : 0,
    outputTokensPerSec: seconds > 0 ? total(tally.outputTokens) / seconds : 0,
    ttftMs: distributionStats(mergedRows(tally.ttft)),
    tpotMs: distributionStats(mergedRows(tally.tpot)),
    retries: total(tally.retries),
    retriesExhausted: tally.retriesExhausted,
    fallbacks: total(tally.fallbacks),
    directLatencyMs: distributionStats(tally.directLatency),
    fallbackLatencyMs: distributionStats(tally.fallbackLatency),
    scheduleLagMs: distributionStats(tally.scheduleLag),
    distributions: {
      latency: tally.latency.map(distributionData),
      ttft: tally.ttft.map(distributionData),
      tpot: tally.tpot.map(distributionData),
      directLatency: distributionData(tally.directLatency),
      fallbackLatency: distributionData(tally.fallbackLatency),
      scheduleLag: distributionData(tally.scheduleLag),
    },
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
    answered: tally.latency[index]?.count ?? 0,
    failed: tally.failed[index] ?? 0,
    share,
    deviationPp: (share - expectedShare) * 100,
    ci95: attributed === 0 ? [0, 1] : wilsonInterval(picked, attributed),
    expectedRange: binomialCountRange(attributed, expectedShare),
    latencyMs: statsOf(tally.latency[index]),
    retries: tally.retries[index] ?? 0,
    ttftMs: statsOf(tally.ttft[index]),
    tpotMs: statsOf(tally.tpot[index]),
    outputTokens: tally.outputTokens[index] ?? 0,
    fallbacks: tally.fallbacks[index] ?? 0,
    providerCalls: tally.calls.byTarget[index] ?? 0,
  };
}

const statsOf = (d: Distribution | undefined) => (d ? distributionStats(d) : null);
