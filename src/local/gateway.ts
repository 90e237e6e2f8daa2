// Starts the real Portkey AI Gateway from the @portkey-ai/gateway package as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { RunError } from '../errors.js';
import { GATEWAY_PRELOAD, TOKEN_ENV } from './gateway-preload.js';

export interface RunningGateway {
  /** Base URL for the SDK, e.g. http://127.0.0.1:40123/v1. */
  url: string;
  version: string;
  /**
   * What every request must carry in the x-portkey-lb-demo-token header; the gateway answers 403
   * to any other. Undefined when it was started with `requireToken: false`.
   */
  token: string | undefined;
  /** Aborted, with the reason in words, if the gateway process ends before stop() is called. */
  gone: AbortSignal;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Hosts the gateway may call besides loopback (its TRUSTED_CUSTOM_HOSTS). */
  trustedHosts?: readonly string[];
  startTimeoutMs?: number;
  /**
   * Refuse requests without this run's token (default). Tests and the bench that point lb-demo
   * at the gateway with --gateway, as at a gateway of the user's, turn it off.
   */
  requireToken?: boolean;
}

/** Room for a config of several thousand targets in the x-portkey-config header. */
const MAX_HEADER_BYTES = 1024 * 1024;

export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const packageJsonPath = createRequire(import.meta.url).resolve(
    '@portkey-ai/gateway/package.json',
  );
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string; bin: string };
  const entry = join(dirname(packageJsonPath), pkg.bin);
  const trusted = ['localhost', '127.0.0.1', ...(options.trustedHosts ?? [])];
  const token = options.requireToken === false ? undefined : randomBytes(32).toString('base64url');

  const child = spawn(
    process.execPath,
    [
      `--import=data:text/javascript,${encodeURIComponent(GATEWAY_PRELOAD)}`,
      // The config travels in one header; Node's 16 KB default would refuse about 110 targets.
      `--max-http-header-size=${MAX_HEADER_BYTES}`,
      entry,
      '--port=0',
      '--headless',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Only what the gateway needs: a proxy or cloud credentials from the user's shell must not
      // change where the embedded gateway sends requests.
      env: {
        PATH: process.env.PATH ?? '',
        TRUSTED_CUSTOM_HOSTS: trusted.join(','),
        ...(token ? { [TOKEN_ENV]: token } : {}),
      },
      // A process group of its own: Ctrl-C in a terminal signals the foreground group, lb-demo
      // alone, which then stops the gateway itself once the requests in flight are answered. If
      // lb-demo dies instead, the IPC channel closes and the preload ends the gateway.
      detached: true,
    },
  );
  const log = keepTail(child);
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let port: number;
  try {
    port = await listeningPort(child, timeoutMs);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    const tail = log.text();
    const why = (error as Error).message;
    throw new RunError(`the embedded Portkey gateway ${why}${tail ? `: ${tail}` : ''}`);
  }
  const gone = new AbortController();
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) {
      gone.abort(`the embedded gateway exited (${signal ?? `code ${code}`})`);
    }
  });

  return {
    url: `http://127.0.0.1:${port}/v1`,
    version: pkg.version,
    token,
    gone: gone.signal,
    stop: () => {
      stopping = true;
      return stopChild(child, 'SIGTERM');
    },
  };
}

/** The port the preload reports; fails with the reason in words if none comes in time. */
function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage).off('error', onError).off('exit', onExit);
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`did not start within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const onMessage = (message: { listening?: number }) => {
      const port = message?.listening;
      if (typeof port === 'number') settle(() => resolve(port));
    };
    const onError = (error: Error) =>
      settle(() => reject(new Error(`could not be started (${error.message})`)));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(() => reject(new Error(`exited before listening (${signal ?? `code ${code}`})`)));
    child.on('message', onMessage).once('error', onError).once('exit', onExit);
  });
}

/**
 * Ends the gateway's process group (the gateway leads it) and waits until the gateway is gone:
 * `signal` first, SIGKILL if it is still there after 2 s.
 */
function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => signalGroup(child, 'SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    signalGroup(child, signal);
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    child.kill(signal); // the group is gone already, or never formed
  }
}

/** Keeps the last few lines of the child's output without letting its pipes fill up. */
function keepTail(child: ChildProcess, maxLines = 20) {
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      // The gateway draws a spinner and colours for a terminal; keep only plain text.
      const plain = stripVTControlCharacters(line).replace(/^.*\r/, '').trim();
      if (plain) lines.push(plain);
    }
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return { text: () => lines.slice(-5).join(' | ') };
}
