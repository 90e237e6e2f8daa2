// --workers: a scenario's load split across worker threads, each with its own SDK client,
// connections and event loop, and their results put back together: the records handed over, or
// the tallies merged (see worker-protocol.ts).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import type { ScheduleCounts } from '../model/run.js';
import type { ScenarioTally } from '../stats/tally.js';
import { ConfigRejectedError } from './classify.js';
import type { LoadShape, RunOutcome } from './loop.js';
import type { FromWorker, Handover, Progress, ToWorker, WorkerData } from './worker-protocol.js';

/** Splits n into `parts` whole shares that add up to it, the larger ones first. */
export function splitCount(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/** A seed of its own for each worker's arrivals, derived from the run's seed. */
export function workerSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}

/**
 * Each worker's share: concurrency, requests and the cap on requests in flight split with nothing
 * lost to rounding; a rate λ split into independent Poisson processes of λ/n, whose sum is a
 * Poisson process of rate λ; the duration shared. Request numbers interleave (worker i sends
 * i, i + n, i + 2n, ...), so that together they are 0, 1, 2, ... as from one thread. Shares with
 * nothing to do are left out.
 */
export function splitShape(shape: LoadShape, workers: number): LoadShape[] {
  const concurrency = splitCount(shape.concurrency, workers);
  const requests = shape.requests === undefined ? undefined : splitCount(shape.requests, workers);
  const inFlight =
    shape.maxInFlight === undefined ? undefined : splitCount(shape.maxInFlight, workers);
  return Array.from({ length: workers }, (_, i): LoadShape => {
    const share: LoadShape = {
      ...shape,
      concurrency: concurrency[i] ?? 0,
      seqOffset: (shape.seqOffset ?? 0) + i * (shape.seqStride ?? 1),
      seqStride: (shape.seqStride ?? 1) * workers,
    };
    if (requests) share.requests = requests[i] ?? 0;
    if (inFlight) share.maxInFlight = Math.max(1, inFlight[i] ?? 0);
    if (shape.rate !== undefined) {
      share.rate = shape.rate / workers;
      share.seed = workerSeed(shape.seed ?? 1, i);
    }
    if (shape.tag) share.tag = { ...shape.tag, prefix: `${shape.tag.prefix}-w${i + 1}` };
    return share;
  }).filter((s) => (s.rate !== undefined || s.concurrency > 0) && s.requests !== 0);
}

export interface WorkerRunOptions {
  handover: Handover;
  /** Handover `records`: each record, as from runScenario. */
  onRecord: (record: RequestRecord) => void;
  /** Handover `tally`: the counts of all workers together, a few times a second. */
  onProgress: (progress: Progress) => void;
  signal?: AbortSignal;
  graceMs?: () => number;
}

export interface WorkerRunResult {
  outcome: RunOutcome;
  /** Handover `tally`: each worker's. */
  tallies: ScenarioTally[];
  /** Why a worker judged the gateway gone, when one did. */
  gone?: string;
}

/** Runs the plan's load split across `workers` threads; resolves when all have finished. */
export async function runInWorkers(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  shape: LoadShape,
  workers: number,
  options: WorkerRunOptions,
): Promise<WorkerRunResult> {
  const shares = splitShape(shape, workers);
  const threads = shares.map((share, index) => {
    const workerData: WorkerData = {
      index,
      plan,
      connection,
      shape: share,
      handover: options.handover,
    };
    return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  });
  const send = (message: ToWorker) => {
    for (const thread of threads) thread.postMessage(message);
  };
  const stopAll = (graceMs: number) => send({ kind: 'stop', graceMs });
  const onAbort = () => stopAll(options.graceMs?.() ?? 5_000);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const progress = threads.map((): Progress => ({ done: 0, errors: 0, split: [] }));
  const tallies: ScenarioTally[] = [];
  const outcomes: RunOutcome[] = [];
  let ready = 0;
  let gone: string | undefined;
  let failure: Error | undefined;
  const finished = threads.map(
    (thread, index) =>
      new Promise<void>((resolve) => {
        const fail = (error: Error) => {
          failure ??= error;
          stopAll(1_000);
          resolve();
        };
        thread.on('message', (message: FromWorker) => {
          switch (message.kind) {
            case 'ready':
              ready += 1;
              if (ready === threads.length) {
                send({ kind: 'go', originMs: performance.timeOrigin + performance.now() });
              }
              break;
            case 'records':
              for (const record of message.records) options.onRecord(record);
              break;
            case 'progress':
              progress[index] = message.progress;
              options.onProgress(sumProgress(progress));
              break;
            case 'done':
              outcomes.push(message.outcome);
              if (message.tally) tallies.push(message.tally);
              if (message.gone && gone === undefined) {
                gone = message.gone;
                stopAll(1_000);
              }
              resolve();
              break;
            case 'rejected':
              fail(new ConfigRejectedError(message.message));
              break;
            case 'failed':
              fail(new Error(`a worker thread failed: ${message.message}`));
              break;
          }
        });
        thread.on('error', (error) => fail(new Error(`a worker thread failed: ${error.message}`)));
        thread.on('exit', () => resolve());
      }),
  );
  try {
    await Promise.all(finished);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  if (failure) throw failure;
  return { outcome: mergeOutcomes(outcomes), tallies, ...(gone ? { gone } : {}) };
}

function sumProgress(parts: readonly Progress[]): Progress {
  const total: Progress = { done: 0, errors: 0, split: [] };
  for (const part of parts) {
    total.done += part.done;
    total.errors += part.errors;
    part.split.forEach((n, i) => {
      total.split[i] = (total.split[i] ?? 0) + n;
    });
  }
  return total;
}

/** Counts add; the run lasted as long as its longest part (they share one origin). */
function mergeOutcomes(outcomes: readonly RunOutcome[]): RunOutcome {
  const schedules = outcomes.flatMap((o) => (o.schedule ? [o.schedule] : []));
  return {
    sent: outcomes.reduce((n, o) => n + o.sent, 0),
    elapsedMs: Math.max(0, ...outcomes.map((o) => o.elapsedMs)),
    interrupted: outcomes.some((o) => o.interrupted),
    ...(schedules.length > 0 ? { schedule: mergeSchedules(schedules) } : {}),
  };
}

/** Counts add; so do the caps, and the peaks (an upper bound: the workers' peaks may not coincide). */
function mergeSchedules(schedules: readonly ScheduleCounts[]): ScheduleCounts {
  const sum = (key: keyof ScheduleCounts) => schedules.reduce((n, s) => n + s[key], 0);
  return {
    scheduled: sum('scheduled'),
    sent: sum('sent'),
    late: sum('late'),
    lateMs: schedules[0]?.lateMs ?? 0,
    droppedAtCap: sum('droppedAtCap'),
    droppedBehind: sum('droppedBehind'),
    maxInFlight: sum('maxInFlight'),
    peakInFlight: sum('peakInFlight'),
  };
}
