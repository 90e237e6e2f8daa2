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
  let existing: Stats | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink()) {
    throw new WriteError(`${shown}: is a symbolic link; give the path of the file itself`);
  }
  if (existing?.isDirectory()) throw new WriteError(`${shown}: is a directory`);
  try {
    if (existing && !existing.isFile()) writeFileSync(path, text);
    else replaceAtomically(path, text, existing?.mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new WriteError(`${shown}: cannot write the file (${printable(code)})`);
  }
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
