// What each scenario sends and what it expects: the seed's three (round-robin, weighted,
// distribution) and three resilience scenarios (failover, retry, timeout) that inject faults into
// the simulated providers and run with and without the gateway feature that absorbs them.
import type { ScenarioName, TargetSpec, Weights } from './model/input.js';
import type { Disruption, ScenarioPlan } from './model/plan.js';
import {
  failoverConfig,
  leavesOf,
  loadBalanceConfig,
  withRequestTimeout,
  withRetry,
} from './portkey-config.js';
import { PROMPTS } from './prompts.js';
import { equalWeights } from './weights.js';

export const SEED_SCENARIOS = ['round-robin', 'weighted', 'distribution'] as const;
export const RESILIENCE_SCENARIOS = ['failover', 'retry', 'timeout'] as const;
export const SCENARIO_NAMES = [
  ...SEED_SCENARIOS,
  ...RESILIENCE_SCENARIOS,
] as const satisfies readonly ScenarioName[];
/** What --scenario accepts: a name, `all` (the seed's three) or `resilience`. */
export const SCENARIO_CHOICES = [...SCENARIO_NAMES, 'all', 'resilience'] as const;

const DEFAULT_REQUESTS: Record<ScenarioName, number> = {
  'round-robin': 6,
  weighted: 10,
  distribution: 20,
  failover: 30,
  retry: 40,
  timeout: 20,
};

/** The gateway's request_timeout in the timeout scenario. */
const TIMEOUT_SCENARIO_MS = 1_000;

export interface PlanOptions {
  /** Overrides the scenario's default request count. */
  requests?: number;
  /** Sends for this long (ms) instead of a count. */
  durationMs?: number;
  /** The weighted scenario's split; defaults to equal weights. */
  weights?: Weights;
}

/** What every plan starts from: equal weights, the seed's prompts, a line per request. */
type Base = Omit<ScenarioPlan, 'number' | 'title' | 'strategy' | 'config' | 'leaves'>;

/** A plan as the builders write it; the leaves come from the config. */
type Built = Omit<ScenarioPlan, 'leaves'>;

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
    requests: durationMs === undefined ? (options.requests ?? DEFAULT_REQUESTS[name]) : undefined,
    durationMs,
    targets: [...targets],
    weights: equalWeights(targets.length),
    disruptions: [],
    prompts: PROMPTS,
    maxTokens: 100,
    display: 'per-request',
  };
  return BUILDERS[name](base, options).map((plan) => ({ ...plan, leaves: leavesOf(plan.config) }));
}

const BUILDERS: Record<ScenarioName, Builder> = {
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

function lastName(base: Base): string {
  return base.targets[base.targets.length - 1]?.name ?? 'the last target';
}
