// What the main thread and a sending worker thread tell each other (runner/workers.ts, worker.ts).
// Types only: every message is plain data, copied by postMessage's structured clone.
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import type { ScenarioTally } from '../stats/tally.js';
import type { LoadShape, RunOutcome } from './loop.js';

/**
 * How a worker hands its results over. `records`: every record goes to the main thread, which
 * does what it does for its own (the embedded simulators' attribution, per-request lines, faults
 * set after n requests). `tally`: the worker tallies its records itself and sends the tally at the
 * end, which the main thread merges; only progress counts travel meanwhile.
 */
export type Handover = 'records' | 'tally';

export interface WorkerData {
  index: number;
  plan: ScenarioPlan;
  connection: GatewayConnection;
  /** This worker's share of the load. */
  shape: LoadShape;
  handover: Handover;
}

/** Main thread to worker. */
export type ToWorker =
  /** Start now; times count from `originMs` (epoch ms), the same instant for every worker. */
  | { kind: 'go'; originMs: number }
  /** Stop sending; requests in flight get graceMs to complete. */
  | { kind: 'stop'; graceMs: number };

export interface Progress {
  done: number;
  errors: number;
  /** Requests picked for each target so far. */
  split: number[];
}

/** Worker to main thread. */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'records'; records: RequestRecord[] }
  | { kind: 'progress'; progress: Progress }
  | {
      kind: 'done';
      outcome: RunOutcome;
      /** Handover `tally`: everything this worker's records added up to. */
      tally?: ScenarioTally;
      /** Why this worker judged the gateway gone, when it did. */
      gone?: string;
    }
  | { kind: 'rejected'; message: string }
  | { kind: 'failed'; message: string };
