import { describe, expect, it } from 'vitest';
import type { TargetSpec } from '../src/model/input.js';
import {
  failoverConfig,
  loadBalanceConfig,
  PLACEHOLDER_API_KEY,
  withRequestTimeout,
  withRetry,
} from '../src/portkey-config.js';
import { equalWeights, normalizeWeights } from '../src/weights.js';

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

describe('loadBalanceConfig', () => {
  it('builds a loadbalance config with equal weights in the gateway wire format', () => {
    expect(loadBalanceConfig([ollama, vllm], equalWeights(2))).toEqual({
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
    const weights = loadBalanceConfig(
      [ollama, vllm, { ...vllm, name: 'b' }],
      equalWeights(3),
    ).targets.map((t) => t.weight);
    expect(weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});

describe('loadBalanceConfig with weights', () => {
  it('gives each target its normalized weight', () => {
    const config = loadBalanceConfig([ollama, vllm], normalizeWeights([1, 3]));
    expect(config.targets.map((t) => t.weight)).toEqual([0.25, 0.75]);
    expect(config.strategy.mode).toBe('loadbalance');
  });
});

describe('failoverConfig', () => {
  it('load balances over fallback groups, each trying its own target first, then the others', () => {
    const config = failoverConfig([ollama, vllm], normalizeWeights([1, 3]));
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
    const base = loadBalanceConfig([ollama, vllm], equalWeights(2));
    expect(withRetry(base, 3, [429, 503])).toEqual({
      ...base,
      retry: { attempts: 3, on_status_codes: [429, 503] },
    });
    expect(withRequestTimeout(base, 1000)).toEqual({ ...base, request_timeout: 1000 });
    expect(base).not.toHaveProperty('retry');
  });
});
