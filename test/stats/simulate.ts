// Seeded draws for simulation tests: outcomes of a multinomial split, as counts per target.
import { MT19937_MAX, mt19937 } from '../../src/stats/mt19937.js';

export function multinomialSampler(shares: readonly number[], seed: number) {
  const rng = mt19937(seed);
  const uniform = () => (rng() + 0.5) / (MT19937_MAX + 1);
  return (n: number): number[] => {
    const counts = shares.map(() => 0);
    for (let i = 0; i < n; i++) {
      let u = uniform();
      let j = 0;
      while (j < shares.length - 1 && u >= (shares[j] as number)) {
        u -= shares[j] as number;
        j += 1;
      }
      counts[j] = (counts[j] ?? 0) + 1;
    }
    return counts;
  };
}
