// What a scenario sends: the Portkey config (the gateway's wire format, snake_case), its leaves,
// and the faults injected along the way. Types only.
import type { FaultSettings, ScenarioName, TargetSpec, Weights } from './input.js';
import type { LintFinding, RoutingMode } from './tree.js';

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
  /**
   * The gateway retries a target on these statuses, up to `attempts` more times; with
   * use_retry_after_header, it is asked to wait as long as a 429's Retry-After says.
   */
  retry?: { attempts: number; on_status_codes: number[]; use_retry_after_header?: boolean };
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
  /**
   * The target (index into the plan's targets) the load balancers picked first when this leaf
   * answered; null when the path does not tell (a fallback answered, and its first choice was
   * itself a random pick).
   */
  picked: number | null;
  /** The target this leaf calls. */
  target: number;
  /** 0 when the first choice answered; n > 0 when a fallback did (n steps along the way). */
  fallbackDepth: number;
  /** The retry.attempts in force at this leaf, when it differs from the config's top level. */
  retryAttempts?: number;
}

/** A node of the user's config (a routing node, or a leaf: mode null), for the report and tests. */
export interface PlanNode {
  path: string;
  mode: RoutingMode | null;
  name: string | undefined;
  /** As written; a loadbalance counts a missing one as 1. */
  weight: number | undefined;
  /** Paths of its targets, in order. */
  children: string[];
  /** A loadbalance's chance of picking each target (sums to 1, or all 0); null otherwise. */
  childShares: number[] | null;
}

/** What a config scenario adds to its plan: the tree of the user's config. */
export interface PlanTree {
  /** The config file as given. */
  file: string;
  /** Every node, depth first, the top one first. */
  nodes: PlanNode[];
  /** The leaves were lb-demo's simulators standing for the providers named. */
  simulated: boolean;
  /** What the lint found, reported with the run. */
  findings: LintFinding[];
  /** Notes on the run, e.g. that the leaves are simulated and which they stand for. */
  notes: string[];
}

/** A config as sent in x-portkey-config: one lb-demo built, or the user's own tree. */
export type PortkeyConfig = LoadBalanceConfig | Readonly<Record<string, unknown>>;

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
  config: PortkeyConfig;
  /** The user's config: its routing nodes (the config scenario only). */
  tree?: PlanTree;
  /** The model named in each request's body; default: the first target's model. */
  requestModel?: string;
  /** Sent as x-portkey-metadata, which a conditional strategy reads. */
  metadata?: Record<string, string>;
  /** Merged into each request's body (a conditional reads params.*). */
  params?: Record<string, unknown>;
  /** Every leaf of the config: the only paths that attribute a response. */
  leaves: Leaf[];
  disruptions: Disruption[];
  prompts: readonly string[];
  maxTokens: number;
  /**
   * Every request is meant to fail (a drill that shows how retries run out): the always-on
   * any-success check does not apply.
   */
  failuresExpected?: boolean;
  /** Per-request lines (the seed's tests 1 and 2) or progress lines every few requests (test 3). */
  display: 'per-request' | 'progress';
  /** Streamed or not whatever --stream says: a drill that compares the two runs each. */
  stream?: boolean;
}
