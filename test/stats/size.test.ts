// The verdict keeps its size: on a gateway that follows the weights exactly, "differs" comes at
// most alpha of the time, within simulation error, for two to six targets and skewed weights,
// at the README's CI alpha (0.001) and at the default (0.05).
import { describe, expect, it } from 'vitest';
import { judgeSplit } from '../../src/stats/verdict.js';
import { normalizeWeights } from '../../src/weights.js';
import { multinomialSampler } from './simulate.js';

const cases: [string, number[], number, number, number][] = [
  // label, raw weights, requests, alpha, simulated runs
  ['1:9, n 50 (chi-square rejected this 3x as often as alpha)', [1, 9], 50, 0.001, 40_000],
  ['1:9:10, n 100', [1, 9, 10], 100, 0.001, 10_000],
  ['1:1:1:1:1:20, n 125', [1, 1, 1, 1, 1, 20], 125, 0.05, 2_000],
  ['1:5:5:5, n 40', [1, 5, 5, 5], 40, 0.05, 4_000],
  ['25:75, n 400', [1, 3], 400, 0.05, 10_000],
];

describe('the false-alarm rate of the verdict', () => {
  it.each(cases)('%s', (_, raw, n, alpha, runs) => {
    const weights = normalizeWeights(raw);
    const draw = multinomialSampler(weights, 3);
    // Fewer Monte Carlo draws than a run uses: still a valid test, and it keeps this fast.
    const options = { monteCarloSamples: 2_000, maxMonteCarloSamples: 2_000 };
    let alarms = 0;
    for (let r = 0; r < runs; r++) {
      if (judgeSplit(draw(n), weights, 0, alpha, options).outcome === 'differs') alarms += 1;
    }
    // At most alpha, plus three standard errors of the simulation.
    const bound = runs * alpha + 3 * Math.sqrt(runs * alpha * (1 - alpha));
    expect(alarms).toBeLessThanOrEqual(bound);
  });
});
