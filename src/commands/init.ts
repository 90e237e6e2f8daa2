// `lb-demo init [dir]`: the packaged .env.example and example targets files, copied where the
// user can edit them. It never overwrites a file: if any of them exists, it writes none.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
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
    mkdirSync(join(to, '..'), { recursive: true });
    try {
      // 'wx': should the file appear after the check above, it is still not overwritten.
      writeFileSync(to, readFileSync(join(PACKAGE_ROOT, name)), { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new UsageError(`init: ${printable(to)}: cannot write the file (${code})`);
    }
  }
  return files.map((file) => file.to);
}

/** .env.example and examples/*.json, relative to the package root. */
function starterFiles(): string[] {
  const examples = readdirSync(join(PACKAGE_ROOT, 'examples'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join('examples', name));
  return ['.env.example', ...examples];
}
