// The user's own Portkey config, run by the real CLI through the real gateway: the counts the CLI
// reports per leaf equal what each simulated provider served; the lint stops a broken tree; the
// conditional truth table passes, and fails when the user's expectation is wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  type SimulatedProvider,
  startSimulatedProvider,
} from '../../src/local/simulator/server.js';
import { FAST_SIMS, runCli, scratchDir, writeJson } from './helpers.js';

interface Leaf {
  path: string;
  name: string;
  expected_share: number;
  picked: number;
  answered: number;
  failed: number;
}
interface Node {
  path: string;
  mode: string;
  counts: number[] | null;
  test: { outcome: string; alpha: number } | null;
}
interface Case {
  label: string;
  source: string;
  expect: string | null;
  predicted_leaves: string[];
  expect_agrees: boolean | null;
  observed: { leaf: string; requests: number }[];
  passed: boolean;
  reason: string;
}
interface Doc {
  checks: { check: string; passed: boolean; message: string }[];
  simulated_providers: { target: string; served_chat_completions: number }[];
  scenarios: {
    scenario: string;
    requests: number;
    succeeded: number;
    fallbacks: number;
    dry_run: boolean;
    test: { outcome: string };
    tests_in_family: number;
    leaves: Leaf[];
    nodes: Node[];
    cases: Case[] | null;
    lint: { rule: string; path: string }[];
  }[];
}

const SECRET = 'sk-live-0123456789abcdefABCDEF';

/** loadbalance -> (fallback over two providers) + (loadbalance over two, weights 1:3). */
const THREE_LEVELS = {
  strategy: { mode: 'loadbalance' },
  targets: [
    {
      weight: 0.6,
      strategy: { mode: 'fallback' },
      targets: [
        {
          name: 'primary',
          provider: 'openai',
          api_key: SECRET,
          override_params: { model: 'gpt-4o' },
        },
        {
          name: 'backup',
          provider: 'ollama',
          custom_host: 'http://ollama.llm:11434',
          override_params: { model: 'llama3' },
        },
      ],
    },
    {
      weight: 0.4,
      strategy: { mode: 'loadbalance' },
      targets: [
        { name: 'vllm-a', provider: 'openai', api_key: 'x', weight: 1 },
        { name: 'vllm-b', provider: 'openai', api_key: 'x', weight: 3 },
      ],
    },
  ],
};

const CONDITIONAL = {
  strategy: {
    mode: 'conditional',
    conditions: [
      { query: { 'metadata.plan': { $eq: 'paid' } }, then: 'premium' },
      { query: { 'metadata.tier': { $in: ['gold', 'silver'] } }, then: 'premium' },
    ],
    default: 'free',
  },
  targets: [
    {
      name: 'premium',
      strategy: { mode: 'loadbalance' },
      targets: [
        { name: 'gpt-a', provider: 'openai', api_key: 'a', override_params: { model: 'gpt-4o' } },
        { name: 'gpt-b', provider: 'openai', api_key: 'b', override_params: { model: 'gpt-4o' } },
      ],
    },
    { name: 'free', provider: 'ollama', override_params: { model: 'llama3' } },
  ],
};

async function runConfig(config: unknown, args: string[]) {
  const file = writeJson(scratchDir(), 'config.json', config);
  const result = await runCli(['--config', file, '--json', ...args], FAST_SIMS);
  return { ...result, doc: result.stdout ? (JSON.parse(result.stdout) as Doc) : undefined };
}

const served = (doc: Doc) =>
  Object.fromEntries(doc.simulated_providers.map((p) => [p.target, p.served_chat_completions]));
const byName = <T extends { name: string }>(list: T[]) =>
  Object.fromEntries(list.map((x) => [x.name, x]));

describe('--config on the embedded default (a dry run on simulated providers)', () => {
  it('a three-level tree: leaf counts equal the servers’ counts, every split consistent', async () => {
    // A low alpha: a correct gateway fails this test about once in a thousand runs.
    const { code, stderr, doc } = await runConfig(THREE_LEVELS, [
      '-n',
      '400',
      '--alpha',
      '0.001',
      '--fail-on-skew',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = doc!.scenarios[0]!;
    expect(s.scenario).toBe('config');
    expect(s.dry_run).toBe(true);
    expect(s.succeeded).toBe(400);
    const leaves = byName(s.leaves);
    expect(leaves.primary?.expected_share).toBeCloseTo(0.6, 6);
    expect(leaves.backup?.expected_share).toBe(0);
    expect(leaves['vllm-a']?.expected_share).toBeCloseTo(0.1, 6);
    expect(leaves['vllm-b']?.expected_share).toBeCloseTo(0.3, 6);
    expect(leaves['vllm-b']?.path).toBe('config.targets[1].targets[1]');
    // What each server served is what the report says each leaf answered.
    for (const leaf of s.leaves) expect(leaf.answered, leaf.name).toBe(served(doc!)[leaf.name]);
    expect(s.leaves.reduce((n, l) => n + l.picked, 0)).toBe(400);
    // The root's split among its two groups, the inner loadbalance's among its two leaves.
    const nodes = Object.fromEntries(s.nodes.map((n) => [n.path, n]));
    expect(nodes.config?.counts).toEqual([
      leaves.primary!.picked,
      leaves['vllm-a']!.picked + leaves['vllm-b']!.picked,
    ]);
    expect(nodes['config.targets[1]']?.counts).toEqual([
      leaves['vllm-a']!.picked,
      leaves['vllm-b']!.picked,
    ]);
    expect(nodes['config.targets[0]']?.test).toBeNull(); // a fallback has no split to test
    expect(s.tests_in_family).toBe(3);
    for (const node of [nodes.config, nodes['config.targets[1]']]) {
      expect(node?.test?.outcome).toBe('consistent');
      expect(node?.test?.alpha).toBeLessThan(0.001);
    }
    expect(s.test.outcome).toBe('consistent');
    // The key in the config never reaches the output, and no real host was called.
    expect(JSON.stringify(doc)).not.toContain(SECRET);
  });

  it('a fault on a leaf named by its path: its fallback answers every request it fails', async () => {
    const { code, doc } = await runConfig(THREE_LEVELS, [
      '-n',
      '60',
      '--fault',
      'config.targets[0].targets[0]:error_rate=1,error_status=503',
    ]);
    expect(code).toBe(0);
    const s = doc!.scenarios[0]!;
    const leaves = byName(s.leaves);
    expect(s.succeeded).toBe(60);
    expect(leaves.primary?.answered).toBe(0);
    expect(served(doc!).primary).toBe(0);
    // Every request that picked primary first was answered by backup, its fallback.
    expect(leaves.backup?.answered).toBe(leaves.primary?.picked);
    expect(served(doc!).backup).toBe(leaves.primary?.picked);
    expect(s.fallbacks).toBe(leaves.primary?.picked);
  });

  it('a broken weight: the lint stops the run before it starts (exit 1)', async () => {
    const broken = structuredClone(THREE_LEVELS) as typeof THREE_LEVELS;
    const inner = broken.targets[1]!.targets as { weight: number }[];
    for (const leaf of inner) leaf.weight = 0;
    const { code, stdout, stderr } = await runConfig(broken, ['-n', '5']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/error +config\.targets\[1\] +no-weight/);
    expect(stderr).toMatch(/1 error\(s\).*--ignore-lint/);
    const file = writeJson(scratchDir(), 'broken.json', broken);
    const lint = await runCli(['lint', file, '--json']);
    expect(lint.code).toBe(1);
    const { findings } = JSON.parse(lint.stdout) as { findings: { rule: string; path: string }[] };
    expect(findings).toContainEqual(
      expect.objectContaining({ rule: 'no-weight', path: 'config.targets[1]' }),
    );
  });

  it('a conditional: the built truth table passes, each case where the tree predicts', async () => {
    const page = join(scratchDir(), 'report.html');
    const { code, stderr, doc } = await runConfig(CONDITIONAL, ['-n', '10', '--report', page]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The page draws the tree, a list item per node and leaf, and the truth table.
    const html = readFileSync(page, 'utf8');
    for (const path of ['config', 'config.targets[0]', 'config.targets[0].targets[1]']) {
      expect(html).toContain(`data-path="${path}"`);
    }
    expect(html).toMatch(/<table class="cases-table"[\s\S]*metadata\.plan = &quot;paid&quot;/);
    const s = doc!.scenarios[0]!;
    const cases = s.cases!;
    expect(cases.map((c) => c.label)).toEqual([
      'no metadata',
      'metadata.plan = "paid"',
      'metadata.tier = "gold"',
    ]);
    expect(cases.map((c) => c.predicted_leaves)).toEqual([
      ['free'],
      ['gpt-a', 'gpt-b'],
      ['gpt-a', 'gpt-b'],
    ]);
    for (const c of cases) expect(c.passed, c.reason).toBe(true);
    expect(cases[0]?.observed).toEqual([{ leaf: 'free', requests: 5 }]);
    const premium = cases[1]!.observed.reduce((n, o) => n + o.requests, 0);
    expect(premium).toBe(5);
    // The run's 10 plain requests and the first case's 5 went to free; 10 premium ones to gpt-*.
    expect(served(doc!).free).toBe(15);
    expect((served(doc!)['gpt-a'] ?? 0) + (served(doc!)['gpt-b'] ?? 0)).toBe(10);
    expect(doc!.checks).toContainEqual(
      expect.objectContaining({ check: 'conditional-routing', passed: true }),
    );
  });

  it('a user case predicted wrongly on purpose fails the gate (exit 1)', async () => {
    const { code, doc, stderr } = await runConfig(CONDITIONAL, [
      '-n',
      '4',
      '--case',
      '{"metadata":{"plan":"paid"},"expect":"free"}',
      '--case',
      '{"metadata":{"plan":"trial"},"expect":"free"}',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/FAIL conditional-routing .*1 of 2 request case/);
    const [wrong, right] = doc!.scenarios[0]!.cases!;
    expect(wrong?.source).toBe('user');
    expect(wrong?.expect_agrees).toBe(false);
    expect(wrong?.passed).toBe(false);
    expect(wrong?.reason).toMatch(/not under free/);
    expect(right?.passed).toBe(true);
  });
});

describe('--config against a gateway lb-demo did not start', () => {
  let gateway: RunningGateway;
  const sims: SimulatedProvider[] = [];
  beforeAll(async () => {
    // Reached with --gateway, as a gateway of the user's would be: without lb-demo's token.
    gateway = await startGateway({ requireToken: false });
    for (const name of ['a', 'b', 'c']) {
      sims.push(await startSimulatedProvider({ kind: 'openai', name, models: [`model-${name}`] }));
    }
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), ...sims.map((s) => s.close())]);
  });

  it('sends the config as written; counts equal the servers’ and the key never shows', async () => {
    const leaf = (i: number, weight?: number) => ({
      name: `leaf-${i}`,
      provider: 'openai',
      api_key: SECRET,
      custom_host: sims[i]!.baseUrl,
      override_params: { model: `model-${'abc'[i]}` },
      ...(weight === undefined ? {} : { weight }),
    });
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        leaf(0, 2),
        { strategy: { mode: 'loadbalance' }, targets: [leaf(1), leaf(2)] }, // weights 1, 1
      ],
    };
    const { code, stderr, doc } = await runConfig(config, ['--gateway', gateway.url, '-n', '60']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = doc!.scenarios[0]!;
    expect(s.dry_run).toBe(false);
    expect(doc!.simulated_providers).toEqual([]);
    const leaves = byName(s.leaves);
    // The group without a weight counts as 1 against 2: a third of the traffic, split in two.
    expect(leaves['leaf-0']?.expected_share).toBeCloseTo(2 / 3, 5);
    expect(leaves['leaf-1']?.expected_share).toBeCloseTo(1 / 6, 5);
    sims.forEach((sim, i) => {
      expect(leaves[`leaf-${i}`]?.answered).toBe(sim.served().chatCompletions);
    });
    expect(JSON.stringify(doc)).not.toContain(SECRET);
  });

  it("what the requests cost, from the gateway's headers: every retry counted, ran-out ones as all their attempts", async () => {
    const flaky = await startSimulatedProvider({
      kind: 'openai',
      name: 'flaky',
      models: ['model-f'],
      // Three calls in four 503 (the 2nd, 3rd, 4th, 6th, ...): with attempts 1, some requests
      // are saved by their retry, and some run out of it (the gateway's -1).
      faults: { errorRate: 0.75, errorStatus: 503 },
    });
    try {
      const config = {
        retry: { attempts: 1, on_status_codes: [503] },
        provider: 'openai',
        api_key: SECRET,
        custom_host: flaky.baseUrl,
        override_params: { model: 'model-f' },
      };
      const { doc } = await runConfig(config, ['--gateway', gateway.url, '-n', '10']);
      const s = doc!.scenarios[0] as unknown as {
        retries_exhausted: number;
        provider_calls: { total: number; source: string; unknown_requests: number };
      };
      expect(s.retries_exhausted).toBeGreaterThan(0);
      expect(s.provider_calls.source).toBe('headers');
      expect(s.provider_calls.unknown_requests).toBe(0);
      // No fallback here, so the headers tell every call: as many as the provider received.
      expect(s.provider_calls.total).toBe(flaky.served().chatRequests);
      expect(s.provider_calls.total).toBeGreaterThan(10);
    } finally {
      await flaky.close();
    }
  });
});
