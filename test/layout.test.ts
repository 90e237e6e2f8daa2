// The layout docs/development.md describes, kept: one direction of flow, pure modules that stay
// pure, and files a reader can hold at once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** What a file imports: ./relative paths resolved to src-relative names, packages as named. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map(([, spec]) =>
    spec?.startsWith('.')
      ? relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      : (spec ?? ''),
  );
}

const files = sources().map((path) => ({ name: relative(SRC, path), path }));
const under = (prefix: string) => files.filter((f) => f.name.startsWith(prefix));

describe('the layout of src/', () => {
  it('has no file over 400 lines', () => {
    const long = files
      .map((f) => [f.name, readFileSync(f.path, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it('keeps the shared vocabulary (src/model/) types only, importing nothing else', () => {
    for (const f of under('model/')) {
      expect(
        importsOf(f.path).filter((i) => !i.startsWith('model/')),
        f.name,
      ).toEqual([]);
      expect(readFileSync(f.path, 'utf8'), f.name).not.toMatch(
        /^export (const|function|class|let)/m,
      );
    }
  });

  it('parses input without reaching into the embedded stack, the runner or the report', () => {
    for (const f of under('settings/')) {
      expect(
        importsOf(f.path).filter((i) => /^(local|runner|report|commands)\//.test(i)),
        f.name,
      ).toEqual([]);
    }
  });

  it('keeps config, weights and statistics pure: no SDK, colours, files or process', () => {
    for (const f of [...under('stats/'), ...under('portkey-config'), ...under('weights')]) {
      const text = readFileSync(f.path, 'utf8');
      expect(
        importsOf(f.path).filter((i) => /^(portkey-ai|chalk|node:|undici)/.test(i)),
        f.name,
      ).toEqual([]);
      expect(text, f.name).not.toMatch(/\bprocess\./);
    }
  });

  it('lets nothing below the commands import them, nor the statistics import the runner', () => {
    for (const f of files.filter((f) => !/^(commands\/|cli\.ts|main\.ts)/.test(f.name))) {
      expect(
        importsOf(f.path).filter((i) => /^(commands\/|cli\.ts)/.test(i)),
        f.name,
      ).toEqual([]);
    }
    for (const f of under('stats/')) {
      expect(
        importsOf(f.path).filter((i) => i.startsWith('runner/')),
        f.name,
      ).toEqual([]);
    }
  });
});
