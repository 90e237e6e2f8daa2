// The --json document: plain data, snake_case keys, secrets masked.
import type { LatencySummary } from '../stats.js';
import { maskUrl } from '../validate.js';
import type { RunContext, ScenarioResult } from './text.js';

/** What each simulator itself counted, across all scenarios of the run. */
export interface ServedByTarget {
  target: string;
  chatCompletions: number;
}

export function buildJsonDocument(
  context: RunContext,
  results: readonly ScenarioResult[],
  served: readonly ServedByTarget[] = [],
) {
  return {
    lb_demo: context.version,
    gateway: maskUrl(context.gatewayUrl),
    embedded_gateway: context.embeddedGateway
      ? { package: '@portkey-ai/gateway', version: context.embeddedGateway.version }
      : null,
    simulated_providers: context.simulated.map((s) => ({
      target: s.target,
      kind: s.kind,
      latency_ms: s.latencyMs,
      served_chat_completions: served.find((x) => x.target === s.target)?.chatCompletions ?? 0,
    })),
    interrupted: results.some((r) => r.interrupted),
    scenarios: results.map(({ plan, summary, interrupted }) => ({
      scenario: plan.name,
      requests: summary.requests,
      planned_requests: plan.requests,
      interrupted,
      succeeded: summary.succeeded,
      failed: summary.failed,
      success_rate: round(summary.successRate, 4),
      latency_ms: summary.latencyMs ? roundLatency(summary.latencyMs) : null,
      targets: summary.targets.map((t) => ({
        index: t.index,
        name: t.name,
        provider: t.provider,
        custom_host: maskUrl(plan.targets[t.index]?.customHost ?? ''),
        model: plan.targets[t.index]?.model ?? null,
        weight: round(t.weight, 6),
        expected_share: round(t.expectedShare, 6),
        count: t.count,
        failed: t.failed,
        share: round(t.share, 6),
        deviation_pp: round(t.deviationPp, 3),
      })),
      unattributed: summary.unattributed,
      failures: summary.failuresByCause,
    })),
  };
}

function roundLatency(latency: LatencySummary) {
  return { avg: round(latency.avg, 3), min: round(latency.min, 3), max: round(latency.max, 3) };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
