// The predictor on trees from the gateway's own documentation and cookbook, with shares worked
// out by hand from the gateway's rules (a missing weight is 1; r uniform in [0, total); the first
// running sum above r wins) and, for the missing-weight case, measured on the real gateway.
import { describe, expect, it } from 'vitest';
import { matches, resolveBranch } from '../../src/user-config/conditions.js';
import { parseConfigTree } from '../../src/user-config/parse.js';
import {
  expectedLeafShares,
  loadBalanceShares,
  plainContext,
} from '../../src/user-config/predict.js';

const key = 'sk-doc-example';
const leaf = (provider: string, extra: Record<string, unknown> = {}) => ({
  provider,
  api_key: key,
  ...extra,
});
const shares = (config: unknown, context = plainContext({})) =>
  Object.fromEntries(expectedLeafShares(parseConfigTree(config, 'c.json').root, context));

describe('loadBalanceShares: the gateway picking by weight', () => {
  it.each([
    [
      [0.7, 0.3],
      [0.7, 0.3],
    ],
    [
      [1, 1, 2],
      [0.25, 0.25, 0.5],
    ],
    // Measured on gateway 1.15.2: 59 / 233 / 308 of 600 requests.
    [
      [0.25, 0.75, undefined],
      [0.125, 0.375, 0.5],
    ],
    [
      [0, 1],
      [0, 1],
    ],
    [
      [0, 0],
      [0, 0],
    ],
    // A negative weight: r in [0, 1) is never below -1; the second target always wins.
    [
      [-1, 2],
      [0, 1],
    ],
    [
      [3, -2, 1],
      [1, 0, 0],
    ],
  ])('%j -> %j', (weights, expected) => {
    const got = loadBalanceShares(weights);
    for (const [i, share] of got.entries()) expect(share).toBeCloseTo(expected[i] as number, 12);
  });
});

describe('expectedLeafShares', () => {
  it('a loadbalance from the docs: 70/30', () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [leaf('openai', { weight: 0.7 }), leaf('anthropic', { weight: 0.3 })],
    };
    const s = shares(config);
    expect(s['config.targets[0]']).toBeCloseTo(0.7, 12);
    expect(s['config.targets[1]']).toBeCloseTo(0.3, 12);
  });

  it('the cookbook pattern: loadbalance over a fallback and a nested loadbalance', () => {
    const config = {
      strategy: { mode: 'loadbalance' },
      targets: [
        {
          strategy: { mode: 'fallback' },
          weight: 3,
          targets: [leaf('openai'), leaf('azure-openai')],
        },
        {
          strategy: { mode: 'loadbalance' },
          weight: 1,
          targets: [leaf('anthropic', { weight: 1 }), leaf('groq', { weight: 3 })],
        },
      ],
    };
    const s = shares(config);
    expect(s['config.targets[0].targets[0]']).toBeCloseTo(0.75, 12);
    expect(s['config.targets[0].targets[1]']).toBeUndefined(); // only a fallback
    expect(s['config.targets[1].targets[0]']).toBeCloseTo(0.0625, 12);
    expect(s['config.targets[1].targets[1]']).toBeCloseTo(0.1875, 12);
  });

  it('a single strategy and a lone provider', () => {
    expect(shares({ strategy: { mode: 'single' }, targets: [leaf('openai'), leaf('x')] })).toEqual({
      'config.targets[0]': 1,
    });
    expect(shares(leaf('openai'))).toEqual({ config: 1 });
  });

  it("the docs' conditional routing: paid users to the fine-tuned model, others by default", () => {
    const config = {
      strategy: {
        mode: 'conditional',
        conditions: [
          { query: { 'metadata.user_plan': { $eq: 'paid' } }, then: 'finetuned-gpt4' },
          { query: { 'metadata.user_plan': { $eq: 'free' } }, then: 'base-gpt4' },
        ],
        default: 'base-gpt4',
      },
      targets: [
        leaf('openai', { name: 'finetuned-gpt4', override_params: { model: 'ft:gpt-4' } }),
        leaf('openai', { name: 'base-gpt4', override_params: { model: 'gpt-4' } }),
      ],
    };
    const paid = {
      metadata: { user_plan: 'paid' },
      params: {},
      url: { pathname: '/v1/chat/completions' },
    };
    expect(shares(config, paid)).toEqual({ 'config.targets[0]': 1 });
    expect(shares(config)).toEqual({ 'config.targets[1]': 1 });
  });

  it('leaves out what no leaf receives: a loadbalance of zeros, a conditional without default', () => {
    const zeros = {
      strategy: { mode: 'loadbalance' },
      targets: [leaf('a', { weight: 0 }), leaf('b', { weight: 0 })],
    };
    expect(shares(zeros)).toEqual({});
    const noDefault = {
      strategy: { mode: 'conditional', conditions: [{ query: { 'metadata.x': 1 }, then: 'a' }] },
      targets: [leaf('openai', { name: 'a' })],
    };
    expect(shares(noDefault)).toEqual({});
  });
});

describe('conditions, as the gateway evaluates them', () => {
  const context = (metadata: Record<string, unknown>, params: Record<string, unknown> = {}) => ({
    metadata,
    params,
    url: { pathname: '/v1/chat/completions' },
  });
  it('compares strictly, numbers by parseFloat, lists with $in and $nin', () => {
    expect(matches({ 'metadata.tier': 'pro' }, context({ tier: 'pro' }))).toBe(true);
    expect(matches({ 'metadata.n': { $eq: 1 } }, context({ n: '1' }))).toBe(false);
    expect(matches({ 'metadata.n': { $gt: 5 } }, context({ n: '6' }))).toBe(true);
    expect(
      matches({ 'params.max_tokens': { $gte: 100, $lt: 500 } }, context({}, { max_tokens: 200 })),
    ).toBe(true);
    expect(matches({ 'metadata.r': { $in: ['eu', 'us'] } }, context({ r: 'eu' }))).toBe(true);
    expect(matches({ 'metadata.r': { $nin: ['eu'] } }, context({ r: 'eu' }))).toBe(false);
    expect(matches({ 'url.pathname': '/v1/chat/completions' }, context({}))).toBe(true);
  });

  it('decides a whole query at $or / $and and an operator object at $regex', () => {
    expect(matches({ $or: [{ 'metadata.a': 1 }, { 'metadata.b': 2 }] }, context({ b: 2 }))).toBe(
      true,
    );
    // Keys after $or are never looked at.
    expect(matches({ $or: [{ 'metadata.a': 1 }], 'metadata.c': 3 }, context({ a: 1 }))).toBe(true);
    expect(
      matches({ 'metadata.m': { $regex: '^gpt', $eq: 'never' } }, context({ m: 'gpt-4' })),
    ).toBe(true);
    // A regex tests undefined as the string "undefined".
    expect(matches({ 'metadata.none': { $regex: 'def' } }, context({}))).toBe(true);
  });

  it('reads two levels only, and takes the first matching condition, then the default', () => {
    expect(matches({ 'metadata.a.b': 1 }, context({ a: 1 }))).toBe(true);
    const conditions = [
      { query: { 'metadata.x': 1 }, then: 'one' },
      { query: { 'metadata.x': { $gte: 1 } }, then: 'two' },
    ];
    expect(resolveBranch(conditions, 'dflt', context({ x: 1 }))).toBe('one');
    expect(resolveBranch(conditions, 'dflt', context({ x: 5 }))).toBe('two');
    expect(resolveBranch(conditions, undefined, context({}))).toBeUndefined();
  });
});
