// A live progress bar for long runs: drawn on stderr, only on a terminal, never with --json.
import cliProgress from 'cli-progress';

export interface ProgressState {
  done: number;
  errors: number;
  /** Requests routed to each target so far. */
  split: readonly number[];
  elapsedMs: number;
}

export interface ProgressBar {
  update(state: ProgressState): void;
  stop(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * `total` is a request count, or undefined when the run is limited by time (`durationMs`): the bar
 * then fills with elapsed time.
 */
export function startProgressBar(
  stream: ProgressStream,
  names: readonly string[],
  limit: { requests?: number | undefined; durationMs?: number | undefined },
): ProgressBar {
  const byTime = limit.requests === undefined;
  const total = byTime ? Math.round((limit.durationMs ?? 0) / 1000) : (limit.requests ?? 0);
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `{bar} ${byTime ? '{value}/{total} s | {done} done' : '{value}/{total}'} | {rate} req/s | {errors} errors | {split}`,
      barsize: 20,
      hideCursor: true,
      clearOnComplete: true,
      linewrap: false,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { done: 0, rate: '0', errors: 0, split: '' });
  // Whatever ends the process (a second Ctrl-C, a crash), the terminal gets its cursor and line
  // wrap back.
  const restore = () => stream.write('\x1b[?25h\x1b[?7h');
  process.once('exit', restore);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    bar.stop();
    process.off('exit', restore);
    if (live === stop) live = undefined;
  };
  live = stop;
  return {
    update(state) {
      const routed = state.split.reduce((a, b) => a + b, 0);
      const split = names
        .map(
          (name, i) =>
            `${name} ${routed ? Math.round(((state.split[i] ?? 0) / routed) * 100) : 0}%`,
        )
        .join(' ');
      bar.update(byTime ? Math.min(Math.floor(state.elapsedMs / 1000), total) : state.done, {
        done: state.done,
        rate: state.elapsedMs > 0 ? ((state.done * 1000) / state.elapsedMs).toFixed(0) : '0',
        errors: state.errors,
        split,
      });
    },
    stop,
  };
}

/** The bar on screen now, if any: stopped (and cleared) before anything else is written. */
let live: (() => void) | undefined;

/** Clears the live progress bar, so that a notice (Ctrl-C) or the summary never overlaps it. */
export function stopLiveProgress(): void {
  live?.();
}
