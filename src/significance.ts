// Statistical verdicts on how traffic was split across targets, and latency percentiles.
// Pure: no I/O, no process, no console, no colours. Distribution functions come from @stdlib.
import gammainc from '@stdlib/math-base-special-gammainc';
import mt19937 from '@stdlib/random-base-mt19937';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export type FitMethod = 'chi-square' | 'exact-binomial' | 'exact-multinomial' | 'monte-carlo';

export interface FitResult {
  method: FitMethod;
  /** Pearson X^2 of the counts over the non-zero-weight targets (reported for every method). */
  statistic: number;
  /** (number of non-zero-weight targets) - 1. */
  df: number;
  pValue: number;
  alpha: number;
  /** pValue >= alpha AND no zero-weight target received traffic. */
  consistent: boolean;
  /** Indices of weight-0 targets that received traffic. */
  zeroWeightViolations: number[];
  monteCarloSamples?: number;
  monteCarloSeed?: number;
}

export interface FitOptions {
  /** Largest number of outcomes C(n+k-1, k-1) the exact multinomial test may enumerate. */
  maxExactOutcomes?: number;
  /** Samples drawn by the Monte Carlo test when the exact one would be too large. */
  monteCarloSamples?: number;
  /** Seed of the Monte Carlo PRNG (a positive 32-bit integer), so verdicts are reproducible. */
  seed?: number;
}

export interface LatencyStats {
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Expected counts at or above this use Pearson's chi-square; below it an exact test. */
const MIN_EXPECTED_FOR_CHI_SQUARE = 5;
/** Slack for expected counts computed from normalized weights (e.g. 15 * (1/3)). */
const EXPECTED_COUNT_SLACK = 1e-9;
/** Outcomes within this relative factor of P(observed) count as "as extreme" (R's binom.test). */
const RELATIVE_ERROR = 1 + 1e-7;
const LOG_RELATIVE_ERROR = Math.log1p(1e-7);
const SHARE_SUM_TOLERANCE = 1e-9;
const MAX_SEED = 4_294_967_295;

const DEFAULT_ALPHA = 0.05;
const DEFAULT_MAX_EXACT_OUTCOMES = 1e6;
const DEFAULT_MONTE_CARLO_SAMPLES = 100_000;
const DEFAULT_SEED = 1;

// ---------------------------------------------------------------------------------------------
// Validation

function assertCountsAndShares(counts: readonly number[], shares: readonly number[]): void {
  if (counts.length !== shares.length) {
    throw new Error(
      `counts and shares must have the same length (got ${counts.length} counts and ${shares.length} shares)`,
    );
  }
  if (counts.length === 0) throw new Error('at least one target is required');
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    const share = shares[i] as number;
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new Error(`counts[${i}] must be a non-negative integer (got ${count})`);
    }
    if (!Number.isFinite(share) || share < 0) {
      throw new Error(`shares[${i}] must be a finite non-negative number (got ${share})`);
    }
    sum += share;
  }
  if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE) {
    throw new Error(`shares must sum to 1 (got ${sum})`);
  }
}

function assertProbability(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${name} must be a number in [0, 1] (got ${value})`);
  }
}

function assertOpenUnit(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new Error(`${name} must be a number strictly between 0 and 1 (got ${value})`);
  }
}

function assertTrials(k: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`n must be a non-negative integer (got ${n})`);
  }
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new Error(`k must be an integer in [0, n] (got k = ${k}, n = ${n})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface Support {
  counts: number[];
  shares: number[];
  /** True when a zero-share target received traffic: the observation is impossible. */
  impossible: boolean;
}

/** Drops zero-share targets (they expect nothing); notes whether any of them got traffic. */
function positiveSupport(counts: readonly number[], shares: readonly number[]): Support {
  const support: Support = { counts: [], shares: [], impossible: false };
  for (let i = 0; i < counts.length; i++) {
    const share = shares[i] as number;
    const count = counts[i] as number;
    if (share > 0) {
      support.counts.push(count);
      support.shares.push(share);
    } else if (count > 0) {
      support.impossible = true;
    }
  }
  return support;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** logFactorials[i] = ln(i!) for i = 0..n. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) table[i] = (table[i - 1] as number) + Math.log(i);
  return table;
}

/** Multinomial log-pmf up to the constant ln(n!): sum of (y_i ln p_i - ln y_i!). */
function logKernel(
  counts: readonly number[],
  logShares: readonly number[],
  lf: Float64Array,
): number {
  let value = 0;
  for (let i = 0; i < counts.length; i++) {
    const y = counts[i] as number;
    if (y > 0) value += y * (logShares[i] as number) - (lf[y] as number);
  }
  return value;
}

/** C(n+k-1, k-1), the number of ways to split n requests over k targets; stops above `limit`. */
function outcomeCount(n: number, k: number, limit: number): number {
  let count = 1;
  for (let i = 1; i < k; i++) {
    count = Math.round((count * (n + i)) / i);
    if (count > limit) return count;
  }
  return count;
}

/** P(X >= x) for X ~ Binomial(n, p), computed as a lower tail so tiny values keep precision. */
function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  return binomialCdf(n - x, n, 1 - p);
}

// ---------------------------------------------------------------------------------------------
// Tests

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
  assertCountsAndShares(counts, shares);
  const support = positiveSupport(counts, shares);
  if (support.impossible) return 0;
  const k = support.counts.length;
  if (k <= 1) return 1;
  const n = sum(support.counts);
  const lf = logFactorials(n);
  const logShares = support.shares.map(Math.log);
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
  const rng = mt19937.factory({ seed });
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
  assertCountsAndShares(counts, shares);
  if (!Number.isSafeInteger(samples) || samples < 1) {
    throw new Error(`samples must be a positive integer (got ${samples})`);
  }
  if (!Number.isSafeInteger(seed) || seed < 1 || seed > MAX_SEED) {
    throw new Error(`seed must be an integer in [1, ${MAX_SEED}] (got ${seed})`);
  }
  const support = positiveSupport(counts, shares);
  if (support.impossible) return 0;
  const k = support.counts.length;
  if (k <= 1) return 1;
  const n = sum(support.counts);
  const lf = logFactorials(n);
  const logShares = support.shares.map(Math.log);
  const limit = logKernel(support.counts, logShares, lf) + LOG_RELATIVE_ERROR;

  // Target i receives Binomial(remaining, q_i) with q_i = p_i / (p_i + ... + p_{k-1}).
  const conditional: number[] = [];
  let tail = 0;
  for (let i = k - 1; i >= 0; i--) {
    tail += support.shares[i] as number;
    conditional[i] = Math.min(1, (support.shares[i] as number) / tail);
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

  const uniform = uniformSource(seed);
  let asExtreme = 0;
  for (let s = 0; s < samples; s++) {
    let remaining = n;
    let value = 0;
    for (let i = 0; i < k; i++) {
      const y =
        i === k - 1 ? remaining : drawBinomial(i, remaining, conditional[i] as number, uniform());
      if (y > 0) value += y * (logShares[i] as number) - (lf[y] as number);
      remaining -= y;
    }
    if (value <= limit) asExtreme += 1;
  }
  return (asExtreme + 1) / (samples + 1);
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

// ---------------------------------------------------------------------------------------------
// Intervals and sample sizes

/** Wilson score interval for a proportion k/n; [0, 1] when n = 0. */
export function wilsonInterval(k: number, n: number, confidence = 0.95): [number, number] {
  assertTrials(k, n);
  assertOpenUnit('confidence', confidence);
  if (n === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2, 0, 1);
  const z2 = z * z;
  const phat = k / n;
  const denominator = 1 + z2 / n;
  const center = (phat + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  const lower = k === 0 ? 0 : Math.max(0, center - half);
  const upper = k === n ? 1 : Math.min(1, center + half);
  return [lower, upper];
}

/** Central range of the count of Binomial(n, p): its (1-c)/2 and 1-(1-c)/2 quantiles. */
export function binomialCountRange(n: number, p: number, coverage = 0.95): [number, number] {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`n must be a non-negative integer (got ${n})`);
  }
  assertProbability('p', p);
  assertOpenUnit('coverage', coverage);
  const tail = (1 - coverage) / 2;
  return [binomialQuantile(tail, n, p), binomialQuantile(1 - tail, n, p)];
}

/**
 * Requests needed for a one-sample two-sided z-test of a proportion to detect a shift of `deltaPp`
 * percentage points from `share` with the given power: the larger over p1 = p0 + delta and
 * p1 = p0 - delta (a side that leaves [0, 1] is skipped).
 */
export function requestsToDetect(share: number, deltaPp = 5, alpha = 0.05, power = 0.8): number {
  assertProbability('share', share);
  if (!Number.isFinite(deltaPp) || deltaPp <= 0 || deltaPp > 100) {
    throw new Error(`deltaPp must be a number in (0, 100] (got ${deltaPp})`);
  }
  assertOpenUnit('alpha', alpha);
  assertOpenUnit('power', power);
  const delta = deltaPp / 100;
  const zAlpha = normalQuantile(1 - alpha / 2, 0, 1);
  const zPower = normalQuantile(power, 0, 1);
  const spread0 = Math.sqrt(share * (1 - share));
  let needed = 0;
  let sides = 0;
  for (const raw of [share + delta, share - delta]) {
    if (raw < -1e-12 || raw > 1 + 1e-12) continue;
    const p1 = Math.min(1, Math.max(0, raw));
    const root = (zAlpha * spread0 + zPower * Math.sqrt(p1 * (1 - p1))) / delta;
    needed = Math.max(needed, Math.ceil(root * root));
    sides += 1;
  }
  if (sides === 0) {
    throw new Error(`a shift of ${deltaPp} pp from a share of ${share} leaves [0, 1] both ways`);
  }
  return needed;
}

// ---------------------------------------------------------------------------------------------
// Latency

/**
 * The q-th percentile (q in [0, 100]) of an ascending array, interpolating linearly between the
 * closest ranks (numpy's default 'linear' method). The array is assumed sorted.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty array is undefined');
  if (!Number.isFinite(q) || q < 0 || q > 100) {
    throw new Error(`percentile q must be in [0, 100] (got ${q})`);
  }
  const rank = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  const t = rank - lo;
  if (t === 0 || a === b) return a;
  // numpy's _lerp: interpolate from the nearer end, which keeps the result within [a, b].
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

/** Count, mean, extremes and p50/p90/p95/p99 of latency samples; null when there are none. */
export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    count: sorted.length,
    avg: sum(sorted) / sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}
