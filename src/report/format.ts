// Every figure and verdict lb-demo prints, in words: the text report, the HTML page and the
// checks' messages all use these, so the same number always reads the same. Pure.
import type { LoadSettings } from '../model/input.js';
import type { FitResult } from '../model/stats.js';
import type { ScenarioEntry, TestEntry } from './schema.js';

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whole numbers with thousands separators: 12,345. */
export function count(value: number): string {
  if (!isNumber(value)) return 'n/a';
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Short counts for chart labels: 950, 1.2k, 12k. */
export function compactCount(value: number): string {
  if (value < 1000) return String(value);
  if (value < 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (value < 1_000_000) return `${Math.round(value / 1000)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** A share as a percentage with one decimal: 43.3%. */
export function percent(fraction: number, digits = 1): string {
  if (!isNumber(fraction)) return 'n/a';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** An interval of shares: 16.8–68.7%. */
export function percentRange([low, high]: readonly [number, number]): string {
  if (!isNumber(low) || !isNumber(high)) return 'n/a';
  return `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

/** A deviation in percentage points, signed: +15.0 pp, -0.4 pp, 0.0 pp. */
export function signedPp(pp: number): string {
  if (!isNumber(pp)) return 'n/a';
  const rounded = Math.abs(pp) < 0.05 ? 0 : pp;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(1)} pp`;
}

/** A number with at most `digits` decimals, trailing zeros dropped: 0.25, 1.2. */
export function decimal(value: number, digits = 3): string {
  if (!isNumber(value)) return 'n/a';
  return String(Number(value.toFixed(digits)));
}

/** Milliseconds for a table whose heading carries the unit: 382, 22.1, 1.25, 0.37. */
export function ms(value: number): string {
  if (!isNumber(value)) return 'n/a';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return String(Number(value.toPrecision(2)));
}

/** A duration with its unit: 0.37 ms, 22.1 ms, 382 ms, 1.23 s. */
export function duration(value: number): string {
  if (!isNumber(value)) return 'n/a';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${ms(value)} ms`;
}

/** A signed difference of durations: +30.0 ms, -1.20 s. */
export function signedDuration(value: number): string {
  return `${value >= 0 ? '+' : '-'}${duration(Math.abs(value))}`;
}

/** Wall time in seconds: 1.54 s. */
export function seconds(milliseconds: number): string {
  return isNumber(milliseconds) ? `${(milliseconds / 1000).toFixed(2)} s` : 'n/a';
}

/** Requests per second: 6.5 req/s. */
export function rate(perSecond: number): string {
  return `${decimal(perSecond, 1)} req/s`;
}

/**
 * "6.5 req/s over 2.00 s". A merged run's time runs from the first shard's start to the last
 * one's end; merged from documents that do not say when they started, its rate is the shards'
 * rates added and its time the longest shard's.
 */
export function throughput(s: ScenarioEntry): string {
  if (!s.shards_homogeneity) return `${rate(s.requests_per_s)} over ${seconds(s.elapsed_ms)}`;
  return s.started_at
    ? `${rate(s.requests_per_s)} over ${seconds(s.elapsed_ms)}, first shard's start to last shard's end`
    : `${rate(s.requests_per_s)}, the shards' rates added (longest shard ${seconds(s.elapsed_ms)})`;
}

/** A merged run's test of one split across shards, in words. */
export function driftText(drift: NonNullable<ScenarioEntry['shards_homogeneity']>): string {
  if (drift.outcome === 'inconclusive') {
    return `not tested (${drift.reason ?? 'too few shards with requests'})`;
  }
  const said =
    drift.outcome === 'consistent'
      ? 'the shards saw the same split'
      : 'the shards saw different splits: a gateway replica may route otherwise';
  const method =
    drift.method === 'chi-square' ? "Pearson's chi-square test" : 'Monte Carlo permutation test';
  return `${said} (${formatP(drift.p_value)}; ${method} of homogeneity, alpha ${alphaText(drift.alpha)})`;
}

/** The flags whose checks they are; the others (any-success, shard-coverage...) are always on. */
const CHECK_FLAGS = new Set(['fail-on-skew', 'min-success-rate', 'max-p99']);

/** A check as the report names it: `--max-p99` for a flag's check, `any-success` for the others. */
export function checkName(check: string): string {
  return CHECK_FLAGS.has(check) ? `--${check}` : check;
}

/** "p = 0.69", "p = 0.0012", "p < 0.0001". */
export function formatP(p: number): string {
  if (!isNumber(p)) return 'p = n/a';
  if (p < 0.0001) return 'p < 0.0001';
  if (p >= 0.1) return `p = ${p.toFixed(2)}`;
  return `p = ${Number(p.toPrecision(2))}`;
}

const METHOD_NAMES: Record<FitResult['method'], string> = {
  'chi-square': "Pearson's chi-square test",
  'exact-binomial': 'exact binomial test',
  'exact-multinomial': 'exact multinomial test',
  'monte-carlo': 'Monte Carlo multinomial test',
};

export type FitWords = Pick<
  FitResult,
  | 'method'
  | 'monteCarloSamples'
  | 'monteCarloSeed'
  | 'outcome'
  | 'reason'
  | 'pValue'
  | 'pValueRange'
  | 'zeroWeightViolations'
>;

export function methodName(
  fit: Pick<FitWords, 'method' | 'monteCarloSamples' | 'monteCarloSeed'>,
): string {
  const base = METHOD_NAMES[fit.method];
  return fit.method === 'monte-carlo'
    ? `${base} (${fit.monteCarloSamples} samples, seed ${fit.monteCarloSeed})`
    : base;
}

/** The verdict in words: consistent, differs (naming a weight-0 target hit), or inconclusive. */
export function verdictWords(fit: FitWords, targetNames: readonly string[] = []): string {
  if (fit.outcome === 'inconclusive') return `inconclusive: ${fit.reason ?? 'no evidence'}`;
  if (fit.zeroWeightViolations.length > 0) {
    const names = fit.zeroWeightViolations.map((i) => `"${targetNames[i] ?? `target ${i + 1}`}"`);
    return `differs from the configured weights: ${names.join(', ')} has weight 0 but received traffic`;
  }
  return fit.outcome === 'consistent'
    ? 'consistent with the configured weights'
    : 'differs from the configured weights';
}

/**
 * The verdict with its p-value, e.g. "consistent with the configured weights (p = 0.69)", and the
 * range of p wherever the unattributed requests went, when some were.
 */
export function verdictText(fit: FitWords, targetNames: readonly string[] = []): string {
  const words = verdictWords(fit, targetNames);
  if (fit.outcome === 'inconclusive' || fit.zeroWeightViolations.length > 0) return words;
  const range = fit.pValueRange
    ? `; ${pRange(fit.pValueRange)} wherever the unattributed requests went`
    : '';
  return `${words} (${formatP(fit.pValue)}${range})`;
}

/** "p from 0.21 to 0.35", "p from < 0.0001 to 0.0023". */
function pRange([low, high]: readonly [number, number]): string {
  const value = (p: number) => formatP(p).replace(/^p = /, '').replace(/^p < /, '< ');
  return `p from ${value(low)} to ${value(high)}`;
}

/** "closed loop, 8 requests in flight, streamed". */
export function describeLoad(load: Pick<LoadSettings, 'concurrency' | 'rate' | 'stream'>): string {
  const shape =
    load.rate !== undefined
      ? `open loop, ${load.rate} requests/s with Poisson arrivals`
      : load.concurrency === 1
        ? 'closed loop, one request at a time'
        : `closed loop, ${load.concurrency} requests in flight`;
  return load.stream ? `${shape}, streamed` : shape;
}

/** "weighted", or "failover (with fallback)" for one run of a scenario that has two. */
export function scenarioLabel(plan: { name: string; variant?: string | null | undefined }): string {
  return plan.variant ? `${plan.name} (${plan.variant})` : plan.name;
}

/** A significance level as people write it: 0.05, 0.0167 (a Holm level). */
export function alphaText(alpha: number): string {
  return String(Number(alpha.toPrecision(3)));
}

/** The test of a saved scenario, as the verdict's words take it. */
export function fitOf(
  test: Omit<TestEntry, 'requests_for_5pp_skew'>,
): FitWords & { alpha: number } {
  return {
    method: test.method,
    pValue: test.p_value,
    alpha: test.alpha,
    outcome: test.outcome,
    reason: test.reason,
    pValueRange: test.p_value_range,
    zeroWeightViolations: test.zero_weight_violations,
    ...(test.monte_carlo_samples !== undefined
      ? { monteCarloSamples: test.monte_carlo_samples }
      : {}),
    ...(test.seed !== undefined ? { monteCarloSeed: test.seed } : {}),
  };
}

/** A saved scenario's load, as the load's words take it. */
export function loadOf(s: ScenarioEntry): Pick<LoadSettings, 'concurrency' | 'rate' | 'stream'> {
  return {
    concurrency: s.load.concurrency ?? 1,
    ...(s.load.rate_per_s !== null ? { rate: s.load.rate_per_s } : {}),
    stream: s.load.stream,
  };
}
