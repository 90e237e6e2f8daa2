// Intervals and sample sizes for shares of traffic. Pure.
import { binomialQuantile } from './binomial.js';
import { normalQuantile } from './special.js';
import { assertOpenUnit, assertProbability, assertTrials } from './support.js';

/** Wilson score interval for a proportion k/n; [0, 1] when n = 0. */
export function wilsonInterval(k: number, n: number, confidence = 0.95): [number, number] {
  assertTrials(k, n);
  assertOpenUnit('confidence', confidence);
  if (n === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
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
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
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
