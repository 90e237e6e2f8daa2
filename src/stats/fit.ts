// Goodness of fit of the routed counts to the weights: Pearson's chi-square when every expected
// count is large enough, an exact test otherwise. Pure; distribution functions from @stdlib.
import gammainc from '@stdlib/math-base-special-gammainc';
import type { FitMethod, FitResult } from '../model.js';
import { exactBinomialTest, exactMultinomialTest, monteCarloMultinomialTest } from './exact.js';
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
  /** Seed of the Monte Carlo PRNG (a positive 32-bit integer), so verdicts are reproducible. */
  seed?: number;
}

/** Expected counts at or above this use Pearson's chi-square; below it an exact test. */
const MIN_EXPECTED_FOR_CHI_SQUARE = 5;
/** Slack for expected counts computed from normalized weights (e.g. 15 * (1/3)). */
const EXPECTED_COUNT_SLACK = 1e-9;

const DEFAULT_ALPHA = 0.05;
const DEFAULT_MAX_EXACT_OUTCOMES = 1e6;
const DEFAULT_MONTE_CARLO_SAMPLES = 100_000;
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
  const pValue = df === 0 ? 1 : gammainc(statistic / 2, df / 2, true, true);
  return { statistic, df, pValue };
}

/**
 * Goodness of fit of observed per-target counts to the expected shares. Zero-share targets are left
 * out of the test; any traffic to one is a violation. Method: Pearson's chi-square when every
 * expected count is >= 5, otherwise the exact binomial (two targets) or exact multinomial test
 * (three or more, when the outcomes are few enough), else Monte Carlo with a fixed seed.
 */
export function goodnessOfFit(
  counts: readonly number[],
  shares: readonly number[],
  alpha: number = DEFAULT_ALPHA,
  options: FitOptions = {},
): FitResult {
  assertCountsAndShares(counts, shares);
  assertOpenUnit('alpha', alpha);
  const maxExactOutcomes = options.maxExactOutcomes ?? DEFAULT_MAX_EXACT_OUTCOMES;
  const samples = options.monteCarloSamples ?? DEFAULT_MONTE_CARLO_SAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  if (Number.isNaN(maxExactOutcomes) || maxExactOutcomes < 0) {
    throw new Error(`maxExactOutcomes must be a non-negative number (got ${maxExactOutcomes})`);
  }

  const zeroWeightViolations: number[] = [];
  const activeCounts: number[] = [];
  const activeShares: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const share = shares[i] as number;
    const count = counts[i] as number;
    if (share > 0) {
      activeCounts.push(count);
      activeShares.push(share);
    } else if (count > 0) {
      zeroWeightViolations.push(i);
    }
  }
  // Renormalize so the active shares sum to 1 exactly as far as floating point allows.
  const activeTotal = sum(activeShares);
  const normalized = activeShares.map((share) => share / activeTotal);
  const n = sum(activeCounts);
  const k = activeCounts.length;
  const { statistic, df } = pearsonChiSquare(activeCounts, normalized);

  const large =
    n > 0 && normalized.every((s) => n * s >= MIN_EXPECTED_FOR_CHI_SQUARE - EXPECTED_COUNT_SLACK);
  let method: FitMethod;
  if (large) method = 'chi-square';
  else if (k === 2) method = 'exact-binomial';
  else if (outcomeCount(n, k, maxExactOutcomes) <= maxExactOutcomes) method = 'exact-multinomial';
  else method = 'monte-carlo';

  let pValue: number;
  if (n === 0 || k <= 1) pValue = 1;
  else if (method === 'chi-square') pValue = pearsonChiSquare(activeCounts, normalized).pValue;
  else if (method === 'exact-binomial') {
    pValue = exactBinomialTest(activeCounts[0] as number, n, normalized[0] as number);
  } else if (method === 'exact-multinomial')
    pValue = exactMultinomialTest(activeCounts, normalized);
  else pValue = monteCarloMultinomialTest(activeCounts, normalized, samples, seed);

  const result: FitResult = {
    method,
    statistic,
    df,
    pValue,
    alpha,
    consistent: pValue >= alpha && zeroWeightViolations.length === 0,
    zeroWeightViolations,
  };
  if (method === 'monte-carlo') {
    result.monteCarloSamples = samples;
    result.monteCarloSeed = seed;
  }
  return result;
}
