// The real embedded stack for the bench, in a process of its own: the Portkey gateway (a child
// process, without the per-run token, as a gateway of the user's) and two simulated providers
// answering at once. Prints {"url","pid","targets","headers","body"} on stdout, then runs until
// SIGTERM.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../src/local/gateway.js';
import { startSimulatedProvider } from '../src/local/simulator/server.js';
import type { TargetSpec } from '../src/model/input.js';
import { loadBalanceConfig } from '../src/portkey-config.js';
import { equalWeights } from '../src/weights.js';

const ollama = await startSimulatedProvider({
  kind: 'ollama',
  name: 'ollama-sim',
  models: ['llama3'],
});
const vllm = await startSimulatedProvider({
  kind: 'openai',
  name: 'vllm-sim',
  models: ['llama-fp8'],
});
const gateway = await startGateway({ requireToken: false });
const targets: TargetSpec[] = [
  { name: 'ollama', provider: 'ollama', customHost: ollama.baseUrl, model: 'llama3' },
  { name: 'vllm', provider: 'openai', customHost: vllm.baseUrl, model: 'llama-fp8' },
];
const targetsFile = join(tmpdir(), `lb-bench-targets-${process.pid}.json`);
writeFileSync(
  targetsFile,
  JSON.stringify(
    targets.map((t) => ({
      name: t.name,
      provider: t.provider,
      custom_host: t.customHost,
      model: t.model,
    })),
  ),
);
// What lb-demo's distribution scenario sends, for autocannon to send the same.
const body = JSON.stringify({
  model: 'llama3',
  messages: [{ role: 'user', content: 'What is AI?' }],
  max_tokens: 30,
});
const headers = {
  'content-type': 'application/json',
  'x-portkey-config': JSON.stringify(loadBalanceConfig(targets, equalWeights(targets.length))),
};
process.stdout.write(
  `${JSON.stringify({ url: gateway.url, pid: process.pid, targets: targetsFile, headers, body, version: gateway.version })}\n`,
);
const stop = async () => {
  await Promise.all([gateway.stop(), ollama.close(), vllm.close()]);
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
