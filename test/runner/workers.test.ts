import { describe, expect, it } from 'vitest';
import type { LoadShape } from '../../src/runner/loop.js';
import { splitShape } from '../../src/runner/workers.js';
import { partSeed, splitCount } from '../../src/split.js';

const closed: LoadShape = { concurrency: 10, requests: 101, stream: false, timeoutMs: 1000 };

describe('splitShape: each worker thread a share, nothing lost to rounding', () => {
  it('splits counts into whole shares that add up, the larger first', () => {
    expect(splitCount(10, 3)).toEqual([4, 3, 3]);
    expect(splitCount(2, 4)).toEqual([1, 1, 0, 0]);
    expect(splitCount(7, 1)).toEqual([7]);
  });

  it('splits concurrency and requests, and interleaves the request numbers', () => {
    const shares = splitShape({ ...closed, tag: { header: 'x-id', prefix: 'd' } }, 3);
    expect(shares.map((s) => [s.concurrency, s.requests])).toEqual([
      [4, 34],
      [3, 34],
      [3, 33],
    ]);
    // Worker i sends i, i + 3, i + 6, ...: together 0..100, each once.
    const seqs = shares.flatMap((s) =>
      Array.from(
        { length: s.requests ?? 0 },
        (_, n) => (s.seqOffset ?? 0) + n * (s.seqStride ?? 1),
      ),
    );
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(new Set(shares.map((s) => s.tag?.prefix)).size).toBe(3);
  });

  it('gives each worker rate/n with a seed of its own, and splits the cap', () => {
    const shares = splitShape(
      { concurrency: 1, rate: 300, seed: 7, maxInFlight: 5, stream: false, timeoutMs: 1000 },
      2,
    );
    expect(shares.map((s) => [s.rate, s.maxInFlight])).toEqual([
      [150, 3],
      [150, 2],
    ]);
    expect(shares[0]?.seed).toBe(partSeed(7, 0));
    expect(shares[0]?.seed).not.toBe(shares[1]?.seed);
    expect(partSeed(7, 0)).toBe(partSeed(7, 0));
  });

  it('leaves out workers with nothing to send', () => {
    expect(splitShape({ ...closed, requests: 2 }, 3)).toHaveLength(2);
  });
});
