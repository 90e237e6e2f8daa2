// What one simulated provider holds while it runs, and the low-level ways it answers: counters,
// pending answers, and sending a body or an error.
import type http from 'node:http';
import type { InjectedFault } from '../../model/request.js';

export type SimulatedKind = 'ollama' | 'openai';

/** Fault settings with defaults filled in. */
export interface ActiveFaults {
  errorRate: number;
  errorStatus: number;
  hangRate: number;
  spikeRate: number;
  spikeMs: number;
  malformedRate: number;
  outage: boolean;
  cutRate: number;
  stallRate: number;
  errorEventRate: number;
  /** undefined: the simulator's own time to first token. */
  ttftMs: number | undefined;
  failFirst: number;
  /** undefined: the default (1 s on a 429); null: none. */
  retryAfterS: number | null | undefined;
  /** Any fault above 0 (the fast path skips the fault checks otherwise). */
  anyRate: boolean;
}

/** Chat requests hit by each fault (the one that took effect when several applied). */
export interface FaultCounts {
  error: number;
  hang: number;
  malformed: number;
  spike: number;
  /** Answers cut cleanly, and reset, after half their content. */
  cut: number;
  reset: number;
  stall: number;
  errorEvent: number;
  /** Answers whose first token came after ttft_ms. */
  slowFirstToken: number;
}

export interface Counters {
  requests: number;
  /** Chat requests decided since start or reset; the index that fault hits go by. */
  chatRequests: number;
  chatCompletions: number;
  byModel: Map<string, number>;
  byRoute: Map<string, number>;
  byStatus: Map<number, number>;
  streamed: number;
  maxInFlight: number;
  faults: FaultCounts;
}

/** One chat request that carried lb-demo's request id: when it came and how it was answered. */
export interface Attempt {
  /** performance.now() at its arrival. */
  atMs: number;
  /** The status it was answered with; null while pending, or for a hang or a reset. */
  status: number | null;
  /** The fault injected into it, if any. */
  fault: InjectedFault | null;
  /** The Retry-After its answer carried, in ms; null without one. */
  retryAfterMs: number | null;
}

/** A pending timer of one chat answer; close() clears them all. */
export interface Pending {
  timer: NodeJS.Timeout | undefined;
}

/** The state of one simulated provider, shared by its routes. */
export interface SimState {
  readonly kind: SimulatedKind;
  /** Shown in answers, e.g. 'ollama-sim'. */
  readonly name: string;
  readonly jsonType: string;
  /** Total time of a non-streamed answer. */
  readonly latencyMs: number;
  /** Fraction: latency varies uniformly within ±jitter. */
  readonly jitter: number;
  /** Streamed: time to first token; latencyMs / 4 when undefined. */
  readonly ttftMs: number | undefined;
  faults: ActiveFaults;
  counters: Counters;
  /** Chat requests being handled now (hung ones included). */
  inFlight: number;
  readonly pending: Set<Pending>;
  /** Chat requests by lb-demo's request id, until taken (see SimulatedProvider.takeAttempts). */
  readonly attempts: Map<string, Attempt[]>;
  nextId(): string;
  /** The configured name of a requested model, or undefined when it is not served. */
  findModel(requested: string): string | undefined;
}

export function newCounters(): Counters {
  return {
    requests: 0,
    chatRequests: 0,
    chatCompletions: 0,
    byModel: new Map(),
    byRoute: new Map(),
    byStatus: new Map(),
    streamed: 0,
    maxInFlight: 0,
    faults: {
      error: 0,
      hang: 0,
      malformed: 0,
      spike: 0,
      cut: 0,
      reset: 0,
      stall: 0,
      errorEvent: 0,
      slowFirstToken: 0,
    },
  };
}

export function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function send(
  state: SimState,
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  retryAfter?: number,
): void {
  bump(state.counters.byStatus, status);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
  });
  res.end(body);
}

/**
 * Tracks a delayed or hung answer: its timer, and the cleanup when it ends or the client (or
 * close() or an outage) drops the connection. It holds an in-flight slot of its own until then,
 * because the chat route releases its slot as soon as the answer has been scheduled.
 */
export function track(state: SimState, res: http.ServerResponse) {
  const handle: Pending = { timer: undefined };
  state.pending.add(handle);
  state.inFlight += 1;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    if (handle.timer !== undefined) clearTimeout(handle.timer);
    handle.timer = undefined;
    state.pending.delete(handle);
    state.inFlight -= 1;
  };
  res.once('close', finish);
  return { handle, finish };
}

/** Runs `respond` after ms (with the time it actually waited), unless the client left. */
export function later(
  state: SimState,
  res: http.ServerResponse,
  ms: number,
  respond: (elapsedMs: number) => void,
): void {
  const start = performance.now();
  const { handle, finish } = track(state, res);
  handle.timer = setTimeout(() => {
    handle.timer = undefined;
    if (res.destroyed) return finish();
    respond(performance.now() - start);
    finish();
  }, ms);
}
