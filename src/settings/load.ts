// The load flags: closed or open loop, how long, how many threads, and what the open-file limit
// allows. Checked together, because they limit each other.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { LoadSettings } from '../model/input.js';
import { parseCount, parsePositiveNumber } from './values.js';

/** Client-side limit on one request unless --timeout says otherwise. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * How long a 200 stream may send nothing before it counts as stalled, unless
 * --stream-idle-timeout says otherwise: long enough for a slow model's first token.
 */
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 30_000;

/** Longest --timeout, and so the largest p99 a request can show: --max-p99 above it checks nothing. */
export const MAX_TIMEOUT_MS = 3_600_000;

/** The open loop's default cap on requests in flight, whatever the open-file limit allows. */
const MAX_IN_FLIGHT_DEFAULT_CAP = 10_000;

/** Open files kept for everything but the requests in flight (modules, pipes, the gateway...). */
const RESERVED_FILES = 256;

/** Where the system does not tell its open-file limit: the usual soft limit. */
const USUAL_FILE_LIMIT = 1024;

export interface LoadOptions {
  concurrency?: string;
  rate?: string;
  duration?: string;
  stream?: boolean;
  timeout?: string;
  streamIdleTimeout?: string;
  maxInFlight?: string;
  workers?: string;
}

/**
 * --rate and --concurrency, --requests and --duration exclude each other (commander checks).
 * `embedded`: the simulated providers run in this process, so each request in flight holds two
 * open files here (the socket to the gateway, and the simulator's end of the gateway's call).
 */
export function parseLoad(options: LoadOptions, embedded: boolean): LoadSettings {
  const filesPerRequest = embedded ? 2 : 1;
  const limit = openFileLimit();
  const concurrency =
    options.concurrency === undefined
      ? 1
      : parseCount(options.concurrency, '--concurrency', 10_000);
  const load: LoadSettings = {
    concurrency,
    stream: options.stream === true,
    timeoutMs:
      options.timeout === undefined
        ? DEFAULT_TIMEOUT_MS
        : parsePositiveNumber(options.timeout, '--timeout', MAX_TIMEOUT_MS),
    streamIdleTimeoutMs:
      options.streamIdleTimeout === undefined
        ? DEFAULT_STREAM_IDLE_TIMEOUT_MS
        : parsePositiveNumber(options.streamIdleTimeout, '--stream-idle-timeout', MAX_TIMEOUT_MS),
    maxInFlight: defaultMaxInFlight(limit, filesPerRequest),
    workers: options.workers === undefined ? 1 : parseCount(options.workers, '--workers', 128),
  };
  if (options.rate !== undefined) load.rate = parsePositiveNumber(options.rate, '--rate', 100_000);
  if (options.duration !== undefined) {
    load.durationMs = parsePositiveNumber(options.duration, '--duration', 86_400) * 1000;
  }
  if (options.maxInFlight !== undefined) {
    if (load.rate === undefined) {
      throw new UsageError(
        '--max-in-flight: only an open loop (--rate) can have more requests in flight than it sends; a closed loop keeps --concurrency in flight',
      );
    }
    load.maxInFlight = parseCount(options.maxInFlight, '--max-in-flight', 100_000);
    checkOpenFiles(load.maxInFlight, '--max-in-flight', filesPerRequest, limit);
    if (load.workers > load.maxInFlight) {
      throw new UsageError(
        `--workers ${load.workers}: each worker may keep at least one request in flight, and --max-in-flight is ${load.maxInFlight}; raise --max-in-flight or lower --workers`,
      );
    }
  }
  if (load.rate === undefined) {
    checkOpenFiles(concurrency, '--concurrency', filesPerRequest, limit);
    if (load.workers > concurrency) {
      throw new UsageError(
        `--workers ${load.workers}: each worker keeps at least one request in flight, and --concurrency is ${concurrency}; raise --concurrency or lower --workers`,
      );
    }
  }
  return load;
}

/** As many requests in flight as the open files allow, keeping a reserve; at most 10,000. */
function defaultMaxInFlight(limit: number | undefined, filesPerRequest: number): number {
  const files = (limit ?? USUAL_FILE_LIMIT) - RESERVED_FILES;
  return Math.max(1, Math.min(MAX_IN_FLIGHT_DEFAULT_CAP, Math.floor(files / filesPerRequest)));
}

/**
 * Each request in flight holds a socket to the gateway (and on the embedded default another one
 * in the simulator that answers it): more than the open-file limit allows would fail requests
 * with EMFILE, reported as connection failures.
 */
function checkOpenFiles(
  inFlight: number,
  flag: string,
  filesPerRequest: number,
  limit: number | undefined,
): void {
  const needed = inFlight * filesPerRequest + 64;
  if (limit !== undefined && needed > limit) {
    throw new UsageError(
      `${flag} ${inFlight}: needs about ${needed} open files, and this process may open ${limit}; raise the limit (ulimit -n ${needed}) or lower ${flag}`,
    );
  }
}

/** The soft limit on open files, where the system tells it (Linux); undefined elsewhere. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}
