// The verdict, the JSON additions and the CI gate, through the real CLI and the real gateway.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../src/local/gateway.js';
import {
  type SimulatedProvider,
  startSimulatedProvider,
} from '../../src/local/simulator/server.js';
import { closedPort, onGateway, runCli, scratchDir, writeJson } from './helpers.js';

let gateway: RunningGateway;
let sims: SimulatedProvider[];
let misrouter: http.Server;
let misrouterUrl: string;

/**
 * A gateway that does not honour the weights: a proxy in front of the real one that reverses the
 * weights in the config header before passing each request on.
 */
function startMisroutingProxy(target: string): Promise<http.Server> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    const raw = headers['x-portkey-config'];
    if (typeof raw === 'string') {
      const config = JSON.parse(raw) as { targets: { weight: number }[] };
      const weights = config.targets.map((t) => t.weight).reverse();
      config.targets.forEach((t, i) => {
        t.weight = weights[i] ?? 0;
      });
      headers['x-portkey-config'] = JSON.stringify(config);
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  // lb-demo reaches it with --gateway, as it would a gateway of the user's: without a token.
  gateway = await startGateway({ requireToken: false });
  sims = [
    await startSimulatedProvider({ kind: 'ollama', name: 'ollama-sim', models: ['llama3'] }),
    await startSimulatedProvider({ kind: 'openai', name: 'vllm-sim', models: ['llama-fp8'] }),
  ];
  misrouter = await startMisroutingProxy(gateway.url);
  misrouterUrl = `http://127.0.0.1:${(misrouter.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  misrouter?.closeAllConnections();
  misrouter?.close();
  await Promise.all([gateway?.stop(), ...(sims ?? []).map((s) => s.close())]);
});

function targetsFile(weights: [number, number], hosts?: [string, string]): string {
  return writeJson(scratchDir(), 'targets.json', [
    {
      name: 'ollama',
      provider: 'ollama',
      custom_host: hosts?.[0] ?? sims[0]?.baseUrl,
      model: 'llama3',
      weight: weights[0],
    },
    {
      name: 'vllm',
      provider: 'openai',
      custom_host: hosts?.[1] ?? sims[1]?.baseUrl,
      model: 'llama-fp8',
      weight: weights[1],
    },
  ]);
}

describe('the gate', () => {
  it('fails --fail-on-skew when the gateway does not follow the weights', async () => {
    const result = await runCli([
      '--gateway',
      misrouterUrl,
      '--targets',
      targetsFile([1, 9]),
      '--scenario',
      'weighted',
      '--requests',
      '100',
      '--fail-on-skew',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    const [scenario] = doc.scenarios;
    // The proxy reversed 10/90 into 90/10: the CLI saw it in the gateway's own headers.
    expect(scenario.targets[0].picked).toBeGreaterThan(60);
    expect(scenario.test.consistent).toBe(false);
    expect(scenario.test.outcome).toBe('differs');
    expect(scenario.test.method).toBe('exact-binomial');
    expect(scenario.test.p_value).toBeLessThan(1e-6);
    expect(scenario.test.verdict).toBe('differs from the configured weights');
    expect(doc.checks_passed).toBe(false);
    expect(result.stderr).toMatch(
      /^lb-demo: FAIL --fail-on-skew weighted: split differs from the configured weights \(p < 0\.0001\), exact binomial test, alpha 0\.05\n$/,
    );
  });

  it('passes a correct run of a few hundred requests', async () => {
    // alpha 0.0001: a gateway that follows the weights fails this only once in 10,000 runs.
    const result = await runCli(
      onGateway(gateway.url, targetsFile([1, 3]), [
        '--scenario',
        'weighted',
        '--requests',
        '300',
        '--alpha',
        '0.0001',
        '--fail-on-skew',
        '--min-success-rate',
        '100',
        '--max-p99',
        '5000',
      ]),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /PASS --fail-on-skew weighted: split consistent with the configured weights \(p = [\d.]+\), exact binomial test, alpha 0\.0001/,
    );
    expect(result.stdout).toMatch(
      /PASS --min-success-rate weighted: success rate 100\.0% \(300\/300\) >= 100%/,
    );
    expect(result.stdout).toMatch(/PASS --max-p99 weighted: p99 latency [\d.]+ ms <= 5000 ms/);
    expect(result.stdout).toMatch(/All 3 checks passed\./);
  });

  it('fails --min-success-rate when a provider refuses connections, and counts every request', async () => {
    const down = `http://127.0.0.1:${await closedPort()}/v1`;
    const dir = scratchDir();
    const out = join(dir, 'results.json');
    const result = await runCli(
      onGateway(gateway.url, targetsFile([1, 1], [sims[0]!.baseUrl, down]), [
        '--scenario',
        'distribution',
        '--requests',
        '40',
        '--min-success-rate',
        '90',
        '--out',
        out,
      ]),
    );
    expect(result.code).toBe(1);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const [scenario] = doc.scenarios;
    expect(scenario.requests).toBe(40);
    expect(scenario.succeeded + scenario.failed).toBe(40);
    expect(scenario.failed).toBe(scenario.targets[1].failed); // every failure was routed to the dead one
    expect(scenario.targets[1].count).toBe(0);
    expect(scenario.failures['provider-error']).toBe(scenario.failed);
    expect(doc.checks[0]).toMatchObject({
      check: 'min-success-rate',
      scenario: 'distribution',
      passed: false,
      threshold: 90,
    });
    expect(result.stdout).toMatch(
      new RegExp(
        `FAIL --min-success-rate distribution: success rate [\\d.]+% \\(${scenario.succeeded}/40\\) < 90%`,
      ),
    );
    expect(result.stdout).toMatch(/1 of 1 checks failed: exit status 1\./);
  });

  it('fails --max-p99 with the figure', async () => {
    const result = await runCli(
      onGateway(gateway.url, targetsFile([1, 1]), [
        '--scenario',
        'round-robin',
        '--max-p99',
        '0.001',
        '--json',
      ]),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^lb-demo: FAIL --max-p99 round-robin: p99 latency [\d.]+ ms > 0\.001 ms\n$/,
    );
  });
});

describe('the JSON document of issue #3', () => {
  it('has the test, intervals and percentiles, and --out writes the same document', async () => {
    const dir = scratchDir();
    const out = join(dir, 'out.json');
    const result = await runCli(
      onGateway(gateway.url, targetsFile([1, 3]), [
        '--scenario',
        'weighted',
        '--requests',
        '30',
        '--json',
        '--out',
        out,
        '--alpha',
        '0.01',
      ]),
    );
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(result.stdout);
    const [s] = JSON.parse(result.stdout).scenarios;
    expect(Object.keys(s.test)).toEqual(
      expect.arrayContaining(['method', 'statistic', 'df', 'p_value', 'alpha', 'verdict']),
    );
    expect(s.test.alpha).toBe(0.01);
    expect(s.test.df).toBe(1);
    // Two targets: the exact binomial test at any n; X² is reported beside it.
    expect(s.test.method).toBe('exact-binomial');
    const n0 = s.targets[0].picked;
    const chi2 = (n0 - 7.5) ** 2 / 7.5 + (30 - n0 - 22.5) ** 2 / 22.5;
    expect(s.test.statistic).toBeCloseTo(chi2, 5);
    for (const key of ['p50', 'p90', 'p95', 'p99', 'max']) {
      expect(typeof s.latency_ms[key]).toBe('number');
    }
    for (const t of s.targets) {
      expect(t.ci95[0]).toBeLessThanOrEqual(t.share);
      expect(t.ci95[1]).toBeGreaterThanOrEqual(t.share);
      if (t.count > 0) {
        expect(t.latency_ms.p50).toBeLessThanOrEqual(t.latency_ms.p99);
        expect(t.latency_ms.p99).toBeLessThanOrEqual(t.latency_ms.max);
      }
    }
  });
});
