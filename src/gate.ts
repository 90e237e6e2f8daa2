// The gate that turns a run into a check for CI: each check asked for, on each scenario. Pure.
// It reads a small view of a scenario, which a run's summary and a saved (or merged) document's
// entry both give, so that `lb-demo merge` judges with the very same checks as a run.
import type { GateSettings } from './model/input.js';
import type { CheckOutcome, FitResult, ScenarioSummary } from './model/stats.js';
import type { CaseOutcome } from './model/tree.js';
import { type FitWords, fitOf, methodName, verdictText } from './report/format.js';
import type { ScenarioEntry } from './report/schema.js';

type Fit = FitWords & Pick<FitResult, 'alpha'>;

/** What the checks read of a scenario. */
export interface GateView {
  requests: number;
  succeeded: number;
  failed: number;
  successRate: number;
  failuresByCause: Partial<Record<string, number>>;
  fit: Fit;
  targetNames: string[];
  p99Ms: number | null;
  /** A config's tested loadbalance nodes, each at its Holm level. */
  nodes: { label: string; fit: Fit; children: string[] }[];
  /** A merged run: whether its shards saw the same split. */
  drift?: { outcome: FitResult['outcome']; pValue: number; alpha: number };
}

export function viewOfSummary(summary: ScenarioSummary): GateView {
  return {
    requests: summary.requests,
    succeeded: summary.succeeded,
    failed: summary.failed,
    successRate: summary.successRate,
    failuresByCause: summary.failuresByCause,
    fit: summary.fit,
    targetNames: summary.targets.map((t) => t.name),
    p99Ms: summary.latencyMs?.p99 ?? null,
    nodes: (summary.tree?.nodes ?? []).map((n) => ({
      label: n.name ?? n.path,
      fit: n.fit,
      children: n.children,
    })),
  };
}

export function viewOfEntry(entry: ScenarioEntry): GateView {
  const drift = entry.shards_homogeneity;
  return {
    requests: entry.requests,
    succeeded: entry.succeeded,
    failed: entry.failed,
    successRate: entry.success_rate,
    failuresByCause: entry.failures,
    fit: fitOf(entry.test),
    targetNames: entry.targets.map((t) => t.name),
    p99Ms: entry.latency_ms?.p99 ?? null,
    nodes: (entry.nodes ?? []).flatMap((n) =>
      n.test ? [{ label: n.name ?? n.path, fit: fitOf(n.test), children: n.children }] : [],
    ),
    ...(drift
      ? { drift: { outcome: drift.outcome, pValue: drift.p_value, alpha: drift.alpha } }
      : {}),
  };
}

export function evaluateGate(
  results: readonly ({ scenario: string; cases?: CaseOutcome[]; failuresExpected?: boolean } & (
    | { summary: ScenarioSummary }
    | { view: GateView }
  ))[],
  gate: GateSettings,
): CheckOutcome[] {
  const outcomes: CheckOutcome[] = [];
  for (const result of results) {
    const { scenario, cases } = result;
    const view = 'view' in result ? result.view : viewOfSummary(result.summary);
    // Always on, listed only when it fails: a scenario in which nothing succeeded measured
    // nothing, with or without gate flags; unless failing was its point (a drill's variant).
    if (view.requests > 0 && view.succeeded === 0 && !result.failuresExpected) {
      outcomes.push(noSuccess(scenario, view));
    }
    // Always on when a config's request cases ran: a case routed otherwise than predicted fails.
    if (cases && cases.length > 0) outcomes.push(routingCheck(scenario, cases));
    if (gate.failOnSkew) outcomes.push(skewCheck(scenario, view));
    if (gate.failOnSkew && view.drift) outcomes.push(driftCheck(scenario, view.drift));
    if (gate.minSuccessRatePct !== undefined) {
      outcomes.push(successCheck(scenario, view, gate.minSuccessRatePct));
    }
    if (gate.maxP99Ms !== undefined) outcomes.push(p99Check(scenario, view, gate.maxP99Ms));
  }
  return outcomes;
}

function skewCheck(scenario: string, view: GateView): CheckOutcome {
  const { fit } = view;
  // A config's tree: every loadbalance node's split must hold too, at its Holm level.
  const nodes = view.nodes.filter((n) => n.fit.outcome !== 'consistent');
  const nodeWords = nodes.map(
    (n) =>
      `; loadbalance ${n.label} ${verdictText(n.fit, n.children)} (alpha ${round(n.fit.alpha)})`,
  );
  return {
    check: 'fail-on-skew',
    scenario,
    // No evidence, no pass: an inconclusive verdict fails the check too.
    passed: fit.outcome === 'consistent' && nodes.length === 0,
    value: fit.pValue,
    threshold: fit.alpha,
    message: `${scenario}: split ${verdictText(fit, view.targetNames)}, ${methodName(fit)}, alpha ${round(fit.alpha)}${nodeWords.join('')}`,
  };
}

/** With --fail-on-skew, shards that saw different splits fail too: a replica may differ. */
function driftCheck(scenario: string, drift: NonNullable<GateView['drift']>): CheckOutcome {
  const words =
    drift.outcome === 'differs'
      ? 'the shards saw different splits (a gateway replica may route otherwise)'
      : drift.outcome === 'consistent'
        ? 'the shards saw the same split'
        : 'too few shards with requests to compare their splits';
  return {
    check: 'shard-drift',
    scenario,
    // Fewer than two shards to compare is not evidence of drift.
    passed: drift.outcome !== 'differs',
    value: drift.pValue,
    threshold: drift.alpha,
    message: `${scenario}: ${words} (p = ${round(drift.pValue)}, alpha ${round(drift.alpha)})`,
  };
}

function routingCheck(scenario: string, cases: readonly CaseOutcome[]): CheckOutcome {
  const failed = cases.filter((c) => !c.passed);
  return {
    check: 'conditional-routing',
    scenario,
    passed: failed.length === 0,
    value: cases.length - failed.length,
    threshold: cases.length,
    message:
      failed.length === 0
        ? `${scenario}: all ${cases.length} request case(s) routed as predicted`
        : `${scenario}: ${failed.length} of ${cases.length} request case(s) not routed as predicted: ${failed.map((c) => `${c.case.label}: ${c.reason}`).join('; ')}`,
  };
}

/** An alpha or a p as people write it: 0.05, 0.0167. */
function round(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function noSuccess(scenario: string, view: GateView): CheckOutcome {
  const causes = Object.entries(view.failuresByCause)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  return {
    check: 'any-success',
    scenario,
    passed: false,
    value: 0,
    threshold: null,
    message: `${scenario}: no request succeeded (${view.failed} failed: ${causes})`,
  };
}

function successCheck(scenario: string, view: GateView, minPct: number): CheckOutcome {
  const pct = view.successRate * 100;
  const passed = view.requests > 0 && pct >= minPct;
  return {
    check: 'min-success-rate',
    scenario,
    passed,
    value: pct,
    threshold: minPct,
    message: `${scenario}: success rate ${pct.toFixed(1)}% (${view.succeeded}/${view.requests}) ${passed ? '>=' : '<'} ${minPct}%`,
  };
}

function p99Check(scenario: string, view: GateView, maxMs: number): CheckOutcome {
  const p99 = view.p99Ms;
  const passed = p99 !== null && p99 <= maxMs;
  return {
    check: 'max-p99',
    scenario,
    passed,
    value: p99,
    threshold: maxMs,
    message:
      p99 === null
        ? `${scenario}: no successful request, so no p99 latency to compare with ${maxMs} ms`
        : `${scenario}: p99 latency ${p99.toFixed(1)} ms ${passed ? '<=' : '>'} ${maxMs} ms`,
  };
}
