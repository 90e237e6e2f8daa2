// npm run bench: is lb-demo's harness ever what limits a run? Starts the embedded gateway and
// zero-latency simulated providers once, then runs autocannon and lb-demo against the same gateway
// at the same concurrency, in alternation, and prints both throughputs and median latencies.
//
//   npm run bench                         3 rounds of 10 s at concurrency 32
//   npm run bench -- --rounds 5 --seconds 15 --concurrency 64
//   npm run bench -- --memory             also peak memory of 10,000- and 100,000-request runs
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startGateway } from '../src/local/gateway.js';
import { startSimulatedProvider } from '../src/local/simulator/server.js';
import type { TargetSpec } from '../src/model/input.js';
import { loadBalanceConfig } from '../src/portkey-config.js';
import { equalWeights } from '../src/weights.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    memory: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const BIN = fileURLToPath(new URL('../bin/lb-demo.js', import.meta.url));
const AUTOCANNON = fileURLToPath(
  new URL('../node_modules/autocannon/autocannon.js', import.meta.url),
);

interface Measure {
  rps: number;
  p50: number;
  errors: number;
}

/** Runs a command to completion and returns its stdout; fails loudly on a non-zero exit. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${err}`)),
    );
  });
}

async function autocannon(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Measure> {
  const args = [
    AUTOCANNON,
    '--json',
    '-c',
    String(concurrency),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-b',
    body,
  ];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const result = JSON.parse(await run(process.execPath, [...args, url]));
  return {
    rps: result.requests.total / (result.duration || seconds),
    p50: result.latency.p50,
    errors: result.errors + result.non2xx,
  };
}

/** Arguments for lb-demo's distribution scenario against the bench's gateway, printing JSON. */
function lbDemoArgs(gatewayUrl: string, targetsFile: string, limit: string[]): string[] {
  return [
    '--gateway',
    gatewayUrl,
    '--targets',
    targetsFile,
    '--scenario',
    'distribution',
    '--concurrency',
    String(concurrency),
    ...limit,
    '--json',
  ];
}

async function lbDemo(gatewayUrl: string, targetsFile: string): Promise<Measure> {
  const doc = JSON.parse(
    await run(process.execPath, [
      BIN,
      ...lbDemoArgs(gatewayUrl, targetsFile, ['--duration', String(seconds)]),
    ]),
  );
  const [s] = doc.scenarios;
  return { rps: s.requests_per_s, p50: s.latency_ms.p50, errors: s.failed };
}

/** Peak resident memory of a child run, sampled from /proc every 200 ms. */
async function peakRss(args: string[]): Promise<{ mb: number; seconds: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {
      // the process has just ended
    }
  }, 200);
  await new Promise((resolve) => child.on('close', resolve));
  clearInterval(timer);
  return { mb: peak / 1024, seconds: (Date.now() - started) / 1000 };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);

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
// lb-demo reaches it with --gateway, as it would a gateway of the user's: without a token.
const gateway = await startGateway({ requireToken: false });
try {
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
  // The request lb-demo's distribution scenario sends, byte for byte where it matters.
  const body = JSON.stringify({
    model: 'llama3',
    messages: [{ role: 'user', content: 'What is AI?' }],
    max_tokens: 30,
  });
  const gatewayHeaders = {
    'content-type': 'application/json',
    'x-portkey-config': JSON.stringify(loadBalanceConfig(targets, equalWeights(targets.length))),
  };

  console.log(
    `Embedded Portkey gateway ${gateway.version} on ${gateway.url}; simulated providers answer at once.`,
  );
  console.log(
    `${rounds} round(s) of ${seconds} s at concurrency ${concurrency}, autocannon and lb-demo in turn.\n`,
  );

  const sim = await autocannon(
    `${vllm.baseUrl}/chat/completions`,
    { 'content-type': 'application/json' },
    body.replace('llama3', 'llama-fp8'),
  );
  console.log(
    `Simulated vLLM server alone (autocannon): ${sim.rps.toFixed(0)} req/s, p50 ${sim.p50} ms, ${sim.errors} errors\n`,
  );

  console.log('round   autocannon req/s  p50 ms   lb-demo req/s  p50 ms   rps ratio  p50 ratio');
  const ratios: { rps: number; p50: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    const ac = await autocannon(`${gateway.url}/chat/completions`, gatewayHeaders, body);
    const lb = await lbDemo(gateway.url, targetsFile);
    const ratio = { rps: lb.rps / ac.rps, p50: lb.p50 / ac.p50 };
    ratios.push(ratio);
    console.log(
      `${String(round).padStart(5)}   ${fmt(ac.rps)}  ${fmt(ac.p50)}   ${fmt(lb.rps)}  ${fmt(lb.p50, 2)}   ${fmt(ratio.rps, 3)}  ${fmt(ratio.p50, 3)}` +
        (ac.errors || lb.errors ? `   errors: autocannon ${ac.errors}, lb-demo ${lb.errors}` : ''),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const rpsRatio = median(ratios.map((r) => r.rps));
  const p50Ratio = median(ratios.map((r) => r.p50));
  console.log(
    `\nmedian over rounds: lb-demo reaches ${(rpsRatio * 100).toFixed(1)}% of autocannon's throughput`,
  );
  console.log(
    `(target >= 90%), and its median latency is ${((p50Ratio - 1) * 100).toFixed(1)}% off autocannon's (target within ±10%).`,
  );

  if (values.memory) {
    console.log(
      '\nPeak memory of lb-demo (RSS, sampled), concurrency 32, against the same gateway:',
    );
    for (const requests of [10_000, 100_000]) {
      const { mb, seconds: took } = await peakRss(
        lbDemoArgs(gateway.url, targetsFile, ['--requests', String(requests)]),
      );
      console.log(
        `  ${String(requests).padStart(7)} requests: ${mb.toFixed(0)} MB peak, ${took.toFixed(1)} s`,
      );
    }
  }
} finally {
  await Promise.all([gateway.stop(), ollama.close(), vllm.close()]);
}
