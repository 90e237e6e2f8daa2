// npm run bench: is lb-demo's harness ever what limits a run? autocannon and lb-demo, each a whole
// process as a user runs it, in interleaved rounds (the order alternating), against:
//   1. the harness ceiling: a gateway that costs nothing (bench/fake-gateway.ts), so the only
//      limit is the tool itself;
//   2. lb-demo --workers 1 against --workers 2, on the fake;
//   3. the real embedded gateway with zero-latency simulated providers (bench/real-stack.ts);
// and with --memory, lb-demo's peak memory for a short and a long run.
//
// It is not part of npm test: it takes minutes, and its figures depend on the machine.
//
//   npm run bench                                     5 rounds of 5 s each, concurrency 32 (~4 min)
//   npm run bench -- --rounds 9 --seconds 10          steadier medians (~15 min)
//   npm run bench -- --only ceiling,real              leave out --workers
//   npm run bench -- --memory --only none             peak memory of 10,000 and 1,000,000 requests
//   npm run bench -- --memory --only none --memory-requests 10000,100000
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, type Measured, runNode, type Server, startServer } from './processes.js';
import { type Run, table } from './summary.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
    only: { type: 'string', default: 'ceiling,real,workers' },
    memory: { type: 'boolean', default: false },
    'memory-requests': { type: 'string', default: '10000,1000000' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const only = new Set(values.only.split(','));

const LB_DEMO = fileURLToPath(new URL('../bin/lb-demo.js', import.meta.url));
const AUTOCANNON = fileURLToPath(
  new URL('../node_modules/autocannon/autocannon.js', import.meta.url),
);
/** With --gateway and the default targets, each target needs a URL; the fake never calls them. */
const DUMMY_PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };

interface Target {
  url: string;
  /** lb-demo's arguments to reach it, besides --gateway. */
  lbArgs: string[];
  env: Record<string, string>;
  /** What autocannon sends: lb-demo's request, byte for byte where it matters. */
  headers: Record<string, string>;
  body: string;
  server: Server<unknown>;
}

type Measurement = Omit<Run, 'serverUsPerRequest' | 'load' | 'tool'> & { completed: number };
type Tool = (target: Target) => Promise<Measurement>;

function measured(
  m: Measured,
  completed: number,
  reportedRps: number,
  errors: number,
): Measurement {
  return {
    completed,
    reportedRps,
    errors,
    processRps: completed / (m.wallMs / 1000),
    cpuUsPerRequest: m.cpuUs / Math.max(1, completed),
    maxRssMb: m.maxRssKb / 1024,
  };
}

const autocannon: Tool = (target) => autocannonFor(target, seconds);

async function autocannonFor(target: Target, forSeconds: number): Promise<Measurement> {
  const args = [AUTOCANNON, '--json', '-c', String(concurrency), '-d', String(forSeconds)];
  args.push('-m', 'POST', '-b', target.body);
  for (const [name, value] of Object.entries(target.headers)) args.push('-H', `${name}=${value}`);
  const m = await runNode([...args, `${target.url}/chat/completions`]);
  const result = JSON.parse(m.stdout);
  const completed = result.requests.total as number;
  const errors = (result.errors as number) + (result.non2xx as number);
  return measured(m, completed, completed / (result.duration as number), errors);
}

const lbDemo =
  (workers: number): Tool =>
  async (target) => {
    const args = [LB_DEMO, '--gateway', target.url, ...target.lbArgs, '--scenario', 'distribution'];
    args.push('-c', String(concurrency), '--duration', String(seconds), '--json');
    if (workers > 1) args.push('--workers', String(workers));
    const m = await runNode(args, target.env);
    const [s] = JSON.parse(m.stdout).scenarios;
    return measured(m, s.requests, s.requests_per_s, s.failed);
  };

/** Rounds of every tool in turn, the order reversed every other round. */
async function interleave(target: Target, tools: [string, Tool][]): Promise<Run[]> {
  // A cold gateway (JIT, connection setup) would count against whichever tool comes first.
  await autocannonFor(target, 3);
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? tools : [...tools].reverse();
    for (const [tool, measure] of order) {
      const loadBefore = loadAverage();
      const serverBefore = target.server.cpuUs();
      const { completed, ...run } = await measure(target);
      const serverUs = target.server.cpuUs() - serverBefore;
      const load = Math.max(loadBefore, loadAverage());
      runs.push({ tool, ...run, serverUsPerRequest: serverUs / Math.max(1, completed), load });
      process.stderr.write(
        `  round ${round + 1}/${rounds} ${tool}: ${run.reportedRps.toFixed(0)} req/s, load ${load.toFixed(2)}\n`,
      );
    }
  }
  return runs;
}

interface FakeInfo {
  url: string;
}
interface StackInfo {
  url: string;
  targets: string;
  headers: Record<string, string>;
  body: string;
  version: string;
}

/** lb-demo's distribution request, for autocannon to send to the fake. */
const FAKE_BODY = JSON.stringify({
  model: 'llama3',
  messages: [{ role: 'user', content: 'What is AI?' }],
  max_tokens: 30,
});

const heading = (text: string) => console.log(`\n${text}\n${'-'.repeat(text.length)}`);
const comparing = ['ceiling', 'workers', 'real'].some((section) => only.has(section));
console.log(
  `lb-demo bench: Node ${process.version}, ${availableParallelism()} cores` +
    (comparing
      ? `; ${rounds} interleaved round(s) of ${seconds} s at concurrency ${concurrency}`
      : ''),
);

if (only.has('ceiling') || only.has('workers')) {
  const server = await startServer<FakeInfo>('./fake-gateway.ts');
  const target: Target = {
    url: server.info.url,
    lbArgs: [],
    env: DUMMY_PROVIDERS,
    headers: { 'content-type': 'application/json' },
    body: FAKE_BODY,
    server,
  };
  try {
    if (only.has('ceiling')) {
      heading(
        '1. Harness ceiling: a gateway that costs nothing (bench/fake-gateway.ts, its own process)',
      );
      const runs = await interleave(target, [
        ['autocannon', autocannon],
        ['lb-demo', lbDemo(1)],
      ]);
      console.log(table(runs, ['autocannon', 'lb-demo']));
    }
    if (only.has('workers')) {
      heading('2. lb-demo --workers 1 against --workers 2, same fake gateway');
      const runs = await interleave(target, [
        ['lb-demo --workers 1', lbDemo(1)],
        ['lb-demo --workers 2', lbDemo(2)],
      ]);
      console.log(table(runs, ['lb-demo --workers 1', 'lb-demo --workers 2']));
    }
  } finally {
    await server.stop();
  }
}

if (only.has('real')) {
  const server = await startServer<StackInfo>('./real-stack.ts');
  const { info } = server;
  heading(
    `3. The real gateway (@portkey-ai/gateway ${info.version}) with zero-latency simulated providers, its own process`,
  );
  const target: Target = {
    url: info.url,
    lbArgs: ['--targets', info.targets],
    env: {},
    headers: info.headers,
    body: info.body,
    server,
  };
  try {
    const runs = await interleave(target, [
      ['autocannon', autocannon],
      ['lb-demo', lbDemo(1)],
    ]);
    console.log(table(runs, ['autocannon', 'lb-demo']));
  } finally {
    await server.stop();
  }
}

if (values.memory) {
  heading(`4. lb-demo's peak memory (RSS) by run length, concurrency 64, fake gateway`);
  const server = await startServer<FakeInfo>('./fake-gateway.ts');
  try {
    const peaks: [number, number][] = [];
    for (const requests of values['memory-requests'].split(',').map(Number)) {
      const args = [LB_DEMO, '--gateway', server.info.url, '--scenario', 'distribution'];
      const m = await runNode(
        [...args, '-c', '64', '-n', String(requests), '--json'],
        DUMMY_PROVIDERS,
      );
      const [s] = JSON.parse(m.stdout).scenarios;
      peaks.push([requests, m.maxRssKb]);
      console.log(
        `${requests.toLocaleString('en-US').padStart(9)} requests: peak ${(m.maxRssKb / 1024).toFixed(0)} MB, ${(m.wallMs / 1000).toFixed(1)} s, ${s.failed} failed, load ${loadAverage().toFixed(2)}`,
      );
    }
    const [[shortest, base] = [0, 1], ...longer] = peaks;
    for (const [requests, kb] of longer) {
      const n = (x: number) => x.toLocaleString('en-US');
      console.log(`peak at ${n(requests)} / peak at ${n(shortest)}: ${(kb / base).toFixed(2)}`);
    }
  } finally {
    await server.stop();
  }
}
