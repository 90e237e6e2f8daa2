// The parts of the results document (schema.ts) that sharded runs add: a shard's identity, what
// `lb-demo merge` made of the shards, and the test of one split across them.
import { z } from 'zod';

/** One shard of a run spread over several processes. */
export const shard = z.object({
  run_id: z.string(),
  index: z.number(),
  count: z.number(),
  /** Digest of what every shard of the run must share: merge refuses shards that differ. */
  fingerprint: z.string(),
  /** The checks asked for, judged by `lb-demo merge` on all shards, not by the shard. */
  alpha: z.number(),
  gate: z.object({
    fail_on_skew: z.boolean(),
    min_success_rate_pct: z.number().nullable(),
    max_p99_ms: z.number().nullable(),
  }),
});

/** Written by `lb-demo merge`: the run its shards made up. */
export const merged = z.object({
  run_id: z.string(),
  shards: z.number(),
  /** Shard indexes whose document was there and complete, missing, or cut short. */
  complete: z.array(z.number()),
  missing: z.array(z.number()),
  incomplete: z.array(z.number()),
  /**
   * Percentiles come from the shards' merged histograms: each within this relative error of
   * the percentile of all the requests together (counts, means and extremes are exact).
   */
  percentile_max_relative_error: z.number(),
});

/** Whether the shards saw the same split (a test of homogeneity of shards x targets). */
export const shardsHomogeneity = z.object({
  method: z.enum(['chi-square', 'monte-carlo']),
  statistic: z.number(),
  df: z.number(),
  p_value: z.number(),
  alpha: z.number(),
  outcome: z.enum(['consistent', 'differs', 'inconclusive']),
  reason: z.string().nullable(),
  monte_carlo_samples: z.number().optional(),
  seed: z.number().optional(),
});
