// Exact tests of observed counts against expected shares, and a Monte Carlo version of the
// multinomial one for runs too large to enumerate. Pure; reference values come from scipy and R.
import { binomialCdf, binomialPmf } from './binomial.js';
import { mt19937 } from './mt19937.js';
import {
  assertCountsAndShares,
  assertProbability,
  assertTrials,
  binomialUpperTail,
  LOG_RELATIVE_ERROR,
  logFactorials,
  logKernel,
  positiveSupport,
  RELATIVE_ERROR,
  sum,
} from './support.js';

const MAX_SEED = 4_294_967_295;

/** Two-sided exact binomial test, as R's binom.test: sums P(X = i) over P(i) <= P(k)(1 + 1e-7). */
export function exactBinomialTest(k: number, n: number, p: number): number {
  assertTrials(k, n);
  assertProbability('p', p);
  const mean = n * p;
  if (k === mean) return 1;
  const threshold = binomialPmf(k, n, p) * RELATIVE_ERROR;
  let pValue: number;
  if (k < mean) {
    // The pmf does not increase on [ceil(mean), n]: find the first i there with pmf(i) <= threshold.
    let lo = Math.ceil(mean);
    let hi = n + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (binomialPmf(mid, n, p) <= threshold) hi = mid;
      else lo = mid + 1;
    }
    pValue = binomialCdf(k, n, p) + binomialUpperTail(lo, n, p);
  } else {
    // The pmf does not decrease on [0, floor(mean)]: find the first i there with pmf(i) > threshold.
    let lo = 0;
    let hi = Math.floor(mean) + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (binomialPmf(mid, n, p) > threshold) hi = mid;
      else lo = mid + 1;
    }
    pValue = (lo > 0 ? binomialCdf(lo - 1, n, p) : 0) + binomialUpperTail(k, n, p);
  }
  return Math.min(1, pValue);
}

/**
 * Exact multinomial test: the sum of P(y) over every outcome y with P(y) <= P(observed) (within a
 * relative 1e-7, as R). Enumerates all C(n+k-1, k-1) outcomes, so keep it to small n and k.
 */
export function exactMultinomialTest(counts: readonly number[], shares: readonly number[]): number {
  const setup = multinomialSetup(counts, shares);
  if (typeof setup === 'number') return setup;
  const { support, k, n, lf, logShares } = setup;
  // terms[i][y] = y ln p_i - ln y!, so an outcome's log-kernel is a sum of table lookups.
  const terms = logShares.map((logShare) => {
    const row = new Float64Array(n + 1);
    for (let y = 1; y <= n; y++) row[y] = y * logShare - (lf[y] as number);
    return row;
  });
  const observed = logKernel(support.counts, logShares, lf);
  const limit = observed + LOG_RELATIVE_ERROR;
  const last = terms[k - 1] as Float64Array;
  const secondLast = terms[k - 2] as Float64Array;

  // Terms are summed relative to P(observed) so a tiny p-value does not underflow on the way.
  const visit = (target: number, remaining: number, partial: number): number => {
    let acc = 0;
    if (target === k - 2) {
      for (let y = 0; y <= remaining; y++) {
        const value = partial + (secondLast[y] as number) + (last[remaining - y] as number);
        if (value <= limit) acc += Math.exp(value - observed);
      }
      return acc;
    }
    const row = terms[target] as Float64Array;
    for (let y = 0; y <= remaining; y++) {
      acc += visit(target + 1, remaining - y, partial + (row[y] as number));
    }
    return acc;
  };

  const relative = visit(0, n, 0);
  return Math.min(1, relative * Math.exp(observed + (lf[n] as number)));
}

/** A 53-bit uniform in [0, 1) from two 32-bit Mersenne Twister outputs. */
function uniformSource(seed: number): () => number {
  const rng = mt19937(seed);
  return () => {
    const a = rng() >>> 5;
    const b = rng() >>> 6;
    return (a * 67_108_864 + b) / 9_007_199_254_740_992;
  };
}

/**
 * Monte Carlo version of the exact multinomial test: draws `samples` outcomes from the expected
 * multinomial (as a chain of conditional binomials, inverted from their mode) and returns
 * (1 + #{P(y) <= P(observed)}) / (1 + samples), which never reports 0. Deterministic for a seed.
 */
export function monteCarloMultinomialTest(
  counts: readonly number[],
  shares: readonly number[],
  samples: number,
  seed: number,
): number {
  if (!Number.isSafeInteger(samples) || samples < 1) {
    throw new Error(`samples must be a positive integer (got ${samples})`);
  }
  if (!Number.isSafeInteger(seed) || seed < 1 || seed > MAX_SEED) {
    throw new Error(`seed must be an integer in [1, ${MAX_SEED}] (got ${seed})`);
  }
  const setup = multinomialSetup(counts, shares);
  if (typeof setup === 'number') return setup;
  const { support, n, lf, logShares } = setup;
  const limit = logKernel(support.counts, logShares, lf) + LOG_RELATIVE_ERROR;
  const draw = multinomialSampler(support.shares, n, uniformSource(seed));

  let asExtreme = 0;
  for (let s = 0; s < samples; s++) {
    if (logKernel(draw(), logShares, lf) <= limit) asExtreme += 1;
  }
  return (asExtreme + 1) / (samples + 1);
}

/**
 * Draws outcomes of Multinomial(n, shares): target i receives Binomial(remaining, q_i) with
 * q_i = p_i / (p_i + ... + p_{k-1}), each drawn by inverting its cdf from the mode.
 */
function multinomialSampler(
  shares: readonly number[],
  n: number,
  uniform: () => number,
): () => number[] {
  const k = shares.length;
  const conditional: number[] = [];
  let tail = 0;
  for (let i = k - 1; i >= 0; i--) {
    tail += shares[i] as number;
    conditional[i] = Math.min(1, (shares[i] as number) / tail);
  }
  // pmf and cdf at the mode for each (target, remaining), computed once.
  const modeCache = new Map<number, [number, number, number]>();
  const modeFor = (target: number, m: number, q: number): [number, number, number] => {
    const key = target * (n + 1) + m;
    let entry = modeCache.get(key);
    if (entry === undefined) {
      const mode = Math.min(m, Math.floor((m + 1) * q));
      entry = [mode, binomialPmf(mode, m, q), binomialCdf(mode, m, q)];
      modeCache.set(key, entry);
    }
    return entry;
  };
  const drawBinomial = (target: number, m: number, q: number, u: number): number => {
    if (m === 0 || q <= 0) return 0;
    if (q >= 1) return m;
    const ratio = q / (1 - q);
    let [x, f, cdf] = modeFor(target, m, q);
    if (u <= cdf) {
      // Smallest x with F(x) >= u: walk down while F(x - 1) = F(x) - f(x) still covers u.
      while (x > 0 && cdf - f >= u) {
        cdf -= f;
        f *= x / ((m - x + 1) * ratio);
        x -= 1;
      }
    } else {
      while (x < m && cdf < u) {
        f *= ((m - x) * ratio) / (x + 1);
        x += 1;
        cdf += f;
      }
    }
    return x;
  };
  const outcome = new Array<number>(k).fill(0);
  return () => {
    let remaining = n;
    for (let i = 0; i < k; i++) {
      const y =
        i === k - 1 ? remaining : drawBinomial(i, remaining, conditional[i] as number, uniform());
      outcome[i] = y;
      remaining -= y;
    }
    return outcome;
  };
}

/**
 * What both multinomial tests start from: the targets with a non-zero share, and log tables. A
 * number instead when the p-value is known at once (0 for an impossible outcome, 1 for one target).
 */
function multinomialSetup(counts: readonly number[], shares: readonly number[]) {
  assertCountsAndShares(counts, shares);
  const support = positiveSupport(counts, shares);
  if (support.impossible) return 0;
  const k = support.counts.length;
  if (k <= 1) return 1;
  const n = sum(support.counts);
  return { support, k, n, lf: logFactorials(n), logShares: support.shares.map(Math.log) };
}
