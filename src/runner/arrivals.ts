// When the open loop sends: Poisson arrivals from a seeded generator.
import { MT19937_MAX, mt19937 } from '../stats/mt19937.js';

/**
 * Gaps between Poisson arrivals at `rate` per second: exponentially distributed, mean 1000/rate ms.
 * Drawn from a seeded generator so that a run's arrival pattern can be repeated.
 */
export function exponentialGaps(rate: number, seed: number): () => number {
  const uniform = mt19937(seed);
  const max = MT19937_MAX + 1;
  return () => {
    const u = (uniform() + 0.5) / max; // in (0, 1): never log(0)
    return (-Math.log(u) * 1000) / rate;
  };
}
