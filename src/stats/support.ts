import { binomialCdf } from './binomial.js';

// Checks and small helpers shared by the goodness-of-fit tests. Pure.

/** Expected counts computed from normalized weights may miss an integer by this much. */
const SHARE_SUM_TOLERANCE = 1e-9;
/** Outcomes within this relative factor of P(observed) count as "as extreme" (R's binom.test). */
export const RELATIVE_ERROR = 1 + 1e-7;
export const LOG_RELATIVE_ERROR = Math.log1p(1e-7);

export function assertCountsAndShares(counts: readonly number[], shares: readonly number[]): void {
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

export function assertProbability(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${name} must be a number in [0, 1] (got ${value})`);
  }
}

export function assertOpenUnit(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new Error(`${name} must be a number strictly between 0 and 1 (got ${value})`);
  }
}

export function assertTrials(k: number, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`n must be a non-negative integer (got ${n})`);
  }
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new Error(`k must be an integer in [0, n] (got k = ${k}, n = ${n})`);
  }
}

interface Support {
  counts: number[];
  shares: number[];
  /** True when a zero-share target received traffic: the observation is impossible. */
  impossible: boolean;
}

/** Drops zero-share targets (they expect nothing); notes whether any of them got traffic. */
export function positiveSupport(counts: readonly number[], shares: readonly number[]): Support {
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

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** logFactorials[i] = ln(i!) for i = 0..n. */
export function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) table[i] = (table[i - 1] as number) + Math.log(i);
  return table;
}

/** Multinomial log-pmf up to the constant ln(n!): sum of (y_i ln p_i - ln y_i!). */
export function logKernel(
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
export function outcomeCount(n: number, k: number, limit: number): number {
  let count = 1;
  for (let i = 1; i < k; i++) {
    count = Math.round((count * (n + i)) / i);
    if (count > limit) return count;
  }
  return count;
}

/** P(X >= x) for X ~ Binomial(n, p), computed as a lower tail so tiny values keep precision. */
export function binomialUpperTail(x: number, n: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  return binomialCdf(n - x, n, 1 - p);
}
