// What a scenario sends: the Portkey config (the gateway's wire format, snake_case), its leaves,
// and the faults injected along the way. Types only.
import type { FaultSettings, ScenarioName, TargetSpec, Weights } from './input.js';

export interface PortkeyTarget {
  provider: string;
  custom_host: string;
  api_key: string;
  weight?: number;
  override_params: { model: string };
}

/** A nested strategy: a target that falls back to others when it fails. */
export interface FallbackGroup {
  strategy: { mode: 'fallback'; on_status_codes?: number[] };
  targets: PortkeyTarget[];
  weight: number;
}

export interface LoadBalanceConfig {
  strategy: { mode: 'loadbalance' };
  targets: (PortkeyTarget | FallbackGroup)[];
  /** The gateway retries a target on these statuses, up to `attempts` more times. */
  retry?: { attempts: number; on_status_codes: number[] };
  /** The gateway gives up on a provider after this many ms and answers 408. */
  request_timeout?: number;
}

/** A fault set on one simulated target, from the start or after some requests have completed. */
export interface Disruption {
  target: number;
  faults: FaultSettings;
  /** Applied once this many requests of the run have completed; from the start when absent. */
  afterRequests?: number;
  /** Words for the report, e.g. "vllm goes down after 10 requests". */
  description: string;
}

/**
 * Where a response path of the gateway (`x-portkey-last-used-option-index`) leads: the leaf of the
 * config that answered, the top-level target the load balancer picked to get there, and how deep
 * in a fallback group the answer came from.
 */
export interface Leaf {
  /** Exactly as the gateway reports it, e.g. config.targets[1].targets[0]. */
  path: string;
  /** The top-level target (index into the plan's targets) the load balancer picked. */
  picked: number;
  /** The target this leaf calls. */
  target: number;
  /** 0 for the picked target itself; n for the n-th fallback of its group. */
  fallbackDepth: number;
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
  /** The split the gateway should produce over the top-level targets. */
  weights: Weights;
  config: LoadBalanceConfig;
  /** Every leaf of the config: the only paths that attribute a response. */
  leaves: Leaf[];
  disruptions: Disruption[];
  prompts: readonly string[];
  maxTokens: number;
  /** Per-request lines (the seed's tests 1 and 2) or progress lines every few requests (test 3). */
  display: 'per-request' | 'progress';
}
