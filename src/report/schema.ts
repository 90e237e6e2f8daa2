// The results document (--json, --out, and what `lb-demo report` reads back), declared once: this
// schema types what a run writes (report/json.ts) and checks what is read (report/document.ts). Fields that later versions
// added have defaults, so older documents still read. Plain data, snake_case keys.
import { z } from 'zod';
import { callSchemas } from './schema-calls.js';
import { merged, shard, shardsHomogeneity } from './schema-shards.js';

const latency = z.object({
  count: z.number(),
  avg: z.number(),
  min: z.number(),
  max: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
});
/** Percentiles of a sample; null when there was no sample. */
const latencyOrNull = latency.nullable();
const pair = z.tuple([z.number(), z.number()]);
const { providerCalls, faultOutcome, retrySchedule } = callSchemas(latencyOrNull);

const target = z
  .object({
    index: z.number(),
    name: z.string(),
    provider: z.string(),
    custom_host: z.string(),
    model: z.string().nullable(),
    /** The normalized weight: the same number as expected_share, kept for older readers. */
    weight: z.number(),
    expected_share: z.number(),
    /** Requests picked for this target that succeeded (picked - failed). */
    count: z.number(),
    failed: z.number(),
    /** The same number as picked, kept for older readers. */
    routed: z.number(),
    /** Requests the load balancer picked this target for (documents before 0.2: routed). */
    picked: z.number().optional(),
    /** Successful responses this target produced, itself picked or as a fallback. */
    answered: z.number().optional(),
    share: z.number(),
    deviation_pp: z.number(),
    ci95: pair,
    expected_range: pair,
    latency_ms: latencyOrNull,
    retries: z.number(),
    output_tokens: z.number(),
    fallbacks: z.number().default(0),
    ttft_ms: latencyOrNull.default(null),
    tpot_ms: latencyOrNull.default(null),
    /** Provider calls this target received, retries and fallbacks included; null in older documents. */
    provider_calls: z.number().nullable().default(null),
  })
  // Always last, whether read from a document that has them or filled in for one that has not.
  .transform(({ picked, answered, ...t }) => ({
    ...t,
    picked: picked ?? t.routed,
    answered: answered ?? t.count,
  }));

/** A verdict on a split, as the scenario's test and each loadbalance node's carry it. */
const fitFields = {
  method: z.enum(['chi-square', 'exact-binomial', 'exact-multinomial', 'monte-carlo']),
  statistic: z.number(),
  df: z.number(),
  p_value: z.number(),
  alpha: z.number(),
  /** true, false, or null when inconclusive. */
  consistent: z.boolean().nullable(),
  /** Documents before 0.2 have only `consistent`. */
  outcome: z.enum(['consistent', 'differs', 'inconclusive']).optional(),
  reason: z.string().nullable().default(null),
  p_value_range: pair.nullable().default(null),
  verdict: z.string(),
  zero_weight_violations: z.array(z.number()),
  monte_carlo_samples: z.number().optional(),
  seed: z.number().optional(),
};

const withOutcome = <
  T extends {
    consistent: boolean | null;
    outcome?: 'consistent' | 'differs' | 'inconclusive' | undefined;
  },
>({
  outcome,
  ...t
}: T) => ({
  ...t,
  outcome:
    outcome ?? (t.consistent === null ? 'inconclusive' : t.consistent ? 'consistent' : 'differs'),
});

const test = z.object({ ...fitFields, requests_for_5pp_skew: z.number() }).transform(withOutcome);

/** A leaf of the user's config: a provider, with what the tree predicts for it and what it got. */
const leaf = z.object({
  path: z.string(),
  name: z.string(),
  provider: z.string(),
  model: z.string().nullable(),
  /** Its weight as written; null when it has none (a loadbalance counts it as 1). */
  weight: z.number().nullable(),
  expected_share: z.number(),
  picked: z.number(),
  answered: z.number(),
  failed: z.number(),
  share: z.number(),
  deviation_pp: z.number(),
  ci95: pair,
  latency_ms: latencyOrNull,
});

/** A routing node of the user's config; `test` for a loadbalance with two or more live targets. */
const node = z.object({
  path: z.string(),
  name: z.string().nullable(),
  mode: z.enum(['single', 'loadbalance', 'fallback', 'conditional']),
  weight: z.number().nullable(),
  children: z.array(z.string()),
  /** Share of lb-demo's requests whose first choice goes through it, and the requests that did. */
  expected_share: z.number(),
  picked: z.number(),
  /** Among the requests that reached it: counts per child, and the verdict at its Holm level. */
  counts: z.array(z.number()).nullable(),
  test: z.object(fitFields).transform(withOutcome).nullable(),
});

const caseEntry = z.object({
  label: z.string(),
  source: z.enum(['built', 'user']),
  metadata: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()),
  expect: z.string().nullable(),
  predicted_leaves: z.array(z.string()),
  predicted_branches: z.array(z.string()),
  expect_agrees: z.boolean().nullable(),
  requests: z.number(),
  observed: z.array(z.object({ leaf: z.string(), requests: z.number() })),
  unattributed: z.number(),
  failed: z.number(),
  passed: z.boolean(),
  reason: z.string(),
});

const finding = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  path: z.string(),
  rule: z.string(),
  message: z.string(),
});

/** A mergeable distribution: log-linear buckets as parallel arrays (see `histograms`). */
const distribution = z.object({
  count: z.number(),
  sum: z.number(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  indexes: z.array(z.number()),
  counts: z.array(z.number()),
});

/** Every distribution behind the scenario's percentiles, for merging runs or shards. */
const histograms = z.object({
  scheme: z.literal('log-linear'),
  /** Values below this share bucket 0; above, each power of two is cut into sub_buckets. */
  lowest_ms: z.number(),
  sub_buckets: z.number(),
  /** Of a bucket's midpoint to any value in it (at or above lowest_ms). */
  max_relative_error: z.number(),
  /** Per target that answered, and a last row for answers of unknown origin. */
  latency_ms: z.array(distribution),
  ttft_ms: z.array(distribution),
  tpot_ms: z.array(distribution),
  direct_latency_ms: distribution,
  fallback_latency_ms: distribution,
  schedule_lag_ms: distribution,
});

/** An open loop's schedule kept: every arrival it held was sent or dropped. */
const openLoop = z.object({
  scheduled: z.number(),
  sent: z.number(),
  dropped: z.number(),
  dropped_at_max_in_flight: z.number(),
  dropped_behind_schedule: z.number(),
  late: z.number(),
  late_threshold_ms: z.number(),
  schedule_lag_ms: latencyOrNull,
  max_in_flight: z.number(),
  peak_in_flight: z.number(),
});

const gatewayConfig = z.object({
  retry: z
    .object({
      attempts: z.number(),
      on_status_codes: z.array(z.number()),
      use_retry_after_header: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  request_timeout_ms: z.number().nullable().default(null),
  fallback: z.boolean().default(false),
});

const scenario = z
  .object({
    scenario: z.string(),
    variant: z.string().nullable().default(null),
    label: z.string().default(''),
    number: z.number().default(0),
    title: z.string().default(''),
    strategy: z.string().default(''),
    disruptions: z.array(z.string()).default([]),
    gateway_config: gatewayConfig.default({
      retry: null,
      request_timeout_ms: null,
      fallback: false,
    }),
    requests: z.number(),
    planned_requests: z.number().nullable(),
    duration_s: z.number().nullable().default(null),
    load: z.object({
      mode: z.enum(['closed-loop', 'open-loop']),
      concurrency: z.number().nullable(),
      rate_per_s: z.number().nullable(),
      stream: z.boolean(),
      /** Threads that sent (--workers). */
      workers: z.number().default(1),
    }),
    /** Open loop: scheduled, sent, late, dropped; null in a closed loop. */
    open_loop: openLoop.nullable().default(null),
    /** When it started sending (ISO 8601, the sending machine's clock); null before 0.2. */
    started_at: z.string().nullable().default(null),
    interrupted: z.boolean().default(false),
    /** Why it stopped early: interrupted (Ctrl-C, SIGTERM) or gateway-gone. */
    stop_reason: z.enum(['interrupted', 'gateway-gone']).nullable().default(null),
    elapsed_ms: z.number(),
    /** Completed requests / elapsed_ms (first sent to last completed). */
    requests_per_s: z.number(),
    /** First to last request sent, and the sending rate over it. */
    send_window_ms: z.number().nullable().default(null),
    sent_per_s: z.number().nullable().default(null),
    output_tokens_per_s: z.number(),
    retries: z.number(),
    retries_exhausted: z.number().default(0),
    fallbacks: z.number().default(0),
    fallback_latency_ms: latencyOrNull.default(null),
    direct_latency_ms: latencyOrNull.default(null),
    ttft_ms: latencyOrNull.default(null),
    tpot_ms: latencyOrNull.default(null),
    succeeded: z.number(),
    failed: z.number(),
    success_rate: z.number(),
    latency_ms: latencyOrNull,
    test,
    /** Requests whose pick is known; of them, known from a simulator, not a header. */
    attributed: z.number(),
    attributed_by_simulator: z.number().default(0),
    latency_histogram: z.object({
      /** Shared, log-spaced bin edges in ms. */
      edges_ms: z.array(z.number()),
      /** counts[target][bin]. */
      counts: z.array(z.array(z.number())),
    }),
    targets: z.array(target),
    /** Requests whose pick nothing told (before 0.2: successful ones only), and by cause. */
    unattributed: z.number().default(0),
    unattributed_by_cause: z.record(z.string(), z.number()).default({}),
    /** Failed answers that had delivered content before they broke, and its output tokens. */
    partial_answers: z.number().default(0),
    partial_output_tokens: z.number().default(0),
    failures: z.record(z.string(), z.number()),
    /** Failed requests that got an HTTP status, by status; empty in older documents. */
    failure_statuses: z.record(z.string(), z.number()).default({}),
    /** What the requests cost the providers; null in older documents. */
    provider_calls: providerCalls.nullable().default(null),
    /** What became of the requests each injected fault hit. */
    fault_outcomes: z.array(faultOutcome).default([]),
    /** How the gateway spaced its retries, measured; null when no request was retried. */
    retry_schedule: retrySchedule.nullable().default(null),
    /** The distributions behind the percentiles; null in documents before lb-demo 0.2. */
    histograms: histograms.nullable().default(null),
    /** The config scenario: the file, whether its leaves were simulated, the tree and its tests. */
    config_file: z.string().nullable().default(null),
    dry_run: z.boolean().nullable().default(null),
    leaves: z.array(leaf).nullable().default(null),
    nodes: z.array(node).nullable().default(null),
    /** How many tests share alpha (Holm's step-down correction). */
    tests_in_family: z.number().nullable().default(null),
    /** The run's alpha, which Holm's levels divide among them. */
    family_alpha: z.number().nullable().default(null),
    cases: z.array(caseEntry).nullable().default(null),
    lint: z.array(finding).nullable().default(null),
    /** A merged run: whether the shards saw the same split (shards x targets homogeneity). */
    shards_homogeneity: shardsHomogeneity.nullable().default(null),
  })
  .superRefine((s, context) => {
    const { counts, edges_ms: edges } = s.latency_histogram;
    const path = ['latency_histogram', 'counts'];
    if (counts.length !== s.targets.length) {
      context.addIssue({
        code: 'custom',
        path,
        message: `must hold one row per target (${s.targets.length}), not ${counts.length}`,
      });
      return;
    }
    const bins = Math.max(edges.length - 1, 0);
    counts.forEach((row, i) => {
      if (row.length !== bins) {
        const message = `must hold ${bins} numbers, not ${row.length}`;
        context.addIssue({ code: 'custom', path: [...path, i], message });
      }
    });
  });

const check = z.object({
  check: z.enum([
    'fail-on-skew',
    'min-success-rate',
    'max-p99',
    'any-success',
    'conditional-routing',
    'shard-drift',
    'shard-coverage',
  ]),
  scenario: z.string(),
  passed: z.boolean(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  message: z.string(),
});

export const ResultsDocumentSchema = z.object({
  /** Bumped when a field changes meaning or goes away; new fields may appear without a bump. */
  format: z.string().default('lb-demo/results@1'),
  lb_demo: z.string(),
  gateway: z.string(),
  embedded_gateway: z.object({ package: z.string(), version: z.string() }).nullable().default(null),
  simulated_providers: z
    .array(
      z.object({
        target: z.string(),
        kind: z.string(),
        latency_ms: z.number(),
        faults: z.string().nullable().default(null),
        served_chat_completions: z.number(),
        /** Chat requests it received, answered or not: retries and fallbacks included. */
        received_chat_requests: z.number().nullable().default(null),
        /** Chat requests hit by each injected fault, by its own count (non-zero ones). */
        injected_faults: z.record(z.string(), z.number()).default({}),
      }),
    )
    .default([]),
  interrupted: z.boolean().default(false),
  /** One shard of a run spread over several processes; null for a whole run. */
  shard: shard.nullable().default(null),
  /** Written by `lb-demo merge`: the run its shards made up; null for a run or a shard. */
  merged: merged.nullable().default(null),
  checks: z.array(check).default([]),
  checks_passed: z.boolean().nullable().default(null),
  scenarios: z.array(scenario),
});

export type ResultsDocument = z.output<typeof ResultsDocumentSchema>;
export type ScenarioEntry = ResultsDocument['scenarios'][number];
export type TargetEntry = ScenarioEntry['targets'][number];
export type LatencyEntry = z.output<typeof latency>;
export type CheckEntry = ResultsDocument['checks'][number];
export type TestEntry = ScenarioEntry['test'];
export type LeafEntry = z.output<typeof leaf>;
export type NodeEntry = z.output<typeof node>;
export type CaseEntry = z.output<typeof caseEntry>;

export const RESULTS_FORMAT = 'lb-demo/results@1';
