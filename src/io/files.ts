// Reading input files and writing result files, with one wording for what went wrong.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { printable } from './text.js';

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * The file's text, or a UsageError "<shown>: cannot read the file (<why>)". With `missingOk`,
 * a file that does not exist gives undefined instead.
 */
export function readTextFile(path: string, shown: string, missingOk = false): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (missingOk && code === 'ENOENT') return undefined;
    const why = READ_ERRORS[code] ?? (error as Error).message;
    throw new UsageError(`${shown}: cannot read the file (${printable(why)})`);
  }
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

/** Writes the whole file or nothing: a reader (or a Ctrl-C) never leaves half a document. */
export function writeFileAtomically(path: string, text: string, input: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${input} ${path}: cannot write the file (${code})`);
  }
}
