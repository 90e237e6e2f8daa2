// A run spread over N shard processes against one shared real gateway, with simulated
// providers the test owns, merged by `lb-demo merge`: the merged counts equal what the servers
// served, the merged verdict is the verdict of the summed counts, the merged percentiles are
// within the stated precision of the exact ones, and a shard killed mid-run is reported.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  type SimulatedProvider,
  startSimulatedProvider,
} from '../../src/local/simulator/server.js';
import { MAX_RELATIVE_ERROR } from '../../src/stats/histogram.js';
import { judgeSplit } from '../../src/stats/verdict.js';
import { normalizeWeights } from '../../src/weights.js';
import { BIN, runCli, scratchDir, startCli, writeJson } from './helpers.js';

interface Target {
  name: string;
  picked: number;
  answered: number;
  latency_ms: { count: number; p50: number; p90: number; p99: number } | null;
}
interface Scenario {
  requests: number;
  succeeded: number;
  test: { outcome: string; p_value: number; method: string };
  targets: Target[];
  latency_ms: { count: number; p50: number; p99: number } | null;
  shards_homogeneity: { outcome: string; p_value: number } | null;
}
interface Doc {
  shard: { run_id: string; index: number; count: number } | null;
  checks: { check: string; passed: boolean; message: string }[];
  checks_passed: boolean | null;
  scenarios: Scenario[];
}

let gateway: RunningGateway;
let ollama: SimulatedProvider;
let vllm: SimulatedProvider;
let targetsFile: string;

beforeAll(async () => {
  gateway = await startGateway({ requireToken: false });
  ollama = await startSimulatedProvider({
    kind: 'ollama',
    name: 'ollama-sim',
    models: ['llama3'],
    latencyMs: 6,
    jitter: 0.5,
  });
  vllm = await startSimulatedProvider({
    kind: 'openai',
    name: 'vllm-sim',
    models: ['llama-fp8'],
    latencyMs: 2,
    jitter: 0.5,
  });
  targetsFile = writeJson(scratchDir(), 'targets.json', [
    { name: 'ollama', provider: 'ollama', custom_host: ollama.baseUrl, model: 'llama3', weight: 1 },
    { name: 'vllm', provider: 'openai', custom_host: vllm.baseUrl, model: 'llama-fp8', weight: 3 },
  ]);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), ollama?.close(), vllm?.close()]);
});

beforeEach(() => {
  ollama.reset();
  vllm.reset();
});

const runArgs = (runId: string, requests: number) => [
  '--gateway',
  gateway.url,
  '--targets',
  targetsFile,
  '--scenario',
  'weighted',
  '--requests',
  String(requests),
  '--concurrency',
  '8',
  '--alpha',
  '0.001',
  '--fail-on-skew',
  '--run-id',
  runId,
];

/** N shard processes side by side; each writes its document to dir/shard-i.json. */
async function runShards(n: number, runId: string, requests: number, dir: string) {
  const runs = Array.from({ length: n }, (_, i) =>
    startCli([
      ...runArgs(runId, requests),
      ...['--shard', `${i}/${n}`, '--json', '--out', join(dir, `shard-${i}.json`)],
      ...['--records', join(dir, `records-${i}.jsonl`)],
    ]),
  );
  return Promise.all(runs.map((r) => r.done));
}

describe('lb-demo merge', () => {
  for (const n of [2, 4]) {
    it(`${n} shards: counts equal the servers’, one verdict, percentiles within the precision`, async () => {
      const dir = scratchDir();
      const results = await runShards(n, `run-${n}`, 600, dir);
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0); // a shard judges nothing: the merge does
      }
      const shards = results.map((r) => JSON.parse(r.stdout) as Doc);
      expect(shards.map((d) => d.shard?.index).sort()).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      expect(shards.every((d) => d.checks.length === 0)).toBe(true);
      // Requests and concurrency are totals: the shards' parts add up to them.
      expect(shards.reduce((sum, d) => sum + (d.scenarios[0]?.requests ?? 0), 0)).toBe(600);

      const files = shards.map((_, i) => join(dir, `shard-${i}.json`));
      const merged = await runCli(['merge', ...files, '--json']);
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(0);
      const doc = JSON.parse(merged.stdout) as Doc;
      const [s] = doc.scenarios;
      expect(s?.requests).toBe(600);
      const by = Object.fromEntries(s!.targets.map((t) => [t.name, t]));
      expect(by.ollama?.answered).toBe(ollama.served().chatCompletions);
      expect(by.vllm?.answered).toBe(vllm.served().chatCompletions);
      expect((by.ollama?.picked ?? 0) + (by.vllm?.picked ?? 0)).toBe(600);

      // The merged verdict is the verdict of the summed counts, computed here independently.
      const expected = judgeSplit(
        [by.ollama!.picked, by.vllm!.picked],
        normalizeWeights([1, 3]),
        0,
        0.001,
      );
      expect(s?.test.outcome).toBe(expected.outcome);
      expect(s?.test.p_value).toBeCloseTo(expected.pValue, 5);
      expect(s?.shards_homogeneity?.outcome).not.toBe('differs');
      expect(doc.checks.map((c) => [c.check, c.passed])).toEqual([
        ['shard-coverage', true],
        ['fail-on-skew', true],
        ['shard-drift', true],
      ]);

      // Percentiles of the union, from the shards' exact latencies, against the merged ones.
      const union = shards
        .flatMap((_, i) => exactLatencies(join(dir, `records-${i}.jsonl`)))
        .sort((a, b) => a - b);
      expect(union.length).toBe(600);
      for (const [q, got] of [
        [50, s!.latency_ms!.p50],
        [99, s!.latency_ms!.p99],
      ] as const) {
        const exact = percentile(union, q);
        // The stated precision, and the 0.001 ms the document and the records round to.
        expect(Math.abs(got - exact), `p${q}`).toBeLessThanOrEqual(
          MAX_RELATIVE_ERROR * exact + 0.001,
        );
      }
    });
  }

  it('a shard killed mid-run: coverage 3 of 4, exit 1; --allow-partial merges what there is', async () => {
    const dir = scratchDir();
    const runs = Array.from({ length: 4 }, (_, i) =>
      startCli([
        ...runArgs('run-killed', 4_000),
        '--shard',
        `${i}/4`,
        '--json',
        '--out',
        join(dir, `shard-${i}.json`),
      ]),
    );
    // Shard 2 dies before it can write anything.
    setTimeout(() => runs[2]?.child.kill('SIGKILL'), 1_500);
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results[2]?.signal).toBe('SIGKILL');
    const files = [0, 1, 3].map((i) => join(dir, `shard-${i}.json`));
    const merged = await runCli(['merge', ...files]);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toMatch(/3 of 4 shards complete/);
    expect(merged.stdout).toMatch(/FAIL shard-coverage coverage 3 of 4 shards: shard 2 missing/);
    const partial = await runCli(['merge', ...files, '--allow-partial', '--json']);
    const doc = JSON.parse(partial.stdout) as Doc;
    expect(doc.checks.find((c) => c.check === 'shard-coverage')?.passed).toBe(true);
    expect(partial.code).toBe(0);
  });

  it('a replica that routes otherwise: the drift test across shards catches it (exit 1)', async () => {
    // A stand-in for a gateway replica with a stale config: it turns the weights around before
    // the real gateway sees them, 1:3 becoming 3:1.
    const stale = http.createServer((req, res) => {
      const headers = { ...req.headers };
      const sent = headers['x-portkey-config'];
      if (typeof sent === 'string') {
        const config = JSON.parse(sent) as { targets: { weight?: number }[] };
        const weights = config.targets.map((t) => t.weight);
        config.targets.forEach((t, i) => {
          t.weight = weights[weights.length - 1 - i];
        });
        headers['x-portkey-config'] = JSON.stringify(config);
      }
      const target = new URL(req.url ?? '/', gateway.url);
      const upstream = http.request(target, { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => stale.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stale.address() as AddressInfo;
      const dir = scratchDir();
      const runs = [gateway.url, `http://127.0.0.1:${port}/v1`].map((url, i) => {
        const args = runArgs('run-drift', 400).map((a) => (a === gateway.url ? url : a));
        return startCli([...args, '--shard', `${i}/2`, '--json', '--out', join(dir, `d-${i}.json`)])
          .done;
      });
      for (const r of await Promise.all(runs)) expect(r.code).toBe(0);
      const merged = await runCli(['merge', join(dir, 'd-0.json'), join(dir, 'd-1.json')]);
      expect(merged.code).toBe(1);
      expect(merged.stdout).toMatch(/Across shards: the shards saw different splits/);
      expect(merged.stdout).toMatch(/FAIL shard-drift weighted: the shards saw different splits/);
    } finally {
      await new Promise((resolve) => stale.close(resolve));
    }
  });

  it('an open loop: each shard sends at rate/N; arrivals and requests add up', async () => {
    const dir = scratchDir();
    const args = (i: number) => [
      ...['--gateway', gateway.url, '--targets', targetsFile, '--scenario', 'weighted'],
      ...['--rate', '40', '--duration', '1', '--run-id', 'run-open', '--shard', `${i}/2`],
      ...['--json', '--out', join(dir, `open-${i}.json`)],
    ];
    const results = await Promise.all([0, 1].map((i) => startCli(args(i)).done));
    type Open = { load: { rate_per_s: number }; open_loop: { scheduled: number; sent: number } };
    const shards = results.map((r) => JSON.parse(r.stdout).scenarios[0] as Open);
    expect(shards.map((s) => s.load.rate_per_s)).toEqual([20, 20]);
    const merged = await runCli([
      'merge',
      join(dir, 'open-0.json'),
      join(dir, 'open-1.json'),
      '--json',
    ]);
    expect(merged.code).toBe(0);
    const all = JSON.parse(merged.stdout).scenarios[0] as Open & { requests: number };
    expect(all.load.rate_per_s).toBe(40);
    expect(all.open_loop.scheduled).toBe(
      shards[0]!.open_loop.scheduled + shards[1]!.open_loop.scheduled,
    );
    expect(all.requests).toBe(shards[0]!.open_loop.sent + shards[1]!.open_loop.sent);
    expect(ollama.served().chatCompletions + vllm.served().chatCompletions).toBe(all.requests);
  });

  it('reads concatenated documents from stdin, as `kubectl logs` gives them, and refuses other runs', async () => {
    const dir = scratchDir();
    const results = await runShards(2, 'run-logs', 40, dir);
    // A pod killed mid-print (its restart printed again in full), log lines, a JSON log line.
    const cut = `${(results[0]?.stdout ?? '').slice(0, 400)}\n`;
    const logs =
      cut +
      results
        .map((r, i) => `lb-demo: a line from pod ${i}\n{"level":"info","pod":${i}}\n${r.stdout}`)
        .join('');
    const merged = spawnSync(process.execPath, [BIN, 'merge', '-', '--json'], {
      input: logs,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    expect(merged.stderr).toMatch(
      /^lb-demo: stdin: a document at line 1 is cut short .*; skipped\n$/,
    );
    expect(merged.status).toBe(0);
    expect((JSON.parse(merged.stdout) as Doc).scenarios[0]?.requests).toBe(40);

    const other = await runShards(2, 'run-other', 40, scratchDir());
    const otherFile = writeJson(scratchDir(), 'other.json', JSON.parse(other[1]!.stdout));
    const mixed = await runCli(['merge', join(dir, 'shard-0.json'), otherFile]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /^lb-demo: .*other\.json: shard of run run-other, not of run run-logs .*\n$/,
    );
  });
});

/** The latency of each successful request of a shard, from its --records file. */
function exactLatencies(file: string): number[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { ok: boolean; latency_ms: number })
    .filter((r) => r.ok)
    .map((r) => r.latency_ms);
}

/** numpy's 'linear' percentile of sorted values. */
function percentile(sorted: readonly number[], q: number): number {
  const rank = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}
