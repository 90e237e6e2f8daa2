import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/lb-demo.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the real, built CLI in a scratch directory (so no developer .env leaks in), without
 * colour, with only the variables given; `done` resolves with its exit and output.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? scratchDir(),
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Runs the CLI to the end (see startCli). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startCli(args, env, options).done;
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'lb-e2e-'));
}

export function writeJson(dir: string, name: string, data: unknown): string {
  return writeText(dir, name, JSON.stringify(data, null, 2));
}

export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Exit status 2, exactly one line naming the input and what is wrong, nothing else. */
export function expectUsageError(
  result: Pick<CliResult, 'code' | 'stdout' | 'stderr'>,
  message: RegExp,
  where: string,
): void {
  expect(result.stdout, `${where}: stdout`).toBe('');
  expect(result.stderr, `${where}: no stack trace`).not.toMatch(/\n\s+at /);
  expect(result.stderr.endsWith('\n'), `${where}: ends its line`).toBe(true);
  const lines = result.stderr.slice(0, -1).split('\n');
  expect(lines, `${where}: one line`).toHaveLength(1);
  expect(lines[0], where).toMatch(/^lb-demo: /);
  expect(lines[0]?.slice('lb-demo: '.length), where).toMatch(message);
  expect(result.code, `${where}: exit status (stderr: ${result.stderr})`).toBe(2);
}

/** CLI arguments for a run against a gateway of the test's own, with a targets file. */
export function onGateway(gatewayUrl: string, targetsFile: string, args: string[]): string[] {
  return ['--gateway', gatewayUrl, '--targets', targetsFile, ...args];
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

/** The loopback ports the processes `pids` listen on (from `ss`). */
export function listeningPorts(pids: number[]): number[] {
  const out = spawnSync('ss', ['-ltnpH'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .filter((line) => pids.some((p) => line.includes(`pid=${p},`)))
    .map((line) => Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0))
    .filter((port) => port > 0);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fast simulated providers for tests: the routing is what is under test, not the waiting. */
export const FAST_SIMS = { SIM_OLLAMA_LATENCY_MS: '4', SIM_VLLM_LATENCY_MS: '1' };

/** Starts a test's server on 127.0.0.1 at a free port; `close` also ends keep-alive sockets. */
export function listenOnLoopback(
  server: import('node:http').Server,
): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A fake gateway of the test's own, for answers the real one does not give.

export interface Fake {
  url: string;
  port: number;
  /** Chat completions received. */
  chats: number;
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export type Answer = (req: http.IncomingMessage, res: http.ServerResponse, fake: Fake) => void;

/** A "gateway" on 127.0.0.1: answers the pre-flight GET / with 200, chats with `answer`. */
export function fakeGateway(answer: Answer, preflight?: Answer): Promise<Fake> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.endsWith('/chat/completions')) {
        fake.chats += 1;
        fake.headers.push(req.headers);
        answer(req, res, fake);
      } else if (preflight) {
        preflight(req, res, fake);
      } else {
        res.end('ok');
      }
    });
  });
  const fake: Fake = {
    url: '',
    port: 0,
    chats: 0,
    headers: [],
    close: async () => {},
  };
  return listenOnLoopback(server).then(({ port, close }) => {
    fake.port = port;
    fake.url = `http://127.0.0.1:${port}/v1`;
    fake.close = close;
    return fake;
  });
}

export function completion(n: number): string {
  return JSON.stringify({
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: 1,
    model: 'llama3',
    choices: [
      { index: 0, message: { role: 'assistant', content: `answer ${n}` }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  });
}

export const ROUTED = {
  'content-type': 'application/json',
  'x-portkey-last-used-option-index': 'config.targets[0]',
  'x-portkey-provider': 'ollama',
};
