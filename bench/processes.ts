// Processes for the bench: servers that run between measurements, and the tools measured, each
// a whole process as a user runs it, with its wall time, CPU time and peak memory.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const AT_EXIT = fileURLToPath(new URL('./at-exit.mjs', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url));

export interface Server<Info> {
  info: Info;
  /** CPU time (µs) of the server and its child processes so far. */
  cpuUs(): number;
  stop(): Promise<void>;
}

/**
 * Starts a bench/*.ts server in its own process; resolves with the JSON line it prints first. Its
 * stderr is kept apart from the bench's output, and shown only if it fails to start.
 */
export function startServer<Info>(script: string, args: string[] = []): Promise<Server<Info>> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', TSX, path, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) =>
      reject(new Error(`${script} exited (${code}) before it was ready\n${stderr}`)),
    );
    child.stdout?.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        child.removeAllListeners('exit');
        resolve({
          info: JSON.parse(line) as Info,
          cpuUs: () => treeCpuUs(child.pid ?? 0),
          stop: () => stopChild(child),
        });
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** CPU time (µs) of a process and all its descendants, from /proc. */
function treeCpuUs(pid: number): number {
  const tick = 1e6 / 100; // USER_HZ
  const own = (() => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      return 0;
    }
  })();
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
  return own + children.reduce((sum, child) => sum + treeCpuUs(child), 0);
}

export interface Measured {
  stdout: string;
  /** From spawn to exit. */
  wallMs: number;
  /** Of the node process (and its worker threads), as it counted them at exit. */
  cpuUs: number;
  maxRssKb: number;
}

/** Runs a node script to its end, the way a user would, and measures the whole process. */
export function runNode(args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const file = join(
    tmpdir(),
    `lb-bench-at-exit-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', AT_EXIT, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', BENCH_AT_EXIT: file, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let usage = { cpuUs: 0, maxRssKb: 0 };
      try {
        usage = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop() ?? '{}');
        rmSync(file);
      } catch {
        // no report: the process died before its exit handlers ran
      }
      if (code !== 0) reject(new Error(`node ${args.join(' ')}: exit ${code}\n${stderr}`));
      else resolve({ stdout, wallMs, ...usage });
    });
  });
}

/** The 1-minute load average, as the kernel gives it. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
