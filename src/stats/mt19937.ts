// The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998), seeded as their reference
// init_genrand does. A seed gives the same stream as any faithful MT19937, so a run's Poisson
// arrivals and the Monte Carlo test's draws repeat exactly for the same seed. Pure.

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The largest output: 2³² - 1. */
export const MT19937_MAX = 0xffffffff;

/** A generator of uniform integers in [0, 2³² - 1] for a seed in the same range. */
export function mt19937(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > MT19937_MAX) {
    throw new Error(`an MT19937 seed must be an integer in [0, ${MT19937_MAX}] (got ${seed})`);
  }
  const state = new Uint32Array(N);
  state[0] = seed;
  for (let i = 1; i < N; i++) {
    const previous = state[i - 1] as number;
    // Uint32Array stores modulo 2³², which is the reference's unsigned arithmetic.
    state[i] = Math.imul(1812433253, previous ^ (previous >>> 30)) + i;
  }
  let index = N;
  return () => {
    if (index >= N) {
      twist(state);
      index = 0;
    }
    let y = state[index++] as number;
    // Tempering.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

/** Generates the next N words of state in place. */
function twist(state: Uint32Array): void {
  for (let i = 0; i < N; i++) {
    const y = ((state[i] as number) & UPPER_MASK) | ((state[(i + 1) % N] as number) & LOWER_MASK);
    state[i] = (state[(i + M) % N] as number) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  }
}
