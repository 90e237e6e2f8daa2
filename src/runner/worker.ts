// A sending worker thread (--workers): runs its share of a scenario's load through the SDK, and
// hands its records, or its tally of them, to the main thread (see worker-protocol.ts).
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { RequestRecord } from '../model/request.js';
import { createTally, tallyRecord } from '../stats/tally.js';
import { ConfigRejectedError } from './classify.js';
import { runScenario } from './loop.js';
import { watchGateway } from './reach.js';
import type { FromWorker, Progress, ToWorker, WorkerData } from './worker-protocol.js';

/** Records are sent in batches: at most this many, or every BATCH_MS. */
const BATCH = 256;
const BATCH_MS = 50;
/** Progress counts go out this often (handover `tally`). */
const PROGRESS_MS = 100;

if (!parentPort) throw new Error('lb-demo: runner/worker.js runs as a worker thread only');
const port: MessagePort = parentPort;
const data = workerData as WorkerData;
const post = (message: FromWorker) => port.postMessage(message);

const stop = new AbortController();
let graceMs = 5_000;
const watch = watchGateway(data.connection);
const tally = data.handover === 'tally' ? createTally(data.plan.targets, data.plan.weights) : null;
const progress: Progress = { done: 0, errors: 0, split: data.plan.targets.map(() => 0) };
let batch: RequestRecord[] = [];
const flush = () => {
  if (batch.length > 0) post({ kind: 'records', records: batch });
  batch = [];
};

const onRecord = (record: RequestRecord) => {
  if (!tally) {
    batch.push(record);
    if (batch.length >= BATCH) flush();
    return;
  }
  watch.observe(record);
  tallyRecord(tally, record);
  progress.done += 1;
  if (!record.ok) progress.errors += 1;
  const picked = record.pickedIndex;
  if (picked !== null && picked < progress.split.length) {
    progress.split[picked] = (progress.split[picked] ?? 0) + 1;
  }
};

port.on('message', (message: ToWorker) => {
  if (message.kind === 'stop') {
    graceMs = message.graceMs;
    stop.abort();
  } else {
    void run(message.originMs);
  }
});
post({ kind: 'ready' });

async function run(originMs: number): Promise<void> {
  const ticker = setInterval(
    () => (tally ? post({ kind: 'progress', progress }) : flush()),
    tally ? PROGRESS_MS : BATCH_MS,
  );
  try {
    const signal = AbortSignal.any([stop.signal, watch.signal]);
    const outcome = await runScenario(data.plan, data.connection, data.shape, {
      onRecord,
      signal,
      graceMs: () => (watch.signal.aborted ? 1_000 : graceMs),
      hold: watch.hold,
      originMs,
    });
    flush();
    post({
      kind: 'done',
      outcome,
      ...(tally ? { tally } : {}),
      ...(watch.signal.aborted ? { gone: String(watch.signal.reason) } : {}),
    });
  } catch (error) {
    flush();
    const message = error instanceof Error ? error.message : String(error);
    post({ kind: error instanceof ConfigRejectedError ? 'rejected' : 'failed', message });
  } finally {
    clearInterval(ticker);
    port.close();
  }
}
