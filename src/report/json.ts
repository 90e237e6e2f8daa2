// Writes the results document of a run: the summaries, rounded, with secrets masked.
import { maskUrl } from '../io/redact.js';
import type { RunContext, ScenarioResult, ServedByTarget } from '../model/run.js';
import type { CheckOutcome, LatencyStats, TargetSummary } from '../model/stats.js';
import { scenarioLabel, verdictWords } from './format.js';
import {
  type LatencyEntry,
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
    })),
    interrupted: stopped || results.some((r) => r.interrupted),
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
    gateway_config: {
      retry: plan.config.retry ?? null,
      request_timeout_ms: plan.config.request_timeout ?? null,
      fallback: plan.config.targets.some((t) => 'strategy' in t),
    },
    requests: summary.requests,
    planned_requests: plan.requests ?? null,
    duration_s: plan.durationMs === undefined ? null : plan.durationMs / 1000,
    load: {
      mode: load.rate === undefined ? 'closed-loop' : 'open-loop',
      concurrency: load.rate === undefined ? load.concurrency : null,
      rate_per_s: load.rate ?? null,
      stream: load.stream,
    },
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
      method: fit.method,
      statistic: round(fit.statistic, 6),
      df: fit.df,
      p_value: significant(fit.pValue),
      alpha: fit.alpha,
      consistent: fit.outcome === 'inconclusive' ? null : fit.outcome === 'consistent',
      outcome: fit.outcome,
      reason: fit.reason,
      p_value_range: fit.pValueRange
        ? [significant(fit.pValueRange[0]), significant(fit.pValueRange[1])]
        : null,
      verdict: verdictWords(
        fit,
        summary.targets.map((t) => t.name),
      ),
      zero_weight_violations: fit.zeroWeightViolations,
      ...(fit.method === 'monte-carlo'
        ? { monte_carlo_samples: fit.monteCarloSamples, seed: fit.monteCarloSeed }
        : {}),
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
  };
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
  };
}

function roundLatency(latency: LatencyStats | null): LatencyEntry | null {
  if (!latency) return null;
  const { count, avg, min, max, p50, p90, p95, p99 } = latency;
  return {
    count,
    avg: round(avg, 3),
    min: round(min, 3),
    max: round(max, 3),
    p50: round(p50, 3),
    p90: round(p90, 3),
    p95: round(p95, 3),
    p99: round(p99, 3),
  };
}

/** Six significant digits. */
function significant(value: number): number {
  return Number(value.toPrecision(6));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
