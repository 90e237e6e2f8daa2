// Reading input files and writing result files: bounded reads of regular files, and writes that
// are whole or nothing, through a temporary file nobody can predict.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError, WriteError } from '../errors.js';
import { printable } from './text.js';

/** Targets files, .env and saved documents are small; a bigger one is a mistake (or /dev/zero). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * The text of a regular file of at most `maxBytes`, or a UsageError "<shown>: cannot read the
 * file (<why>)". With `missingOk`, a file that does not exist gives undefined instead.
 */
export function readTextFile(
  path: string,
  shown: string,
  { missingOk = false, maxBytes = MAX_INPUT_BYTES } = {},
): string | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO without a writer would otherwise hold the open forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (missingOk && code === 'ENOENT') return undefined;
    throw new UsageError(`${shown}: cannot read the file (${readError(error)})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      const what = stats.isDirectory() ? 'is a directory' : `not a regular file (${kind(stats)})`;
      throw new UsageError(`${shown}: cannot read the file (${what})`);
    }
    if (stats.size > maxBytes) {
      throw new UsageError(
        `${shown}: cannot read the file (${stats.size} bytes; at most ${maxBytes} are read)`,
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${shown}: cannot read the file (${readError(error)})`);
  } finally {
    closeSync(fd);
  }
}

function readError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return printable(READ_ERRORS[code] ?? (error as Error).message);
}

function kind(stats: Stats): string {
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a file';
}

/**
 * JSON.parse's text with an editor's byte order mark left out, or a UsageError
 * "<shown>: not valid JSON (<reason> at line L, column C)".
 */
export function parseJsonText(text: string, shown: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new UsageError(`${shown}: not valid JSON (${jsonErrorReason(error as Error, body)})`);
  }
}

/**
 * JSON.parse's reason without the excerpt of the file V8 quotes (it may hold a key, and
 * newlines), with "position N" turned into a line and a column.
 */
function jsonErrorReason(error: Error, text: string): string {
  const reason = error.message.replace(/, .* is not valid JSON$/s, '');
  const where = reason.replace(/ (?:in JSON )?at position (\d+).*$/s, (_, position: string) => {
    const before = text.slice(0, Number(position));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return ` at line ${line}, column ${column}`;
  });
  return printable(where.replace(/\s+/g, ' ').trim());
}

/**
 * Writes a result file. A regular file (or none yet) is replaced whole or not at all: the text
 * goes to an exclusively created temporary file of an unpredictable name beside it, then is
 * renamed over it, and the temporary file is removed if anything fails. A device or a pipe
 * (/dev/stdout, a FIFO) is written through. A symbolic link or a directory is refused.
 */
export function writeFileSafely(path: string, text: string, input: string): void {
  const shown = `${input} ${printable(path)}`;
  const existing = existingOutput(path, shown);
  try {
    if (existing && !existing.isFile()) writeFileSync(path, text);
    else replaceAtomically(path, text, existing?.mode);
  } catch (error) {
    throw new WriteError(`${shown}: cannot write the file (${errorCode(error)})`);
  }
}

/** What is at an output's path now (nothing, a file, a device...); a link or a directory refused. */
function existingOutput(path: string, shown: string): Stats | undefined {
  let existing: Stats | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    return undefined;
  }
  if (existing.isSymbolicLink()) {
    throw new WriteError(`${shown}: is a symbolic link; give the path of the file itself`);
  }
  if (existing.isDirectory()) throw new WriteError(`${shown}: is a directory`);
  return existing;
}

function replaceAtomically(path: string, text: string, mode: number | undefined): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  // 'wx': created here and now, never an existing file or a link someone planted.
  const fd = openSync(temporary, 'wx', mode === undefined ? 0o644 : mode & 0o777);
  try {
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    throw error;
  }
}

/** Whether two paths name the same file: the same path, or (when both exist) the same inode. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A file written line by line during a run, and put in place when it ends. */
export interface LineFile {
  /** Adds one line (no line break in it); kept in memory until enough to write. */
  writeLine(line: string): void;
  /** Writes what is left and puts the file in place; a WriteError when any write failed. */
  close(): void;
  /** Removes the temporary file unless closed: the run never got to measure anything. */
  discard(): void;
}

/** Lines kept before they are written: a few hundred records. */
const LINE_BUFFER_BYTES = 64 * 1024;

/**
 * A file of lines, such as the per-request records: written to a temporary file beside `path`
 * as the run goes (so memory stays flat however long it runs), renamed over `path` at the end.
 * A device or a pipe is written through. The first failed write stops the writing; `close`
 * reports it.
 */
export function openLineFile(path: string, input: string): LineFile {
  const shown = `${input} ${printable(path)}`;
  const existing = existingOutput(path, shown);
  const through = existing !== undefined && !existing.isFile();
  const target = through
    ? path
    : join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(target, through ? 'w' : 'wx', 0o644);
  } catch (error) {
    throw new WriteError(`${shown}: cannot write the file (${errorCode(error)})`);
  }
  let buffer: string[] = [];
  let bytes = 0;
  let failure: string | undefined;
  let open = true;
  const remove = () => {
    if (through) return;
    try {
      unlinkSync(target);
    } catch {
      // already gone
    }
  };
  const flush = () => {
    if (failure !== undefined || buffer.length === 0) return;
    try {
      writeSync(fd, `${buffer.join('\n')}\n`);
    } catch (error) {
      failure = errorCode(error);
    }
    buffer = [];
    bytes = 0;
  };
  return {
    writeLine(line) {
      if (failure !== undefined) return;
      buffer.push(line);
      bytes += line.length + 1;
      if (bytes >= LINE_BUFFER_BYTES) flush();
    },
    close() {
      if (!open) return;
      open = false;
      flush();
      try {
        closeSync(fd);
        if (!through && failure === undefined) renameSync(target, path);
      } catch (error) {
        failure ??= errorCode(error);
      }
      if (failure !== undefined) {
        remove();
        throw new WriteError(`${shown}: cannot write the file (${failure})`);
      }
    },
    discard() {
      if (!open) return;
      open = false;
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
      remove();
    },
  };
}

function errorCode(error: unknown): string {
  return printable((error as NodeJS.ErrnoException).code ?? (error as Error).message);
}
