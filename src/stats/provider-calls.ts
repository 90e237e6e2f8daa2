// What a scenario's requests cost the providers, what became of the ones a fault hit, and how
// the gateway spaced its retries: from each record's provider calls (lb-demo's simulators log
// them by request id) or, without them, from the gateway's headers. Pure.
import type { InjectedFault, RequestRecord } from '../model/request.js';
import type {
  FailureCause,
  FaultOutcome,
  ProviderCalls,
  RetryGap,
  RetrySchedule,
} from '../model/stats.js';
import {
  createDistribution,
  type Distribution,
  distributionStats,
  mergeDistribution,
  recordValue,
} from './histogram.js';

/** A retry that came this much sooner than the Retry-After asked still counts as honouring it. */
export const RETRY_AFTER_TOLERANCE_MS = 50;

/** Failures that reached the client as a 200 and broke afterwards. */
const BROKEN_ANSWERS: ReadonlySet<FailureCause> = new Set([
  'truncated-stream',
  'stream-error',
  'stalled-stream',
  'truncated-body',
]);

export type CallFields = Pick<RequestRecord, 'ok'> &
  Partial<
    Pick<
      RequestRecord,
      | 'error'
      | 'calls'
      | 'retries'
      | 'fallbackDepth'
      | 'answeredIndex'
      | 'pickedIndex'
      | 'targetPath'
    >
  >;

interface GapTally {
  count: number;
  sum: number;
  sumSquares: number;
  min: number;
  max: number;
}

/** Counts that add across worker threads: see mergeCalls. */
export interface CallsTally {
  /** Calls by the target that received them, and a last row for calls of unknown target. */
  byTarget: number[];
  fromSimulators: number;
  fromHeaders: number;
  unknown: number;
  faults: Partial<Record<InjectedFault, Omit<FaultOutcome, 'fault'>>>;
  /** gaps[n - 1]: between a target's n-th call of a request and its next. */
  gaps: GapTally[];
  retryAfterAsked: number;
  retryAfterHonoured: number;
  retried: number;
  retryTime: Distribution;
}

export function createCallsTally(targets: number): CallsTally {
  return {
    byTarget: new Array<number>(targets + 1).fill(0),
    fromSimulators: 0,
    fromHeaders: 0,
    unknown: 0,
    faults: {},
    gaps: [],
    retryAfterAsked: 0,
    retryAfterHonoured: 0,
    retried: 0,
    retryTime: createDistribution(),
  };
}

/** Adds one request's calls (in place). */
export function tallyCalls(tally: CallsTally, record: CallFields): void {
  const k = tally.byTarget.length - 1;
  const add = (row: number | null | undefined, n: number) => {
    const at = row !== null && row !== undefined && row < k ? row : k;
    tally.byTarget[at] = (tally.byTarget[at] ?? 0) + n;
  };
  const { calls } = record;
  if (!calls || calls.length === 0) {
    if (record.targetPath === null || record.targetPath === undefined) {
      tally.unknown += 1;
      return;
    }
    // The answering leaf's attempts (all of them when its retries ran out), and at least one
    // call for every fallback step before it.
    tally.fromHeaders += 1;
    add(record.answeredIndex, 1 + (record.retries ?? 0));
    add(k, record.fallbackDepth ?? 0);
    return;
  }
  tally.fromSimulators += 1;
  for (const call of calls) add(call.target, 1);
  tallyFaults(tally, record);
  tallyGaps(tally, calls);
}

function tallyFaults(tally: CallsTally, record: CallFields): void {
  const hit = new Set<InjectedFault>();
  for (const call of record.calls ?? []) if (call.fault) hit.add(call.fault);
  const cause = record.error?.cause;
  for (const fault of hit) {
    const outcome = tally.faults[fault] ?? {
      requests: 0,
      succeeded: 0,
      brokenAnswers: 0,
      errors: 0,
    };
    tally.faults[fault] = outcome;
    outcome.requests += 1;
    if (record.ok) outcome.succeeded += 1;
    else if (cause && BROKEN_ANSWERS.has(cause)) outcome.brokenAnswers += 1;
    else outcome.errors += 1;
  }
}

/** Gaps between successive calls to the same target, and whether each kept a Retry-After. */
function tallyGaps(tally: CallsTally, calls: NonNullable<CallFields['calls']>): void {
  if (calls.length < 2) return;
  tally.retried += 1;
  recordValue(tally.retryTime, (calls[calls.length - 1]?.atMs ?? 0) - (calls[0]?.atMs ?? 0));
  const last = new Map<number, { atMs: number; retryAfterMs: number | null; n: number }>();
  for (const call of calls) {
    const before = last.get(call.target);
    const n = before ? before.n + 1 : 1;
    if (before) {
      const gap = call.atMs - before.atMs;
      const g = tally.gaps[n - 2] ?? emptyGap();
      tally.gaps[n - 2] = g;
      g.count += 1;
      g.sum += gap;
      g.sumSquares += gap * gap;
      g.min = Math.min(g.min, gap);
      g.max = Math.max(g.max, gap);
      if (before.retryAfterMs !== null) {
        tally.retryAfterAsked += 1;
        if (gap >= before.retryAfterMs - RETRY_AFTER_TOLERANCE_MS) tally.retryAfterHonoured += 1;
      }
    }
    last.set(call.target, { atMs: call.atMs, retryAfterMs: call.retryAfterMs, n });
  }
}

function emptyGap(): GapTally {
  return {
    count: 0,
    sum: 0,
    sumSquares: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
  };
}

/** Adds one part's tally into another's (in place). */
export function mergeCalls(into: CallsTally, from: CallsTally): void {
  from.byTarget.forEach((n, i) => {
    into.byTarget[i] = (into.byTarget[i] ?? 0) + n;
  });
  into.fromSimulators += from.fromSimulators;
  into.fromHeaders += from.fromHeaders;
  into.unknown += from.unknown;
  for (const [fault, o] of Object.entries(from.faults) as [InjectedFault, FaultOutcome][]) {
    const t = into.faults[fault] ?? { requests: 0, succeeded: 0, brokenAnswers: 0, errors: 0 };
    into.faults[fault] = t;
    t.requests += o.requests;
    t.succeeded += o.succeeded;
    t.brokenAnswers += o.brokenAnswers;
    t.errors += o.errors;
  }
  from.gaps.forEach((g, i) => {
    const t = into.gaps[i];
    if (!t) {
      into.gaps[i] = { ...g };
      return;
    }
    t.count += g.count;
    t.sum += g.sum;
    t.sumSquares += g.sumSquares;
    t.min = Math.min(t.min, g.min);
    t.max = Math.max(t.max, g.max);
  });
  into.retryAfterAsked += from.retryAfterAsked;
  into.retryAfterHonoured += from.retryAfterHonoured;
  into.retried += from.retried;
  mergeDistribution(into.retryTime, from.retryTime);
}

export function summarizeProviderCalls(tally: CallsTally, requests: number): ProviderCalls {
  const total = tally.byTarget.reduce((sum, n) => sum + n, 0);
  const { fromSimulators: sims, fromHeaders: headers } = tally;
  return {
    total,
    perRequest: requests === 0 ? 0 : total / requests,
    source:
      sims > 0 && headers > 0
        ? 'mixed'
        : sims > 0
          ? 'simulators'
          : headers > 0
            ? 'headers'
            : 'none',
    unknownRequests: tally.unknown,
  };
}

/** Every injected fault, in the order the outcomes are listed (and the results document's enum). */
export const FAULT_ORDER = [
  'error',
  'hang',
  'malformed',
  'spike',
  'slow-first-token',
  'cut',
  'reset',
  'stall',
  'error-event',
] as const satisfies readonly InjectedFault[];

export function summarizeFaultOutcomes(tally: CallsTally): FaultOutcome[] {
  return FAULT_ORDER.flatMap((fault) => {
    const o = tally.faults[fault];
    return o ? [{ fault, ...o }] : [];
  });
}

export function summarizeRetrySchedule(tally: CallsTally): RetrySchedule | null {
  if (tally.retried === 0) return null;
  return {
    requestsRetried: tally.retried,
    gaps: tally.gaps.map((g, i): RetryGap => {
      const mean = g.sum / g.count;
      const variance = g.count > 1 ? (g.sumSquares - g.count * mean * mean) / (g.count - 1) : 0;
      return {
        retry: i + 1,
        count: g.count,
        meanMs: mean,
        sdMs: Math.sqrt(Math.max(0, variance)),
        minMs: g.min,
        maxMs: g.max,
      };
    }),
    retryAfterAsked: tally.retryAfterAsked,
    retryAfterHonoured: tally.retryAfterHonoured,
    retryTimeMs: distributionStats(tally.retryTime),
  };
}
