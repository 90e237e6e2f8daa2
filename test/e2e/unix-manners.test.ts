// lb-demo as a Unix tool: a closed pipe, a full disk, a Ctrl-C before anything was sent, files
// that are links or devices, and limits the system sets.
import { spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, childPids, runCli, scratchDir, startCli, writeJson } from './helpers.js';

const FAST = { SIM_OLLAMA_LATENCY_MS: '3', SIM_VLLM_LATENCY_MS: '2' };
const ENV = { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...FAST };

describe('a reader that closes the pipe', () => {
  it('ends printing, but the run goes on: --out is written and a failed check exits 1', async () => {
    const dir = scratchDir();
    const out = join(dir, 'results.json');
    const child = spawn(
      process.execPath,
      [BIN, '--scenario', 'weighted', '-n', '20', '--out', out, '--max-p99', '0.001'],
      { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // `| head -1`: read one chunk, then close our end.
    await Promise.race([new Promise((resolve) => child.stdout.once('data', resolve)), closed]);
    child.stdout.destroy();
    const code = await closed;
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.scenarios[0].requests).toBe(20);
    expect(doc.checks[0]).toMatchObject({ check: 'max-p99', passed: false });
  });
});

describe('output that cannot be written', () => {
  const toFullDisk = async (args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: scratchDir(),
      env: ENV,
      stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { stderr, code };
  };

  it('stdout on a full disk: one line and exit status 4, not a stack trace', async () => {
    const { stderr, code } = await toFullDisk(['--scenario', 'weighted', '-n', '2']);
    expect(stderr).toBe('lb-demo: cannot write the output (ENOSPC)\n');
    expect(code).toBe(4);
  });

  it('the same for a command that is done before its write fails (lint, --version)', async () => {
    const config = fileURLToPath(new URL('../../examples/config-canary.json', import.meta.url));
    for (const args of [['lint', config], ['--version']]) {
      const { stderr, code } = await toFullDisk(args);
      expect(stderr).toBe('lb-demo: cannot write the output (ENOSPC)\n');
      expect(code).toBe(4);
    }
  });

  it('--out on a full disk: one line, exit 4, and --report is still written', async () => {
    const dir = scratchDir();
    const report = join(dir, 'run.html');
    const result = await runCli(
      ['--scenario', 'weighted', '-n', '2', '--out', '/dev/full', '--report', report],
      FAST,
      { cwd: dir },
    );
    expect(result.stderr).toBe('lb-demo: --out /dev/full: cannot write the file (ENOSPC)\n');
    expect(result.code).toBe(4);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('--records: a line per request, in place at the end; a full disk is one line and exit 4', async () => {
    const dir = scratchDir();
    const records = join(dir, 'records.jsonl');
    const ok = await runCli(
      ['--scenario', 'weighted', '-n', '7', '--records', records, '--json'],
      FAST,
      { cwd: dir },
    );
    expect(ok.code).toBe(0);
    const lines = readFileSync(records, 'utf8').trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { seq: number; picked: string });
    expect(parsed.map((r) => r.seq).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const doc = JSON.parse(ok.stdout) as {
      scenarios: { targets: { name: string; picked: number }[] }[];
    };
    for (const t of doc.scenarios[0]?.targets ?? []) {
      expect(parsed.filter((r) => r.picked === t.name).length).toBe(t.picked);
    }
    // Nothing but the file itself is left behind.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const full = await runCli(
      ['--scenario', 'weighted', '-n', '2', '--records', '/dev/full'],
      FAST,
      {
        cwd: dir,
      },
    );
    expect(full.stderr).toBe('lb-demo: --records /dev/full: cannot write the file (ENOSPC)\n');
    expect(full.code).toBe(4);
  });

  it('refuses to write through a symbolic link, and leaves its target alone', async () => {
    const dir = scratchDir();
    const precious = join(dir, 'precious.txt');
    writeFileSync(precious, 'keep me');
    const link = join(dir, 'results.json');
    symlinkSync(precious, link);
    const result = await runCli(['--scenario', 'weighted', '-n', '2', '--out', link], FAST, {
      cwd: dir,
    });
    expect(result.stderr).toMatch(/--out .*results\.json: is a symbolic link/);
    expect(result.code).toBe(4);
    expect(readFileSync(precious, 'utf8')).toBe('keep me');
  });

  it('refuses, before the run, two outputs in one file or an output over an input', async () => {
    const dir = scratchDir();
    const targets = writeJson(dir, 'targets.json', [
      { name: 'a', provider: 'openai', model: 'm' },
      { name: 'b', provider: 'openai', model: 'm' },
    ]);
    const same = await runCli(['--out', join(dir, 'x'), '--report', join(dir, 'x')], FAST, {
      cwd: dir,
    });
    expect(same.stderr).toMatch(
      /^lb-demo: --out .*x: is the same file as --report; give each its own\n$/,
    );
    expect(same.code).toBe(2);
    const overInput = await runCli(['--targets', targets, '--out', targets], FAST, { cwd: dir });
    expect(overInput.stderr).toMatch(/is the same file as the targets file \(--targets\)/);
    expect(overInput.code).toBe(2);
    expect(JSON.parse(readFileSync(targets, 'utf8'))).toHaveLength(2);
  });
});

describe('input files', () => {
  it('refuses a targets file that is not a regular file, with one line', async () => {
    const result = await runCli(['--targets', '/dev/zero'], FAST);
    expect(result.stderr).toBe(
      'lb-demo: --targets /dev/zero: cannot read the file (not a regular file (a character device))\n',
    );
    expect(result.code).toBe(2);
  });

  it('reads a .env that starts with a byte order mark', async () => {
    const dir = scratchDir();
    writeFileSync(
      join(dir, '.env'),
      '\uFEFFGATEWAY_URL=http://127.0.0.1:9\nOLLAMA_URL=http://127.0.0.1:9\n',
    );
    const result = await runCli(['--scenario', 'weighted', '-n', '1'], {}, { cwd: dir });
    // GATEWAY_URL was read (not silently dropped): it then wants VLLM_URL.
    expect(result.stderr).toMatch(/^lb-demo: VLLM_URL is not set: with a gateway of your own/);
    expect(result.code).toBe(2);
  });
});

describe('Ctrl-C before any request was sent', () => {
  it('reports nothing as succeeded and writes no file', async () => {
    const dir = scratchDir();
    const out = join(dir, 'results.json');
    writeFileSync(out, 'previous results');
    const { child, done } = startCli(['--scenario', 'weighted', '--out', out], FAST, { cwd: dir });
    // As soon as the embedded gateway's process exists, it is still starting: interrupt then.
    for (let i = 0; i < 200 && childPids(child.pid ?? -1).length === 0; i++) await delay(10);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted before any request was sent; nothing to report\n$/);
    expect(result.stdout).not.toMatch(/succeeded/);
    expect(readFileSync(out, 'utf8')).toBe('previous results');
  });
});

describe('limits of the system', () => {
  it('refuses a --concurrency the open-file limit cannot hold, saying what to raise', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'sh',
        ['-c', `ulimit -n 256 && exec "${process.execPath}" "${BIN}" -c 500`],
        {
          cwd: scratchDir(),
          env: ENV,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe(
      'lb-demo: --concurrency 500: needs about 1064 open files, and this process may open 256; raise the limit (ulimit -n 1064) or lower --concurrency\n',
    );
    expect(result.code).toBe(2);
  });
});
