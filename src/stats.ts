// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
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

type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex' | 'error'>;

/**
 * The verdict judges the gateway's routing decisions: every request it reports sending to a
 * target, whether the provider then answered or failed. Latency is of successful requests only.
 */
export function summarizeScenario(
  records: readonly RecordFields[],
  expected: readonly ExpectedTarget[],
  alpha = 0.05,
): ScenarioSummary {
  const served: number[][] = expected.map(() => []);
  const failedPerTarget = expected.map(() => 0);
  const failuresByCause: Partial<Record<FailureCause, number>> = {};
  const latencies: number[] = [];
  let unattributed = 0;

  for (const record of records) {
    const index = record.targetIndex;
    const target = index !== null && index < expected.length ? index : undefined;
    if (record.ok) {
      latencies.push(record.latencyMs);
      if (target === undefined) unattributed += 1;
      else served[target]?.push(record.latencyMs);
    } else {
      if (target !== undefined) failedPerTarget[target] = (failedPerTarget[target] ?? 0) + 1;
      const cause = record.error?.cause ?? 'gateway-error';
      failuresByCause[cause] = (failuresByCause[cause] ?? 0) + 1;
    }
  }

  const routed = expected.map((_, i) => (served[i]?.length ?? 0) + (failedPerTarget[i] ?? 0));
  const attributed = routed.reduce((sum, n) => sum + n, 0);
  const shares = expected.map((t) => t.weight);
  const succeeded = latencies.length;
  return {
    requests: records.length,
    succeeded,
    failed: records.length - succeeded,
    successRate: records.length === 0 ? 0 : succeeded / records.length,
    latencyMs: latencyStats(latencies),
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
        failed: failedPerTarget[index] ?? 0,
        routed: n,
        share,
        deviationPp: (share - target.weight) * 100,
        ci95: attributed === 0 ? [0, 1] : wilsonInterval(n, attributed),
        expectedRange: binomialCountRange(attributed, target.weight),
        latencyMs: latencyStats(served[index] ?? []),
      };
    }),
    attributed,
    unattributed,
    failuresByCause,
    fit: goodnessOfFit(routed, shares, alpha),
    latencyHistogram: latencyHistogram(served),
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
