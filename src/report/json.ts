// Writes the results document of a run: the summaries, rounded, with secrets masked.
import { maskUrl } from '../io/redact.js';
import type { PortkeyConfig } from '../model/plan.js';
import type { RunContext, ScenarioResult, ServedByTarget } from '../model/run.js';
import type {
  CheckOutcome,
  DistributionData,
  RetrySchedule,
  ScenarioDistributions,
  TargetSummary,
} from '../model/stats.js';
import { configFeatures } from '../portkey-config.js';
import { LOWEST_MS, MAX_RELATIVE_ERROR, SUB_BUCKETS } from '../stats/histogram.js';
import { scenarioLabel } from './format.js';
import { fitEntry, treeFields } from './json-tree.js';
import { round, roundLatency, significant } from './rounding.js';
import {
  RESULTS_FORMAT,
  type ResultsDocument,
  type ScenarioEntry,
  type TargetEntry,
} from './schema.js';

export function buildResultsDocument(
  context: RunContext,
  results: readonly ScenarioResult[],
  served: readonly ServedByTarget[] = [],
  checks: readonly CheckOutcome[] = [],
  /** The run was stopped (Ctrl-C) between scenarios as well as within one. */
  stopped = false,
): ResultsDocument {
  return {
    format: RESULTS_FORMAT,
    lb_demo: context.version,
    gateway: maskUrl(context.gatewayUrl),
    embedded_gateway: context.embeddedGateway
      ? { package: '@portkey-ai/gateway', version: context.embeddedGateway.version }
      : null,
    simulated_providers: context.simulated.map((s) => ({
      target: s.target,
      kind: s.kind,
      latency_ms: s.latencyMs,
      faults: s.faults || null,
      served_chat_completions: served.find((x) => x.target === s.target)?.chatCompletions ?? 0,
      received_chat_requests: served.find((x) => x.target === s.target)?.chatRequests ?? 0,
      injected_faults: faultCounts(served.find((x) => x.target === s.target)?.faults ?? {}),
    })),
    interrupted: stopped || results.some((r) => r.interrupted),
    shard: context.shard
      ? {
          run_id: context.shard.runId,
          index: context.shard.index,
          count: context.shard.count,
          fingerprint: context.shard.fingerprint,
          alpha: context.shard.alpha,
          gate: {
            fail_on_skew: context.shard.gate.failOnSkew,
            min_success_rate_pct: context.shard.gate.minSuccessRatePct ?? null,
            max_p99_ms: context.shard.gate.maxP99Ms ?? null,
          },
        }
      : null,
    merged: null,
    checks: checks.map((c) => ({
      check: c.check,
      scenario: c.scenario,
      passed: c.passed,
      value: c.value === null ? null : round(c.value, 6),
      threshold: c.threshold,
      message: c.message,
    })),
    checks_passed: checks.length === 0 ? null : checks.every((c) => c.passed),
    scenarios: results.map(scenarioEntry),
  };
}

export function scenarioEntry(result: ScenarioResult): ScenarioEntry {
  const { plan, summary, interrupted, load, stopReason } = result;
  const { fit } = summary;
  return {
    scenario: plan.name,
    variant: plan.variant ?? null,
    label: scenarioLabel(plan),
    number: plan.number,
    title: plan.title,
    strategy: plan.strategy,
    disruptions: plan.disruptions.map((d) => d.description),
    gateway_config: gatewayConfig(plan.config),
    requests: summary.requests,
    planned_requests: plan.requests ?? null,
    duration_s: plan.durationMs === undefined ? null : plan.durationMs / 1000,
    load: {
      mode: load.rate === undefined ? 'closed-loop' : 'open-loop',
      concurrency: load.rate === undefined ? load.concurrency : null,
      rate_per_s: load.rate ?? null,
      stream: load.stream,
      workers: load.workers,
    },
    open_loop: openLoopEntry(result),
    started_at: result.startedAt === undefined ? null : new Date(result.startedAt).toISOString(),
    interrupted,
    stop_reason: stopReason,
    elapsed_ms: round(summary.elapsedMs, 3),
    requests_per_s: round(summary.requestsPerSec, 3),
    send_window_ms: round(summary.sendWindowMs, 3),
    sent_per_s: round(summary.sentPerSec, 3),
    output_tokens_per_s: round(summary.outputTokensPerSec, 3),
    retries: summary.retries,
    retries_exhausted: summary.retriesExhausted,
    fallbacks: summary.fallbacks,
    fallback_latency_ms: roundLatency(summary.fallbackLatencyMs),
    direct_latency_ms: roundLatency(summary.directLatencyMs),
    ttft_ms: roundLatency(summary.ttftMs),
    tpot_ms: roundLatency(summary.tpotMs),
    succeeded: summary.succeeded,
    failed: summary.failed,
    success_rate: round(summary.successRate, 4),
    latency_ms: roundLatency(summary.latencyMs),
    test: {
      ...fitEntry(
        fit,
        summary.targets.map((t) => t.name),
      ),
      requests_for_5pp_skew: summary.requestsFor5ppSkew,
    },
    attributed: summary.attributed,
    attributed_by_simulator: summary.attributedBySimulator,
    latency_histogram: {
      edges_ms: summary.latencyHistogram.edgesMs.map((edge) => round(edge, 3)),
      counts: summary.latencyHistogram.counts,
    },
    targets: summary.targets.map((t) => targetEntry(t, plan.targets[t.index])),
    unattributed: summary.unattributed,
    unattributed_by_cause: summary.unattributedByCause,
    failures: summary.failuresByCause,
    failure_statuses: summary.failuresByStatus,
    partial_answers: summary.partialAnswers,
    partial_output_tokens: summary.partialOutputTokens,
    provider_calls: {
      total: summary.providerCalls.total,
      per_request: round(summary.providerCalls.perRequest, 4),
      source: summary.providerCalls.source,
      unknown_requests: summary.providerCalls.unknownRequests,
    },
    fault_outcomes: summary.faultOutcomes.map((o) => ({
      fault: o.fault,
      requests: o.requests,
      succeeded: o.succeeded,
      broken_answers: o.brokenAnswers,
      errors: o.errors,
    })),
    retry_schedule: retryScheduleEntry(summary.retrySchedule),
    histograms: histogramsEntry(summary.distributions),
    ...treeFields(result),
  };
}

function retryScheduleEntry(r: RetrySchedule | null): ScenarioEntry['retry_schedule'] {
  if (!r) return null;
  return {
    requests_retried: r.requestsRetried,
    gaps: r.gaps.map((g) => ({
      retry: g.retry,
      count: g.count,
      mean_ms: round(g.meanMs, 3),
      sd_ms: round(g.sdMs, 3),
      min_ms: round(g.minMs, 3),
      max_ms: round(g.maxMs, 3),
    })),
    retry_after_asked: r.retryAfterAsked,
    retry_after_honoured: r.retryAfterHonoured,
    retry_time_ms: roundLatency(r.retryTimeMs),
  };
}

/** How an open loop kept to its schedule; null in a closed loop. */
function openLoopEntry({ schedule, summary }: ScenarioResult): ScenarioEntry['open_loop'] {
  if (!schedule) return null;
  return {
    scheduled: schedule.scheduled,
    sent: schedule.sent,
    dropped: schedule.droppedAtCap + schedule.droppedBehind,
    dropped_at_max_in_flight: schedule.droppedAtCap,
    dropped_behind_schedule: schedule.droppedBehind,
    late: schedule.late,
    late_threshold_ms: schedule.lateMs,
    schedule_lag_ms: roundLatency(summary.scheduleLagMs),
    max_in_flight: schedule.maxInFlight,
    peak_in_flight: schedule.peakInFlight,
  };
}

/** The distributions behind every percentile, as mergeable buckets (see docs/json.md). */
function histogramsEntry(d: ScenarioDistributions): ScenarioEntry['histograms'] {
  const data = (x: DistributionData) => ({
    ...x,
    sum: round(x.sum, 6),
    min: x.min === null ? null : round(x.min, 6),
    max: x.max === null ? null : round(x.max, 6),
  });
  return {
    scheme: 'log-linear',
    lowest_ms: LOWEST_MS,
    sub_buckets: SUB_BUCKETS,
    max_relative_error: MAX_RELATIVE_ERROR,
    latency_ms: d.latency.map(data),
    ttft_ms: d.ttft.map(data),
    tpot_ms: d.tpot.map(data),
    direct_latency_ms: data(d.directLatency),
    fallback_latency_ms: data(d.fallbackLatency),
    schedule_lag_ms: data(d.scheduleLag),
  };
}

/**
 * The document as text: indented, with every array of numbers on one line (the histograms' bucket
 * arrays would otherwise take a line per number). A JSON string holds no raw line break, so the
 * pattern, which spans line breaks, only ever matches the arrays themselves.
 */
export function formatResultsJson(document: ResultsDocument): string {
  const NUMBER = '-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?';
  const array = new RegExp(`\\[\\n\\s*(${NUMBER}(?:,\\n\\s*${NUMBER})*)\\n\\s*\\]`, 'g');
  const text = JSON.stringify(document, null, 2).replace(
    array,
    (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`,
  );
  return `${text}\n`;
}

function gatewayConfig(config: PortkeyConfig): ScenarioEntry['gateway_config'] {
  const { retry, requestTimeoutMs, fallback } = configFeatures(config);
  return { retry, request_timeout_ms: requestTimeoutMs, fallback };
}

function targetEntry(
  t: TargetSummary,
  spec: { customHost: string; model: string } | undefined,
): TargetEntry {
  return {
    index: t.index,
    name: t.name,
    provider: t.provider,
    custom_host: maskUrl(spec?.customHost ?? ''),
    model: spec?.model ?? null,
    // Significant digits, not decimals: a weight of 1 against 1,000,000 must not read 0.
    weight: significant(t.expectedShare),
    expected_share: significant(t.expectedShare),
    count: t.picked - t.failed,
    failed: t.failed,
    routed: t.picked,
    picked: t.picked,
    answered: t.answered,
    share: significant(t.share),
    deviation_pp: round(t.deviationPp, 3),
    ci95: [round(t.ci95[0], 6), round(t.ci95[1], 6)],
    expected_range: t.expectedRange,
    latency_ms: roundLatency(t.latencyMs),
    retries: t.retries,
    output_tokens: t.outputTokens,
    fallbacks: t.fallbacks,
    ttft_ms: roundLatency(t.ttftMs),
    tpot_ms: roundLatency(t.tpotMs),
    provider_calls: t.providerCalls,
  };
}

/** A simulator's fault counters, in the document's words: the non-zero ones. */
function faultCounts(faults: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(faults)
      .filter(([, n]) => n > 0)
      .map(([key, n]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), n]),
  );
}
