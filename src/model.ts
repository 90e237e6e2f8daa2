// The shared vocabulary of lb-demo: types only, no code, no imports. Every stage of the flow
// (settings -> scenarios -> portkey-config -> runner -> stats -> report) speaks these.

/** Raw environment variables (the process's, merged with ./.env). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Weights scaled to sum to 1, one per target, each >= 0. The only form weights take past the
 * edge: `normalizeWeights` (src/weights.ts) is the one way to make one.
 */
export type Weights = readonly number[] & { readonly __brand: 'Weights' };

// ---------------------------------------------------------------------------------------------
// Targets and faults

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
}

/** A target as configured; `customHost` is undefined when an embedded simulator should serve it. */
export interface TargetInput {
  /** Unique label shown in reports, e.g. "ollama" or "vllm". */
  name: string;
  /** Portkey provider slug, e.g. "ollama" or "openai". */
  provider: string;
  customHost: string | undefined;
  model: string;
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

// ---------------------------------------------------------------------------------------------
// Settings: flags + .env + targets file, validated once

export type ScenarioName =
  | 'round-robin'
  | 'weighted'
  | 'distribution'
  | 'failover'
  | 'retry'
  | 'timeout';

/** Where requests go: the user's gateway, or lb-demo's own. */
export interface GatewayConnection {
  /** Base URL, e.g. http://127.0.0.1:8787/v1. Always explicit: never the hosted API by default. */
  url: string;
  /** Sent as x-portkey-api-key; a self-hosted gateway ignores it. */
  apiKey?: string;
  /** From credentials in the gateway URL: a Basic authorization header. */
  authorization?: string;
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
  /** Also write the HTML report to this file. */
  report: string | undefined;
  gate: GateSettings;
  load: LoadSettings;
  /** Every secret the settings hold, for the redactor. */
  secrets: string[];
}

// ---------------------------------------------------------------------------------------------
// The Portkey config lb-demo sends (the gateway's wire format: snake_case)

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

// ---------------------------------------------------------------------------------------------
// Scenarios

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
  /** The split the gateway should produce over the top-level targets. */
  weights: Weights;
  config: LoadBalanceConfig;
  disruptions: Disruption[];
  prompts: readonly string[];
  maxTokens: number;
  /** Per-request lines (the seed's tests 1 and 2) or progress lines every few requests (test 3). */
  display: 'per-request' | 'progress';
}

// ---------------------------------------------------------------------------------------------
// Requests

export type FailureCause =
  | 'provider-error' // the provider answered with an error status, passed on by the gateway
  | 'gateway-error' // the gateway failed on its own (for example an unparseable provider answer)
  | 'invalid-response' // a 2xx answer that is not a chat completion
  | 'connection' // the gateway could not be reached
  | 'timeout'
  | 'interrupted'; // still in flight when the run was stopped

/** Where the gateway says a request went, from that response's own headers. */
export interface Route {
  /** Top-level target index: the target the load balancer picked; null when not named. */
  targetIndex: number | null;
  /** Inside a nested strategy, the member that answered (0: the target itself); else null. */
  nestedIndex: number | null;
  /** The gateway's JSON path of the target, e.g. config.targets[1].targets[0]. */
  targetPath: string | null;
  /** Provider slug the gateway reported. */
  provider: string | null;
  /** Gateway retries for this request (x-portkey-retry-attempt-count). */
  retries: number;
}

export interface RequestRecord extends Route {
  /** 0-based position in the scenario. */
  seq: number;
  /** ms from the start of the run to sending this request. */
  startedMs: number;
  /** End-to-end latency as the client saw it (the whole stream, when streaming). */
  latencyMs: number;
  ok: boolean;
  /** The start of the answer, for the per-request lines. */
  snippet?: string;
  outputTokens?: number;
  /** Streaming: time to the first content token. */
  ttftMs?: number;
  /** Streaming: mean time between tokens after the first (time per output token). */
  tpotMs?: number;
  error?: { cause: FailureCause; status?: number; message: string };
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Count, mean, extremes and percentiles of a sample of durations, in ms. */
export interface LatencyStats {
  count: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export type FitMethod = 'chi-square' | 'exact-binomial' | 'exact-multinomial' | 'monte-carlo';

/** A goodness-of-fit test of the routed counts against the weights. */
export interface FitResult {
  method: FitMethod;
  /** Pearson X^2 of the counts over the non-zero-weight targets (reported for every method). */
  statistic: number;
  /** (number of non-zero-weight targets) - 1. */
  df: number;
  pValue: number;
  alpha: number;
  /** pValue >= alpha AND no zero-weight target received traffic. */
  consistent: boolean;
  /** Indices of weight-0 targets that received traffic. */
  zeroWeightViolations: number[];
  monteCarloSamples?: number;
  monteCarloSeed?: number;
}

/** Per-target counts over shared, logarithmically spaced latency bins. */
export interface LatencyHistogram {
  /** bins + 1 bin edges in ms, ascending. */
  edgesMs: number[];
  /** counts[target][bin]. */
  counts: number[][];
}

export interface TargetSummary {
  index: number;
  name: string;
  provider: string;
  /** The target's normalized weight: the share of traffic the gateway should send it. */
  expectedShare: number;
  /** Successful requests this target served. */
  count: number;
  /** Requests the gateway routed to this target that failed. */
  failed: number;
  /** Requests the gateway routed here, answered or not: count + failed. */
  routed: number;
  /** routed / all requests whose target the gateway named. */
  share: number;
  /** (share - expectedShare) in percentage points. */
  deviationPp: number;
  /** 95% Wilson interval of the observed share. */
  ci95: [number, number];
  /** Central 95% range of `routed` if the gateway follows the weights, for this many requests. */
  expectedRange: [number, number];
  /** Of this target's successful requests; null when it served none. */
  latencyMs: LatencyStats | null;
  /** Gateway retries spent on requests routed here. */
  retries: number;
  /** Streaming: time to first token and time per output token; null when not streamed. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  /** Output tokens of this target's successful requests. */
  outputTokens: number;
  /** Requests routed here that the gateway served from a fallback target instead. */
  fallbacks: number;
}

export interface ScenarioSummary {
  requests: number;
  succeeded: number;
  failed: number;
  /** succeeded / requests, 0..1 (0 when nothing was sent). */
  successRate: number;
  /** Over successful requests only; null when none succeeded. */
  latencyMs: LatencyStats | null;
  targets: TargetSummary[];
  /** Requests whose target the gateway named (the sample the verdict judges). */
  attributed: number;
  /** Successful requests whose serving target the gateway did not tell. */
  unattributed: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
  /** Goodness of fit of the routed counts to the weights. */
  fit: FitResult;
  /** Latency of each target's successful requests on one shared axis. */
  latencyHistogram: LatencyHistogram;
  /** Wall time of the run and what went through in it. */
  elapsedMs: number;
  requestsPerSec: number;
  outputTokensPerSec: number;
  /** Streaming: time to first token and time per output token over all successful requests. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  retries: number;
  /** Successful requests that took a fallback path (nested strategies only). */
  fallbacks: number;
  /** Latency of successful requests served by the first choice, and by a fallback. */
  directLatencyMs: LatencyStats | null;
  fallbackLatencyMs: LatencyStats | null;
  /** Requests needed to detect a 5 pp skew on the most uncertain target with 80% power. */
  requestsFor5ppSkew: number;
}

// ---------------------------------------------------------------------------------------------
// A run and its outcome

/** What the report says about where the run happened. */
export interface RunContext {
  version: string;
  gatewayUrl: string;
  /** Set when lb-demo started the gateway itself. */
  embeddedGateway?: { version: string };
  /** Targets served by a simulator started by lb-demo. */
  simulated: { target: string; kind: string; latencyMs: number; url: string; faults: string }[];
}

export interface ScenarioResult {
  plan: ScenarioPlan;
  summary: ScenarioSummary;
  load: LoadSettings;
  /** The run was interrupted before all requests were sent. */
  interrupted: boolean;
}

/** What each simulator itself counted, across all scenarios of the run. */
export interface ServedByTarget {
  target: string;
  chatCompletions: number;
}

export type CheckName = 'fail-on-skew' | 'min-success-rate' | 'max-p99';

export interface CheckOutcome {
  check: CheckName;
  scenario: string;
  passed: boolean;
  /** The measured figure, for the JSON document. */
  value: number | null;
  threshold: number | null;
  /** One line naming the check, the scenario and the figure. */
  message: string;
}
