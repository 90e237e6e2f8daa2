// What the user asked for: targets, faults and settings, validated once at the edge
// (src/settings/). Types only, like every file of src/model/: the shared vocabulary.
import type { UserConfig } from './tree.js';

/** Raw environment variables (the process's, merged with ./.env). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Weights scaled to sum to 1, one per target, each >= 0. The only form weights take past the
 * edge: `normalizeWeights` (src/weights.ts) is the one way to make one.
 */
export type Weights = readonly number[] & { readonly __brand: 'Weights' };

/**
 * Faults injected into a simulated provider's chat requests. Checked at the edge
 * (src/settings/faults.ts); the simulator trusts them. A fault with rate r hits exactly
 * floor(n·r) of n chat requests, evenly spread.
 */
export interface FaultSettings {
  /** 0..1: fraction answered with errorStatus in the server's error format. */
  errorRate?: number;
  /** Default 503. A 429 carries `retry-after: 1`. */
  errorStatus?: number;
  /** 0..1: fraction never answered: no headers, socket open until the client gives up. */
  hangRate?: number;
  /** 0..1: fraction whose latency (and time to first token) gets spikeMs added. */
  spikeRate?: number;
  /** Default 1000. */
  spikeMs?: number;
  /** 0..1: fraction answered 200 with a body that is not valid JSON. */
  malformedRate?: number;
  /** Connection refused: the simulator stops listening; the port is kept for later. */
  outage?: boolean;
  /**
   * 0..1: fraction of answers cut after half their content, alternately (1st, 3rd, ... hit) a
   * clean end without the terminator and (2nd, 4th, ...) a connection reset.
   */
  cutRate?: number;
  /** 0..1: fraction of answers that stop after half their content, the connection left open. */
  stallRate?: number;
  /** 0..1: fraction of streamed answers that carry an error event after half their content. */
  errorEventRate?: number;
  /**
   * Every answer's first token comes this many ms after the request: a stream's headers at once,
   * its first chunk then; a whole answer no sooner than its first token.
   */
  ttftMs?: number;
  /** The first N calls of each request (by lb-demo's request id) are answered errorStatus. */
  failFirst?: number;
  /** Retry-After in seconds on injected errors; null for none. Default: 1 on a 429, else none. */
  retryAfterS?: number | null;
}

/** A target as configured; `customHost` is undefined when an embedded simulator should serve it. */
export interface TargetInput {
  /** Unique label shown in reports, e.g. "ollama" or "vllm". */
  name: string;
  /** Portkey provider slug, e.g. "ollama" or "openai". */
  provider: string;
  customHost: string | undefined;
  model: string;
  /** Every model its simulator serves, when more than `model` (a config's leaf without one). */
  models?: string[];
  apiKey?: string;
  /** Raw weight from a targets file or the defaults (normalized later, with the others). */
  weight?: number;
  /** Faults to inject into this target's simulator (simulated targets only). */
  faults?: FaultSettings;
}

/** A target the gateway can call: its custom_host is known (given, or a simulator's URL). */
export interface TargetSpec {
  name: string;
  provider: string;
  /** Base URL the gateway calls (for OpenAI-compatible servers it ends in /v1). */
  customHost: string;
  model: string;
  apiKey?: string;
}

export type ScenarioName =
  | 'round-robin'
  | 'weighted'
  | 'distribution'
  | 'failover'
  | 'retry'
  | 'timeout'
  | 'stream-failover'
  | 'slow-first-token'
  | 'retry-schedule'
  | 'config';

/** Where requests go: the user's gateway, or lb-demo's own. */
export interface GatewayConnection {
  /** Base URL, e.g. http://127.0.0.1:8787/v1. Always explicit: never the hosted API by default. */
  url: string;
  /** Sent as x-portkey-api-key; a self-hosted gateway ignores it. */
  apiKey?: string;
  /** From credentials in the gateway URL: a Basic authorization header. */
  authorization?: string;
  /**
   * lb-demo's own embedded gateway only: sent as x-portkey-lb-demo-token on every request; that
   * gateway refuses requests without it.
   */
  token?: string;
}

export interface SimulationSettings {
  ollamaLatencyMs: number;
  openaiLatencyMs: number;
}

/** How requests are sent: closed loop (concurrency) or open loop (rate), until a count or a time. */
export interface LoadSettings {
  /** Closed loop: requests in flight at once (ignored when `rate` is set). */
  concurrency: number;
  /** Open loop: requests per second, Poisson arrivals. */
  rate?: number;
  /** Send for this long instead of a request count. */
  durationMs?: number;
  stream: boolean;
  /** Client-side limit on each request, in ms. */
  timeoutMs: number;
  /** Streamed: a 200 stream silent this long (ms) is given up as stalled. */
  streamIdleTimeoutMs: number;
  /**
   * Open loop: requests in flight at most; an arrival that finds this many out is dropped and
   * counted. Default from the open-file limit.
   */
  maxInFlight: number;
  /** Threads that send, each a share of the load; 1 sends from the main thread alone. */
  workers: number;
  /** Seed of the open loop's arrivals (a shard's own, derived from the run's and its index). */
  seed?: number;
}

/** This process is shard `index` (from 0) of `count` of one run. */
export interface ShardSettings {
  index: number;
  count: number;
  /** Shared by every shard of the run (--run-id, LB_RUN_ID, or the Job's uid). */
  runId: string;
}

export interface GateSettings {
  /** Fail when a scenario's split differs from its weights. */
  failOnSkew: boolean;
  /** Fail when a scenario's success rate, in percent, is below this. */
  minSuccessRatePct?: number;
  /** Fail when a scenario's p99 latency of successful requests, in ms, is above this. */
  maxP99Ms?: number;
}

/** Your own gateway (every target has a custom_host), or the embedded one with simulators. */
export type Deployment =
  | { kind: 'own-gateway'; gateway: GatewayConnection; targets: TargetSpec[] }
  | { kind: 'embedded'; targets: TargetInput[]; simulation: SimulationSettings };

export interface Settings {
  scenarios: ScenarioName[];
  /** Overrides every scenario's request count. */
  requests: number | undefined;
  /** The weighted scenario's split: --weights, LB_WEIGHTS or the targets' own weights. */
  weights: Weights | undefined;
  deployment: Deployment;
  json: boolean;
  /** Significance level of the verdict on the split. */
  alpha: number;
  /** Also write the JSON document to this file. */
  out: string | undefined;
  /** --records: a JSON line per request. */
  records?: string;
  /** Also write the HTML report to this file. */
  report: string | undefined;
  gate: GateSettings;
  load: LoadSettings;
  /** Every secret the settings hold, for the redactor. */
  secrets: string[];
  /** The user's own config (--config): the run is its config scenario alone. */
  userConfig?: UserConfig;
  /** Run the user's config even when the lint found errors in it. */
  ignoreLint: boolean;
  /**
   * A shard of a run spread over several processes; its load is its share of the totals. The
   * fingerprint digests what every shard must share (scenarios, targets, config, totals).
   */
  shard?: ShardSettings & { fingerprint: string };
}
