// lb-demo as users get it: packed by npm, installed from the tarball into a project and globally,
// run through the bin npm links. Overrides, devDependencies and the repo's own files are out of
// reach there, so this is the one test that sees what an install sees.
import { spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Fast simulators: the stream through the installed gateway is under test, not the waiting. */
const SIMS = { SIM_OLLAMA_LATENCY_MS: '3', SIM_VLLM_LATENCY_MS: '2' };
/** From the npm cache the repo's own `npm ci` filled; the registry only for what is missing. */
const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The environment for npm itself: the user's, without what an enclosing `npm test` exported
 * about this repo (its prefix, package and script), which a nested npm would take for its own.
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^npm_(?!config_)/i.test(name) &&
        !/^npm_config_(local_prefix|global_prefix|prefix)$/i.test(name),
    ),
  );
}

async function npm(args: string[], cwd: string): Promise<Ran> {
  const result = await run('npm', args, { cwd, env: npmEnv() });
  expect(result.code, `npm ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

interface PackedFile {
  path: string;
}

function packedPaths(stdout: string): string[] {
  const [packed] = JSON.parse(stdout) as { files: PackedFile[] }[];
  return (packed?.files ?? []).map((file) => file.path).sort();
}

/** What a user needs, and nothing of the repo's own. */
function expectUsersFiles(paths: string[]): void {
  for (const needed of [
    'LICENSE',
    '.env.example',
    'README.md',
    'package.json',
    'bin/lb-demo.js',
    'dist/main.js',
    'dist/local/gateway-preload.js',
    'examples/three-way.json',
  ]) {
    expect(paths, needed).toContain(needed);
  }
  expect(paths.filter((path) => path.endsWith('.map'))).toEqual([]);
  expect(paths.filter((path) => !/^(bin|dist|examples)\/|^[^/]+$/.test(path))).toEqual([]);
}

describe('npm pack --dry-run', () => {
  it('lists LICENSE, .env.example, the build and the examples, and no source map', async () => {
    // --ignore-scripts: prepack would rebuild dist/ under the feet of the tests running beside
    // this one; `npm test` has just built it. The real pack below runs prepack, in a copy.
    const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
    expectUsersFiles(packedPaths(stdout));
  });
});

describe('installed from the packed tarball', () => {
  const work = mkdtempSync(join(tmpdir(), 'lb-package-'));
  let tarball = '';
  let packed: string[] = [];

  beforeAll(async () => {
    // A copy of the repo, so prepack can clean and rebuild dist/ there, with a stale file from
    // an old layout planted in it.
    const source = join(work, 'source');
    const skip = new Set(['node_modules', '.git', 'dist', 'test-output', 'coverage', '.env']);
    cpSync(ROOT, source, { recursive: true, filter: (from) => !skip.has(relative(ROOT, from)) });
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
    mkdirSync(join(source, 'dist'));
    writeFileSync(join(source, 'dist', 'model.js'), 'export const stale = true;\n');

    const destination = join(work, 'packed');
    mkdirSync(destination);
    const { stdout } = await npm(['pack', '--json', '--pack-destination', destination], source);
    packed = packedPaths(stdout);
    const [info] = JSON.parse(stdout) as { filename: string }[];
    tarball = join(destination, info?.filename ?? '');

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
    await npm(['install', tarball, ...INSTALL_FLAGS], project);
    await npm(
      ['install', '--global', '--prefix', join(work, 'global'), tarball, ...INSTALL_FLAGS],
      work,
    );
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships what prepack built from this source, not a stale dist/', () => {
    expectUsersFiles(packed);
    expect(packed).not.toContain('dist/model.js');
  });

  it.each([
    ['a project', () => join(work, 'project', 'node_modules', '.bin', 'lb-demo')],
    ['the global prefix', () => join(work, 'global', 'bin', 'lb-demo')],
  ])(
    'installed into %s: --stream succeeds 20/20, as the simulators counted',
    async (_, bin) => {
      const result = await run(
        bin(),
        ['--scenario', 'weighted', '--stream', '-n', '20', '--json'],
        {
          cwd: mkdtempSync(join(work, 'run-')),
          env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...SIMS },
        },
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout) as {
        scenarios: {
          requests: number;
          succeeded: number;
          targets: { name: string; count: number }[];
        }[];
        simulated_providers: { target: string; served_chat_completions: number }[];
      };
      const [weighted] = doc.scenarios;
      expect(weighted?.requests).toBe(20);
      expect(weighted?.succeeded).toBe(20);
      for (const target of weighted?.targets ?? []) {
        const served = doc.simulated_providers.find((p) => p.target === target.name);
        expect(served?.served_chat_completions, target.name).toBe(target.count);
      }
    },
    60_000,
  );

  it('gives `lb-demo init` the packaged starter files', async () => {
    const dir = mkdtempSync(join(work, 'init-'));
    const result = await run(join(work, 'global', 'bin', 'lb-demo'), ['init'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    expect(result.code).toBe(0);
    // Every packaged example, whatever examples/ holds today.
    const examples = readdirSync(join(ROOT, 'examples'))
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => `wrote examples/${name}\n`);
    expect(result.stdout).toBe(['wrote .env.example\n', ...examples].join(''));
  });
});
