import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createFailoverConfig,
  createRoundRobinConfig,
  createWeightedConfig,
  nestedTargetIndex,
  normalizeWeights,
  PLACEHOLDER_API_KEY,
  servingTargetIndex,
  type TargetSpec,
  withRequestTimeout,
  withRetry,
} from '../src/config.js';

const ollama: TargetSpec = {
  name: 'ollama',
  provider: 'ollama',
  customHost: 'http://portkey-gateway-ollama:11434',
  model: 'llama3',
};
const vllm: TargetSpec = {
  name: 'vllm',
  provider: 'openai',
  customHost: 'http://llama-fp8-predictor.hacohen-llmlite:8080/v1',
  model: 'llama-fp8',
  apiKey: 'sk-test-1234567890',
};

describe('normalizeWeights', () => {
  it('scales weights to sum to 1, as the seed documents', () => {
    expect(normalizeWeights([7, 3])).toEqual([0.7, 0.3]);
    const [a, b, c] = normalizeWeights([5, 3, 1]);
    expect(a).toBeCloseTo(5 / 9, 12);
    expect(b).toBeCloseTo(3 / 9, 12);
    expect(c).toBeCloseTo(1 / 9, 12);
    expect(Number(a?.toFixed(3))).toBe(0.556);
    expect(Number(b?.toFixed(3))).toBe(0.333);
    expect(Number(c?.toFixed(3))).toBe(0.111);
  });

  it('leaves weights that already sum to 1 alone and keeps zero weights at zero', () => {
    expect(normalizeWeights([0.25, 0.75])).toEqual([0.25, 0.75]);
    expect(normalizeWeights([0, 2, 2])).toEqual([0, 0.5, 0.5]);
  });

  it.each([
    [[-1, 2], /weight 1 \(-1\) is negative/],
    [[1, Number.NaN], /weight 2 \(NaN\) is not a finite number/],
    [[1, Number.POSITIVE_INFINITY], /weight 2 \(Infinity\) is not a finite number/],
    [[0, 0], /all weights are zero/],
    [[], /at least one weight/],
  ])('rejects %j', (weights, message) => {
    expect(() => normalizeWeights(weights)).toThrow(ConfigError);
    expect(() => normalizeWeights(weights)).toThrow(message);
  });

  it('rejects values that are not numbers', () => {
    expect(() => normalizeWeights(['1', 2] as unknown as number[])).toThrow(/not a finite number/);
  });
});

describe('createRoundRobinConfig', () => {
  it('builds a loadbalance config with equal weights in the gateway wire format', () => {
    expect(createRoundRobinConfig([ollama, vllm])).toEqual({
      strategy: { mode: 'loadbalance' },
      targets: [
        {
          provider: 'ollama',
          custom_host: 'http://portkey-gateway-ollama:11434',
          api_key: PLACEHOLDER_API_KEY,
          weight: 0.5,
          override_params: { model: 'llama3' },
        },
        {
          provider: 'openai',
          custom_host: 'http://llama-fp8-predictor.hacohen-llmlite:8080/v1',
          api_key: 'sk-test-1234567890',
          weight: 0.5,
          override_params: { model: 'llama-fp8' },
        },
      ],
    });
  });

  it('splits three targets in thirds', () => {
    const weights = createRoundRobinConfig([ollama, vllm, { ...vllm, name: 'b' }]).targets.map(
      (t) => t.weight,
    );
    expect(weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('rejects an empty target list', () => {
    expect(() => createRoundRobinConfig([])).toThrow(/at least one target/);
  });
});

describe('createWeightedConfig', () => {
  it('normalizes the weights it is given', () => {
    const config = createWeightedConfig([ollama, vllm], [1, 3]);
    expect(config.targets.map((t) => t.weight)).toEqual([0.25, 0.75]);
    expect(config.strategy.mode).toBe('loadbalance');
  });

  it('rejects a weight count that does not match the targets', () => {
    expect(() => createWeightedConfig([ollama, vllm], [0.5, 0.3, 0.2])).toThrow(
      /3 weight\(s\) given for 2 target\(s\) \(ollama, vllm\)/,
    );
  });
});

describe('servingTargetIndex', () => {
  it.each([
    ['config.targets[0]', 0],
    ['config.targets[1]', 1],
    ['config.targets[12]', 12],
    ['config.targets[1].targets[0]', 1],
    ['config.targets[0].targets[1]', 0],
    ['config', null],
    ['', null],
    [undefined, null],
    ['targets[1]', null],
  ])('reads %j as %j', (path, index) => {
    expect(servingTargetIndex(path)).toBe(index);
  });
});

describe('createFailoverConfig', () => {
  it('load balances over fallback groups, each trying its own target first, then the others', () => {
    const config = createFailoverConfig([ollama, vllm], [1, 3]);
    expect(config.strategy).toEqual({ mode: 'loadbalance' });
    expect(config.targets).toEqual([
      {
        strategy: { mode: 'fallback' },
        weight: 0.25,
        targets: [
          {
            provider: 'ollama',
            custom_host: ollama.customHost,
            api_key: PLACEHOLDER_API_KEY,
            override_params: { model: 'llama3' },
          },
          {
            provider: 'openai',
            custom_host: vllm.customHost,
            api_key: 'sk-test-1234567890',
            override_params: { model: 'llama-fp8' },
          },
        ],
      },
      {
        strategy: { mode: 'fallback' },
        weight: 0.75,
        targets: [
          {
            provider: 'openai',
            custom_host: vllm.customHost,
            api_key: 'sk-test-1234567890',
            override_params: { model: 'llama-fp8' },
          },
          {
            provider: 'ollama',
            custom_host: ollama.customHost,
            api_key: PLACEHOLDER_API_KEY,
            override_params: { model: 'llama3' },
          },
        ],
      },
    ]);
  });
});

describe('withRetry and withRequestTimeout', () => {
  it('add the gateway fields without touching the targets', () => {
    const base = createRoundRobinConfig([ollama, vllm]);
    expect(withRetry(base, 3, [429, 503])).toEqual({
      ...base,
      retry: { attempts: 3, on_status_codes: [429, 503] },
    });
    expect(withRequestTimeout(base, 1000)).toEqual({ ...base, request_timeout: 1000 });
    expect(base).not.toHaveProperty('retry');
  });
});

describe('nestedTargetIndex', () => {
  it.each([
    ['config.targets[0].targets[1]', 1],
    ['config.targets[1].targets[0]', 0],
    ['config.targets[1]', null],
    [undefined, null],
  ])('reads %j as %j', (path, index) => {
    expect(nestedTargetIndex(path)).toBe(index);
  });
});
