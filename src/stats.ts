// Reduces request records to plain summary objects. Pure: no I/O, no colours, no SDK.
import type { FailureCause, RequestRecord } from './runner.js';

export interface ExpectedTarget {
  name: string;
  provider: string;
  /** Normalized weight: the share of traffic the gateway should send this target. */
  weight: number;
}

export interface LatencySummary {
  avg: number;
  min: number;
  max: number;
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
  /** count / all successful requests whose target is known. */
  share: number;
  /** (share - expectedShare) in percentage points. */
  deviationPp: number;
}

export interface ScenarioSummary {
  requests: number;
  succeeded: number;
  failed: number;
  /** succeeded / requests, 0..1 (0 when nothing was sent). */
  successRate: number;
  /** Over successful requests only; null when none succeeded. */
  latencyMs: LatencySummary | null;
  targets: TargetSummary[];
  /** Successful requests whose serving target the gateway did not tell. */
  unattributed: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
}

type RecordFields = Pick<RequestRecord, 'ok' | 'latencyMs' | 'targetIndex' | 'error'>;

export function summarizeScenario(
  records: readonly RecordFields[],
  expected: readonly ExpectedTarget[],
): ScenarioSummary {
  const counts = expected.map(() => 0);
  const failedPerTarget = expected.map(() => 0);
  const failuresByCause: Partial<Record<FailureCause, number>> = {};
  const latencies: number[] = [];
  let unattributed = 0;

  for (const record of records) {
    const index = record.targetIndex;
    const known = index !== null && index < expected.length;
    if (record.ok) {
      latencies.push(record.latencyMs);
      if (known) counts[index] = (counts[index] ?? 0) + 1;
      else unattributed += 1;
    } else {
      if (known) failedPerTarget[index] = (failedPerTarget[index] ?? 0) + 1;
      const cause = record.error?.cause ?? 'gateway-error';
      failuresByCause[cause] = (failuresByCause[cause] ?? 0) + 1;
    }
  }

  const succeeded = latencies.length;
  const attributed = succeeded - unattributed;
  return {
    requests: records.length,
    succeeded,
    failed: records.length - succeeded,
    successRate: records.length === 0 ? 0 : succeeded / records.length,
    latencyMs: summarizeLatency(latencies),
    targets: expected.map((target, index) => {
      const count = counts[index] ?? 0;
      const share = attributed === 0 ? 0 : count / attributed;
      return {
        index,
        name: target.name,
        provider: target.provider,
        weight: target.weight,
        expectedShare: target.weight,
        count,
        failed: failedPerTarget[index] ?? 0,
        share,
        deviationPp: (share - target.weight) * 100,
      };
    }),
    unattributed,
    failuresByCause,
  };
}

export function summarizeLatency(samples: readonly number[]): LatencySummary | null {
  if (samples.length === 0) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const value of samples) {
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
  }
  return { avg: sum / samples.length, min, max };
}
