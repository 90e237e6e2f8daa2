// Totals split into parts exactly (the parts add up to the total), and a seed of its own for each
// part. Used for worker threads within a process and for shards across processes. Pure.

/** Part i of n of a total: the first (total mod n) parts take one more. */
export function shareOf(total: number, part: { index: number; count: number }): number {
  const base = Math.floor(total / part.count);
  return base + (part.index < total % part.count ? 1 : 0);
}

/** A total split into `parts` whole shares that add up to it, the larger ones first. */
export function splitCount(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => shareOf(total, { index, count: parts }));
}

/**
 * A seed for part `index`, from the whole's seed: the two mixed (a SplitMix32 finalizer), so that
 * the parts' random streams are unrelated, repeatable, and mixing twice (a shard's worker) does
 * not give the seed of another shard's worker.
 */
export function partSeed(seed: number, index: number): number {
  let z = (seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z === 0 ? 1 : z;
}
