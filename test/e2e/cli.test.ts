// The real CLI, the real SDK and the real gateway, with the embedded simulated providers.
import { describe, expect, it } from 'vitest';
import { closedPort, FAST_SIMS, isListening, runCli, scratchDir, writeJson } from './helpers.js';

interface JsonTarget {
  index: number;
  name: string;
  provider: string;
  weight: number;
  expected_share: number;
  count: number;
  failed: number;
  share: number;
  deviation_pp: number;
}
interface JsonScenario {
  scenario: string;
  requests: number;
  succeeded: number;
  failed: number;
  latency_ms: { avg: number; min: number; max: number } | null;
  targets: JsonTarget[];
  unattributed: number;
}
interface JsonDocument {
  gateway: string;
  simulated_providers: { target: string; served_chat_completions: number }[];
  scenarios: JsonScenario[];
}

/** The shape issue #2 promises, checked field by field. */
function expectSchema(doc: JsonDocument) {
  expect(typeof doc.gateway).toBe('string');
  expect(Array.isArray(doc.scenarios)).toBe(true);
  for (const s of doc.scenarios) {
    expect(typeof s.scenario).toBe('string');
    for (const key of ['requests', 'succeeded', 'failed', 'unattributed'] as const) {
      expect(Number.isInteger(s[key]), key).toBe(true);
    }
    expect(s.requests).toBe(s.succeeded + s.failed);
    if (s.succeeded > 0) {
      expect(s.latency_ms).not.toBeNull();
      for (const key of ['avg', 'min', 'max'] as const)
        expect(typeof s.latency_ms?.[key]).toBe('number');
      expect(s.latency_ms!.min).toBeLessThanOrEqual(s.latency_ms!.avg);
      expect(s.latency_ms!.avg).toBeLessThanOrEqual(s.latency_ms!.max);
    }
    expect(s.targets.length).toBeGreaterThan(0);
    s.targets.forEach((t, i) => {
      expect(t.index).toBe(i);
      expect(typeof t.name).toBe('string');
      expect(typeof t.provider).toBe('string');
      expect(t.expected_share).toBe(t.weight);
      expect(Number.isInteger(t.count)).toBe(true);
      expect(t.deviation_pp).toBeCloseTo((t.share - t.expected_share) * 100, 2);
    });
    const weightSum = s.targets.reduce((n, t) => n + t.weight, 0);
    expect(weightSum).toBeCloseTo(1, 5);
    const counted = s.targets.reduce((n, t) => n + t.count, 0);
    expect(counted + s.unattributed).toBe(s.succeeded);
  }
}

describe('lb-demo on the embedded default', () => {
  it('--scenario weighted --json prints one document whose counts match what the simulators served', async () => {
    const result = await runCli(
      ['--scenario', 'weighted', '--requests', '40', '--json'],
      FAST_SIMS,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as JsonDocument; // throws if stdout holds anything else
    expectSchema(doc);
    expect(doc.scenarios).toHaveLength(1);
    const [weighted] = doc.scenarios;
    expect(weighted?.scenario).toBe('weighted');
    expect(weighted?.requests).toBe(40);
    expect(weighted?.failed).toBe(0);
    expect(weighted?.unattributed).toBe(0);
    expect(weighted?.targets.map((t) => [t.name, t.provider, t.weight])).toEqual([
      ['ollama', 'ollama', 0.25],
      ['vllm', 'openai', 0.75],
    ]);
    // What the CLI read from the gateway's headers against what each simulator counted itself.
    for (const t of weighted?.targets ?? []) {
      const sim = doc.simulated_providers.find((p) => p.target === t.name);
      expect(sim?.served_chat_completions, t.name).toBe(t.count);
    }
    // The embedded gateway is gone once the CLI has exited.
    const port = Number(new URL(doc.gateway).port);
    expect(port).toBeGreaterThan(0);
    expect(await isListening(port)).toBe(false);
  });

  it('runs all three seed scenarios by default with their request counts', async () => {
    const result = await runCli(['--json'], FAST_SIMS);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as JsonDocument;
    expectSchema(doc);
    expect(doc.scenarios.map((s) => [s.scenario, s.requests])).toEqual([
      ['round-robin', 6],
      ['weighted', 10],
      ['distribution', 20],
    ]);
    expect(doc.scenarios[0]?.targets.map((t) => t.weight)).toEqual([0.5, 0.5]);
    expect(doc.scenarios[2]?.targets.map((t) => t.weight)).toEqual([0.5, 0.5]);
    const served = doc.simulated_providers.reduce((n, p) => n + p.served_chat_completions, 0);
    expect(served).toBe(36);
  });

  it('prints the human report: per-request lines, progress, tables and an honest note', async () => {
    const result = await runCli(['--scenario', 'all'], FAST_SIMS);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out.includes('\u001b[')).toBe(false); // not a TTY: no colour codes
    expect(out).toMatch(/Providers are SIMULATED/);
    expect(out).toMatch(/TEST 1: "Round-robin" load balancing/);
    expect(out).toMatch(/at random with equal odds; it does not take turns/);
    expect(out.match(/\[Request \d+\/6\]/g)).toHaveLength(6);
    expect(out.match(/\[Request \d+\/10\]/g)).toHaveLength(10);
    expect(out.match(/Progress: \d+\/20 requests done/g)).toHaveLength(4);
    expect(out).toMatch(/SUCCESS: What is AI \(simulated answer from (ollama|vllm)-sim/);
    expect(out).toMatch(/Latency: [\d.]+ m?s \| Target: (ollama \(ollama\)|vllm \(openai\))/);
    expect(out).toMatch(/Distribution \(the target the load balancer picked for each request\)/);
    expect(out).toMatch(/Verdict: (consistent with|differs from) the configured weights/);
    expect(out).toMatch(/Split against the configured weights:/);
    expect(out).toMatch(/LOAD BALANCING DEMO RESULTS SUMMARY/);
    expect(out).toMatch(/Demo completed: every request succeeded\./);
    expect(result.stderr).toBe('');
  });

  it('runs the seed three-way split from a targets file, 50/30/20', async () => {
    const dir = scratchDir();
    const file = writeJson(dir, 'three.json', [
      { name: 'ollama', provider: 'ollama', model: 'llama3', weight: 0.5 },
      { name: 'vllm-a', provider: 'openai', model: 'llama-fp8', weight: 0.3 },
      { name: 'vllm-b', provider: 'openai', model: 'llama-fp8', weight: 0.2 },
    ]);
    const result = await runCli(
      ['--scenario', 'weighted', '--targets', file, '--requests', '60', '--json'],
      FAST_SIMS,
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as JsonDocument;
    expectSchema(doc);
    const targets = doc.scenarios[0]?.targets ?? [];
    expect(targets.map((t) => t.weight)).toEqual([0.5, 0.3, 0.2]);
    // Two targets share a provider and a model: only the gateway's option index tells them apart.
    for (const t of targets) {
      expect(
        doc.simulated_providers.find((p) => p.target === t.name)?.served_chat_completions,
      ).toBe(t.count);
    }
    expect(targets.reduce((n, t) => n + t.count, 0)).toBe(60);
  });
});

describe('lb-demo bad input and broken endpoints', () => {
  it.each([
    [
      ['--requests', 'abc'],
      /^lb-demo: --requests: expected a whole number from 1 to 1000000, got "abc"\n$/,
    ],
    [['--requests', '-1'], /^lb-demo: --requests: expected a whole number/],
    [['--weights', '1,x'], /^lb-demo: --weights \(weight 2\): expected a number, got "x"\n$/],
    [['--scenario', 'nope'], /^lb-demo: option '-s, --scenario <name>' argument 'nope' is invalid/],
    [
      ['--gateway', 'localhost:8787'],
      /^lb-demo: --gateway: expected an http:\/\/ or https:\/\/ URL/,
    ],
    [
      ['--targets', '/nonexistent/targets.json'],
      /^lb-demo: --targets \/nonexistent\/targets.json: cannot read the file \(no such file\)\n$/,
    ],
    [['--bogus'], /^lb-demo: unknown option '--bogus'\n$/],
  ])('%j exits 2 with one line', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 with one line when the gateway cannot be reached', async () => {
    const port = await closedPort();
    const result = await runCli(['--gateway', `http://127.0.0.1:${port}`], {
      OLLAMA_URL: 'http://127.0.0.1:11434',
      VLLM_URL: 'http://127.0.0.1:8000/v1',
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `lb-demo: cannot reach the gateway at http://127.0.0.1:${port}/v1 (ECONNREFUSED)\n`,
    );
  });

  it("reports the gateway's own reason, naming the target, when it rejects the config", async () => {
    const dir = scratchDir();
    const file = writeJson(dir, 'bad.json', [
      { name: 'good', provider: 'openai', model: 'm' },
      { name: 'typo', provider: 'olama', model: 'llama3' },
    ]);
    const result = await runCli(['--scenario', 'round-robin', '--targets', file], FAST_SIMS);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^lb-demo: the gateway rejected the config: target 2 "typo" provider: unknown provider "olama"/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('lb-demo --help and --version', () => {
  it('prints help listing every flag and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--scenario',
      '--requests',
      '--weights',
      '--targets',
      '--gateway',
      '--json',
      '--version',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
