import { describe, expect, it } from 'vitest';
import { equalWeights, normalizeWeights } from '../src/weights.js';

describe('normalizeWeights', () => {
  it('scales weights to sum to 1, as the seed documents', () => {
    expect(normalizeWeights([7, 3])).toEqual([0.7, 0.3]);
    const [a, b, c] = normalizeWeights([5, 3, 1]);
    expect(a).toBeCloseTo(5 / 9, 12);
    expect(b).toBeCloseTo(3 / 9, 12);
    expect(c).toBeCloseTo(1 / 9, 12);
    expect(Number(a?.toFixed(3))).toBe(0.556);
    expect(Number(b?.toFixed(3))).toBe(0.333);
    expect(Number(c?.toFixed(3))).toBe(0.111);
  });

  it('leaves weights that already sum to 1 alone and keeps zero weights at zero', () => {
    expect(normalizeWeights([0.25, 0.75])).toEqual([0.25, 0.75]);
    expect(normalizeWeights([0, 2, 2])).toEqual([0, 0.5, 0.5]);
  });

  // Raw weights are checked at the edge; a set that cannot be normalized is a bug of ours.
  it.each([[[-1, 2]], [[1, Number.NaN]], [[1, Number.POSITIVE_INFINITY]], [[0, 0]], [[]]])(
    'refuses %j',
    (weights) => {
      expect(() => normalizeWeights(weights)).toThrow(/weights cannot be normalized/);
    },
  );

  it('gives n equal weights', () => {
    expect(equalWeights(4)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});
