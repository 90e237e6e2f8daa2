// No PASS without evidence: verdicts and exit statuses on the runs that matter most, the broken
// ones. Against the real gateway where a gateway is involved; a fake gateway of the test's own
// for answers the real one does not give (no routing header, a malformed one, a 431).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  childPids,
  completion,
  fakeGateway,
  ROUTED,
  runCli,
  scratchDir,
  startCli,
  writeJson,
} from './helpers.js';

const PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };
const FAST = { SIM_OLLAMA_LATENCY_MS: '3', SIM_VLLM_LATENCY_MS: '2' };

interface Target {
  name: string;
  picked: number;
  answered: number;
  failed: number;
  count: number;
  retries: number;
  fallbacks: number;
}
interface Scenario {
  requests: number;
  succeeded: number;
  failed: number;
  attributed: number;
  attributed_by_simulator: number;
  unattributed: number;
  unattributed_by_cause: Record<string, number>;
  retries: number;
  retries_exhausted: number;
  failures: Record<string, number>;
  stop_reason: string | null;
  test: {
    outcome: string;
    consistent: boolean | null;
    reason: string | null;
    verdict: string;
    p_value_range: [number, number] | null;
  };
  targets: Target[];
}
interface Doc {
  checks: { check: string; passed: boolean; message: string }[];
  simulated_providers: {
    target: string;
    served_chat_completions: number;
    received_chat_requests: number;
  }[];
  scenarios: Scenario[];
}
const served = (doc: Doc, name: string) => doc.simulated_providers.find((p) => p.target === name);

describe('no evidence, no pass', () => {
  it('a server that is not a gateway: inconclusive, and --fail-on-skew fails', async () => {
    // A plain OpenAI-compatible server: it answers, but no answer names its target.
    const fake = await fakeGateway((_req, res, f) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion(f.chats));
    });
    try {
      const result = await runCli(
        ['--gateway', fake.url, '--scenario', 'weighted', '-n', '20', '--fail-on-skew', '--json'],
        PROVIDERS,
      );
      expect(result.code).toBe(1);
      const s = (JSON.parse(result.stdout) as Doc).scenarios[0]!;
      expect(s.succeeded).toBe(20);
      expect(s.attributed).toBe(0);
      expect(s.unattributed_by_cause).toEqual({ ok: 20 });
      expect(s.test).toMatchObject({ outcome: 'inconclusive', consistent: null });
      expect(s.test.reason).toBe(
        'no response named its target (20 request(s) without one): is this a Portkey gateway?',
      );
      expect(result.stderr).toBe(
        'lb-demo: FAIL --fail-on-skew weighted: split inconclusive: no response named its target (20 request(s) without one): is this a Portkey gateway?, exact binomial test, alpha 0.05\n',
      );
    } finally {
      await fake.close();
    }
  });

  it('attributes only an exact leaf path: a malformed one is unattributed, never credited', async () => {
    const fake = await fakeGateway((_req, res, f) => {
      const path = f.chats % 2 === 0 ? 'config.targets[1]junk' : 'config.targets[0]';
      res.writeHead(200, { ...ROUTED, 'x-portkey-last-used-option-index': path });
      res.end(completion(f.chats));
    });
    try {
      const result = await runCli(
        ['--gateway', fake.url, '--scenario', 'weighted', '-n', '10', '--json'],
        PROVIDERS,
      );
      const s = (JSON.parse(result.stdout) as Doc).scenarios[0]!;
      expect(s.targets.map((t) => t.picked)).toEqual([5, 0]);
      expect(s.unattributed_by_cause).toEqual({ ok: 5 });
      expect(result.code).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('credits a 200 that is not JSON to the target its header names, streamed or not', async () => {
    const answering = (type: string, body: string) =>
      fakeGateway((_req, res) => {
        res.writeHead(200, { ...ROUTED, 'content-type': type });
        res.end(body);
      });
    const fakes = await Promise.all([
      answering('application/json', '{"choices": [garbage'),
      answering('text/event-stream', 'data: {"choices": [garbage\n\n'),
    ]);
    try {
      for (const [fake, mode] of [
        [fakes[0]!, []],
        [fakes[1]!, ['--stream']],
      ] as const) {
        const result = await runCli(
          ['--gateway', fake.url, '--scenario', 'weighted', '-n', '4', '--json', ...mode],
          PROVIDERS,
        );
        const s = (JSON.parse(result.stdout) as Doc).scenarios[0]!;
        expect(s.failures, mode.join(' ')).toEqual({ 'invalid-response': 4 });
        expect(s.targets[0], mode.join(' ')).toMatchObject({ picked: 4, failed: 4 });
        expect(s.unattributed, mode.join(' ')).toBe(0);
      }
    } finally {
      await Promise.all(fakes.map((f) => f.close()));
    }
  });

  it("refuses a config too large for the gateway's headers with one line (exit 2)", async () => {
    const fake = await fakeGateway((_req, res) => {
      res.writeHead(431);
      res.end();
    });
    try {
      const result = await runCli(
        ['--gateway', fake.url, '--scenario', 'weighted', '--json'],
        PROVIDERS,
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^lb-demo: the gateway refused the request headers \(HTTP 431\): the config travels in one header \(x-portkey-config, \d+ bytes here\)/,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});

describe('a correct gateway with a sick target is not called skewed', () => {
  // The real gateway splits 1:1; a third of vllm's answers are not JSON. The gateway answers
  // those with its own 500 and no routing header: only the simulators know they went to vllm.
  it.each([
    ['malformed_rate=0.3', []],
    ['hang_rate=0.3', ['--timeout', '1500']],
    ['spike_rate=0.3,spike_ms=5000', ['--timeout', '1500']],
  ])('vllm:%s', async (fault, extra) => {
    const result = await runCli(
      [
        '--scenario',
        'weighted',
        '--weights',
        '1,1',
        '-n',
        '200',
        '-c',
        '8',
        '--fault',
        `vllm:${fault}`,
        '--fail-on-skew',
        '--alpha',
        '0.001',
        '--json',
        ...extra,
      ],
      FAST,
    );
    const doc = JSON.parse(result.stdout) as Doc;
    const s = doc.scenarios[0]!;
    const [ollama, vllm] = s.targets;
    // Every request is accounted for, and its pick is known: from a header or a simulator.
    expect(s.attributed + s.unattributed).toBe(200);
    expect(s.unattributed).toBe(0);
    expect(s.attributed_by_simulator).toBeGreaterThan(0);
    expect(vllm!.failed).toBe(s.failed);
    // The picks equal what each simulator received.
    expect(ollama!.picked).toBe(served(doc, 'ollama')?.received_chat_requests);
    expect(vllm!.picked).toBe(served(doc, 'vllm')?.received_chat_requests);
    expect(ollama!.answered).toBe(served(doc, 'ollama')?.served_chat_completions);
    // floor(picked * 0.3) of vllm's requests were hit, evenly spread.
    expect(vllm!.failed).toBe(Math.floor(vllm!.picked * 0.3));
    expect(s.test.outcome).toBe('consistent');
    expect(result.code).toBe(0);
  });
});

describe('picked versus answered', () => {
  it('under a fallback config, latency and answers belong to the target that answered', async () => {
    const result = await runCli(['--scenario', 'failover', '--requests', '30', '--json'], FAST);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    const withFallback = doc.scenarios[1]!;
    const answered = withFallback.targets.map((t) => t.answered);
    const picked = withFallback.targets.map((t) => t.picked);
    expect(picked.reduce((a, b) => a + b)).toBe(30);
    expect(answered.reduce((a, b) => a + b)).toBe(30);
    // vllm went down after 10 requests: picks of it after that were answered by ollama.
    expect(withFallback.targets[1]!.fallbacks).toBeGreaterThan(0);
    expect(answered[0]).toBe(picked[0]! + withFallback.targets[1]!.fallbacks);
    expect(answered[1]).toBe(picked[1]! - withFallback.targets[1]!.fallbacks);
    // What each simulator served over both runs equals what the report says each answered.
    const without = doc.scenarios[0]!;
    for (const [i, name] of ['ollama', 'vllm'].entries()) {
      expect(served(doc, name)?.served_chat_completions, name).toBe(
        without.targets[i]!.answered + withFallback.targets[i]!.answered,
      );
    }
  });

  it('retries that ran out (-1) count as the attempts they were', async () => {
    // ollama answers 503 to everything; the gateway retries 3 times (1 s, 2 s, 4 s), gives up
    // and says -1. The simulator counts each of the 4 calls.
    const result = await runCli(
      [
        '--scenario',
        'retry',
        // 16 at once: all of them on vllm (nothing to judge here) has odds of 1 in 65,536.
        '-n',
        '16',
        '-c',
        '16',
        '--fault',
        'ollama:error_rate=1,error_status=503',
        '--json',
      ],
      FAST,
      { timeoutMs: 60_000 },
    );
    const doc = JSON.parse(result.stdout) as Doc;
    const [without, withRetry] = doc.scenarios;
    const ollama = withRetry!.targets[0]!;
    expect(ollama.picked).toBeGreaterThan(0);
    expect(ollama.failed).toBe(ollama.picked);
    expect(withRetry!.retries_exhausted).toBe(ollama.picked);
    expect(ollama.retries).toBe(3 * ollama.picked);
    // Attempts the simulator received: one per pick without retry, four per pick with it.
    expect(served(doc, 'ollama')?.received_chat_requests).toBe(
      without!.targets[0]!.picked + 4 * ollama.picked,
    );
  });
});

describe('exit statuses that mean what they say', () => {
  it('the embedded gateway dies mid-run: lb-demo stops, reports what completed, exits 3', async () => {
    const out = join(scratchDir(), 'results.json');
    const { child, done } = startCli(
      ['--scenario', 'distribution', '-n', '5000', '-c', '4', '--out', out],
      FAST,
    );
    // Once requests are flowing, kill the gateway (lb-demo's only child process).
    let flowing = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Progress:')) flowing = true;
    });
    for (let i = 0; i < 300 && !flowing; i++) await delay(100);
    const [gateway] = childPids(child.pid ?? -1);
    expect(gateway).toBeDefined();
    process.kill(gateway!, 'SIGKILL');
    const result = await done;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      // Whichever comes first: the process's exit, or failed requests and a failed probe.
      /^lb-demo: the gateway went away during distribution: (the embedded gateway exited \(SIGKILL\)|\d+ requests in a row could not reach it, nor could a probe \(ECONNREFUSED\)); the report covers the \d+ request\(s\) that completed\n$/,
    );
    expect(result.stdout).toMatch(/LOAD BALANCING DEMO RESULTS SUMMARY/);
    const s = (JSON.parse(readFileSync(out, 'utf8')) as Doc).scenarios[0]!;
    expect(s.stop_reason).toBe('gateway-gone');
    expect(s.succeeded).toBeGreaterThan(0);
    expect(s.requests).toBeLessThan(5_000);
  });

  it('a config of 150 targets goes through the embedded gateway (no 431)', async () => {
    const dir = scratchDir();
    const targets = Array.from({ length: 150 }, (_, i) => ({
      name: `t${i}`,
      provider: 'openai',
      model: 'm',
    }));
    const file = writeJson(dir, 'many.json', targets);
    const result = await runCli(
      ['--targets', file, '--scenario', 'distribution', '-n', '300', '-c', '8', '--json'],
      FAST,
      { timeoutMs: 60_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const s = (JSON.parse(result.stdout) as Doc).scenarios[0]!;
    expect(s.succeeded).toBe(300);
    expect(s.attributed).toBe(300);
  });

  it('Ctrl-C with requests hanging: the summary after the grace period, then exit at once', async () => {
    const { child, done } = startCli(
      [
        '--scenario',
        'weighted',
        '-n',
        '8',
        '-c',
        '4',
        '--fault',
        'vllm:hang_rate=1',
        '--fault',
        'ollama:hang_rate=1',
      ],
      FAST,
    );
    let summaryAt = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!summaryAt && chunk.toString().includes('LOAD BALANCING DEMO RESULTS SUMMARY')) {
        summaryAt = Date.now();
      }
    });
    await delay(2_000);
    child.kill('SIGINT');
    const result = await done;
    const exitedAt = Date.now();
    expect(result.code).toBe(130);
    expect(summaryAt).toBeGreaterThan(0);
    // Hung sockets are closed, not waited for (they would hold it until --timeout, 60 s).
    expect(exitedAt - summaryAt).toBeLessThan(2_000);
    expect(result.stdout).toMatch(/interrupted\s+│\s+4\s+│/);
  });
});
