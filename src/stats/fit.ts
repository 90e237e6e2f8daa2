// Goodness of fit of the picked counts to the weights, with a test that keeps its size. Pure;
// distribution functions from special.ts.
import type { FitMethod } from '../model/stats.js';
import { exactBinomialTest, exactMultinomialTest, monteCarloMultinomialTest } from './exact.js';
import { regularizedGammaQ } from './special.js';
import {
  assertCountsAndShares,
  assertOpenUnit,
  outcomeCount,
  positiveSupport,
  sum,
} from './support.js';

export interface FitOptions {
  /** Largest number of outcomes C(n+k-1, k-1) the exact multinomial test may enumerate. */
  maxExactOutcomes?: number;
  /** Samples drawn by the Monte Carlo test when the exact one would be too large. */
  monteCarloSamples?: number;
  /** Most samples it may draw when the estimate is too close to alpha. */
  maxMonteCarloSamples?: number;
  /** Seed of the Monte Carlo PRNG (a positive 32-bit integer), so verdicts are reproducible. */
  seed?: number;
}

const DEFAULT_ALPHA = 0.05;
const DEFAULT_MAX_EXACT_OUTCOMES = 1e6;
const DEFAULT_MONTE_CARLO_SAMPLES = 100_000;
const DEFAULT_MAX_MONTE_CARLO_SAMPLES = 1_000_000;
const DEFAULT_SEED = 1;

/** Pearson's chi-square over the targets with a non-zero share; df = (their number) - 1. */
export function pearsonChiSquare(
  counts: readonly number[],
  shares: readonly number[],
): { statistic: number; df: number; pValue: number } {
  assertCountsAndShares(counts, shares);
  const support = positiveSupport(counts, shares);
  const df = support.counts.length - 1;
  if (support.impossible) return { statistic: Number.POSITIVE_INFINITY, df, pValue: 0 };
  const n = sum(support.counts);
  if (n === 0) return { statistic: 0, df, pValue: 1 };
  let statistic = 0;
  for (let i = 0; i < support.counts.length; i++) {
    const expected = n * (support.shares[i] as number);
    const diff = (support.counts[i] as number) - expected;
    statistic += (diff * diff) / expected;
  }
  const pValue = df === 0 ? 1 : regularizedGammaQ(df / 2, statistic / 2);
  return { statistic, df, pValue };
}

/** The test of a split, before it becomes a verdict (src/stats/verdict.ts). */
export interface FitTest {
  method: Exclude<FitMethod, 'chi-square'>;
  /** Pearson X^2 over the non-zero-share targets, reported whatever the method. */
  statistic: number;
  df: number;
  pValue: number;
  /** Indices of zero-share targets that received traffic. */
  zeroWeightViolations: number[];
  /** Monte Carlo only: draws, seed, and the standard error of the estimated p-value. */
  monteCarloSamples?: number;
  monteCarloSeed?: number;
  pValueError?: number;
}

/**
 * Goodness of fit of observed per-target counts to the expected shares. Zero-share targets are left
 * out of the test; any traffic to one is a violation. The test keeps its size at any alpha: the
 * exact binomial test for two targets (at any n), the exact multinomial test for three or more
 * when it has at most `maxExactOutcomes` outcomes, otherwise a Monte Carlo estimate of that same
 * test, with more draws when the estimate is too close to `alpha` to call. Pearson's chi-square
 * approximation is not used to decide: at small alpha it rejects a correct split up to twice as
 * often as alpha says, even with 50 expected requests per target.
 */
export function goodnessOfFit(
  counts: readonly number[],
  shares: readonly number[],
  alpha: number = DEFAULT_ALPHA,
  options: FitOptions = {},
): FitTest {
  assertCountsAndShares(counts, shares);
  assertOpenUnit('alpha', alpha);
  const maxExactOutcomes = options.maxExactOutcomes ?? DEFAULT_MAX_EXACT_OUTCOMES;
  if (Number.isNaN(maxExactOutcomes) || maxExactOutcomes < 0) {
    throw new Error(`maxExactOutcomes must be a non-negative number (got ${maxExactOutcomes})`);
  }
  const { active, shares: normalized, zeroWeightViolations } = activeTargets(counts, shares);
  const n = sum(active);
  const k = active.length;
  const { statistic, df } = pearsonChiSquare(active, normalized);
  const base = { statistic, df, zeroWeightViolations };
  if (k === 2) {
    const pValue = n === 0 ? 1 : exactBinomialTest(active[0] as number, n, normalized[0] as number);
    return { method: 'exact-binomial', pValue, ...base };
  }
  if (k < 2 || n === 0 || outcomeCount(n, k, maxExactOutcomes) <= maxExactOutcomes) {
    const pValue = k < 2 || n === 0 ? 1 : exactMultinomialTest(active, normalized);
    return { method: 'exact-multinomial', pValue, ...base };
  }
  return { method: 'monte-carlo', ...monteCarlo(active, normalized, alpha, options), ...base };
}

/** The targets with a non-zero share, their shares renormalized, and traffic to the others. */
function activeTargets(counts: readonly number[], shares: readonly number[]) {
  const zeroWeightViolations: number[] = [];
  const active: number[] = [];
  const activeShares: number[] = [];
  counts.forEach((count, i) => {
    const share = shares[i] as number;
    if (share > 0) {
      active.push(count);
      activeShares.push(share);
    } else if (count > 0) {
      zeroWeightViolations.push(i);
    }
  });
  // Renormalize so the active shares sum to 1 exactly as far as floating point allows.
  const total = sum(activeShares);
  return { active, shares: activeShares.map((share) => share / total), zeroWeightViolations };
}

/** z of a two-sided 99.9% interval: an estimate this close to alpha is drawn again, larger. */
const CALL_Z = 3.29;

/**
 * The Monte Carlo p-value with `samples` draws; when alpha lies within 3.29 standard errors of
 * the estimate, again with ten times as many (up to `maxSamples`), so the seed does not decide.
 */
function monteCarlo(
  counts: readonly number[],
  shares: readonly number[],
  alpha: number,
  options: FitOptions,
) {
  const seed = options.seed ?? DEFAULT_SEED;
  const maxSamples = options.maxMonteCarloSamples ?? DEFAULT_MAX_MONTE_CARLO_SAMPLES;
  let samples = options.monteCarloSamples ?? DEFAULT_MONTE_CARLO_SAMPLES;
  for (;;) {
    const pValue = monteCarloMultinomialTest(counts, shares, samples, seed);
    const pValueError = Math.sqrt((pValue * (1 - pValue)) / samples);
    if (Math.abs(pValue - alpha) > CALL_Z * pValueError || samples * 10 > maxSamples) {
      return { pValue, pValueError, monteCarloSamples: samples, monteCarloSeed: seed };
    }
    samples *= 10;
  }
}

/** Whether a Monte Carlo estimate is still too close to alpha to call. */
export function tooCloseToCall(test: FitTest, alpha: number): boolean {
  return (
    test.pValueError !== undefined && Math.abs(test.pValue - alpha) <= CALL_Z * test.pValueError
  );
}
