// `lb-demo init [dir]`: the packaged .env.example and example targets files, copied where the
// user can edit them. It never overwrites a file: if any of them exists, it writes none.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, WriteError } from '../errors.js';
import { printable } from '../io/text.js';

/** The package's root: dist/commands/ (or src/commands/ under tsx) is two levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Copies the starter files into `dir` (created if need be); returns their paths, as written. */
export function writeStarterFiles(dir: string): string[] {
  const shownDir = printable(dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`init: ${shownDir} is not a directory`);
  }
  const files = starterFiles().map((name) => ({ name, to: join(dir, name) }));
  const taken = files.find((file) => existsSync(file.to));
  if (taken) {
    throw new UsageError(`init: ${printable(taken.to)} already exists; not overwriting it`);
  }
  for (const { name, to } of files) {
    makeDirectory(dirname(to));
    try {
      // 'wx': should the file appear after the check above, it is still not overwritten.
      writeFileSync(to, readFileSync(join(PACKAGE_ROOT, name)), { flag: 'wx' });
    } catch (error) {
      throw new WriteError(`init: ${printable(to)}: cannot write the file (${errorCode(error)})`);
    }
  }
  return files.map((file) => file.to);
}

/**
 * A directory and its missing parents, one at a time (mkdir -p), each refusal one line: Node's own
 * recursive mkdir never returns for a path under /proc.
 */
function makeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  makeDirectory(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new WriteError(
      `init: ${printable(dir)}: cannot create the directory (${errorCode(error)})`,
    );
  }
}

function errorCode(error: unknown): string {
  return printable((error as NodeJS.ErrnoException).code ?? (error as Error).message);
}

/** .env.example and examples/*.json, relative to the package root. */
function starterFiles(): string[] {
  const examples = readdirSync(join(PACKAGE_ROOT, 'examples'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join('examples', name));
  return ['.env.example', ...examples];
}
