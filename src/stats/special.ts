// The special functions the tests and intervals stand on: log-gamma, the regularized incomplete
// gamma functions and the normal quantile. Pure. Checked against scipy in test/stats/special.test.ts.
//
// Probabilities are computed from a "Poisson kernel" x^a e^-x / Γ(a+1), evaluated in the
// saddle-point form of C. Loader, "Fast and accurate computation of binomial probabilities"
// (2000): exp(-stirlingError(a) - deviance(a, x)) / sqrt(2πa). Written that way it keeps full
// relative precision for large arguments, where exp(a ln x - x - lnΓ(a+1)) would subtract two
// numbers of thousands and keep only the noise; binomial.ts builds on the same two pieces.

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPSILON = Number.EPSILON;
/** Stands in for 0 in the continued fractions' denominators (modified Lentz). */
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

// Lanczos approximation, g = 7, nine coefficients: about 15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
] as const;

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error(`logGamma needs x > 0 (got ${x})`);
  if (x < 0.5) return logGamma(x + 1) - Math.log(x); // Γ(x) = Γ(x+1)/x keeps the sum positive
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The error of Stirling's formula: ln Γ(n+1) - [(n + 1/2) ln n - n + ln sqrt(2π)], for n > 0.
 * Small n from log-gamma (the difference is of the order of 1 there), large n from the
 * asymptotic series 1/(12n) - 1/(360n³) + 1/(1260n⁵) - 1/(1680n⁷) + 1/(1188n⁹).
 */
export function stirlingError(n: number): number {
  if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI;
  const nn = n * n;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/**
 * The deviance x ln(x/m) + m - x (x >= 0, m > 0), without the cancellation the formula suffers
 * when x is close to m: there it is summed as the series 2x Σ v^(2j+1)/(2j+1), v = (x-m)/(x+m).
 */
export function deviance(x: number, m: number): number {
  if (Math.abs(x - m) >= 0.1 * (x + m)) {
    return x === 0 ? m : x * Math.log(x / m) + m - x;
  }
  const v = (x - m) / (x + m);
  const v2 = v * v;
  let sum = (x - m) * v;
  let power = 2 * x * v;
  for (let j = 1; j < MAX_ITERATIONS; j++) {
    power *= v2;
    const next = sum + power / (2 * j + 1);
    if (next === sum) return sum;
    sum = next;
  }
  return sum;
}

/** x^a e^-x / Γ(a+1) for a >= 0, x >= 0: the Poisson(x) probability of a, for whole a. */
export function poissonKernel(a: number, x: number): number {
  if (x === 0) return a === 0 ? 1 : 0;
  if (a === 0) return Math.exp(-x);
  return Math.exp(-stirlingError(a) - deviance(a, x)) / Math.sqrt(2 * Math.PI * a);
}

/** P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma function (a > 0, x >= 0). */
export function regularizedGammaP(a: number, x: number): number {
  assertGammaArguments(a, x);
  if (x === 0) return 0;
  if (x >= a + 1) return 1 - upperGammaFraction(a, x);
  return lowerGammaSeries(a, x);
}

/** Q(a, x) = 1 - P(a, x), accurate in the far upper tail (a > 0, x >= 0). */
export function regularizedGammaQ(a: number, x: number): number {
  assertGammaArguments(a, x);
  if (x === 0) return 1;
  if (x < a + 1) return 1 - lowerGammaSeries(a, x);
  return upperGammaFraction(a, x);
}

function assertGammaArguments(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a) || !(x >= 0)) {
    throw new Error(`the incomplete gamma function needs a > 0 and x >= 0 (got a=${a}, x=${x})`);
  }
}

/** P(a, x) = x^a e^-x / Γ(a+1) · Σ x^n / ((a+1)…(a+n)); converges fast for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * EPSILON) break;
  }
  return poissonKernel(a, x) * sum;
}

/**
 * Q(a, x) = x^a e^-x / Γ(a) · 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(x+5-a - …))), the continued
 * fraction evaluated by the modified Lentz method; converges fast for x >= a + 1.
 */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return a * poissonKernel(a, x) * h; // x^a e^-x / Γ(a) = a · x^a e^-x / Γ(a+1)
}

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1: a first guess refined by Halley steps on
 * Φ(z) = p, with Φ from the incomplete gamma function: Φ(z) = 1/2 + P(1/2, z²/2) / 2 for z >= 0,
 * and 1 - Φ(z) = Q(1/2, z²/2) / 2. Each step triples the correct digits.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const centred = p - 0.5; // exact for p in [0.25, 1]
  if (centred === 0) return 0;
  // Solve for z = |Φ⁻¹(p)| > 0: in a tail on 1 - Φ(z) = min(p, 1 - p), near the centre on
  // Φ(z) - 1/2 = |p - 1/2|, each the form that keeps its digits.
  const tail = Math.min(p, 1 - p);
  const useTail = tail < 0.25;
  const target = useTail ? tail : Math.abs(centred);
  let z = useTail ? tailGuess(tail) : Math.sqrt(2 * Math.PI) * target;
  for (let i = 0; i < 10; i++) {
    const half = (z * z) / 2;
    const value = useTail ? regularizedGammaQ(0.5, half) / 2 : regularizedGammaP(0.5, half) / 2;
    const density = Math.exp(-half) / Math.sqrt(2 * Math.PI);
    // f(z) = value - target; f' = -density (tail) or +density (centre); Halley with f'' = -z f'.
    const u = (useTail ? target - value : value - target) / density;
    const step = u / (1 + (z * u) / 2);
    z -= step;
    if (Math.abs(step) <= 4 * EPSILON * z) break;
  }
  return centred < 0 ? -z : z;
}

/** z with 1 - Φ(z) ≈ q for 0 < q < 1/2: Abramowitz and Stegun 26.2.23, good to 4.5e-4. */
function tailGuess(q: number): number {
  const t = Math.sqrt(-2 * Math.log(q));
  const numerator = 2.515517 + t * (0.802853 + t * 0.010328);
  const denominator = 1 + t * (1.432788 + t * (0.189269 + t * 0.001308));
  return t - numerator / denominator;
}
