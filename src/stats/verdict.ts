// The verdict on a split: consistent with the weights, different, or, without the evidence to
// say either, inconclusive with the reason. Pure.
import type { Weights } from '../model/input.js';
import type { FitResult } from '../model/stats.js';
import { type FitOptions, type FitTest, goodnessOfFit, tooCloseToCall } from './fit.js';
import { sum } from './support.js';

/**
 * Judges the picked counts against the weights. `unattributed` requests were sent but nothing
 * says which target the load balancer picked for them (a client timeout, a gateway exception, a
 * reset): the verdict only says "consistent" or "differs" if that holds wherever they went, and
 * only says anything if this many requests could show a skew at all.
 */
export function judgeSplit(
  picked: readonly number[],
  weights: Weights,
  unattributed: number,
  alpha: number,
  options: FitOptions = {},
): FitResult {
  if (!weights.some((w) => w > 0)) return nothingExpected(picked, alpha);
  const test = goodnessOfFit(picked, weights, alpha, options);
  const verdict = (
    outcome: FitResult['outcome'],
    reason: string | null = null,
    range?: FitTest[],
  ) => fitResult(test, alpha, outcome, reason, range);
  const n = sum(picked);
  if (n === 0) {
    return verdict(
      'inconclusive',
      unattributed > 0
        ? `no response named its target (${unattributed} request(s) without one): is this a Portkey gateway?`
        : 'no request completed',
    );
  }
  // Traffic to a weight-0 target is a difference whatever else happened.
  if (test.zeroWeightViolations.length > 0) return verdict('differs');
  // With one target that can be picked, traffic elsewhere is the only way to differ.
  if (weights.filter((w) => w > 0).length < 2) return verdict('consistent');
  const total = n + unattributed;
  const extreme = goodnessOfFit(mostExtreme(total, weights), weights, alpha, options);
  if (extreme.pValue >= alpha) {
    return verdict(
      'inconclusive',
      `${total} request(s) cannot show a skew at alpha ${alpha}: even all of them on one target gives p = ${round(extreme.pValue)}`,
    );
  }
  if (unattributed === 0) {
    if (tooCloseToCall(test, alpha)) return verdict('inconclusive', tooClose(test));
    return verdict(test.pValue >= alpha ? 'consistent' : 'differs');
  }
  const best = goodnessOfFit(
    bestAllocation(picked, weights, unattributed),
    weights,
    alpha,
    options,
  );
  const worst = worstAllocations(picked, weights, unattributed, test.method === 'monte-carlo')
    .map((counts) => goodnessOfFit(counts, weights, alpha, options))
    .reduce((a, b) => (b.pValue < a.pValue ? b : a));
  const range = [worst, best];
  if (worst.pValue >= alpha && !tooCloseToCall(worst, alpha)) {
    return verdict('consistent', null, range);
  }
  if (best.pValue < alpha && !tooCloseToCall(best, alpha)) return verdict('differs', null, range);
  return verdict(
    'inconclusive',
    `${unattributed} request(s) could not be attributed: depending on where they went, p is between ${round(worst.pValue)} and ${round(best.pValue)}, on both sides of alpha ${alpha}`,
    range,
  );
}

/**
 * Weights that are all 0: a config that routes none of these requests to any provider (all its
 * weights 0, or a conditional that matches nothing). A request that reached one anyway differs.
 */
function nothingExpected(picked: readonly number[], alpha: number): FitResult {
  const violations = picked.flatMap((count, i) => (count > 0 ? [i] : []));
  const test: FitTest = {
    method: 'exact-multinomial',
    statistic: violations.length > 0 ? Number.POSITIVE_INFINITY : 0,
    df: 0,
    pValue: violations.length > 0 ? 0 : 1,
    zeroWeightViolations: violations,
  };
  return violations.length > 0
    ? fitResult(test, alpha, 'differs', null, undefined)
    : fitResult(
        test,
        alpha,
        'inconclusive',
        'no target was expected to receive these requests, and none did',
        undefined,
      );
}

function fitResult(
  test: FitTest,
  alpha: number,
  outcome: FitResult['outcome'],
  reason: string | null,
  range: FitTest[] | undefined,
): FitResult {
  const result: FitResult = {
    method: test.method,
    statistic: test.statistic,
    df: test.df,
    pValue: test.pValue,
    alpha,
    outcome,
    reason,
    pValueRange: range ? [range[0]?.pValue ?? 0, range[1]?.pValue ?? 1] : null,
    zeroWeightViolations: test.zeroWeightViolations,
  };
  if (test.monteCarloSamples !== undefined) result.monteCarloSamples = test.monteCarloSamples;
  if (test.monteCarloSeed !== undefined) result.monteCarloSeed = test.monteCarloSeed;
  return result;
}

function tooClose(test: FitTest): string {
  return `the Monte Carlo estimate p = ${round(test.pValue)} (± ${round(test.pValueError ?? 0)}, ${test.monteCarloSamples} draws) is too close to alpha to call`;
}

function round(p: number): string {
  return String(Number(p.toPrecision(2)));
}

/** Every request on the target with the smallest non-zero weight: the least likely outcome. */
function mostExtreme(total: number, weights: Weights): number[] {
  let rarest = -1;
  weights.forEach((w, i) => {
    if (w > 0 && (rarest < 0 || w < (weights[rarest] as number))) rarest = i;
  });
  return weights.map((_, i) => (i === rarest ? total : 0));
}

/**
 * The unattributed requests spread to fit the weights as well as they can: each in turn to the
 * target whose X² it raises least. X² is separable and convex in the counts, so this greedy
 * allocation minimizes it exactly.
 */
function bestAllocation(picked: readonly number[], weights: Weights, extra: number): number[] {
  const counts = [...picked];
  const total = sum(picked) + extra;
  for (let r = 0; r < extra; r++) {
    let best = -1;
    let bestRise = Number.POSITIVE_INFINITY;
    weights.forEach((w, i) => {
      if (w <= 0) return;
      const expected = total * w;
      const rise = (2 * ((counts[i] as number) - expected) + 1) / expected;
      if (rise < bestRise) {
        bestRise = rise;
        best = i;
      }
    });
    counts[best] = (counts[best] as number) + 1;
  }
  return counts;
}

/**
 * The allocations that fit the weights worst: all unattributed requests on one target. X² is
 * convex, so its maximum over the allocations is at one of these corners; the exact p-value is
 * taken at each (at the one with the largest X² alone when it is a Monte Carlo estimate).
 */
function worstAllocations(
  picked: readonly number[],
  weights: Weights,
  extra: number,
  onlyLargest: boolean,
): number[][] {
  const corners = weights.flatMap((w, i) =>
    w > 0 ? [picked.map((c, j) => (j === i ? c + extra : c))] : [],
  );
  if (!onlyLargest) return corners;
  const total = sum(picked) + extra;
  const x2 = (counts: number[]) =>
    counts.reduce((acc, c, i) => {
      const e = total * (weights[i] as number);
      return e > 0 ? acc + (c - e) ** 2 / e : acc;
    }, 0);
  return [corners.reduce((a, b) => (x2(b) > x2(a) ? b : a))];
}
