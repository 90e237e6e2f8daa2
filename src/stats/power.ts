// How many requests the verdict's test needs to see a skew: its power, from the noncentral
// chi-square distribution that the multinomial tests follow for large n. Pure.
import { binomialCdf } from './binomial.js';
import { exactBinomialTest } from './exact.js';
import { regularizedGammaP } from './special.js';
import { assertOpenUnit } from './support.js';

/** P(X <= x) for X ~ chi-square(df): the regularized lower incomplete gamma function. */
export function chiSquareCdf(x: number, df: number): number {
  return x <= 0 ? 0 : regularizedGammaP(df / 2, x / 2);
}

/** The q-quantile of chi-square(df), by bisection on its cdf. */
export function chiSquareQuantile(q: number, df: number): number {
  assertOpenUnit('q', q);
  let low = 0;
  let high = Math.max(1, df);
  while (chiSquareCdf(high, df) < q) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (chiSquareCdf(mid, df) < q) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * P(X <= x) for X ~ noncentral chi-square(df, lambda): a Poisson(lambda / 2) mixture of central
 * chi-squares with df + 2j degrees of freedom, summed outward from the mode of the mixture.
 */
export function noncentralChiSquareCdf(x: number, df: number, lambda: number): number {
  if (x <= 0) return 0;
  if (lambda === 0) return chiSquareCdf(x, df);
  const half = lambda / 2;
  const mode = Math.floor(half);
  const logWeight = (j: number) => -half + j * Math.log(half) - logGammaInt(j + 1);
  let total = 0;
  for (let j = mode; j >= 0; j--) {
    const term = Math.exp(logWeight(j)) * chiSquareCdf(x, df + 2 * j);
    total += term;
    if (term < 1e-16 && j < mode - 10) break;
  }
  for (let j = mode + 1; ; j++) {
    const weight = Math.exp(logWeight(j));
    total += weight * chiSquareCdf(x, df + 2 * j);
    if (weight < 1e-16 && j > half + 10) break;
  }
  return Math.min(1, total);
}

/** ln((n-1)!) for a whole n >= 1. */
function logGammaInt(n: number): number {
  let value = 0;
  for (let i = 2; i < n; i++) value += Math.log(i);
  return value;
}

/** The power of a test with `df` degrees of freedom at level alpha, for noncentrality lambda. */
export function powerAt(lambda: number, df: number, alpha: number): number {
  return 1 - noncentralChiSquareCdf(chiSquareQuantile(1 - alpha, df), df, lambda);
}

/**
 * Requests needed to detect, with the given power at level alpha, `deltaPp` percentage points of
 * traffic moved from one target to another: the hardest such move (between the two largest
 * shares), so any other 5 pp move is detected at least as often. For two targets the exact
 * binomial test's own power is computed (both directions of the move, the weaker counts); for
 * more, the multinomial tests' large-n power: noncentral chi-square with noncentrality
 * n·Σ δ²/p and df = k - 1. 0 when fewer than two targets can be picked.
 */
export function requestsToDetectSkew(
  shares: readonly number[],
  alpha = 0.05,
  deltaPp = 5,
  power = 0.8,
): number {
  assertOpenUnit('alpha', alpha);
  assertOpenUnit('power', power);
  const active = shares.filter((s) => s > 0).sort((a, b) => b - a);
  const [first, second] = active;
  if (first === undefined || second === undefined) return 0;
  // Moving delta from the largest share to the next needs the largest to have delta to give.
  const delta = Math.min(deltaPp / 100, first);
  const perRequest = delta * delta * (1 / first + 1 / second);
  const df = active.length - 1;
  const asymptotic = Math.ceil(noncentralityFor(power, df, alpha) / perRequest);
  if (active.length > 2) return asymptotic;
  // Two targets: the share of the first is p0; the move makes it p0 - delta or p0 + delta.
  const p0 = first;
  const weakest = (n: number) =>
    Math.min(
      exactBinomialPower(n, p0, p0 - delta, alpha),
      p0 + delta < 1 ? exactBinomialPower(n, p0, p0 + delta, alpha) : 1,
    );
  let n = asymptotic;
  while (weakest(n) < power) n += Math.max(1, Math.ceil(n / 200));
  return n;
}

/** The noncentrality at which a chi-square test with df degrees of freedom reaches the power. */
function noncentralityFor(power: number, df: number, alpha: number): number {
  let high = 1;
  while (powerAt(high, df, alpha) < power) high *= 2;
  let low = 0;
  for (let i = 0; i < 100 && high - low > 1e-6; i++) {
    const mid = (low + high) / 2;
    if (powerAt(mid, df, alpha) < power) low = mid;
    else high = mid;
  }
  return high;
}

/**
 * P(the two-sided exact binomial test of share p rejects at alpha) when the true share is q: its
 * rejection region is [0, a] and [b, n], found by bisection on either side of the mean.
 */
export function exactBinomialPower(n: number, p: number, q: number, alpha: number): number {
  const rejects = (k: number) => exactBinomialTest(k, n, p) < alpha;
  const mean = Math.floor(n * p);
  // Largest a <= mean that rejects (p-values rise towards the mean), or -1.
  let low = -1;
  let high = mean;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (rejects(mid)) low = mid;
    else high = mid - 1;
  }
  const a = low;
  // Smallest b > mean that rejects, or n + 1.
  low = mean + 1;
  high = n + 1;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (rejects(mid)) high = mid;
    else low = mid + 1;
  }
  const b = low;
  const lower = a >= 0 ? binomialCdf(a, n, q) : 0;
  const upper = b <= n ? 1 - binomialCdf(b - 1, n, q) : 0;
  return lower + upper;
}
