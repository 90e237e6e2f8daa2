// The binomial distribution: probability, cumulative probability, quantile. Pure. Checked against
// scipy in test/stats/binomial.test.ts.
import { deviance, normalQuantile, stirlingError } from './special.js';

const EPSILON = Number.EPSILON;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/**
 * P(X = k) for X ~ Binomial(n, p), in Loader's saddle-point form (see special.ts): the
 * Stirling errors and deviances keep full relative precision even for n in the millions.
 */
export function binomialPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  // q^n and p^n: a power is correctly rounded where exp(n ln q) is not (1/64 stays 1/64); near
  // 1 the base is rounded itself, and log1p of the exact small probability is more precise.
  if (k === 0) return p < 0.1 ? Math.exp(n * Math.log1p(-p)) : q ** n;
  if (k === n) return q < 0.1 ? Math.exp(n * Math.log1p(-q)) : p ** n;
  const log =
    stirlingError(n) -
    stirlingError(k) -
    stirlingError(n - k) -
    deviance(k, n * p) -
    deviance(n - k, n * q);
  return Math.exp(log) * Math.sqrt(n / (2 * Math.PI * k * (n - k)));
}

/**
 * P(X <= k) for X ~ Binomial(n, p). Through the regularized incomplete beta function,
 * P(X <= k) = I_q(n-k, k+1), whose leading factor q^(n-k) p^(k+1) / ((n-k) B(n-k, k+1)) is
 * exactly p · P(X = k); so the smaller tail is a probability times a continued fraction, and
 * keeps its relative precision however small it gets:
 *   below the mean: P(X <= k) = p · P(X = k) · F(n-k, k+1, q)
 *   above it:       P(X > k)  = q · P(X = k+1) · F(k+1, n-k, p)
 * with F = betaFraction below.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  const whole = Math.floor(k);
  if (whole >= n) return 1;
  const q = 1 - p;
  if (p === 0) return 1;
  if (q === 0) return 0;
  if (whole === 0) return binomialPmf(0, n, p);
  const a = n - whole;
  const b = whole + 1;
  if (q < (a + 1) / (a + b + 2)) return p * binomialPmf(whole, n, p) * betaFraction(a, b, q);
  return 1 - q * binomialPmf(whole + 1, n, p) * betaFraction(b, a, p);
}

/**
 * The smallest k with P(X <= k) >= level, 0 < level < 1: from a normal approximation with a
 * skewness correction (Cornish-Fisher), stepped to the exact answer.
 */
export function binomialQuantile(level: number, n: number, p: number): number {
  if (!(level > 0 && level < 1))
    throw new Error(`binomialQuantile needs 0 < level < 1 (got ${level})`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const z = normalQuantile(level);
  const sd = Math.sqrt(n * p * (1 - p));
  const guess = n * p + sd * (z + ((z * z - 1) * (1 - 2 * p)) / (6 * sd));
  // A cdf within 64 ulps of the level counts as reaching it: P(X <= 3) for Binomial(7, 1/2) is
  // 1/2 exactly, and a last-digit rounding error must not make the median 4.
  const reached = (k: number) => binomialCdf(k, n, p) >= level * (1 - 64 * EPSILON);
  let k = Math.min(n, Math.max(0, Math.floor(guess)));
  if (reached(k)) {
    while (k > 0 && reached(k - 1)) k -= 1;
  } else {
    while (k < n && !reached(k)) k += 1;
  }
  return k;
}

/**
 * The continued fraction of the incomplete beta function (Abramowitz and Stegun 26.5.8),
 * evaluated by the modified Lentz method: I_x(a, b) = x^a (1-x)^b / (a B(a, b)) · betaFraction.
 * Converges fast for x < (a+1)/(a+b+2).
 */
function betaFraction(a: number, b: number, x: number): number {
  const sum = a + b;
  const up = a + 1;
  const down = a - 1;
  let c = 1;
  let d = 1 - (sum * x) / up;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // The even step: d_2m = m (b-m) x / ((a+2m-1)(a+2m)).
    let coefficient = (m * (b - m) * x) / ((down + m2) * (a + m2));
    d = 1 + coefficient * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coefficient / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // The odd step: d_2m+1 = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)).
    coefficient = (-(a + m) * (sum + m) * x) / ((a + m2) * (up + m2));
    d = 1 + coefficient * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coefficient / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}
