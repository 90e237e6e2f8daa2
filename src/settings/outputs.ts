// Where results go: checked before the run, so that a run never ends unable to write them.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { sameFile } from '../io/files.js';
import { printable } from '../io/text.js';

/** Fails before the run, not after it, when the results could not be written. */
export function checkOutPath(raw: string, input: string): string {
  const path = raw.trim();
  if (path === '') throw new UsageError(`${input}: expected a file path, got ""`);
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(
      `${input} ${printable(path)}: cannot write into ${printable(dir)} (missing or not writable)`,
    );
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(`${input} ${printable(path)}: is a directory`);
  }
  return path;
}

/**
 * Two outputs, or an output and an input, that are one file: the run would overwrite what it
 * read, or one result with the other.
 */
export function checkDistinctFiles(
  outputs: readonly { input: string; path: string | undefined }[],
  inputs: readonly { input: string; path: string | undefined }[],
): void {
  outputs.forEach((out, i) => {
    if (out.path === undefined) return;
    for (const other of [...outputs.slice(i + 1), ...inputs]) {
      if (other.path !== undefined && sameFile(out.path, other.path)) {
        throw new UsageError(
          `${out.input} ${printable(out.path)}: is the same file as ${other.input}; give each its own`,
        );
      }
    }
  });
}
