// Shards: totals split exactly, seeds apart, the index and run id read as a Job gives them.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { fingerprint, parseShard, shardLoad } from '../../src/settings/shard.js';
import { partSeed, shareOf, splitCount } from '../../src/split.js';

describe('shareOf', () => {
  it('splits every total over every shard count with nothing lost or added', () => {
    for (let count = 1; count <= 12; count++) {
      for (let total = count; total <= 200; total++) {
        const parts = Array.from({ length: count }, (_, index) => shareOf(total, { index, count }));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }
    }
    expect([0, 1, 2, 3].map((index) => shareOf(10, { index, count: 4 }))).toEqual([3, 3, 2, 2]);
  });
});

describe('parseShard', () => {
  const env = { LB_RUN_ID: 'run-7' };
  it('reads --shard i/N, or --shards N with the Job’s index', () => {
    expect(parseShard({ shard: '2/4' }, env)).toEqual({ index: 2, count: 4, runId: 'run-7' });
    expect(parseShard({ shards: '4', runId: 'x' }, { JOB_COMPLETION_INDEX: '3' })).toEqual({
      index: 3,
      count: 4,
      runId: 'x',
    });
    expect(parseShard({}, { LB_SHARDS: '2', JOB_COMPLETION_INDEX: '0', ...env })?.count).toBe(2);
    expect(parseShard({}, env)).toBeUndefined();
  });

  it.each([
    [{ shard: '4/4' }, env, /the index runs from 0 to 3/],
    [{ shard: '1-4' }, env, /expected INDEX\/COUNT/],
    [{ shard: '0/0' }, env, /COUNT/],
    [{ shard: '0/2' }, {}, /needs a run id/],
    [{ shard: '0/2', runId: 'a b' }, {}, /--run-id: expected letters/],
    [{ shards: '2' }, env, /JOB_COMPLETION_INDEX .* is not set/],
    [
      { shards: '2' },
      { ...env, JOB_COMPLETION_INDEX: 'x' },
      /JOB_COMPLETION_INDEX: expected a whole number/,
    ],
    [{ runId: 'r' }, {}, /--run-id: only for a sharded run/],
  ])('%j with %j: one line', (options, given, message) => {
    expect(() => parseShard(options, given)).toThrow(UsageError);
    expect(() => parseShard(options, given)).toThrow(message);
  });
});

describe('shardLoad', () => {
  const load = {
    concurrency: 10,
    stream: false,
    timeoutMs: 1000,
    streamIdleTimeoutMs: 30_000,
    maxInFlight: 100,
    workers: 1,
  };
  it('splits --concurrency, divides --rate, and gives each shard its own seed', () => {
    const shard = (index: number) => ({ index, count: 4, runId: 'r' });
    expect([0, 1, 2, 3].map((i) => shardLoad(load, shard(i), true).concurrency)).toEqual([
      3, 3, 2, 2,
    ]);
    // Without --concurrency each shard keeps the run's own (one request at a time by default).
    expect(shardLoad(load, shard(0), false).concurrency).toBe(10);
    const rated = [0, 1, 2, 3].map((i) => shardLoad({ ...load, rate: 100 }, shard(i), false));
    expect(rated.map((l) => l.rate)).toEqual([25, 25, 25, 25]);
    expect(new Set(rated.map((l) => l.seed)).size).toBe(4);
    expect(() => shardLoad({ ...load, concurrency: 3 }, shard(0), true)).toThrow(
      /cannot be split over 4/,
    );
  });

  it('refuses more workers than the shard has requests in flight', () => {
    const shard = { index: 3, count: 4, runId: 'r' };
    expect(() => shardLoad({ ...load, workers: 3 }, shard, true)).toThrow(
      /this shard's part of --concurrency is 2/,
    );
  });
});

describe('partSeed', () => {
  it('derives seeds that are repeatable and apart', () => {
    expect(partSeed(1, 0)).toBe(partSeed(1, 0));
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => partSeed(1, i)));
    expect(seeds.size).toBe(1000);
  });

  it("gives a shard's workers seeds no other shard's workers have", () => {
    const seeds = new Set<number>();
    for (let shard = 0; shard < 30; shard++) {
      for (let worker = 0; worker < 30; worker++) seeds.add(partSeed(partSeed(7, shard), worker));
    }
    expect(seeds.size).toBe(900);
  });
});

describe('splitCount', () => {
  it('adds up to the total, the larger parts first', () => {
    expect(splitCount(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitCount(2, 4)).toEqual([1, 1, 0, 0]);
  });
});

describe('fingerprint', () => {
  it('is the same for the same settings in any key order, and differs when one differs', () => {
    expect(fingerprint({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      fingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});
