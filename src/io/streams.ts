// Where a command writes, and how: the streams, their colours, the package's own version.
import { readFileSync } from 'node:fs';
import { Chalk, type ChalkInstance, supportsColor } from 'chalk';
import type { Env } from '../model/input.js';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when a terminal. */
  columns?: number | undefined;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Env;
  /** Aborted on Ctrl-C / SIGTERM: stop sending, report what completed. */
  signal?: AbortSignal;
  /** What `-` reads (lb-demo merge): the process's stdin. */
  stdin?: AsyncIterable<string | Buffer>;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colours(stream: OutputStream, env: Env): ChalkInstance {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const wanted = !env.NO_COLOR && (stream.isTTY === true || forced);
  return new Chalk({ level: wanted ? (supportsColor ? supportsColor.level : 1) || 1 : 0 });
}

/** A stream whose every write passes through `filter` first (the redactor). */
export function filtered(stream: OutputStream, filter: (text: string) => string): OutputStream {
  return {
    write: (text: string) => stream.write(filter(text)),
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.columns;
    },
  };
}

/** A stream whose write errors are kept, not thrown: a closed pipe ends printing, no more. */
export interface GuardedStream extends OutputStream {
  /** The first write error other than a closed pipe (EPIPE). */
  readonly failure: NodeJS.ErrnoException | undefined;
  /** Resolves once what was written has been handed over, or has failed (then `failure` says). */
  settled(): Promise<void>;
}

/**
 * Wraps a process stream: once the reader has gone (EPIPE) or a write failed (a full disk),
 * further writes are dropped, so the run still finishes, writes its files and sets its status.
 */
export function guarded(stream: NodeJS.WriteStream): GuardedStream {
  let closed = false;
  let failure: NodeJS.ErrnoException | undefined;
  const fail = (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE') failure ??= error;
  };
  stream.on('error', fail);
  return {
    write(text: string) {
      if (closed) return;
      try {
        stream.write(text);
      } catch (error) {
        fail(error as NodeJS.ErrnoException);
      }
    },
    isTTY: stream.isTTY === true,
    get columns() {
      return stream.columns;
    },
    get failure() {
      return failure;
    },
    settled() {
      if (closed) return Promise.resolve();
      // A write error arrives as an event after the write's callback: let it land first.
      return new Promise((resolve) => {
        stream.write('', () => setImmediate(resolve));
      });
    },
  };
}
