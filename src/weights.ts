// Weights become `Weights` here and nowhere else: scaled to sum to 1, zero weights kept at zero
// (the gateway never picks them). Raw weights are checked at the edge (src/settings/values.ts).
import type { Weights } from './model/input.js';

/** Scales weights so that they sum to 1. Throws when there is nothing to scale. */
export function normalizeWeights(raw: readonly number[]): Weights {
  const total = raw.reduce((sum, w) => sum + w, 0);
  if (raw.length === 0 || !(total > 0) || !Number.isFinite(total) || raw.some((w) => !(w >= 0))) {
    throw new Error(`weights cannot be normalized: [${raw.join(', ')}]`);
  }
  return raw.map((w) => w / total) as unknown as Weights;
}

/** n equal weights: what the seed called "round-robin" (the gateway still picks at random). */
export function equalWeights(n: number): Weights {
  return normalizeWeights(Array.from({ length: n }, () => 1));
}

/**
 * Shares a config's tree predicts, scaled to sum to 1; all zero when it routes nothing (a
 * conditional that matches nothing, a loadbalance whose weights are all 0).
 */
export function shareWeights(shares: readonly number[]): Weights {
  const total = shares.reduce((sum, w) => sum + w, 0);
  return (total > 0 ? normalizeWeights(shares) : shares.map(() => 0)) as unknown as Weights;
}
