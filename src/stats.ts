// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
import { nestedTargetIndex } from './config.js';
import type { FailureCause, RequestRecord } from './runner.js';
import {
  binomialCountRange,
  type FitResult,
  goodnessOfFit,
  type LatencyStats,
  latencyStats,
  requestsToDetect,
  wilsonInterval,
} from './significance.js';

export interface ExpectedTarget {
  name: string;
  provider: string;
  /** Normalized weight: the share of traffic the gateway should send this target. */
  weight: number;
}

export interface TargetSummary {
  index: number;
  name: string;
  provider: string;
  weight: number;
  expectedShare: number;
  /** Successful requests this target served. */
  count: number;
  /** Requests the gateway routed to this target that failed. */
  failed: number;
  /** Requests the gateway routed here, answered or not: count + failed. */
  routed: number;
  /** routed / all requests whose target the gateway named. */
  share: number;
  /** (share - expectedShare) in percentage points. */
  deviationPp: number;
  /** 95% Wilson interval of the observed share. */
  ci95: [number, number];
  /** Central 95% range of `routed` if the gateway follows the weights, for this many requests. */
  expectedRange: [number, number];
  /** Of this target's successful requests; null when it served none. */
  latencyMs: LatencyStats | null;
  /** Gateway retries spent on requests routed here. */
  retries: number;
  /** Streaming: time to first token and time per output token; null when not streamed. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  /** Output tokens of this target's successful requests. */
  outputTokens: number;
  /** Requests routed here that the gateway served from a fallback target instead. */
  fallbacks: number;
}

export interface ScenarioSummary {
  requests: number;
  succeeded: number;
  failed: number;
  /** succeeded / requests, 0..1 (0 when nothing was sent). */
  successRate: number;
  /** Over successful requests only; null when none succeeded. */
  latencyMs: LatencyStats | null;
  targets: TargetSummary[];
  /** Requests whose target the gateway named (the sample the verdict judges). */
  attributed: number;
  /** Successful requests whose serving target the gateway did not tell. */
  unattributed: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
  /** Goodness of fit of the routed counts to the weights. */
  fit: FitResult;
  /** Latency of each target's successful requests on one shared axis. */
  latencyHistogram: LatencyHistogram;
  /** Wall time of the run and what went through in it. */
  elapsedMs: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  /** Streaming: time to first token and time per output token over all successful requests. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  retries: number;
  /** Successful requests that took a fallback path (nested strategies only). */
  fallbacks: number;
  /** Latency of successful requests served by the first choice, and by a fallback. */
  directLatencyMs: LatencyStats | null;
  fallbackLatencyMs: LatencyStats | null;
  /** Requests needed to detect a 5 pp skew on the most uncertain target with 80% power. */
  requestsFor5ppSkew: number;
}

/** Per-target counts over shared, logarithmically spaced latency bins. */
export interface LatencyHistogram {
  /** bins + 1 bin edges in ms, ascending. */
  edgesMs: number[];
  /** counts[target][bin]. */
  counts: number[][];
}

type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex' | 'error'> &
  Partial<Pick<RequestRecord, 'retries' | 'ttftMs' | 'tpotMs' | 'outputTokens' | 'targetPath'>>;

/**
 * What a scenario keeps while it runs: numbers per target, never the records themselves, so a
 * 100,000-request run holds a few arrays of numbers.
 */
export interface ScenarioTally {
  expected: readonly ExpectedTarget[];
  requests: number;
  /** Latency of successful requests, per target; the last row holds unattributed ones. */
  latency: number[][];
  ttft: number[][];
  tpot: number[][];
  outputTokens: number[];
  failed: number[];
  retries: number[];
  /** Per target: successful requests served by a fallback. */
  fallbacks: number[];
  /** Latency of successful requests with a nested path, split by whether a fallback served them. */
  directLatency: number[];
  fallbackLatency: number[];
  failuresByCause: Partial<Record<FailureCause, number>>;
}

export function createTally(expected: readonly ExpectedTarget[]): ScenarioTally {
  const rows = () => Array.from({ length: expected.length + 1 }, (): number[] => []);
  const zeros = () => new Array<number>(expected.length + 1).fill(0);
  return {
    expected,
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
  tally.requests += 1;
  tally.retries[row] = (tally.retries[row] ?? 0) + (record.retries ?? 0);
  if (record.ok) {
    tally.latency[row]?.push(record.latencyMs);
    if (record.ttftMs !== undefined) tally.ttft[row]?.push(record.ttftMs);
    if (record.tpotMs !== undefined) tally.tpot[row]?.push(record.tpotMs);
    tally.outputTokens[row] = (tally.outputTokens[row] ?? 0) + (record.outputTokens ?? 0);
    const nested = nestedTargetIndex(record.targetPath);
    if (nested !== null && nested > 0) {
      tally.fallbacks[row] = (tally.fallbacks[row] ?? 0) + 1;
      tally.fallbackLatency.push(record.latencyMs);
    } else if (nested === 0) {
      tally.directLatency.push(record.latencyMs);
    }
  } else {
    if (known) tally.failed[row] = (tally.failed[row] ?? 0) + 1;
    const cause = record.error?.cause ?? 'gateway-error';
    tally.failuresByCause[cause] = (tally.failuresByCause[cause] ?? 0) + 1;
  }
}

/** All records at once: the same result as tallying them one by one. */
export function summarizeScenario(
  records: readonly RecordFields[],
  expected: readonly ExpectedTarget[],
  alpha = 0.05,
  elapsedMs = 0,
): ScenarioSummary {
  const tally = createTally(expected);
  for (const record of records) tallyRecord(tally, record);
  return summarizeTally(tally, alpha, elapsedMs);
}

/**
 * The verdict judges the gateway's routing decisions: every request it reports sending to a
 * target, whether the provider then answered or failed. Latency is of successful requests only.
 */
export function summarizeTally(tally: ScenarioTally, alpha = 0.05, elapsedMs = 0): ScenarioSummary {
  const { expected } = tally;
  const served = expected.map((_, i) => tally.latency[i] ?? []);
  const routed = expected.map((_, i) => (served[i]?.length ?? 0) + (tally.failed[i] ?? 0));
  const attributed = routed.reduce((sum, n) => sum + n, 0);
  const shares = expected.map((t) => t.weight);
  const succeeded = tally.latency.reduce((sum, row) => sum + row.length, 0);
  const totalTokens = tally.outputTokens.reduce((sum, n) => sum + n, 0);
  const seconds = elapsedMs / 1000;
  return {
    requests: tally.requests,
    succeeded,
    failed: tally.requests - succeeded,
    successRate: tally.requests === 0 ? 0 : succeeded / tally.requests,
    latencyMs: latencyStats(tally.latency.flat()),
    targets: expected.map((target, index) => {
      const n = routed[index] ?? 0;
      const share = attributed === 0 ? 0 : n / attributed;
      return {
        index,
        name: target.name,
        provider: target.provider,
        weight: target.weight,
        expectedShare: target.weight,
        count: served[index]?.length ?? 0,
        failed: tally.failed[index] ?? 0,
        routed: n,
        share,
        deviationPp: (share - target.weight) * 100,
        ci95: attributed === 0 ? [0, 1] : wilsonInterval(n, attributed),
        expectedRange: binomialCountRange(attributed, target.weight),
        latencyMs: latencyStats(served[index] ?? []),
        retries: tally.retries[index] ?? 0,
        ttftMs: latencyStats(tally.ttft[index] ?? []),
        tpotMs: latencyStats(tally.tpot[index] ?? []),
        outputTokens: tally.outputTokens[index] ?? 0,
        fallbacks: tally.fallbacks[index] ?? 0,
      };
    }),
    attributed,
    unattributed: tally.latency[expected.length]?.length ?? 0,
    failuresByCause: tally.failuresByCause,
    fit: goodnessOfFit(routed, shares, alpha),
    latencyHistogram: latencyHistogram(served),
    elapsedMs,
    requestsPerSec: seconds > 0 ? tally.requests / seconds : 0,
    outputTokensPerSec: seconds > 0 ? totalTokens / seconds : 0,
    ttftMs: latencyStats(tally.ttft.flat()),
    tpotMs: latencyStats(tally.tpot.flat()),
    retries: tally.retries.reduce((sum, n) => sum + n, 0),
    fallbacks: tally.fallbacks.reduce((sum, n) => sum + n, 0),
    directLatencyMs: latencyStats(tally.directLatency),
    fallbackLatencyMs: latencyStats(tally.fallbackLatency),
    requestsFor5ppSkew: Math.max(
      ...shares.filter((s) => s > 0 && s < 1).map((s) => requestsToDetect(s, 5, alpha)),
      0,
    ),
  };
}

/**
 * Log-spaced bins from the fastest to the slowest sample, shared by all targets. Log spacing
 * keeps a 15 ms provider and a 300 ms one both readable on one axis.
 */
export function latencyHistogram(
  samples: readonly (readonly number[])[],
  bins = 40,
): LatencyHistogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of samples) {
    for (const value of row) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min === Number.POSITIVE_INFINITY) return { edgesMs: [], counts: samples.map(() => []) };
  const low = Math.max(min, 1e-3);
  const high = Math.max(max, low);
  const n = high > low ? bins : 1;
  const ratio = (high / low) ** (1 / n);
  const edgesMs = Array.from({ length: n + 1 }, (_, i) => (i === n ? high : low * ratio ** i));
  const counts = samples.map((row) => {
    const binCounts = new Array<number>(n).fill(0);
    for (const value of row) {
      const at =
        high > low ? Math.floor(Math.log(Math.max(value, low) / low) / Math.log(ratio)) : 0;
      const bin = Math.min(Math.max(at, 0), n - 1);
      binCounts[bin] = (binCounts[bin] ?? 0) + 1;
    }
    return binCounts;
  });
  return { edgesMs, counts };
}
