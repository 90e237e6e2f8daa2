// What each scenario sends and what it expects: the seed's three (round-robin, weighted,
// distribution), three resilience scenarios (failover, retry, timeout) that inject faults into
// the simulated providers and run with and without the gateway feature that absorbs them, and
// three drills (stream-failover, slow-first-token, retry-schedule) that watch what the gateway
// does with broken streams, late first tokens and retries.
import type { ScenarioName, ShardSettings, TargetSpec, Weights } from './model/input.js';
import type { Disruption, LoadBalanceConfig, ScenarioPlan } from './model/plan.js';
import type { UserConfig } from './model/tree.js';
import {
  failoverConfig,
  leavesOf,
  loadBalanceConfig,
  withRequestTimeout,
  withRetry,
} from './portkey-config.js';
import { PROMPTS } from './prompts.js';
import { shareOf } from './split.js';
import { leafShares, planLeaves, planNodes, simulatedConfig } from './user-config/plan.js';
import { equalWeights, normalizeWeights, shareWeights } from './weights.js';

export const SEED_SCENARIOS = ['round-robin', 'weighted', 'distribution'] as const;
export const RESILIENCE_SCENARIOS = ['failover', 'retry', 'timeout'] as const;
/** Drills of what the gateway does with broken streams, slow first tokens and retries. */
export const DRILL_SCENARIOS = ['stream-failover', 'slow-first-token', 'retry-schedule'] as const;
export const SCENARIO_NAMES = [
  ...SEED_SCENARIOS,
  ...RESILIENCE_SCENARIOS,
  ...DRILL_SCENARIOS,
] as const satisfies readonly ScenarioName[];
/** What --scenario accepts: a name, `all` (the seed's three), `resilience` or `drills`. */
export const SCENARIO_CHOICES = [...SCENARIO_NAMES, 'all', 'resilience', 'drills'] as const;

const DEFAULT_REQUESTS: Record<ScenarioName, number> = {
  'round-robin': 6,
  weighted: 10,
  distribution: 20,
  failover: 30,
  retry: 40,
  timeout: 20,
  'stream-failover': 20,
  'slow-first-token': 4,
  'retry-schedule': 3,
  config: 100,
};

/** The gateway's request_timeout in the timeout scenario. */
const TIMEOUT_SCENARIO_MS = 1_000;

/** slow-first-token: the gateway's request_timeout, and the first token, well after it. */
const SLOW_DRILL_TIMEOUT_MS = 1_000;
const SLOW_FIRST_TOKEN_MS = 2_500;

/** retry-schedule: the Retry-After asked for, longer than the first backoff it should replace. */
const RETRY_AFTER_S = 3;

export interface PlanOptions {
  /** Overrides the scenario's default request count. */
  requests?: number;
  /** Sends for this long (ms) instead of a count. */
  durationMs?: number;
  /** The weighted scenario's split; defaults to equal weights. */
  weights?: Weights;
  /** The config scenario's tree; its targets are its leaves, in order. */
  userConfig?: UserConfig;
  /** The config scenario: the leaves are lb-demo's simulators, not the providers named. */
  simulated?: boolean;
  /** A shard of a run: the request count is this shard's share of the scenario's total. */
  shard?: ShardSettings;
}

/** A scenario's request count over all shards: --requests, or its default. */
export function totalRequests(name: ScenarioName, requests: number | undefined): number {
  return requests ?? DEFAULT_REQUESTS[name];
}

/** What every plan starts from: equal weights, the seed's prompts, a line per request. */
type Base = Omit<ScenarioPlan, 'number' | 'title' | 'strategy' | 'config' | 'leaves'>;

/** A plan as the builders write it; the leaves come from the config. */
type Built = Omit<ScenarioPlan, 'leaves' | 'config'> & { config: LoadBalanceConfig };

/** A scenario's runs: one for the seed's, two (without and with the remedy) for resilience. */
type Builder = (base: Base, options: PlanOptions) => Built[];

export function planScenario(
  name: ScenarioName,
  targets: readonly TargetSpec[],
  options: PlanOptions = {},
): ScenarioPlan[] {
  const durationMs = options.durationMs;
  const base: Base = {
    name,
    requests:
      durationMs === undefined
        ? shareOf(totalRequests(name, options.requests), options.shard ?? { index: 0, count: 1 })
        : undefined,
    durationMs,
    targets: [...targets],
    weights: equalWeights(targets.length),
    disruptions: [],
    prompts: PROMPTS,
    maxTokens: 100,
    display: 'per-request',
  };
  if (name === 'config') return [planConfig(base, options)];
  return BUILDERS[name](base, options).map((plan) => ({ ...plan, leaves: leavesOf(plan.config) }));
}

/** The model each request names; a leaf without override_params.model passes it on. */
export const CONFIG_REQUEST_MODEL = 'lb-demo';
const CONFIG_MAX_TOKENS = 30;

/** The body fields of a config scenario's requests a conditional can read as params.*. */
export function configRequestBody(): Record<string, unknown> {
  return { model: CONFIG_REQUEST_MODEL, max_tokens: CONFIG_MAX_TOKENS };
}

/**
 * The user's config, as written (their own gateway) or with every leaf on a simulator (the
 * embedded default): the expected split is the tree's own prediction for lb-demo's requests.
 */
function planConfig(base: Base, { userConfig, simulated = false }: PlanOptions): ScenarioPlan {
  if (!userConfig) throw new Error('the config scenario needs the user config');
  const { tree, file } = userConfig;
  const leaves = tree.leaves;
  const stand = leaves.map((leaf) => `${leaf.name} (${leaf.path}, ${leaf.provider})`);
  return {
    ...base,
    number: 1,
    title: `Your config: ${file}`,
    strategy: `${tree.root.mode ?? 'a single provider'} at the top; every loadbalance picks at random by weight`,
    requestModel: CONFIG_REQUEST_MODEL,
    weights: shareWeights(leafShares(tree, configRequestBody(), userConfig.metadata)),
    metadata: userConfig.metadata,
    config: simulated ? simulatedConfig(tree, base.targets) : userConfig.data,
    leaves: planLeaves(tree),
    tree: {
      file,
      nodes: planNodes(tree),
      simulated,
      findings: userConfig.findings,
      notes: simulated
        ? [
            `dry run: the leaves are lb-demo's simulated providers, not the providers named in ${file}: ${stand.join('; ')}`,
          ]
        : [],
    },
    maxTokens: CONFIG_MAX_TOKENS,
    display: 'progress',
  };
}

const BUILDERS: Record<Exclude<ScenarioName, 'config'>, Builder> = {
  'round-robin': (base) => [
    {
      ...base,
      number: 1,
      title: '"Round-robin" load balancing (equal weights)',
      strategy:
        'loadbalance with equal weights: the gateway picks each target at random with equal odds; it does not take turns',
      config: loadBalanceConfig(base.targets, base.weights),
    },
  ],

  weighted: (base, { weights = base.weights }) => [
    {
      ...base,
      number: 2,
      title: 'Weighted load balancing',
      strategy:
        'loadbalance with weights: the gateway picks each target at random, in proportion to its weight',
      weights,
      config: loadBalanceConfig(base.targets, weights),
    },
  ],

  distribution: (base) => [
    {
      ...base,
      number: 3,
      title: `Load distribution analysis (${base.requests === undefined ? `${(base.durationMs ?? 0) / 1000} s` : `${base.requests} requests`})`,
      strategy:
        'loadbalance with equal weights, more requests, to compare the split with the expected one',
      config: loadBalanceConfig(base.targets, base.weights),
      maxTokens: 30,
      display: 'progress',
    },
  ],

  failover: (base) => {
    const afterRequests = Math.max(1, Math.floor((base.requests ?? 30) / 3));
    const knockout: Disruption = {
      target: base.targets.length - 1,
      faults: { outage: true },
      afterRequests,
      description: `${lastName(base)} goes down (connection refused) after ${afterRequests} requests`,
    };
    const common = {
      ...base,
      number: 4,
      title: 'Failover: a provider goes down mid-run',
      disruptions: [knockout],
      maxTokens: 30,
    };
    return [
      {
        ...common,
        variant: 'without fallback',
        strategy:
          'loadbalance with equal weights, no fallback: requests routed to a dead target fail',
        config: loadBalanceConfig(base.targets, base.weights),
      },
      {
        ...common,
        variant: 'with fallback',
        strategy:
          'loadbalance with equal weights, each target falling back to the others (nested fallback strategy)',
        config: failoverConfig(base.targets, base.weights),
      },
    ];
  },

  retry: (base) => {
    const flaky: Disruption = {
      target: base.targets.length - 1,
      faults: { errorRate: 0.3, errorStatus: 503 },
      description: `${lastName(base)} answers 503 to 30% of its requests`,
    };
    const common = {
      ...base,
      number: 5,
      title: 'Retry: a provider that fails some of the time',
      disruptions: [flaky],
      maxTokens: 30,
    };
    const plain = loadBalanceConfig(base.targets, base.weights);
    return [
      {
        ...common,
        variant: 'without retry',
        strategy: 'loadbalance with equal weights, no retry',
        config: plain,
      },
      {
        ...common,
        variant: 'with retry',
        strategy: 'loadbalance with equal weights; the gateway retries 429 and 503 up to 3 times',
        config: withRetry(plain, 3, [429, 503]),
      },
    ];
  },

  'stream-failover': (base) => {
    const first = base.targets[0]?.name ?? 'the first target';
    const weights = only(0, base.targets.length);
    return streamedAndNot({
      ...base,
      number: 7,
      title: 'Stream failover: the first target cuts half its answers midway',
      strategy: `fallback from ${first} to the others; ${first} cuts half its answers after half their content (alternately a clean end without the terminator and a connection reset)`,
      weights,
      config: failoverConfig(base.targets, weights),
      disruptions: [
        {
          target: 0,
          faults: { cutRate: 0.5 },
          description: `${first} cuts 50% of its answers midway (cut_rate=0.5)`,
        },
      ],
      maxTokens: 30,
      display: 'progress',
    });
  },

  'slow-first-token': (base) => {
    const first = base.targets[0]?.name ?? 'the first target';
    const weights = only(0, base.targets.length);
    return streamedAndNot({
      ...base,
      number: 8,
      title: 'Slow first token: headers at once, the first token late',
      strategy: `fallback from ${first} to the others, request_timeout ${SLOW_DRILL_TIMEOUT_MS} ms; ${first} sends its headers at once and its first token after ${SLOW_FIRST_TOKEN_MS} ms`,
      weights,
      config: withRequestTimeout(failoverConfig(base.targets, weights), SLOW_DRILL_TIMEOUT_MS),
      disruptions: [
        {
          target: 0,
          faults: { ttftMs: SLOW_FIRST_TOKEN_MS },
          description: `${first} sends its first token ${SLOW_FIRST_TOKEN_MS} ms after the request (ttft_ms=${SLOW_FIRST_TOKEN_MS})`,
        },
      ],
      maxTokens: 30,
    });
  },

  'retry-schedule': (base) => {
    const last = base.targets.length - 1;
    const name = lastName(base);
    const weights = only(last, base.targets.length);
    const plain = loadBalanceConfig(base.targets, weights);
    const common = {
      ...base,
      number: 9,
      title: 'Retry schedule: when the gateway really retries',
      weights,
      maxTokens: 30,
    };
    const failing = (failFirst: number, status: 429 | 503, retryAfter: number | null) => ({
      target: last,
      faults: { failFirst, errorStatus: status, retryAfterS: retryAfter },
      description: `${name} answers the first ${failFirst} calls of each request ${status}${retryAfter === null ? ', without Retry-After' : ` with Retry-After: ${retryAfter}`}`,
    });
    const variant = (
      label: string,
      disruption: Disruption,
      attempts: number,
      useRetryAfter: boolean,
    ): Built => ({
      ...common,
      variant: label,
      strategy: `all traffic to ${name}; the gateway retries 429 and 503 up to ${attempts} times${useRetryAfter ? ', with use_retry_after_header' : ''}`,
      disruptions: [disruption],
      config: withRetry(plain, attempts, [429, 503], useRetryAfter),
    });
    return [
      variant('503, no Retry-After', failing(2, 503, null), 3, false),
      variant(`429, Retry-After ${RETRY_AFTER_S} s`, failing(2, 429, RETRY_AFTER_S), 3, false),
      variant(
        `429, Retry-After ${RETRY_AFTER_S} s, use_retry_after_header`,
        failing(2, 429, RETRY_AFTER_S),
        3,
        true,
      ),
      // Meant to fail every request: what they show is how the retries run out.
      {
        ...variant('429 until retries run out', failing(5, 429, RETRY_AFTER_S), 2, false),
        failuresExpected: true,
      },
      {
        ...variant(
          '429 until retries run out, use_retry_after_header',
          failing(5, 429, RETRY_AFTER_S),
          2,
          true,
        ),
        failuresExpected: true,
      },
    ];
  },

  timeout: (base) => [
    {
      ...base,
      number: 6,
      title: 'Timeout: a provider that hangs',
      strategy: `loadbalance with equal weights; the gateway gives up on a provider after ${TIMEOUT_SCENARIO_MS} ms (request_timeout)`,
      disruptions: [
        {
          target: 0,
          faults: { hangRate: 0.25 },
          description: `${base.targets[0]?.name ?? 'the first target'} never answers 25% of its requests`,
        },
      ],
      config: withRequestTimeout(
        loadBalanceConfig(base.targets, base.weights),
        TIMEOUT_SCENARIO_MS,
      ),
      maxTokens: 30,
    },
  ],
};

/** All traffic to target `i`: the drills watch one target's conduct, not the split. */
function only(i: number, n: number): Weights {
  return normalizeWeights(Array.from({ length: n }, (_, j) => (j === i ? 1 : 0)));
}

/** The same plan streamed, then not: what the gateway does differs between the two. */
function streamedAndNot(common: Built): Built[] {
  return [
    { ...common, variant: 'streamed', stream: true },
    { ...common, variant: 'not streamed', stream: false },
  ];
}

function lastName(base: Base): string {
  return base.targets[base.targets.length - 1]?.name ?? 'the last target';
}
