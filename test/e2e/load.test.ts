// Load shapes, streaming and interruption, through the real CLI and gateway, checked against what
// the simulators themselves saw.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  type SimulatedProvider,
  startSimulatedProvider,
} from '../../src/local/simulator/server.js';
import { BIN, isListening, onGateway, runCli, scratchDir, startCli, writeJson } from './helpers.js';

let gateway: RunningGateway;
let slow: SimulatedProvider;
let fast: SimulatedProvider;
let targets: string;

beforeAll(async () => {
  // lb-demo reaches it with --gateway, as it would a gateway of the user's: without a token.
  gateway = await startGateway({ requireToken: false });
  slow = await startSimulatedProvider({
    kind: 'ollama',
    name: 'slow',
    models: ['llama3'],
    latencyMs: 60,
  });
  fast = await startSimulatedProvider({
    kind: 'openai',
    name: 'fast',
    models: ['llama-fp8'],
    latencyMs: 60,
  });
  targets = writeJson(scratchDir(), 'targets.json', [
    { name: 'ollama', provider: 'ollama', custom_host: slow.baseUrl, model: 'llama3', weight: 1 },
    { name: 'vllm', provider: 'openai', custom_host: fast.baseUrl, model: 'llama-fp8', weight: 1 },
  ]);
});

beforeEach(() => {
  slow.reset();
  fast.reset();
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), slow?.close(), fast?.close()]);
});

const served = () => slow.served().chatCompletions + fast.served().chatCompletions;

describe('closed loop', () => {
  it('--concurrency 8 keeps 8 requests in flight, never more', async () => {
    const single = writeJson(scratchDir(), 'single.json', [
      { name: 'vllm', provider: 'openai', custom_host: fast.baseUrl, model: 'llama-fp8' },
    ]);
    const result = await runCli(
      onGateway(gateway.url, single, [
        '--scenario',
        'distribution',
        '--requests',
        '80',
        '--concurrency',
        '8',
        '--json',
      ]),
    );
    expect(result.code).toBe(0);
    const [s] = JSON.parse(result.stdout).scenarios;
    expect(s.load).toEqual({
      mode: 'closed-loop',
      concurrency: 8,
      rate_per_s: null,
      stream: false,
      workers: 1,
    });
    expect(s.requests).toBe(80);
    expect(fast.served().chatCompletions).toBe(80);
    expect(fast.served().maxInFlight).toBe(8);
  });

  it('the default keeps one request at a time, as the seed', async () => {
    const result = await runCli(
      onGateway(gateway.url, targets, ['--scenario', 'round-robin', '--json']),
    );
    expect(result.code).toBe(0);
    expect(slow.served().maxInFlight).toBeLessThanOrEqual(1);
    expect(fast.served().maxInFlight).toBeLessThanOrEqual(1);
    expect(served()).toBe(6);
  });
});

describe('open loop', () => {
  it('--rate 40 for 3 s sends about 120 requests, and a slow provider does not throttle the sender', async () => {
    const result = await runCli(
      onGateway(gateway.url, targets, [
        '--scenario',
        'distribution',
        '--rate',
        '40',
        '--duration',
        '3',
        '--json',
      ]),
    );
    expect(result.code).toBe(0);
    const [s] = JSON.parse(result.stdout).scenarios;
    expect(s.load.mode).toBe('open-loop');
    expect(s.duration_s).toBe(3);
    // Poisson arrivals: the count over 3 s has mean 120 and sd ~11; 5 sd either side.
    expect(s.requests).toBeGreaterThanOrEqual(65);
    expect(s.requests).toBeLessThanOrEqual(175);
    expect(served()).toBe(s.requests);
    // At 40/s with 60 ms answers, ~2.4 requests overlap on average: more than a closed loop of 1.
    expect(slow.served().maxInFlight + fast.served().maxInFlight).toBeGreaterThan(2);
  });
});

describe('streaming', () => {
  it('--stream reports time to first token and tokens, attributed as reliably under concurrency', async () => {
    const result = await runCli(
      onGateway(gateway.url, targets, [
        '--scenario',
        'distribution',
        '--requests',
        '60',
        '--concurrency',
        '6',
        '--stream',
        '--json',
      ]),
    );
    expect(result.code).toBe(0);
    const [s] = JSON.parse(result.stdout).scenarios;
    expect(s.load.stream).toBe(true);
    expect(s.succeeded).toBe(60);
    expect(s.unattributed).toBe(0);
    // Each target's count equals what that server streamed: no stream was credited to the other.
    expect(s.targets[0].count).toBe(slow.served().streamed);
    expect(s.targets[1].count).toBe(fast.served().streamed);
    expect(slow.served().streamed + fast.served().streamed).toBe(60);
    expect(s.ttft_ms.count).toBe(60);
    expect(s.ttft_ms.p50).toBeLessThanOrEqual(s.latency_ms.p50);
    expect(s.tpot_ms.count).toBeGreaterThan(0);
    expect(s.output_tokens_per_s).toBeGreaterThan(0);
    for (const t of s.targets) {
      if (t.count > 0) expect(t.output_tokens).toBeGreaterThanOrEqual(t.count);
    }
  });
});

describe('progress', () => {
  it('draws a bar on a terminal (stderr), with rate, errors and the running split', async () => {
    // `script` gives the CLI a pseudo-terminal, as a user's shell would. Asynchronous: the
    // gateway and simulators of this test live in this process and must keep answering.
    const command = `${process.execPath} ${BIN} --gateway ${gateway.url} --targets ${targets} --scenario distribution --requests 120 --concurrency 4`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: scratchDir(),
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(output).toMatch(/120\/120 \| \d+ req\/s \| 0 errors \| ollama \d+% vllm \d+%/);
  });

  it('draws no bar when stderr is not a terminal, and keeps stdout free of it', async () => {
    const result = await runCli(
      onGateway(gateway.url, targets, [
        '--scenario',
        'distribution',
        '--requests',
        '120',
        '--concurrency',
        '4',
      ]),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(/req\/s \|/);
    expect(result.stdout.match(/Progress: \d+\/120 requests done/g)).toHaveLength(10);
  });
});

describe('interruption', () => {
  it('SIGINT mid-run stops sending, reports what completed, frees the embedded stack, exits 130', async () => {
    const { child, done } = startCli(
      ['--scenario', 'distribution', '--requests', '2000', '--json'],
      {
        SIM_OLLAMA_LATENCY_MS: '20',
        SIM_VLLM_LATENCY_MS: '20',
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // gateway started, requests flowing
    child.kill('SIGINT');
    const { code, stdout, stderr } = await done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: finishing the requests in flight/);
    const doc = JSON.parse(stdout);
    const [s] = doc.scenarios;
    expect(doc.interrupted).toBe(true);
    expect(s.interrupted).toBe(true);
    expect(s.requests).toBeGreaterThan(0);
    expect(s.requests).toBeLessThan(2000);
    expect(s.succeeded + s.failed).toBe(s.requests);
    expect(
      doc.simulated_providers.reduce(
        (n: number, p: { served_chat_completions: number }) => n + p.served_chat_completions,
        0,
      ),
    ).toBe(s.succeeded);
    expect(await isListening(Number(new URL(doc.gateway).port))).toBe(false);
  });
});
