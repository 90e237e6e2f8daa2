// What each scenario sends and what it expects. The seed's three (round-robin, weighted,
// distribution) and three resilience scenarios (failover, retry, timeout) that inject faults into
// the simulated providers and run with and without the gateway feature that absorbs them.
import {
  createFailoverConfig,
  createRoundRobinConfig,
  createWeightedConfig,
  type LoadBalanceConfig,
  normalizeWeights,
  type TargetSpec,
  withRequestTimeout,
  withRetry,
} from './config.js';
import type { FaultSettings } from './local/simulated-provider.js';

export const SEED_SCENARIOS = ['round-robin', 'weighted', 'distribution'] as const;
export const RESILIENCE_SCENARIOS = ['failover', 'retry', 'timeout'] as const;
export const SCENARIO_NAMES = [...SEED_SCENARIOS, ...RESILIENCE_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
/** What --scenario accepts: a name, `all` (the seed's three) or `resilience`. */
export const SCENARIO_CHOICES = [...SCENARIO_NAMES, 'all', 'resilience'] as const;

/** A fault set on one simulated target, from the start or after some requests have completed. */
export interface Disruption {
  target: number;
  faults: FaultSettings;
  /** Applied once this many requests of the run have completed; from the start when absent. */
  afterRequests?: number;
  /** Words for the report, e.g. "vllm goes down after 10 requests". */
  description: string;
}

export interface ScenarioPlan {
  name: ScenarioName;
  /** The seed numbers its scenarios TEST 1..3; the resilience ones go on from 4. */
  number: number;
  title: string;
  /** "without fallback" / "with fallback" when a scenario runs twice to compare. */
  variant?: string;
  /** One line on how the gateway splits traffic in this scenario. */
  strategy: string;
  /** How many requests to send; undefined when the run is limited by time instead. */
  requests: number | undefined;
  /** How long to send for (ms), instead of a count. */
  durationMs: number | undefined;
  targets: TargetSpec[];
  /** Normalized weights of the top-level targets: the split the gateway should produce. */
  weights: number[];
  config: LoadBalanceConfig;
  disruptions: Disruption[];
  prompts: readonly string[];
  maxTokens: number;
  /** Per-request lines (the seed's tests 1 and 2) or progress lines every few requests (test 3). */
  display: 'per-request' | 'progress';
}

export const DEFAULT_REQUESTS: Record<ScenarioName, number> = {
  'round-robin': 6,
  weighted: 10,
  distribution: 20,
  failover: 30,
  retry: 40,
  timeout: 20,
};

/** The gateway's request_timeout in the timeout scenario. */
export const TIMEOUT_SCENARIO_MS = 1_000;

const PROMPTS = [
  'What is AI?',
  'What is Python?',
  'What is Docker?',
  'What is REST?',
  'What is CI/CD?',
  'What is Kubernetes?',
  'What is a load balancer?',
  'What is an API gateway?',
] as const;

export interface PlanOptions {
  /** Overrides the scenario's default request count. */
  requests?: number;
  /** Sends for this long (ms) instead of a count. */
  durationMs?: number;
  /** Raw weights for the weighted scenario; defaults to the targets' own weights. */
  weights?: readonly number[];
}

/** The runs of a scenario: one for the seed's, two (without and with the remedy) for resilience. */
export function planScenario(
  name: ScenarioName,
  targets: readonly TargetSpec[],
  options: PlanOptions = {},
): ScenarioPlan[] {
  const durationMs = options.durationMs;
  const requests =
    durationMs === undefined ? (options.requests ?? DEFAULT_REQUESTS[name]) : undefined;
  const equal = targets.map(() => 1);
  const base = {
    name,
    requests,
    durationMs,
    targets: [...targets],
    weights: normalizeWeights(equal),
    disruptions: [],
    prompts: PROMPTS,
    maxTokens: 100,
    display: 'per-request' as const,
  };
  const last = targets.length - 1;
  const lastName = targets[last]?.name ?? 'the last target';
  switch (name) {
    case 'round-robin':
      return [
        {
          ...base,
          number: 1,
          title: '"Round-robin" load balancing (equal weights)',
          strategy:
            'loadbalance with equal weights: the gateway picks each target at random with equal odds; it does not take turns',
          config: createRoundRobinConfig(targets),
        },
      ];
    case 'weighted': {
      const weights = options.weights ?? targets.map((t) => t.weight ?? 1);
      return [
        {
          ...base,
          number: 2,
          title: 'Weighted load balancing',
          strategy:
            'loadbalance with weights: the gateway picks each target at random, in proportion to its weight',
          weights: normalizeWeights(weights),
          config: createWeightedConfig(targets, weights),
        },
      ];
    }
    case 'distribution':
      return [
        {
          ...base,
          number: 3,
          title: `Load distribution analysis (${requests === undefined ? `${(durationMs ?? 0) / 1000} s` : `${requests} requests`})`,
          strategy:
            'loadbalance with equal weights, more requests, to compare the split with the expected one',
          config: createRoundRobinConfig(targets),
          maxTokens: 30,
          display: 'progress',
        },
      ];
    case 'failover': {
      const afterRequests = Math.max(1, Math.floor((requests ?? 30) / 3));
      const knockout: Disruption = {
        target: last,
        faults: { outage: true },
        afterRequests,
        description: `${lastName} goes down (connection refused) after ${afterRequests} requests`,
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
          config: createRoundRobinConfig(targets),
        },
        {
          ...common,
          variant: 'with fallback',
          strategy:
            'loadbalance with equal weights, each target falling back to the others (nested fallback strategy)',
          config: createFailoverConfig(targets, equal),
        },
      ];
    }
    case 'retry': {
      const flaky: Disruption = {
        target: last,
        faults: { errorRate: 0.3, errorStatus: 503 },
        description: `${lastName} answers 503 to 30% of its requests`,
      };
      const common = {
        ...base,
        number: 5,
        title: 'Retry: a provider that fails some of the time',
        disruptions: [flaky],
        maxTokens: 30,
      };
      return [
        {
          ...common,
          variant: 'without retry',
          strategy: 'loadbalance with equal weights, no retry',
          config: createRoundRobinConfig(targets),
        },
        {
          ...common,
          variant: 'with retry',
          strategy: 'loadbalance with equal weights; the gateway retries 429 and 503 up to 3 times',
          config: withRetry(createRoundRobinConfig(targets), 3, [429, 503]),
        },
      ];
    }
    case 'timeout': {
      const hanging: Disruption = {
        target: 0,
        faults: { hangRate: 0.25 },
        description: `${targets[0]?.name ?? 'the first target'} never answers 25% of its requests`,
      };
      return [
        {
          ...base,
          number: 6,
          title: 'Timeout: a provider that hangs',
          strategy: `loadbalance with equal weights; the gateway gives up on a provider after ${TIMEOUT_SCENARIO_MS} ms (request_timeout)`,
          disruptions: [hanging],
          config: withRequestTimeout(createRoundRobinConfig(targets), TIMEOUT_SCENARIO_MS),
          maxTokens: 30,
        },
      ];
    }
  }
}

/** "weighted", or "failover (with fallback)" for one run of a scenario that has two. */
export function scenarioLabel(plan: ScenarioPlan): string {
  return plan.variant ? `${plan.name} (${plan.variant})` : plan.name;
}

/** The prompt of the request with this 0-based sequence number. */
export function promptFor(plan: ScenarioPlan, seq: number): string {
  return plan.prompts[seq % plan.prompts.length] ?? 'Hello!';
}
