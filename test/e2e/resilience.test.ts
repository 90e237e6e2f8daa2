// Resilience scenarios on the embedded stack: faults injected into the simulators, the real
// gateway's fallback, retry and request_timeout absorbing them, and the CLI's own --timeout.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  alive,
  BIN,
  childPids,
  isListening,
  listeningPorts,
  runCli,
  scratchDir,
} from './helpers.js';

const FAST = { SIM_OLLAMA_LATENCY_MS: '5', SIM_VLLM_LATENCY_MS: '2' };

interface Scenario {
  scenario: string;
  variant: string | null;
  requests: number;
  succeeded: number;
  failed: number;
  fallbacks: number;
  retries: number;
  failures: Record<string, number>;
  latency_ms: { max: number } | null;
  targets: {
    name: string;
    routed: number;
    count: number;
    failed: number;
    fallbacks: number;
    retries: number;
  }[];
}

async function runScenario(name: string, extra: string[] = [], env = FAST) {
  const result = await runCli(['--scenario', name, '--json', ...extra], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    scenarios: Scenario[];
    simulated_providers: { target: string; served_chat_completions: number }[];
  };
}

describe('failover', () => {
  it('with the fallback every request succeeds after a provider goes down; without it, they fail', async () => {
    const doc = await runScenario('failover', ['--requests', '30']);
    const [without, withFallback] = doc.scenarios;
    expect([without?.variant, withFallback?.variant]).toEqual([
      'without fallback',
      'with fallback',
    ]);
    // vllm goes down after 10 of 30 requests: without a fallback its later requests fail.
    expect(without?.failed).toBeGreaterThan(0);
    expect(without?.failed).toBe(without?.targets[1]?.failed);
    expect(without?.failures['provider-error']).toBe(without?.failed);
    expect(without?.fallbacks).toBe(0);
    // With the nested fallback nothing is lost, and the gateway's headers show the detour.
    expect(withFallback?.succeeded).toBe(30);
    expect(withFallback?.failed).toBe(0);
    expect(withFallback?.fallbacks).toBeGreaterThan(0);
    expect(withFallback?.targets[1]?.fallbacks).toBe(withFallback?.fallbacks); // only the dead one's
    // Requests routed to vllm after the outage were served by ollama: its simulator saw them.
    const ollamaServed = doc.simulated_providers.find(
      (p) => p.target === 'ollama',
    )?.served_chat_completions;
    const ollamaDirect = (without?.targets[0]?.count ?? 0) + (withFallback?.targets[0]?.count ?? 0);
    expect(ollamaServed).toBe(ollamaDirect + (withFallback?.fallbacks ?? 0));
  });
});

describe('retry', () => {
  it('the gateway retries 503s: success rate rises to 100% and the retries are counted per target', async () => {
    const doc = await runScenario('retry', ['--requests', '40']);
    const [without, withRetry] = doc.scenarios;
    expect(without?.variant).toBe('without retry');
    expect(without?.failed).toBeGreaterThan(0);
    expect(without?.failures['provider-error']).toBe(without?.failed);
    expect(without?.retries).toBe(0);
    expect(withRetry?.variant).toBe('with retry');
    expect(withRetry?.succeeded).toBe(40);
    expect(withRetry?.retries).toBeGreaterThan(0);
    // Only the flaky target (vllm) needed retries.
    expect(withRetry?.targets[0]?.retries).toBe(0);
    expect(withRetry?.targets[1]?.retries).toBe(withRetry?.retries);
  });
});

describe('timeouts', () => {
  it("the gateway's request_timeout bounds a hung provider; reported as timeouts, the run goes on", async () => {
    const doc = await runScenario('timeout', ['--requests', '16']);
    const [s] = doc.scenarios;
    expect(s?.requests).toBe(16);
    expect(s?.failures.timeout).toBeGreaterThan(0);
    expect(s?.failures.timeout).toBe(s?.failed);
    expect(s?.failed).toBe(s?.targets[0]?.failed); // only ollama hangs
  });

  it('--timeout gives up on a hung request at the limit, without stalling the run', async () => {
    const started = Date.now();
    const result = await runCli(
      [
        '--scenario',
        'distribution',
        '--requests',
        '8',
        '--timeout',
        '400',
        '--fault',
        'ollama:hang_rate=1',
        '--json',
      ],
      FAST,
    );
    const took = Date.now() - started;
    expect(result.code).toBe(0);
    const [s] = JSON.parse(result.stdout).scenarios as Scenario[];
    expect(s?.requests).toBe(8);
    expect(s?.failures.timeout).toBe(s?.failed);
    expect(s?.failed).toBeGreaterThan(0);
    // Sequential: each hung request costs ~400 ms, so the whole run stays far below 8 x 60 s.
    expect(took).toBeLessThan(30_000);
  });
});

describe('resilience scenarios need the simulators', () => {
  it('refuses, with one line, to inject faults into a gateway it does not own', async () => {
    const result = await runCli(['--scenario', 'failover', '--gateway', 'http://127.0.0.1:9/v1'], {
      OLLAMA_URL: 'http://127.0.0.1:11434',
      VLLM_URL: 'http://127.0.0.1:8000/v1',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a killed CLI leaves nothing behind', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    '%s mid-run: no child process or listening port survives',
    async (signal) => {
      const child = spawn(
        process.execPath,
        [BIN, '--scenario', 'distribution', '--requests', '5000', '--concurrency', '4'],
        {
          cwd: scratchDir(),
          env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...FAST },
          stdio: ['ignore', 'ignore', 'ignore'],
        },
      );
      const pid = child.pid ?? -1;
      // Wait until the embedded gateway (a child process) is listening.
      let children: number[] = [];
      let ports: number[] = [];
      for (let i = 0; i < 100 && (children.length === 0 || ports.length < 3); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        children = childPids(pid);
        ports = listeningPorts([pid, ...children]);
      }
      expect(children.length).toBeGreaterThan(0);
      expect(ports.length).toBeGreaterThanOrEqual(3); // gateway and two simulators
      child.kill(signal);
      await new Promise((resolve) => child.on('close', resolve));
      for (let i = 0; i < 50 && children.some(alive); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(children.filter(alive)).toEqual([]);
      for (const port of ports) expect(await isListening(port)).toBe(false);
    },
  );
});
