// What the statistics make of a scenario's records, and the checks of the gate. Types only.
import type { InjectedFault } from './request.js';

export type FailureCause =
  | 'provider-error' // the provider answered with an error status, passed on by the gateway
  | 'gateway-error' // the gateway failed on its own (for example an unparseable provider answer)
  | 'invalid-response' // a 2xx answer that is not a chat completion
  | 'truncated-stream' // a 200 stream that ended (cleanly or not) before its finish_reason
  | 'stream-error' // a 200 stream that carried an error event
  | 'stalled-stream' // a 200 stream silent for longer than --stream-idle-timeout
  | 'truncated-body' // a 200 whose whole (non-streamed) body broke off before its end
  | 'connection' // the gateway could not be reached
  | 'timeout'
  | 'interrupted'; // still in flight when the run was stopped

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

/**
 * A distribution of durations as plain data, mergeable by adding counts bucket by bucket: log-
 * linear buckets (src/stats/histogram.ts says how an index maps to ms), as two parallel arrays.
 */
export interface DistributionData {
  count: number;
  /** Of every value: the mean is sum / count. */
  sum: number;
  /** Exact extremes; null when empty. */
  min: number | null;
  max: number | null;
  /** Ascending bucket indexes, and the values in each. */
  indexes: number[];
  counts: number[];
}

/** Every distribution a scenario measured, mergeable with another run's (or shard's). */
export interface ScenarioDistributions {
  /** Per target that answered, plus a last row for successful answers of unknown origin. */
  latency: DistributionData[];
  ttft: DistributionData[];
  tpot: DistributionData[];
  directLatency: DistributionData;
  fallbackLatency: DistributionData;
  /** Open loop: how long after its scheduled time each request left. */
  scheduleLag: DistributionData;
}

/** chi-square: documents written before lb-demo 0.2, which no longer decides with it. */
export type FitMethod = 'chi-square' | 'exact-binomial' | 'exact-multinomial' | 'monte-carlo';

/** What the counts say about the split: only with evidence is it one or the other. */
export type Outcome = 'consistent' | 'differs' | 'inconclusive';

/** A goodness-of-fit test of the picked counts against the weights. */
export interface FitResult {
  method: FitMethod;
  /** Pearson X^2 of the counts over the non-zero-weight targets (reported for every method). */
  statistic: number;
  /** (number of non-zero-weight targets) - 1. */
  df: number;
  /** Of the attributed counts alone. */
  pValue: number;
  alpha: number;
  outcome: Outcome;
  /** Why the verdict is inconclusive, in words; null otherwise. */
  reason: string | null;
  /**
   * With requests whose pick is unknown: the p-values at the allocations of them that fit the
   * weights worst and best. The outcome holds only if it holds across this range.
   */
  pValueRange: [number, number] | null;
  /** Indices of weight-0 targets that received traffic (differs, whatever the p-value). */
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
  /** Requests the load balancer picked this target for, answered or not. */
  picked: number;
  /** Successful responses this target produced (itself picked, or as another's fallback). */
  answered: number;
  /** Requests picked for this target that failed. */
  failed: number;
  /** picked / all attributed requests. */
  share: number;
  /** (share - expectedShare) in percentage points. */
  deviationPp: number;
  /** 95% Wilson interval of the observed share. */
  ci95: [number, number];
  /** Central 95% range of `picked` if the gateway follows the weights, for this many requests. */
  expectedRange: [number, number];
  /** Of the successful responses this target produced; null when it produced none. */
  latencyMs: LatencyStats | null;
  /** Gateway retries spent on requests picked for this target. */
  retries: number;
  /** Streaming: time to first token and time per output token; null when not streamed. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  /** Output tokens of the responses this target produced. */
  outputTokens: number;
  /** Requests picked for this target that a fallback target answered instead. */
  fallbacks: number;
  /** Provider calls this target received (retries and fallbacks included); see ProviderCalls. */
  providerCalls: number;
}

/**
 * What the client's requests cost the providers: every call behind them, retries and fallbacks
 * included, as lb-demo's simulators logged them, or, with real providers, as the gateway's
 * headers tell (a lower bound: the answering leaf's attempts, and one call per fallback step).
 */
export interface ProviderCalls {
  total: number;
  /** total / requests: the amplification. */
  perRequest: number;
  source: 'simulators' | 'headers' | 'mixed' | 'none';
  /** Requests nothing told the calls of (no simulator log, no routing header). */
  unknownRequests: number;
}

/** What became of the requests an injected fault hit (by the simulators' log). */
export interface FaultOutcome {
  fault: InjectedFault;
  /** Requests with at least one call it hit. */
  requests: number;
  /** Answered whole all the same: the gateway caught it (a retry or a fallback) or it did no harm. */
  succeeded: number;
  /** Reached the client as a 200 that then broke (cut, stalled, carrying an error). */
  brokenAnswers: number;
  /** Reached the client as an error status, a timeout or a lost connection. */
  errors: number;
}

/** The gaps between successive calls to the same target within a request: its n-th retry. */
export interface RetryGap {
  /** 1: between the first call and the first retry. */
  retry: number;
  count: number;
  meanMs: number;
  /** Standard deviation across requests: the jitter. */
  sdMs: number;
  minMs: number;
  maxMs: number;
}

/** How the gateway spaced its retries, measured from the calls' arrival times. */
export interface RetrySchedule {
  /** Requests with more than one provider call. */
  requestsRetried: number;
  gaps: RetryGap[];
  /** Retries that followed an answer with a Retry-After, and those that waited at least that. */
  retryAfterAsked: number;
  retryAfterHonoured: number;
  /** First call to last call, of the requests retried. */
  retryTimeMs: LatencyStats | null;
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
  /** Requests whose pick is known (the sample the verdict judges). */
  attributed: number;
  /** Of those, how many were known from a simulator rather than the gateway's header. */
  attributedBySimulator: number;
  /** Requests whose pick nothing told, by cause (`ok` for successful ones). */
  unattributedByCause: Partial<Record<FailureCause | 'ok', number>>;
  unattributed: number;
  failuresByCause: Partial<Record<FailureCause, number>>;
  /** Failed requests that got an HTTP status, by that status ("429", "500", ...). */
  failuresByStatus: Record<string, number>;
  /**
   * Failed answers that had delivered content before they broke (a cut, stalled or erroring
   * stream): what a user was shown half of, and the output tokens they had received.
   */
  partialAnswers: number;
  partialOutputTokens: number;
  providerCalls: ProviderCalls;
  faultOutcomes: FaultOutcome[];
  /** null when no request needed more than one call. */
  retrySchedule: RetrySchedule | null;
  /** Goodness of fit of the routed counts to the weights. */
  fit: FitResult;
  /** Latency of each target's successful requests on one shared axis. */
  latencyHistogram: LatencyHistogram;
  /** Wall time of the run: first request sent to last one completed. */
  elapsedMs: number;
  /** Completed requests / elapsedMs (the drain of the last answers included). */
  requestsPerSec: number;
  /** Time from the first request sent to the last one sent, and the rate over it. */
  sendWindowMs: number;
  sentPerSec: number;
  outputTokensPerSec: number;
  /** Streaming: time to first token and time per output token over all successful requests. */
  ttftMs: LatencyStats | null;
  tpotMs: LatencyStats | null;
  retries: number;
  /** Requests whose retries all ran out. */
  retriesExhausted: number;
  /** Successful requests that took a fallback path (nested strategies only). */
  fallbacks: number;
  /** Latency of successful requests served by the first choice, and by a fallback. */
  directLatencyMs: LatencyStats | null;
  fallbackLatencyMs: LatencyStats | null;
  /** Open loop: how long after its scheduled time each request left; null in a closed loop. */
  scheduleLagMs: LatencyStats | null;
  /** The distributions behind the percentiles, for merging with other runs. */
  distributions: ScenarioDistributions;
  /**
   * Requests the verdict's own test needs to detect, with 80% power, 5 pp of traffic moved from
   * one target to another (the hardest such move); 0 with a single target.
   */
  requestsFor5ppSkew: number;
  /** The config scenario: the tests of its loadbalance nodes, corrected together. */
  tree?: TreeTests;
}

/** A loadbalance node's split among the requests whose first choice went through it. */
export interface NodeTest {
  path: string;
  name: string | undefined;
  /** Paths of its targets. */
  children: string[];
  /** The chance of each target, from its weights. */
  expectedShares: number[];
  counts: number[];
  /** Judged at the node's Holm level (fit.alpha), not at the run's alpha. */
  fit: FitResult;
}

export interface TreeTests {
  nodes: NodeTest[];
  /** The split over the leaves, when it says more than the top node's; its verdict is the scenario's. */
  leafFit: FitResult | null;
  /** How many tests share the run's alpha (Holm's step-down method). */
  tests: number;
  /** The family-wise significance level: the run's alpha. */
  alpha: number;
}

/** `any-success` is always on: a scenario in which no request succeeded measured nothing. */
export type CheckName =
  | 'fail-on-skew'
  | 'min-success-rate'
  | 'max-p99'
  | 'any-success'
  | 'conditional-routing'
  | 'shard-drift'
  | 'shard-coverage';

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
