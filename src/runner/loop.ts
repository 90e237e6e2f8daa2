// Runs a scenario under a load shape and reports one RequestRecord per request, as each ends.
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import { exponentialGaps } from './arrivals.js';
import { ConfigRejectedError, NO_ROUTE, type Sent } from './classify.js';
import { createTransport, type TransportOptions } from './transport.js';

/** How requests are sent: closed loop (concurrency) or open loop (rate), until a count or a time. */
export interface LoadShape {
  /** Closed loop: this many requests in flight at once (ignored when `rate` is set). */
  concurrency: number;
  /** Open loop: requests per second, with Poisson (exponential) inter-arrival times. */
  rate?: number;
  /** Stop after this many requests... */
  requests?: number;
  /** ...or after this much time (ms); one of the two is required. */
  durationMs?: number;
  stream: boolean;
  /** Client-side limit on one request (ms): past it the request is reported as a timeout. */
  timeoutMs: number;
  /** Seed of the arrival times in open loop, so a run can be repeated. */
  seed?: number;
  tag?: TransportOptions['tag'];
}

export interface RunOptions {
  /** Called as each request completes, in completion order. */
  onRecord: (record: RequestRecord) => void;
  /** Stops sending new requests when aborted; requests in flight get `graceMs()` to complete. */
  signal?: AbortSignal;
  /** Before each send: a promise to wait for (the gateway being probed), or nothing. */
  hold?: () => Promise<unknown> | undefined;
  graceMs?: () => number;
}

export interface RunOutcome {
  sent: number;
  /** From the first request sent to the last one completed. */
  elapsedMs: number;
  interrupted: boolean;
}

/** Records go to `onRecord` and are not kept here. */
export async function runScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  shape: LoadShape,
  options: RunOptions,
): Promise<RunOutcome> {
  const transport = createTransport(plan, connection, shape);
  const inFlight = new Map<number, { startedMs: number; task: Promise<void> }>();
  const start = performance.now();
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

  /** What every record of request `seq` carries besides its outcome. */
  const stamp = (seq: number, startedMs: number) => {
    const requestId = transport.requestIdFor(seq);
    return requestId ? { startedMs, requestId } : { startedMs };
  };

  const launch = (): Promise<void> => {
    const seq = sent++;
    const startedMs = performance.now() - start;
    const task = withTimeout(transport.send(seq), shape.timeoutMs, seq).then((result) => {
      // Gone from the map: it was reported as interrupted when the grace period ran out.
      if (!inFlight.delete(seq)) return;
      if (result instanceof ConfigRejectedError) {
        rejection ??= result;
        return;
      }
      lastDone = performance.now();
      options.onRecord({ ...result, ...stamp(seq, startedMs) });
    });
    inFlight.set(seq, { startedMs, task });
    return task;
  };

  try {
    const held = async () => {
      const wait = options.hold?.();
      if (wait) await wait;
      return mayStart();
    };
    if (shape.rate === undefined) {
      const worker = async () => {
        while (mayStart() && (await held())) await launch();
      };
      const workers = Array.from({ length: Math.max(1, shape.concurrency) }, worker);
      await untilAborted(Promise.all(workers), options.signal);
    } else {
      await openLoop(shape.rate, shape.seed ?? 1, held, launch, options.signal);
    }

    const interrupted = options.signal?.aborted === true;
    await waitFor(
      [...inFlight.values()].map((r) => r.task),
      interrupted ? (options.graceMs?.() ?? 5_000) : undefined,
    );
    // Requests still out after the grace period are reported as interrupted, not lost.
    const now = performance.now() - start;
    for (const [seq, { startedMs }] of inFlight) {
      options.onRecord({ ...interruptedRecord(seq, startedMs, now), ...stamp(seq, startedMs) });
    }
    inFlight.clear();
    if (rejection) throw rejection;
    return { sent, elapsedMs: Math.max(lastDone, start + now) - start, interrupted };
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

/** Sends at Poisson arrival times until `mayStart` says no or the signal aborts. */
async function openLoop(
  rate: number,
  seed: number,
  mayStart: () => Promise<boolean>,
  launch: () => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const nextGap = exponentialGaps(rate, seed);
  let due = performance.now();
  while (await mayStart()) {
    const wait = due - performance.now();
    if (wait > 0 && !(await sleep(wait, signal))) break;
    // Timers fire late: send every arrival that is due rather than drift behind the rate.
    while (due <= performance.now() && (await mayStart())) {
      void launch();
      due += nextGap();
    }
  }
}

/**
 * The SDK takes no abort signal, so a request cannot be cancelled from here: past the limit it is
 * reported as a timeout at once (the transport's connection pool closes the socket soon after).
 */
async function withTimeout<T extends Sent | ConfigRejectedError>(
  attempt: Promise<T>,
  timeoutMs: number,
  seq: number,
): Promise<T | Sent> {
  const cancel = new AbortController();
  const expired = delay(timeoutMs, undefined, { signal: cancel.signal }).then(
    (): Sent => ({
      seq,
      latencyMs: timeoutMs,
      ok: false,
      ...NO_ROUTE,
      error: { cause: 'timeout', message: `no complete answer within ${timeoutMs} ms (--timeout)` },
    }),
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    cancel.abort();
  }
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

/** Sleeps `ms`; resolves false when the signal aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return delay(ms, true, signal ? { signal } : {}).catch(() => false);
}
