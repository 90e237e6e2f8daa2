// One scenario run: sends its requests, shows each one (or progress) as it ends, and summarizes.
import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import type { CliIO } from '../io/streams.js';
import type { GatewayConnection, Settings } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import type { ScenarioResult } from '../model/run.js';
import { startProgressBar } from '../report/progress.js';
import { formatProgress, formatRequestLine } from '../report/text/live.js';
import { type RunOutcome, runScenario } from '../runner/loop.js';
import { watchGateway } from '../runner/reach.js';
import type { Progress } from '../runner/worker-protocol.js';
import { runInWorkers } from '../runner/workers.js';
import { createTally, mergeTally, summarizeTally, tallyRecord } from '../stats/tally.js';
import { withTreeTests } from '../stats/tree.js';

/** Above this many requests a scenario shows progress instead of a line per request. */
const PER_REQUEST_LINES_MAX = 50;

export interface ScenarioOutput {
  io: CliIO;
  /** Writes to stdout unless --json holds it. */
  say: (text: string) => void;
  c: ChalkInstance;
  /** Masks the secrets a record's network text may echo, before it is kept or shown. */
  mask: (record: RequestRecord) => RequestRecord;
  /** --records: each masked record, as it completes. */
  keep?: (plan: ScenarioPlan, record: RequestRecord) => void;
}

/** What the embedded stack adds to a run: its simulators' knowledge and its gateway's fate. */
export interface ScenarioHooks {
  /** Told how many requests have completed, after each one (for faults set mid-run). */
  onCompleted: (count: number) => void;
  /** Tags requests with this header, and fills in what lb-demo's simulators know of each. */
  attribute?: { header: string; complete: (record: RequestRecord) => RequestRecord };
  /** Aborted when the embedded gateway's process exits. */
  gatewayGone?: AbortSignal;
}

export async function runOneScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  settings: Settings,
  hooks: ScenarioHooks,
  out: ScenarioOutput,
): Promise<ScenarioResult> {
  const tally = createTally(plan.targets, plan.weights);
  const show = progressDisplay(plan, settings, out);
  const watch = watchGateway(connection, hooks.gatewayGone);
  const stop = AbortSignal.any([watch.signal, ...(out.io.signal ? [out.io.signal] : [])]);
  const tag = hooks.attribute && {
    header: hooks.attribute.header,
    prefix: `${plan.name}${plan.variant ? `-${plan.variant.replace(/\W+/g, '-')}` : ''}`,
  };
  let done = 0;
  const onRecord = (sent: RequestRecord) => {
    const record = out.mask(hooks.attribute ? hooks.attribute.complete(sent) : sent);
    watch.observe(record);
    out.keep?.(plan, record);
    tallyRecord(tally, record);
    done += 1;
    hooks.onCompleted(done);
    show.record(record);
  };
  let outcome: RunOutcome;
  // Wall-clock time, so that `lb-demo merge` can tell how the shards' runs overlapped.
  const startedAt = Date.now();
  try {
    const shape = {
      ...settings.load,
      ...(plan.stream !== undefined ? { stream: plan.stream } : {}),
      ...(plan.requests !== undefined ? { requests: plan.requests } : {}),
      ...(tag ? { tag } : {}),
    };
    // A gone gateway answers nothing more: no point waiting out the Ctrl-C grace for it.
    const graceMs = () => (watch.signal.aborted ? 1_000 : 5_000);
    if (settings.load.workers > 1) {
      // The main thread must see each record when it completes them (the simulators' knowledge),
      // prints them, or injects faults by their count; otherwise the workers tally their own.
      const needsRecords =
        hooks.attribute !== undefined ||
        out.keep !== undefined ||
        show.perRequestLines ||
        plan.disruptions.some((d) => d.afterRequests !== undefined);
      const result = await runInWorkers(plan, connection, shape, settings.load.workers, {
        handover: needsRecords ? 'records' : 'tally',
        onRecord,
        onProgress: show.progress,
        signal: stop,
        graceMs,
      });
      for (const part of result.tallies) mergeTally(tally, part);
      if (result.tallies.length > 0) {
        const failed = tally.failed.reduce((n, x) => n + x, 0);
        show.progress({ done: tally.requests, errors: failed, split: tally.picked });
      }
      if (result.gone) watch.stop(result.gone);
      outcome = result.outcome;
    } else {
      const options = { signal: stop, graceMs, onRecord, hold: watch.hold };
      outcome = await runScenario(plan, connection, shape, options);
    }
  } finally {
    show.stop();
  }
  const gone = watch.signal.aborted;
  return {
    plan,
    startedAt,
    summary: withTreeTests(
      summarizeTally(tally, settings.alpha, outcome.elapsedMs),
      plan,
      settings.alpha,
    ),
    interrupted: outcome.interrupted,
    stopReason: gone ? 'gateway-gone' : outcome.interrupted ? 'interrupted' : null,
    ...(gone ? { gatewayGoneReason: String(watch.signal.reason) } : {}),
    ...(outcome.schedule ? { schedule: outcome.schedule } : {}),
    load: { ...settings.load, stream: plan.stream ?? settings.load.stream },
  };
}

/**
 * A line per request (the seed's tests 1 and 2), a progress bar on a terminal, or a progress
 * line every tenth of the run (at least every 5 requests) and at the end.
 */
function progressDisplay(plan: ScenarioPlan, settings: Settings, { io, say, c }: ScenarioOutput) {
  const names = plan.targets.map((t) => t.name);
  const perRequestLines =
    plan.display === 'per-request' &&
    plan.requests !== undefined &&
    plan.requests <= PER_REQUEST_LINES_MAX;
  const bar =
    !perRequestLines && !settings.json && io.stderr.isTTY
      ? startProgressBar(io.stderr, names, plan)
      : undefined;
  const step = plan.requests === undefined ? 100 : Math.max(5, Math.ceil(plan.requests / 10));
  const started = performance.now();
  let split = names.map(() => 0);
  let done = 0;
  let errors = 0;
  let lastLine = 0;
  const show = () => {
    if (bar) bar.update({ done, errors, split, elapsedMs: performance.now() - started });
    else if (Math.floor(done / step) > Math.floor(lastLine / step)) {
      lastLine = done;
      say(formatProgress(done - (done % step), plan.requests));
    }
  };
  return {
    perRequestLines,
    record(record: RequestRecord) {
      done += 1;
      if (!record.ok) errors += 1;
      if (record.pickedIndex !== null && record.pickedIndex < split.length) {
        split[record.pickedIndex] = (split[record.pickedIndex] ?? 0) + 1;
      }
      if (perRequestLines) say(formatRequestLine(record, plan, c));
      else show();
    },
    /** Worker threads' counts, all together (they keep their records). */
    progress(counts: Progress) {
      ({ done, errors } = counts);
      split = names.map((_, i) => counts.split[i] ?? 0);
      show();
    },
    stop() {
      bar?.stop();
      if (!perRequestLines && !bar && done % step !== 0) say(formatProgress(done, plan.requests));
    },
  };
}
