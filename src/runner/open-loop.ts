// The open loop: requests leave at Poisson arrival times fixed in advance, whatever the answers
// do. When the sender falls behind it says so (late, dropped) instead of queueing without bound.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import type { ScheduleCounts } from '../model/run.js';
import { exponentialGaps } from './arrivals.js';

/**
 * Launches per turn of the event loop at most: a sender that has fallen behind yields between
 * bursts, so that requests already launched are written and their answers read while it catches
 * up (a launch costs tens of µs of CPU; one synchronous catch-up froze everything for seconds).
 */
export const BURST = 32;

/** An arrival sent later than this after its scheduled time counts as late. */
export const LATE_MS = 10;

/**
 * How long after the send window's end the sender may still send arrivals scheduled within it;
 * later ones are dropped, so a run ends within this of --duration plus the request timeout.
 */
export const BEHIND_LIMIT_MS = 1_000;

export interface OpenLoopOptions {
  rate: number;
  seed: number;
  /** Arrivals to schedule at most (--requests). */
  requests?: number;
  /** The end of the send window (performance.now() time); arrivals are scheduled before it. */
  deadline: number;
  maxInFlight: number;
}

export interface OpenLoopHooks {
  /** Requests out now. */
  inFlight(): number;
  /** Sends an arrival scheduled at `dueMs` (performance.now() time); must not block. */
  launch(dueMs: number): void;
  /** True when no more arrivals should be sent (a rejected config, an interrupt). */
  stopped(): boolean;
  /** While the gateway is being probed, the probe: the sender waits for it. */
  hold?: () => Promise<unknown> | undefined;
  signal?: AbortSignal;
}

/** Runs the schedule to its end; every arrival it held is counted as sent or dropped. */
export async function openLoop(
  options: OpenLoopOptions,
  hooks: OpenLoopHooks,
): Promise<ScheduleCounts> {
  const counts: ScheduleCounts = {
    scheduled: 0,
    sent: 0,
    late: 0,
    lateMs: LATE_MS,
    droppedAtCap: 0,
    droppedBehind: 0,
    maxInFlight: options.maxInFlight,
    peakInFlight: 0,
  };
  const nextGap = exponentialGaps(options.rate, options.seed);
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  let due = performance.now();
  const more = () => counts.scheduled < limit && due < options.deadline && !hooks.stopped();
  while (more()) {
    const wait = due - performance.now();
    if (wait > 0 && !(await sleep(wait, hooks.signal))) break;
    const held = hooks.hold?.();
    if (held) await held;
    let launched = 0;
    for (let now = performance.now(); launched < BURST && due <= now && more(); ) {
      counts.scheduled += 1;
      if (now > options.deadline + BEHIND_LIMIT_MS) {
        counts.droppedBehind += 1;
      } else if (hooks.inFlight() >= options.maxInFlight) {
        counts.droppedAtCap += 1;
      } else {
        if (now - due > LATE_MS) counts.late += 1;
        hooks.launch(due);
        counts.sent += 1;
        launched += 1;
        counts.peakInFlight = Math.max(counts.peakInFlight, hooks.inFlight());
        now = performance.now();
      }
      due += nextGap();
    }
    if (launched === BURST) await nextTurn();
  }
  return counts;
}

/** Sleeps `ms`; resolves false when the signal aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return delay(ms, true, signal ? { signal } : {}).catch(() => false);
}
