// One request as the runner reports it, and where it went. Types only.
import type { FailureCause } from './stats.js';

/** How lb-demo knows which target the load balancer picked for a request. */
export type Attribution =
  | 'header' // the response's x-portkey-last-used-option-index named a leaf of the config
  | 'simulator'; // no such header, but lb-demo's simulator of that target received the request

/** Where a request went, from that response's own headers (or, failing that, a simulator). */
export interface Route {
  /** The gateway's path of the leaf that answered, as sent, e.g. config.targets[1].targets[0]. */
  targetPath: string | null;
  /** The top-level target the load balancer picked; null when nothing says. */
  pickedIndex: number | null;
  /** The target whose leaf produced the response; null when nothing says. */
  answeredIndex: number | null;
  /** 0: the picked target answered; n: the n-th fallback of its group did; null: unknown. */
  fallbackDepth: number | null;
  attributedBy: Attribution | null;
  /** Provider slug the gateway reported. */
  provider: string | null;
  /** Gateway retries for this request: the attempts after the first. */
  retries: number;
  /** The gateway used up every retry its config allows (retry-attempt-count -1). */
  retriesExhausted: boolean;
}

/** What lb-demo's simulators did to a provider call on purpose (src/local/simulator/). */
export type InjectedFault =
  | 'error' // an error status (error_rate, fail_first)
  | 'hang' // no answer at all
  | 'malformed' // a 200 whose body is not JSON
  | 'spike' // a late answer
  | 'slow-first-token' // a first token after ttft_ms
  | 'cut' // an answer ended cleanly after half its content, without its terminator
  | 'reset' // an answer's connection reset after half its content
  | 'stall' // an answer that stopped after half its content, the connection left open
  | 'error-event'; // a 200 stream carrying an error event after half its content

/** A provider call behind a request, as lb-demo's simulators logged it (by its request id). */
export interface ProviderCall {
  /** The target whose simulator received it (index into the plan's targets). */
  target: number;
  /** ms after the request's first provider call arrived. */
  atMs: number;
  /** Its answer's status; null for none (a hang, a reset, a stall). */
  status: number | null;
  fault: InjectedFault | null;
  /** The Retry-After its answer asked for, in ms; null without one. */
  retryAfterMs: number | null;
}

export interface RequestRecord extends Route {
  /** 0-based position in the scenario. */
  seq: number;
  /** Sent to the gateway (and forwarded to lb-demo's simulators) to find the request again. */
  requestId?: string;
  /**
   * ms from the start of the run to sending this request; in an open loop, to the time the
   * schedule gave it, which latency and time to first token are measured from.
   */
  startedMs: number;
  /** Open loop: how long after its scheduled time the request actually left (ms). */
  scheduleLagMs?: number;
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
  /** Every provider call behind it, oldest first, when lb-demo's simulators logged them. */
  calls?: ProviderCall[];
}
