// Seeded draws for simulation tests: outcomes of a multinomial split, as counts per target.
import mt19937 from '@stdlib/random-base-mt19937';

export function multinomialSampler(shares: readonly number[], seed: number) {
  const rng = mt19937.factory({ seed });
  const uniform = () => (rng() + 0.5) / (mt19937.MAX + 1);
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
