// The verdict in words, and the gate that turns a run into a check for CI. Pure.
import type { FitResult } from './significance.js';
import type { ScenarioSummary } from './stats.js';

export interface GateSettings {
  /** Fail when a scenario's split differs from its weights. */
  failOnSkew: boolean;
  /** Fail when a scenario's success rate, in percent, is below this. */
  minSuccessRatePct?: number;
  /** Fail when a scenario's p99 latency of successful requests, in ms, is above this. */
  maxP99Ms?: number;
}

export type CheckName = 'fail-on-skew' | 'min-success-rate' | 'max-p99';

export interface CheckOutcome {
  check: CheckName;
  scenario: string;
  passed: boolean;
  /** The measured figure, for the JSON document. */
  value: number | null;
  threshold: number | null;
  /** One line naming the check, the scenario and the figure. */
  message: string;
}

const METHOD_NAMES: Record<FitResult['method'], string> = {
  'chi-square': "Pearson's chi-square test",
  'exact-binomial': 'exact binomial test',
  'exact-multinomial': 'exact multinomial test',
  'monte-carlo': 'Monte Carlo multinomial test',
};

export function methodName(fit: FitResult): string {
  const base = METHOD_NAMES[fit.method];
  return fit.method === 'monte-carlo'
    ? `${base} (${fit.monteCarloSamples} samples, seed ${fit.monteCarloSeed})`
    : base;
}

/** "p = 0.69", "p = 0.0012", "p < 0.0001". */
export function formatP(p: number): string {
  if (p < 0.0001) return 'p < 0.0001';
  if (p >= 0.1) return `p = ${p.toFixed(2)}`;
  return `p = ${Number(p.toPrecision(2))}`;
}

/** The verdict in words: "consistent with the configured weights" or "differs from ...". */
export function verdictWords(fit: FitResult, targetNames: readonly string[] = []): string {
  if (fit.zeroWeightViolations.length > 0) {
    const names = fit.zeroWeightViolations.map((i) => `"${targetNames[i] ?? `target ${i + 1}`}"`);
    return `differs from the configured weights: ${names.join(', ')} has weight 0 but received traffic`;
  }
  return fit.consistent
    ? 'consistent with the configured weights'
    : 'differs from the configured weights';
}

/** The verdict with its p-value, e.g. "consistent with the configured weights (p = 0.69)". */
export function verdictText(fit: FitResult, targetNames: readonly string[] = []): string {
  const words = verdictWords(fit, targetNames);
  return fit.zeroWeightViolations.length > 0 ? words : `${words} (${formatP(fit.pValue)})`;
}

export function evaluateGate(
  results: readonly { scenario: string; summary: ScenarioSummary }[],
  gate: GateSettings,
): CheckOutcome[] {
  const outcomes: CheckOutcome[] = [];
  for (const { scenario, summary } of results) {
    if (gate.failOnSkew) {
      const { fit } = summary;
      const names = summary.targets.map((t) => t.name);
      outcomes.push({
        check: 'fail-on-skew',
        scenario,
        passed: fit.consistent,
        value: fit.pValue,
        threshold: fit.alpha,
        message: `${scenario}: split ${verdictText(fit, names)}, ${methodName(fit)}, alpha ${fit.alpha}`,
      });
    }
    if (gate.minSuccessRatePct !== undefined) {
      const pct = summary.successRate * 100;
      const passed = summary.requests > 0 && pct >= gate.minSuccessRatePct;
      outcomes.push({
        check: 'min-success-rate',
        scenario,
        passed,
        value: pct,
        threshold: gate.minSuccessRatePct,
        message: `${scenario}: success rate ${pct.toFixed(1)}% (${summary.succeeded}/${summary.requests}) ${passed ? '>=' : '<'} ${gate.minSuccessRatePct}%`,
      });
    }
    if (gate.maxP99Ms !== undefined) {
      const p99 = summary.latencyMs?.p99 ?? null;
      const passed = p99 !== null && p99 <= gate.maxP99Ms;
      outcomes.push({
        check: 'max-p99',
        scenario,
        passed,
        value: p99,
        threshold: gate.maxP99Ms,
        message:
          p99 === null
            ? `${scenario}: no successful request, so no p99 latency to compare with ${gate.maxP99Ms} ms`
            : `${scenario}: p99 latency ${p99.toFixed(1)} ms ${passed ? '<=' : '>'} ${gate.maxP99Ms} ms`,
      });
    }
  }
  return outcomes;
}
