// How the results document rounds its numbers. Pure.
import type { LatencyStats } from '../model/stats.js';
import type { LatencyEntry } from './schema.js';

export function roundLatency(latency: LatencyStats | null): LatencyEntry | null {
  if (!latency) return null;
  const { count, avg, min, max, p50, p90, p95, p99 } = latency;
  return {
    count,
    avg: round(avg, 3),
    min: round(min, 3),
    max: round(max, 3),
    p50: round(p50, 3),
    p90: round(p90, 3),
    p95: round(p95, 3),
    p99: round(p99, 3),
  };
}

/** Six significant digits, not decimals: a weight of 1 against 1,000,000 must not read 0. */
export function significant(value: number): number {
  return Number(value.toPrecision(6));
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
