// The user's tree as a plan: which leaf was the first choice when another answered, and the
// tree the embedded gateway gets in a dry run.
import { describe, expect, it } from 'vitest';
import { buildCases, predictCase } from '../../src/user-config/cases.js';
import { parseConfigTree } from '../../src/user-config/parse.js';
import { planLeaves, simulatedConfig } from '../../src/user-config/plan.js';

const leaf = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  provider: 'openai',
  api_key: `sk-${name}-secret`,
  ...extra,
});

describe('planLeaves', () => {
  it('a fallback step names the first target as the first choice; nested steps add up', () => {
    const tree = parseConfigTree(
      {
        strategy: { mode: 'loadbalance' },
        targets: [
          {
            strategy: { mode: 'fallback' },
            targets: [
              leaf('a'),
              { strategy: { mode: 'fallback' }, targets: [leaf('b'), leaf('c')] },
            ],
          },
          leaf('d'),
        ],
      },
      'c.json',
    );
    const leaves = planLeaves(tree);
    expect(leaves.map((l) => [l.path, l.picked, l.fallbackDepth])).toEqual([
      ['config.targets[0].targets[0]', 0, 0],
      ['config.targets[0].targets[1].targets[0]', 0, 1],
      ['config.targets[0].targets[1].targets[1]', 0, 2],
      ['config.targets[1]', 3, 0],
    ]);
  });

  it('a random first target leaves the first choice unknown when a fallback answered', () => {
    const tree = parseConfigTree(
      {
        strategy: { mode: 'fallback' },
        targets: [
          { strategy: { mode: 'loadbalance' }, targets: [leaf('a'), leaf('b')] },
          leaf('c'),
        ],
      },
      'c.json',
    );
    expect(planLeaves(tree).map((l) => l.picked)).toEqual([0, 1, null]);
  });

  it('carries the retry attempts in force at each leaf (a child’s retry replaces its parent’s)', () => {
    const tree = parseConfigTree(
      {
        strategy: { mode: 'loadbalance' },
        retry: { attempts: 3 },
        targets: [leaf('a'), leaf('b', { retry: { attempts: 0 } })],
      },
      'c.json',
    );
    expect(planLeaves(tree).map((l) => l.retryAttempts)).toEqual([3, 0]);
  });
});

describe('simulatedConfig', () => {
  it('points every leaf at its simulator and drops every credential and real host', () => {
    const tree = parseConfigTree(
      {
        strategy: { mode: 'loadbalance' },
        custom_host: 'https://real.example.com/v1',
        retry: { attempts: 2, on_status_codes: [503] },
        targets: [
          leaf('a', { weight: 2, virtual_key: 'vk-123', override_params: { model: 'gpt-4o' } }),
          { name: 'o', provider: 'ollama', custom_host: 'http://ollama:11434', weight: 1 },
          leaf('b', { provider: 'anthropic', aws_secret_access_key: 'aws-secret' }),
        ],
      },
      'c.json',
    );
    const targets = ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2', 'http://127.0.0.1:3/v1'].map(
      (customHost, i) => ({
        name: `t${i}`,
        provider: ['openai', 'ollama', 'anthropic'][i] as string,
        customHost,
        model: 'm',
      }),
    );
    const config = simulatedConfig(tree, targets) as {
      targets: Record<string, unknown>[];
      retry: unknown;
      custom_host?: string;
    };
    const text = JSON.stringify(config);
    for (const secret of [
      'sk-a-secret',
      'sk-b-secret',
      'vk-123',
      'aws-secret',
      'real.example',
      'ollama:11434',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(config.custom_host).toBeUndefined();
    expect(config.retry).toEqual({ attempts: 2, on_status_codes: [503] });
    expect(config.targets[0]).toMatchObject({
      provider: 'openai',
      custom_host: 'http://127.0.0.1:1/v1',
      weight: 2,
      override_params: { model: 'gpt-4o' },
    });
    expect(config.targets[1]).toMatchObject({
      provider: 'ollama',
      custom_host: 'http://127.0.0.1:2',
    });
    // Any provider other than ollama is simulated by an OpenAI-compatible server.
    expect(config.targets[2]).toMatchObject({
      provider: 'openai',
      custom_host: 'http://127.0.0.1:3/v1',
    });
  });
});

describe('predictCase', () => {
  const config = {
    strategy: {
      mode: 'conditional',
      conditions: [{ query: { 'params.max_tokens': { $gt: 1000 } }, then: 'big' }],
    },
    targets: [leaf('big'), leaf('small')],
  };

  it('a case matching no condition, with no default, goes nowhere (the gateway answers 400)', () => {
    const tree = parseConfigTree(config, 'c.json');
    const { cases } = buildCases(tree.root);
    const predictions = cases.map((c) =>
      predictCase(tree, c, { model: 'lb-demo', max_tokens: 30 }),
    );
    expect(cases.map((c) => c.label)).toEqual(['no metadata', 'params.max_tokens = 1001']);
    expect(predictions.map((p) => [p.leaves, p.branches])).toEqual([
      [[], ['none']],
      [[0], ['big']],
    ]);
  });
});
