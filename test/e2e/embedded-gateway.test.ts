// lb-demo's own gateway: it takes only the requests of the run that started it, and it lives in a
// process group of its own, so a Ctrl-C reaches lb-demo alone, which then stops it.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  alive,
  BIN,
  childPids,
  completion,
  FAST_SIMS,
  isListening,
  listeningPorts,
  listenOnLoopback,
  scratchDir,
  startCli,
} from './helpers.js';

const TOKEN_HEADER = 'x-portkey-lb-demo-token';

/** Polls until lb-demo (`pid`) has its gateway child listening: that child's pid and port. */
async function embeddedGateway(pid: number): Promise<{ gatewayPid: number; port: number }> {
  for (let i = 0; i < 150; i++) {
    const [gatewayPid] = childPids(pid);
    const [port] = gatewayPid ? listeningPorts([gatewayPid]) : [];
    if (gatewayPid && port) return { gatewayPid, port };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`lb-demo (pid ${pid}) started no gateway`);
}

function processGroup(pid: number): number {
  return Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout);
}

function chat(port: number, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'llama3', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('the gateway started with a token', () => {
  let gateway: RunningGateway;
  let provider: { port: number; close: () => Promise<void> };
  const received: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    provider = await listenOnLoopback(
      http.createServer((req, res) => {
        received.push(req.headers);
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(completion(1));
        });
      }),
    );
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), provider?.close()]);
  });

  const port = () => Number(new URL(gateway.url).port);
  const config = () =>
    JSON.stringify({
      provider: 'openai',
      api_key: 'sk-test',
      custom_host: `http://127.0.0.1:${provider.port}/v1`,
    });

  it('refuses requests without it, or with another one, with 403 and a short JSON body', async () => {
    expect(gateway.token).toMatch(/^[\w-]{40,}$/);
    const wrong = `${gateway.token?.slice(0, -1)}${gateway.token?.endsWith('A') ? 'B' : 'A'}`;
    const attempts: Record<string, string>[] = [
      {},
      { [TOKEN_HEADER]: wrong },
      { [TOKEN_HEADER]: 'short' },
    ];
    for (const headers of attempts) {
      const answer = await chat(port(), { 'x-portkey-config': config(), ...headers });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(((await answer.json()) as { error: { type: string } }).error.type).toBe('forbidden');
    }
    const root = await fetch(`http://127.0.0.1:${port()}/`);
    expect(root.status).toBe(403);
    await root.body?.cancel();
    expect(received).toHaveLength(0);
  });

  it('refuses a websocket upgrade without it', async () => {
    const firstLine = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: port() }, () => {
        socket.write(
          'GET /v1/realtime?model=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n' +
            'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
      socket.once('data', (data) => {
        resolve(data.toString('latin1').split('\r\n')[0] ?? '');
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(firstLine).toBe('HTTP/1.1 403 Forbidden');
  });

  it('passes requests that carry it, and does not forward it to the provider', async () => {
    const answer = await chat(port(), {
      'x-portkey-config': config(),
      [TOKEN_HEADER]: gateway.token ?? '',
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('answer 1');
    expect(received).toHaveLength(1);
    const sent = received[0] ?? {};
    expect(sent[TOKEN_HEADER]).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain(gateway.token);
  });
});

describe('a gateway that fails to start', () => {
  it('is killed before startGateway gives up, not left behind', async () => {
    const before = childPids(process.pid);
    await expect(startGateway({ startTimeoutMs: 1 })).rejects.toThrow(
      /the embedded Portkey gateway did not start within 1 ms/,
    );
    // (childPids lists its own `ps` too, gone by the time it returns.)
    const left = childPids(process.pid).filter((pid) => !before.includes(pid) && alive(pid));
    expect(left).toEqual([]);
  });
});

describe('lb-demo on the embedded default', () => {
  it("sends its gateway's token on every request; a request without it gets 403", async () => {
    const { child, done } = startCli(
      ['--scenario', 'distribution', '--duration', '4', '--concurrency', '2', '--json'],
      FAST_SIMS,
    );
    const { port } = await embeddedGateway(child.pid ?? -1);
    const answer = await chat(port);
    expect(answer.status).toBe(403);
    await answer.body?.cancel();
    const result = await done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    const [s] = doc.scenarios;
    expect(s.requests).toBeGreaterThan(0);
    expect(s.succeeded).toBe(s.requests);
    const served = doc.simulated_providers.reduce(
      (n: number, p: { served_chat_completions: number }) => n + p.served_chat_completions,
      0,
    );
    expect(served).toBe(s.requests);
  });

  it('Ctrl-C (SIGINT to the foreground process group) reaches lb-demo alone, which stops the gateway', async () => {
    // detached: lb-demo leads a process group of its own, as a job a shell runs in a terminal.
    const child = spawn(
      process.execPath,
      [BIN, '--scenario', 'distribution', '--requests', '5000', '--concurrency', '2', '--json'],
      {
        cwd: scratchDir(),
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...FAST_SIMS },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const pid = child.pid ?? -1;
    const { gatewayPid, port } = await embeddedGateway(pid);
    expect(processGroup(gatewayPid)).not.toBe(processGroup(pid));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // requests flowing
    process.kill(-pid, 'SIGINT'); // what the terminal does on Ctrl-C
    expect(await closed).toBe(130);
    expect(stderr).toMatch(/SIGINT: finishing the requests in flight/);
    expect(stderr).not.toMatch(/went away/);
    const [s] = JSON.parse(stdout).scenarios;
    expect(s.interrupted).toBe(true);
    expect(s.requests).toBeGreaterThan(0);
    expect(s.succeeded).toBe(s.requests); // the gateway answered until lb-demo stopped it
    expect(alive(gatewayPid)).toBe(false);
    expect(await isListening(port)).toBe(false);
  });
});
