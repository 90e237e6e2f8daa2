import { describe, expect, it } from 'vitest';
import { buildCases } from '../../src/user-config/cases.js';
import { resolveBranch } from '../../src/user-config/conditions.js';
import { lintConfig } from '../../src/user-config/lint.js';
import { parseConfigTree } from '../../src/user-config/parse.js';

const lint = (config: unknown) => lintConfig(parseConfigTree(config, 'c.json').root);
const rules = (config: unknown) => lint(config).map((f) => `${f.severity} ${f.rule} ${f.path}`);
const leaf = (extra: Record<string, unknown> = {}) => ({
  provider: 'openai',
  api_key: 'k',
  ...extra,
});

describe('lintConfig', () => {
  it('finds nothing wrong with a plain weighted loadbalance', () => {
    expect(
      lint({
        strategy: { mode: 'loadbalance' },
        targets: [leaf({ weight: 1 }), leaf({ weight: 3 })],
      }),
    ).toEqual([]);
  });

  it('warns of hosts the gateway refuses by default, and only of those', () => {
    const hosts = [
      'http://ollama.llm.svc.cluster.local:11434', // refused: .local
      'http://10.128.4.17:8080/v1', // refused: private
      'http://metadata', // refused: metadata endpoint
      'http://172.31.0.1', // refused: private
      'http://172.32.0.1', // public
      'http://ollama.llm:11434', // a service in a namespace: passes
      'http://localhost:11434', // trusted by default
      'https://api.openai.com/v1', // public
    ];
    const found = rules({
      strategy: { mode: 'loadbalance' },
      targets: hosts.map((custom_host) => leaf({ custom_host })),
    });
    expect(found).toEqual([
      'warning refused-host config.targets[0].custom_host',
      'warning refused-host config.targets[1].custom_host',
      'warning refused-host config.targets[2].custom_host',
      'warning refused-host config.targets[3].custom_host',
    ]);
  });

  it('suggests the key the gateway knows for a misspelled one', () => {
    const findings = lint({
      strategy: { mode: 'loadbalance' },
      retry: { attempts: 2, use_retry_after_headers: true },
      targets: [leaf({ wieght: 2 }), leaf()],
    });
    expect(findings).toContainEqual({
      severity: 'warning',
      path: 'config.retry.use_retry_after_headers',
      rule: 'unknown-key',
      message:
        'the gateway ignores "use_retry_after_headers" without a word; did you mean "use_retry_after_header"?',
    });
    expect(findings.map((f) => f.message)).toContain(
      'the gateway ignores "wieght" without a word; did you mean "weight"?',
    );
  });

  it('flags features the open-source gateway does not have, and a broken retry flag', () => {
    expect(
      rules({
        sticky_session: { hash_fields: ['metadata.user'] },
        cb_config: {},
        strategy: { mode: 'loadbalance' },
        retry: { attempts: 2, use_retry_after_header: true },
        targets: [leaf(), leaf()],
      }),
    ).toEqual([
      'warning no-effect config.sticky_session',
      'warning no-effect config.cb_config',
      'warning retry-after-broken config.retry.use_retry_after_header',
    ]);
  });

  it('catches weights that break or surprise: negative, all zero, ignored, missing beside fractions', () => {
    expect(
      rules({
        strategy: { mode: 'loadbalance' },
        targets: [leaf({ weight: -1 }), leaf({ weight: 2 })],
      }),
    ).toEqual(['error negative-weight config.targets[0].weight']);
    expect(
      rules({
        strategy: { mode: 'loadbalance' },
        targets: [leaf({ weight: 0 }), leaf({ weight: 0 })],
      }),
    ).toEqual(['error no-weight config']);
    expect(
      rules({ strategy: { mode: 'fallback' }, targets: [leaf({ weight: 3 }), leaf()] }),
    ).toEqual(['warning weight-ignored config.targets[0].weight']);
    expect(
      rules({
        strategy: { mode: 'loadbalance' },
        targets: [leaf({ weight: 0.25 }), leaf({ weight: 0.75 }), leaf()],
      }),
    ).toEqual(['warning missing-weight config']);
  });

  it('checks conditionals: unknown names and operators, no default, unreachable targets', () => {
    expect(
      rules({
        strategy: {
          mode: 'conditional',
          conditions: [
            { query: { 'metadata.plan': { $eq: 'paid' } }, then: 'paid' },
            { query: { 'metadata.plan': { $exists: true } }, then: 'nobody' },
          ],
        },
        targets: [leaf({ name: 'paid' }), leaf({ name: 'spare' })],
      }),
    ).toEqual([
      'error unknown-target config.strategy.conditions[1].then',
      'error unknown-operator config.strategy.conditions[1].query.metadata.plan.$exists',
      'warning no-default config.strategy',
      'warning unreachable-target config.targets[1]',
    ]);
  });

  it('checks retries and timeouts against what the gateway does with them', () => {
    expect(
      rules({
        strategy: { mode: 'single' },
        request_timeout: -5,
        retry: { attempts: 10, on_status_codes: [503, 9999] },
        targets: [leaf(), leaf()],
      }),
    ).toEqual([
      'warning retry-attempts config.retry.attempts',
      'error status-code config.retry.on_status_codes',
      'error request-timeout config.request_timeout',
      'warning unreachable-target config.targets',
    ]);
    expect(lint({ retry: { attempts: 1.5 }, provider: 'openai', api_key: 'k' })[0]?.rule).toBe(
      'retry-attempts',
    );
  });
});

describe('parseConfigTree refuses what the gateway refuses, naming the place', () => {
  it.each([
    [
      { strategy: { mode: 'round-robin' }, targets: [leaf()] },
      /^c\.json: config\.strategy\.mode: expected one of single, loadbalance, fallback, conditional, got the string "round-robin"$/,
    ],
    [
      { strategy: { mode: 'loadbalance' }, targets: [leaf({ weight: '3' })] },
      /^c\.json: config\.targets\[0\]\.weight: expected a number, got the string "3"$/,
    ],
    [
      { strategy: { mode: 'fallback' } },
      /^c\.json: config: a "fallback" strategy needs a non-empty "targets" array$/,
    ],
    [
      { strategy: { mode: 'loadbalance' }, targets: [{ retry: {} }] },
      /^c\.json: config\.targets\[0\]\.retry\.attempts: expected a number, got nothing|undefined/,
    ],
    [[1], /^c\.json: config: expected an object, got an array$/],
  ])('%j', (config, message) => {
    expect(() => parseConfigTree(config, 'c.json')).toThrow(message);
  });
});

describe('buildCases', () => {
  it('builds a request for each condition that takes its branch, and one without metadata', () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [
          { query: { 'metadata.plan': { $eq: 'paid' } }, then: 'paid' },
          {
            query: {
              $and: [
                { 'metadata.region': { $in: ['eu', 'uk'] } },
                { 'params.max_tokens': { $gt: 100 } },
              ],
            },
            then: 'eu',
          },
          { query: { 'metadata.model': { $regex: '^gpt-(4|5)$' } }, then: 'eu' },
        ],
        default: 'base',
      },
      targets: [leaf({ name: 'paid' }), leaf({ name: 'eu' }), leaf({ name: 'base' })],
    };
    const { root } = parseConfigTree(config, 'c.json');
    const { cases, skipped } = buildCases(root);
    expect(cases.map((c) => c.label)).toEqual([
      'no metadata',
      'metadata.plan = "paid"',
      'metadata.region = "eu", params.max_tokens = 101',
    ]);
    expect(skipped).toEqual(['config.strategy.conditions[2]']);
    const branch = (i: number) =>
      resolveBranch(root.conditions, root.default, {
        metadata: cases[i]!.metadata,
        params: cases[i]!.params,
        url: { pathname: '/v1/chat/completions' },
      });
    expect([branch(0), branch(1), branch(2)]).toEqual(['base', 'paid', 'eu']);
  });
});
