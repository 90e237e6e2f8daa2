// One scenario run: sends its requests, shows each one (or progress) as it ends, and summarizes.
import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import type { CliIO } from '../io/streams.js';
import type { GatewayConnection, ScenarioPlan, ScenarioResult, Settings } from '../model.js';
import { startProgressBar } from '../report/progress.js';
import { formatProgress, formatRequestLine } from '../report/text/live.js';
import { runScenario } from '../runner/loop.js';
import { createTally, summarizeTally, tallyRecord } from '../stats/tally.js';

/** Above this many requests a scenario shows progress instead of a line per request. */
const PER_REQUEST_LINES_MAX = 50;

export interface ScenarioOutput {
  io: CliIO;
  /** Writes to stdout unless --json holds it. */
  say: (text: string) => void;
  c: ChalkInstance;
}

export async function runOneScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  settings: Settings,
  /** Told how many requests have completed, after each one (for faults set mid-run). */
  onCompleted: (count: number) => void,
  { io, say, c }: ScenarioOutput,
): Promise<ScenarioResult> {
  const names = plan.targets.map((t) => t.name);
  const tally = createTally(plan.targets, plan.weights);
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
  const split = names.map(() => 0);
  let done = 0;
  let errors = 0;

  let outcome: Awaited<ReturnType<typeof runScenario>>;
  try {
    outcome = await runScenario(
      plan,
      connection,
      { ...settings.load, ...(plan.requests !== undefined ? { requests: plan.requests } : {}) },
      {
        ...(io.signal ? { signal: io.signal } : {}),
        onRecord: (record) => {
          tallyRecord(tally, record);
          done += 1;
          onCompleted(done);
          if (!record.ok) errors += 1;
          if (record.targetIndex !== null && record.targetIndex < split.length) {
            split[record.targetIndex] = (split[record.targetIndex] ?? 0) + 1;
          }
          if (perRequestLines) say(formatRequestLine(record, plan, c));
          else if (bar) bar.update({ done, errors, split, elapsedMs: performance.now() - started });
          else if (done % step === 0) say(formatProgress(done, plan.requests));
        },
      },
    );
  } finally {
    bar?.stop();
  }
  // Progress lines: the seed's every 5 requests, at most about ten per scenario, and the last.
  if (!perRequestLines && !bar && done % step !== 0) say(formatProgress(done, plan.requests));
  return {
    plan,
    summary: summarizeTally(tally, settings.alpha, outcome.elapsedMs),
    interrupted: outcome.interrupted,
    load: settings.load,
  };
}
