// Runs a scenario under a load shape and reports one RequestRecord per request, as each ends.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import type { ScheduleCounts } from '../model/run.js';
import { ConfigRejectedError, NO_ROUTE, type Sent } from './classify.js';
import { RequestCancel } from './fetch.js';
import { openLoop } from './open-loop.js';
import { createTransport, type TransportOptions } from './transport.js';

/** How requests are sent: closed loop (concurrency) or open loop (rate), until a count or a time. */
export interface LoadShape {
  /** Closed loop: this many requests in flight at once (ignored when `rate` is set). */
  concurrency: number;
  /** Open loop: requests per second, with Poisson (exponential) inter-arrival times. */
  rate?: number;
  /** Open loop: requests in flight at most; arrivals beyond are dropped and counted. */
  maxInFlight?: number;
  /** Stop after this many requests... */
  requests?: number;
  /** ...or after this much time (ms); one of the two is required. */
  durationMs?: number;
  stream: boolean;
  /** Client-side limit on one request (ms): past it the request is reported as a timeout. */
  timeoutMs: number;
  /** Streamed: a 200 stream silent this long (ms) is given up as stalled; default: --timeout. */
  streamIdleTimeoutMs?: number;
  /** Seed of the arrival times in open loop, so a run can be repeated. */
  seed?: number;
  tag?: TransportOptions['tag'];
  /** The n-th request sent is number seqOffset + n × seqStride (worker threads interleave). */
  seqOffset?: number;
  seqStride?: number;
}

export interface RunOptions {
  /** Called as each request completes, in completion order. */
  onRecord: (record: RequestRecord) => void;
  /** Stops sending new requests when aborted; requests in flight get `graceMs()` to complete. */
  signal?: AbortSignal;
  /** Before each send: a promise to wait for (the gateway being probed), or nothing. */
  hold?: () => Promise<unknown> | undefined;
  graceMs?: () => number;
  /** Times count from this instant (epoch ms) instead of now: one origin for all worker threads. */
  originMs?: number;
}

export interface RunOutcome {
  sent: number;
  /** From the first request sent to the last one completed. */
  elapsedMs: number;
  interrupted: boolean;
  /** Open loop: how it kept to its schedule. */
  schedule?: ScheduleCounts;
}

/** Open loop without --max-in-flight (the settings always give one). */
const DEFAULT_MAX_IN_FLIGHT = 1_000;

/** Records go to `onRecord` and are not kept here. */
export async function runScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  shape: LoadShape,
  options: RunOptions,
): Promise<RunOutcome> {
  const maxInFlight = shape.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const connections = shape.rate === undefined ? Math.max(1, shape.concurrency) : maxInFlight;
  const transport = createTransport(plan, connection, { ...shape, connections });
  const inFlight = new Map<number, { startedMs: number; task: Promise<void> }>();
  const start =
    options.originMs === undefined ? performance.now() : options.originMs - performance.timeOrigin;
  const seqOffset = shape.seqOffset ?? 0;
  const seqStride = shape.seqStride ?? 1;
  const deadline =
    shape.durationMs === undefined ? Number.POSITIVE_INFINITY : start + shape.durationMs;
  let sent = 0;
  let lastDone = start;
  let rejection: ConfigRejectedError | undefined;

  const mayStart = () =>
    !rejection &&
    !options.signal?.aborted &&
    (shape.requests === undefined || sent < shape.requests) &&
    performance.now() < deadline;

  /** Sends the next request; times count from `dueMs`, its scheduled time in an open loop. */
  const launch = (dueMs?: number): Promise<void> => {
    const seq = seqOffset + seqStride * sent++;
    const now = performance.now();
    const from = dueMs ?? now;
    const startedMs = from - start;
    const requestId = transport.requestIdFor(seq);
    const stamp = {
      startedMs,
      ...(dueMs === undefined ? {} : { scheduleLagMs: now - dueMs }),
      ...(requestId ? { requestId } : {}),
    };
    const cancel = new RequestCancel();
    const attempt = transport.send(seq, from, cancel);
    const task = withTimeout(attempt, shape.timeoutMs, seq, from, cancel).then((result) => {
      // Gone from the map: it was reported as interrupted when the grace period ran out.
      if (!inFlight.delete(seq)) return;
      if (result instanceof ConfigRejectedError) {
        rejection ??= result;
        return;
      }
      lastDone = performance.now();
      options.onRecord({ ...result, ...stamp });
    });
    inFlight.set(seq, { startedMs, task });
    return task;
  };

  let schedule: ScheduleCounts | undefined;
  try {
    if (shape.rate === undefined) {
      const worker = async () => {
        while (mayStart()) {
          const held = options.hold?.();
          if (held) await held;
          if (!mayStart()) break;
          await launch();
        }
      };
      const workers = Array.from({ length: Math.max(1, shape.concurrency) }, worker);
      await untilAborted(Promise.all(workers), options.signal);
    } else {
      schedule = await openLoop(
        {
          rate: shape.rate,
          seed: shape.seed ?? 1,
          ...(shape.requests === undefined ? {} : { requests: shape.requests }),
          deadline,
          maxInFlight,
        },
        {
          inFlight: () => inFlight.size,
          launch: (dueMs) => void launch(dueMs),
          stopped: () => rejection !== undefined || options.signal?.aborted === true,
          ...(options.hold ? { hold: options.hold } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
    }

    const interrupted = options.signal?.aborted === true;
    await waitFor(
      [...inFlight.values()].map((r) => r.task),
      interrupted ? (options.graceMs?.() ?? 5_000) : undefined,
    );
    // Requests still out after the grace period are reported as interrupted, not lost.
    const now = performance.now() - start;
    for (const [seq, { startedMs }] of inFlight) {
      const requestId = transport.requestIdFor(seq);
      options.onRecord({
        ...interruptedRecord(seq, startedMs, now),
        startedMs,
        ...(requestId ? { requestId } : {}),
      });
    }
    inFlight.clear();
    if (rejection) throw rejection;
    return {
      sent,
      elapsedMs: Math.max(lastDone, start + now) - start,
      interrupted,
      ...(schedule ? { schedule } : {}),
    };
  } finally {
    await transport.close();
  }
}

function interruptedRecord(seq: number, startedMs: number, nowMs: number): Sent {
  return {
    seq,
    latencyMs: nowMs - startedMs,
    ok: false,
    ...NO_ROUTE,
    error: { cause: 'interrupted', message: 'still in flight when the run was stopped' },
  };
}

/**
 * Past the limit a request is reported as a timeout at once, and cancelled: its socket is closed,
 * so that it does not hold one of the pool's connections. A plain timer: a timers/promises delay
 * with an AbortController per request cost ~40 µs of CPU (an AbortError each time).
 */
function withTimeout<T extends Sent | ConfigRejectedError>(
  attempt: Promise<T>,
  timeoutMs: number,
  seq: number,
  fromMs: number,
  cancel: RequestCancel,
): Promise<T | Sent> {
  // Latency counts from the scheduled time, as for the answered requests.
  const latencyMs = timeoutMs + performance.now() - fromMs;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      cancel.abort();
      resolve({
        seq,
        latencyMs,
        ok: false,
        ...NO_ROUTE,
        error: {
          cause: 'timeout',
          message: `no complete answer within ${timeoutMs} ms (--timeout)`,
        },
      });
    }, timeoutMs);
    void attempt.then((result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

/** Resolves when `work` settles or `signal` aborts, whichever comes first. */
async function untilAborted(
  work: Promise<unknown>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) {
    await work;
    return;
  }
  if (signal.aborted) return;
  const settled = new AbortController();
  const aborted = once(signal, 'abort', { signal: settled.signal }).catch(() => {});
  try {
    await Promise.race([work, aborted]);
  } finally {
    settled.abort();
  }
}

/** Waits for every task, or at most `limitMs` when given. */
async function waitFor(tasks: Promise<void>[], limitMs: number | undefined): Promise<void> {
  const all = Promise.allSettled(tasks).then(() => undefined);
  if (limitMs === undefined) return all;
  const cancel = new AbortController();
  await Promise.race([all, delay(limitMs, undefined, { signal: cancel.signal }).catch(() => {})]);
  cancel.abort();
}
