import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { scratchDir, writeText } from '../e2e/helpers.js';

const dir = scratchDir();
const file = (name: string, text: string) => writeText(dir, name, text);

describe('resolveSettings', () => {
  it('defaults to every scenario on the embedded stack with the seed targets', () => {
    const s = resolveSettings({}, {});
    expect(s.scenarios).toEqual(['round-robin', 'weighted', 'distribution']);
    expect(s.requests).toBeUndefined();
    // The weighted scenario runs: the default targets' own 25/75 split.
    expect(s.weights).toEqual([0.25, 0.75]);
    expect(s.deployment).toEqual({
      kind: 'embedded',
      targets: [
        {
          name: 'ollama',
          provider: 'ollama',
          customHost: undefined,
          model: 'llama3',
          weight: 0.25,
        },
        {
          name: 'vllm',
          provider: 'openai',
          customHost: undefined,
          model: 'llama-fp8',
          weight: 0.75,
        },
      ],
      simulation: { ollamaLatencyMs: 300, openaiLatencyMs: 15 },
    });
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
    expect(s.deployment).toEqual({
      kind: 'own-gateway',
      gateway: { url: 'https://gw.apps.example.com/v1' },
      targets: [
        {
          name: 'ollama',
          provider: 'ollama',
          customHost: 'http://portkey-gateway-ollama:11434',
          model: 'llama3.1',
        },
        {
          name: 'vllm',
          provider: 'openai',
          customHost: 'http://llama-fp8-predictor.hacohen-llmlite:8080/v1',
          model: 'llama-fp8',
          apiKey: 'sk-abcdef123456',
        },
      ],
    });
    expect(s.weights).toEqual([0.2, 0.8]);
    expect(s.secrets).toContain('sk-abcdef123456');
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
    expect(s.deployment.kind === 'own-gateway' && s.deployment.gateway.url).toBe(
      'http://localhost:8787/v1',
    );
    expect(s.weights).toEqual([0.75, 0.25]);
    expect(s.requests).toBe(40);
  });

  it.each([
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
    expect(s.deployment.targets).toEqual([
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
    expect(resolveSettings({}, { LB_TARGETS_FILE: path }).deployment.targets).toHaveLength(3);
    expect(s.weights?.map((w) => Number(w.toFixed(12)))).toEqual([0.5, 0.3, 0.2]);
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

describe('the open loop cap on requests in flight', () => {
  /** The soft open-file limit as the test process sees it (the CLI's is the same). */
  const limit = (() => {
    try {
      const line = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m);
      return line ? Number(line[1]) : 1024;
    } catch {
      return 1024;
    }
  })();

  it('defaults to what the open files allow, kept in reserve, two files a request when embedded', () => {
    const embedded = resolveSettings({ rate: '10' }, {}).load.maxInFlight;
    expect(embedded).toBe(Math.max(1, Math.min(10_000, Math.floor((limit - 256) / 2))));
    const own = resolveSettings(
      { rate: '10', gateway: 'http://127.0.0.1:1' },
      { OLLAMA_URL: 'http://127.0.0.1:2', VLLM_URL: 'http://127.0.0.1:3/v1' },
    ).load.maxInFlight;
    expect(own).toBe(Math.max(1, Math.min(10_000, limit - 256)));
  });

  it('takes --max-in-flight as given, when the open files allow it', () => {
    expect(resolveSettings({ rate: '10', maxInFlight: '64' }, {}).load.maxInFlight).toBe(64);
    expect(() => resolveSettings({ rate: '10', maxInFlight: String(limit) }, {})).toThrow(
      /^--max-in-flight \d+: needs about \d+ open files, and this process may open \d+/,
    );
  });
});

describe('resolveSettings: shards', () => {
  it('splits the totals, keeps a fingerprint shared by every shard, and differs with the settings', () => {
    const shard = (i: number, extra: Record<string, string> = {}) =>
      resolveSettings(
        {
          scenario: 'weighted',
          requests: '10',
          concurrency: '4',
          shard: `${i}/3`,
          runId: 'r',
          ...extra,
        },
        {},
      );
    const shards = [0, 1, 2].map((i) => shard(i));
    expect(shards.map((s) => s.load.concurrency)).toEqual([2, 1, 1]);
    expect(new Set(shards.map((s) => s.shard?.fingerprint)).size).toBe(1);
    expect(shard(0, { requests: '11' }).shard?.fingerprint).not.toBe(shards[0]?.shard?.fingerprint);
  });

  it('refuses resilience scenarios and drills: they inject faults, and their retry schedules do not merge', () => {
    expect(() =>
      resolveSettings({ scenario: 'retry-schedule', shard: '0/2', runId: 'r' }, {}),
    ).toThrow(/--scenario retry-schedule: a resilience scenario or drill cannot be sharded/);
    expect(() => resolveSettings({ scenario: 'resilience', shard: '0/2', runId: 'r' }, {})).toThrow(
      UsageError,
    );
  });
});
