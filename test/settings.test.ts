import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { loadEnv, resolveSettings } from '../src/settings.js';
import { defaultTargets, parseTargets } from '../src/targets.js';

const dir = mkdtempSync(join(tmpdir(), 'lb-settings-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('resolveSettings', () => {
  it('defaults to every scenario on the embedded stack with the seed targets', () => {
    const s = resolveSettings({}, {});
    expect(s.scenarios).toEqual(['round-robin', 'weighted', 'distribution']);
    expect(s.gateway).toBeUndefined();
    expect(s.requests).toBeUndefined();
    expect(s.weights).toBeUndefined();
    expect(s.targets).toEqual([
      { name: 'ollama', provider: 'ollama', customHost: undefined, model: 'llama3', weight: 0.25 },
      { name: 'vllm', provider: 'openai', customHost: undefined, model: 'llama-fp8', weight: 0.75 },
    ]);
    expect(s.simulation).toEqual({ ollamaLatencyMs: 300, openaiLatencyMs: 15 });
  });

  it('reads the gateway, hosts, models, keys and weights from the environment', () => {
    const s = resolveSettings(
      { scenario: 'weighted' },
      {
        GATEWAY_URL: 'https://gw.apps.example.com',
        OLLAMA_URL: 'http://portkey-gateway-ollama:11434',
        OLLAMA_MODEL: 'llama3.1',
        VLLM_URL: 'http://llama-fp8-predictor.hacohen-llmlite:8080/v1/',
        VLLM_API_KEY: 'sk-abcdef123456',
        LB_WEIGHTS: '1, 4',
      },
    );
    expect(s.scenarios).toEqual(['weighted']);
    expect(s.gateway).toEqual({ url: 'https://gw.apps.example.com/v1' });
    expect(s.targets[0]).toMatchObject({
      customHost: 'http://portkey-gateway-ollama:11434',
      model: 'llama3.1',
    });
    expect(s.targets[1]).toMatchObject({
      customHost: 'http://llama-fp8-predictor.hacohen-llmlite:8080/v1',
      apiKey: 'sk-abcdef123456',
    });
    expect(s.weights).toEqual([1, 4]);
  });

  it('lets flags win over variables', () => {
    const s = resolveSettings(
      { gateway: 'http://localhost:8787/v1', weights: '3,1', requests: '40' },
      {
        GATEWAY_URL: 'http://other:1/v1',
        LB_WEIGHTS: '1,1',
        OLLAMA_URL: 'http://o:11434',
        VLLM_URL: 'http://v:8080/v1',
      },
    );
    expect(s.gateway?.url).toBe('http://localhost:8787/v1');
    expect(s.weights).toEqual([3, 1]);
    expect(s.requests).toBe(40);
  });

  it.each([
    [{ scenario: 'rr' }, {}, /--scenario: unknown scenario "rr"/],
    [{ requests: '0' }, {}, /--requests: expected a whole number from 1 to 1000000, got 0/],
    [{ requests: 'ten' }, {}, /--requests: expected a whole number.*"ten"/],
    [{ requests: '-3' }, {}, /--requests: expected a whole number.*"-3"/],
    [{ requests: '2.5' }, {}, /--requests: expected a whole number/],
    [{ requests: '99999999' }, {}, /--requests: expected a whole number from 1 to 1000000/],
    [{ weights: '0.5,abc' }, {}, /--weights \(weight 2\): expected a number, got "abc"/],
    [{ weights: '0.5,-1' }, {}, /--weights \(weight 2\): must not be negative/],
    [{ weights: '0,0' }, {}, /--weights: all weights are zero/],
    [{ weights: '1,2,3' }, {}, /--weights: 3 weight\(s\) given for 2 target\(s\) \(ollama, vllm\)/],
    [{}, { LB_WEIGHTS: 'NaN,1' }, /LB_WEIGHTS \(weight 1\): expected a number, got "NaN"/],
    [{ gateway: 'localhost:8787' }, {}, /--gateway: expected an http:\/\/ or https:\/\/ URL/],
    [{ gateway: 'not a url' }, {}, /--gateway: not a valid URL/],
    [{}, { GATEWAY_URL: 'ftp://x' }, /GATEWAY_URL: expected an http/],
    [{}, { OLLAMA_URL: '::' }, /OLLAMA_URL: not a valid URL/],
    [
      { gateway: 'http://gw:8787' },
      {},
      /OLLAMA_URL is not set: with a gateway of your own \(--gateway\)/,
    ],
    [{}, { SIM_OLLAMA_LATENCY_MS: 'slow' }, /SIM_OLLAMA_LATENCY_MS: expected a number/],
  ])('rejects %j with %j', (options, env, message) => {
    expect(() => resolveSettings(options, env)).toThrow(UsageError);
    expect(() => resolveSettings(options, env)).toThrow(message);
  });

  it('reads a targets file, such as the seed three-way split', () => {
    const path = file(
      'three.json',
      JSON.stringify([
        { name: 'a', provider: 'ollama', model: 'llama3', weight: 0.5 },
        { name: 'b', provider: 'openai', model: 'llama-fp8', weight: 0.3, api_key: 'sk-xyz' },
        {
          name: 'c',
          provider: 'openai',
          model: 'mistral',
          custom_host: 'http://c:8000/v1',
          weight: 0.2,
        },
      ]),
    );
    const s = resolveSettings({ targets: path }, {});
    expect(s.targets).toEqual([
      { name: 'a', provider: 'ollama', customHost: undefined, model: 'llama3', weight: 0.5 },
      {
        name: 'b',
        provider: 'openai',
        customHost: undefined,
        model: 'llama-fp8',
        weight: 0.3,
        apiKey: 'sk-xyz',
      },
      {
        name: 'c',
        provider: 'openai',
        customHost: 'http://c:8000/v1',
        model: 'mistral',
        weight: 0.2,
      },
    ]);
    expect(resolveSettings({}, { LB_TARGETS_FILE: path }).targets).toHaveLength(3);
  });

  it('names the file and the problem when a targets file is unusable', () => {
    expect(() => resolveSettings({ targets: join(dir, 'missing.json') }, {})).toThrow(
      /--targets .*missing\.json: cannot read the file \(no such file\)/,
    );
    expect(() => resolveSettings({ targets: file('bad.json', '{oops') }, {})).toThrow(
      /--targets .*bad\.json: not valid JSON/,
    );
    const noHost = file(
      'nohost.json',
      JSON.stringify([{ name: 'a', provider: 'openai', model: 'm' }]),
    );
    expect(() => resolveSettings({ targets: noHost, gateway: 'http://gw/v1' }, {})).toThrow(
      /target "a" in .*nohost\.json has no custom_host/,
    );
  });
});

describe('parseTargets', () => {
  it.each([
    [{}, /expected a JSON array of targets, got an object/],
    [[], /the array of targets is empty/],
    [[42], /target 1: expected an object, got number 42/],
    [
      [{ provider: 'openai', model: 'm' }],
      /target 1: "name" must be a non-empty string, got nothing/,
    ],
    [[{ name: 'a', model: 'm' }], /target "a": "provider" must be a non-empty string/],
    [[{ name: 'a', provider: 'openai' }], /target "a": "model" must be a non-empty string/],
    [
      [{ name: 'a', provider: 'openai', model: 'm', wieght: 1 }],
      /target 1: unknown field "wieght"/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', weight: '1' }],
      /target "a": weight must be a number/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', weight: -1 }],
      /target "a": weight: must not be negative/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', custom_host: 'nope' }],
      /target "a": custom_host: not a valid URL/,
    ],
    [
      [
        { name: 'a', provider: 'openai', model: 'm' },
        { name: 'a', provider: 'ollama', model: 'm' },
      ],
      /target "a": the name is used twice/,
    ],
  ])('rejects %j', (data, message) => {
    expect(() => parseTargets(data, 'targets.json')).toThrow(message);
  });
});

describe('defaultTargets', () => {
  it('ignores empty variables', () => {
    expect(defaultTargets({ OLLAMA_URL: '  ', OLLAMA_MODEL: '' })[0]).toEqual({
      name: 'ollama',
      provider: 'ollama',
      customHost: undefined,
      model: 'llama3',
      weight: 0.25,
    });
  });
});

describe('loadEnv', () => {
  it('reads .env and lets the real environment win', () => {
    const path = file('.env', 'LB_WEIGHTS=1,2\nOLLAMA_MODEL="llama3.2"\n# comment\n');
    expect(loadEnv({ LB_WEIGHTS: '5,5' }, path)).toMatchObject({
      LB_WEIGHTS: '5,5',
      OLLAMA_MODEL: 'llama3.2',
    });
    expect(loadEnv({ A: '1' }, join(dir, 'nothing.env'))).toEqual({ A: '1' });
  });
});
