// `lb-demo init`: the starter files a user installing from npm gets, and the refusal to overwrite.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runCli, scratchDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((name) => name.endsWith('.json'))
  .sort();
const STARTERS = ['.env.example', ...EXAMPLES.map((name) => join('examples', name))];

describe('lb-demo init', () => {
  it('copies .env.example and examples/*.json into the current directory and says so', async () => {
    const dir = scratchDir();
    const result = await runCli(['init'], {}, { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(STARTERS.map((name) => `wrote ${name}\n`).join(''));
    for (const name of STARTERS) {
      expect(readFileSync(join(dir, name), 'utf8'), name).toBe(
        readFileSync(join(ROOT, name), 'utf8'),
      );
    }
  });

  it('creates the directory it is given', async () => {
    const dir = join(scratchDir(), 'new', 'place');
    const result = await runCli(['init', dir]);
    expect(result.code).toBe(0);
    for (const name of STARTERS) expect(existsSync(join(dir, name)), name).toBe(true);
  });

  it('refuses, with one line naming the file, to overwrite anything, and then writes nothing', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'examples'));
    const mine = join(dir, 'examples', EXAMPLES[EXAMPLES.length - 1] ?? '');
    writeFileSync(mine, 'my own targets');
    const result = await runCli(['init', dir]);
    expectUsageError(
      result,
      /^init: .*examples\/\S+\.json already exists; not overwriting it$/,
      'init',
    );
    expect(result.stderr).toContain(mine);
    expect(readFileSync(mine, 'utf8')).toBe('my own targets');
    expect(existsSync(join(dir, '.env.example'))).toBe(false);

    const again = scratchDir();
    expect((await runCli(['init'], {}, { cwd: again })).code).toBe(0);
    expectUsageError(
      await runCli(['init'], {}, { cwd: again }),
      /^init: \.env\.example already exists; not overwriting it$/,
      'second init',
    );
  });

  it('refuses a directory that is a file', async () => {
    const file = join(scratchDir(), 'plain');
    writeFileSync(file, '');
    expectUsageError(await runCli(['init', file]), /^init: .*plain is not a directory$/, 'file');
  });
});

describe('.env.example', () => {
  it('a directory it cannot create: one line and exit 4, also under /proc (which hangs mkdir -p)', async () => {
    for (const [dir, code] of [
      ['/proc/lb-demo-nope', 'ENOENT'],
      ['/dev/null/x', 'ENOTDIR'],
    ] as const) {
      const result = await runCli(['init', dir]);
      expect(result.stderr).toBe(`lb-demo: init: ${dir}: cannot create the directory (${code})\n`);
      expect(result.code).toBe(4);
    }
  });

  it("documents every variable of docs/deployment.md's table, each commented out", () => {
    // The table moved from the README to docs/deployment.md; a missing heading must fail here,
    // not leave an empty slice that checks nothing.
    const docs = readFileSync(join(ROOT, 'docs', 'deployment.md'), 'utf8');
    expect(docs).toContain('## Variables');
    const table = docs.slice(docs.indexOf('## Variables'), docs.indexOf('## Targets file'));
    const names = [...table.matchAll(/^\| (.+?) \|/gm)]
      .flatMap(([, cell]) => [...(cell ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)])
      .map(([, name]) => name);
    expect(names.length).toBeGreaterThanOrEqual(13);
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const name of names) expect(example, name).toMatch(new RegExp(`^# ${name}=`, 'm'));
    expect(parseEnv(example)).toEqual({});
  });
});
