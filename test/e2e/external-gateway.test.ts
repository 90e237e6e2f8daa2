// The CLI pointed at a gateway it did not start (as with a real deployment), with simulators the
// test owns: the counts the CLI reports must equal what each server recorded itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  type SimulatedProvider,
  startSimulatedProvider,
} from '../../src/local/simulator/server.js';
import { runCli, scratchDir, writeJson } from './helpers.js';

let gateway: RunningGateway;
const sims: SimulatedProvider[] = [];

beforeAll(async () => {
  // lb-demo reaches it with --gateway, as it would a gateway of the user's: without a token.
  gateway = await startGateway({ requireToken: false });
  sims.push(
    await startSimulatedProvider({
      kind: 'ollama',
      name: 'ollama-sim',
      models: ['llama3'],
      latencyMs: 2,
    }),
    await startSimulatedProvider({ kind: 'openai', name: 'vllm-sim', models: ['llama-fp8'] }),
    await startSimulatedProvider({ kind: 'openai', name: 'other-sim', models: ['mistral'] }),
  );
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), ...sims.map((s) => s.close())]);
});

interface Doc {
  gateway: string;
  simulated_providers: unknown[];
  scenarios: { requests: number; succeeded: number; targets: { name: string; count: number }[] }[];
}

async function run(targets: unknown[], extra: string[]): Promise<Doc> {
  for (const sim of sims) sim.reset();
  const file = writeJson(scratchDir(), 'targets.json', targets);
  const result = await runCli(['--gateway', gateway.url, '--targets', file, '--json', ...extra]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Doc;
}

describe('lb-demo against a gateway it did not start', () => {
  it('two targets: reported counts equal the servers’ own records', async () => {
    const [ollama, vllm] = sims;
    const doc = await run(
      [
        {
          name: 'ollama',
          provider: 'ollama',
          custom_host: ollama!.baseUrl,
          model: 'llama3',
          weight: 1,
        },
        {
          name: 'vllm',
          provider: 'openai',
          custom_host: vllm!.baseUrl,
          model: 'llama-fp8',
          weight: 3,
        },
      ],
      ['--scenario', 'weighted', '--requests', '50'],
    );
    expect(doc.gateway).toBe(gateway.url);
    expect(doc.simulated_providers).toEqual([]); // nothing simulated by the CLI itself
    const [scenario] = doc.scenarios;
    expect(scenario?.succeeded).toBe(50);
    const counts = Object.fromEntries(scenario!.targets.map((t) => [t.name, t.count]));
    expect(counts.ollama).toBe(ollama!.served().chatCompletions);
    expect(counts.vllm).toBe(vllm!.served().chatCompletions);
    expect(ollama!.served().byModel).toEqual(counts.ollama ? { llama3: counts.ollama } : {});
    expect((counts.ollama ?? 0) + (counts.vllm ?? 0)).toBe(50);
  });

  it('three targets, two with the same provider: still told apart', async () => {
    const [ollama, vllm, other] = sims;
    const doc = await run(
      [
        {
          name: 'ollama',
          provider: 'ollama',
          custom_host: ollama!.baseUrl,
          model: 'llama3',
          weight: 0.5,
        },
        {
          name: 'vllm',
          provider: 'openai',
          custom_host: vllm!.baseUrl,
          model: 'llama-fp8',
          weight: 0.3,
        },
        {
          name: 'mistral',
          provider: 'openai',
          custom_host: other!.baseUrl,
          model: 'mistral',
          weight: 0.2,
        },
      ],
      ['--scenario', 'distribution', '--requests', '60'],
    );
    const counts = Object.fromEntries(doc.scenarios[0]!.targets.map((t) => [t.name, t.count]));
    expect(counts).toEqual({
      ollama: ollama!.served().chatCompletions,
      vllm: vllm!.served().chatCompletions,
      mistral: other!.served().chatCompletions,
    });
    // The distribution scenario uses equal weights, whatever the file says.
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(60);
  });
});
