// The gate that turns a run into a check for CI: each check asked for, on each scenario. Pure.
import type { GateSettings } from './model/input.js';
import type { CheckOutcome, ScenarioSummary } from './model/stats.js';
import type { CaseOutcome } from './model/tree.js';
import { methodName, verdictText } from './report/format.js';

export function evaluateGate(
  results: readonly { scenario: string; summary: ScenarioSummary; cases?: CaseOutcome[] }[],
  gate: GateSettings,
): CheckOutcome[] {
  const outcomes: CheckOutcome[] = [];
  for (const { scenario, summary, cases } of results) {
    // Always on, listed only when it fails: a scenario in which nothing succeeded measured
    // nothing, with or without gate flags.
    if (summary.requests > 0 && summary.succeeded === 0)
      outcomes.push(noSuccess(scenario, summary));
    // Always on when a config's request cases ran: a case routed otherwise than predicted fails.
    if (cases && cases.length > 0) outcomes.push(routingCheck(scenario, cases));
    if (gate.failOnSkew) outcomes.push(skewCheck(scenario, summary));
    if (gate.minSuccessRatePct !== undefined) {
      outcomes.push(successCheck(scenario, summary, gate.minSuccessRatePct));
    }
    if (gate.maxP99Ms !== undefined) outcomes.push(p99Check(scenario, summary, gate.maxP99Ms));
  }
  return outcomes;
}

function skewCheck(scenario: string, summary: ScenarioSummary): CheckOutcome {
  const { fit } = summary;
  const names = summary.targets.map((t) => t.name);
  // A config's tree: every loadbalance node's split must hold too, at its Holm level.
  const nodes = (summary.tree?.nodes ?? []).filter((n) => n.fit.outcome !== 'consistent');
  const nodeWords = nodes.map(
    (n) =>
      `; loadbalance ${n.name ?? n.path} ${verdictText(n.fit, n.children)} (alpha ${round(n.fit.alpha)})`,
  );
  return {
    check: 'fail-on-skew',
    scenario,
    // No evidence, no pass: an inconclusive verdict fails the check too.
    passed: fit.outcome === 'consistent' && nodes.length === 0,
    value: fit.pValue,
    threshold: fit.alpha,
    message: `${scenario}: split ${verdictText(fit, names)}, ${methodName(fit)}, alpha ${round(fit.alpha)}${nodeWords.join('')}`,
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

/** An alpha as people write it: 0.05, 0.0167. */
function round(alpha: number): string {
  return String(Number(alpha.toPrecision(3)));
}

function noSuccess(scenario: string, summary: ScenarioSummary): CheckOutcome {
  const causes = Object.entries(summary.failuresByCause)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  return {
    check: 'any-success',
    scenario,
    passed: false,
    value: 0,
    threshold: null,
    message: `${scenario}: no request succeeded (${summary.failed} failed: ${causes})`,
  };
}

function successCheck(scenario: string, summary: ScenarioSummary, minPct: number): CheckOutcome {
  const pct = summary.successRate * 100;
  const passed = summary.requests > 0 && pct >= minPct;
  return {
    check: 'min-success-rate',
    scenario,
    passed,
    value: pct,
    threshold: minPct,
    message: `${scenario}: success rate ${pct.toFixed(1)}% (${summary.succeeded}/${summary.requests}) ${passed ? '>=' : '<'} ${minPct}%`,
  };
}

function p99Check(scenario: string, summary: ScenarioSummary, maxMs: number): CheckOutcome {
  const p99 = summary.latencyMs?.p99 ?? null;
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
