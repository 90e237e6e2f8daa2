// What each scenario sends and what it expects. The seed's three: round-robin, weighted, distribution.
import {
  createRoundRobinConfig,
  createWeightedConfig,
  type LoadBalanceConfig,
  type TargetSpec,
} from './config.js';

export const SCENARIO_NAMES = ['round-robin', 'weighted', 'distribution'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioPlan {
  name: ScenarioName;
  /** The seed numbers its scenarios TEST 1..3. */
  number: number;
  title: string;
  /** One line on how the gateway splits traffic in this scenario. */
  strategy: string;
  /** How many requests to send; undefined when the run is limited by time instead. */
  requests: number | undefined;
  /** How long to send for (ms), instead of a count. */
  durationMs: number | undefined;
  targets: TargetSpec[];
  config: LoadBalanceConfig;
  prompts: readonly string[];
  maxTokens: number;
  /** Per-request lines (the seed's tests 1 and 2) or progress lines every few requests (test 3). */
  display: 'per-request' | 'progress';
}

export const DEFAULT_REQUESTS: Record<ScenarioName, number> = {
  'round-robin': 6,
  weighted: 10,
  distribution: 20,
};

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

export function planScenario(
  name: ScenarioName,
  targets: readonly TargetSpec[],
  options: PlanOptions = {},
): ScenarioPlan {
  const durationMs = options.durationMs;
  const requests =
    durationMs === undefined ? (options.requests ?? DEFAULT_REQUESTS[name]) : undefined;
  const common = { name, requests, durationMs, targets: [...targets], prompts: PROMPTS };
  switch (name) {
    case 'round-robin':
      return {
        ...common,
        number: 1,
        title: '"Round-robin" load balancing (equal weights)',
        strategy:
          'loadbalance with equal weights: the gateway picks each target at random with equal odds; it does not take turns',
        config: createRoundRobinConfig(targets),
        maxTokens: 100,
        display: 'per-request',
      };
    case 'weighted': {
      const weights = options.weights ?? targets.map((t) => t.weight ?? 1);
      return {
        ...common,
        number: 2,
        title: 'Weighted load balancing',
        strategy:
          'loadbalance with weights: the gateway picks each target at random, in proportion to its weight',
        config: createWeightedConfig(targets, weights),
        maxTokens: 100,
        display: 'per-request',
      };
    }
    case 'distribution':
      return {
        ...common,
        number: 3,
        title: `Load distribution analysis (${requests === undefined ? `${(durationMs ?? 0) / 1000} s` : `${requests} requests`})`,
        strategy:
          'loadbalance with equal weights, more requests, to compare the split with the expected one',
        config: createRoundRobinConfig(targets),
        maxTokens: 30,
        display: 'progress',
      };
  }
}

/** The prompt of the request with this 0-based sequence number. */
export function promptFor(plan: ScenarioPlan, seq: number): string {
  return plan.prompts[seq % plan.prompts.length] ?? 'Hello!';
}
