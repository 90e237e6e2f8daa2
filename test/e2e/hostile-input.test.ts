// Bad input and broken endpoints, through the real, built CLI. A bad flag, variable or file ends
// the run before it starts: exit status 2, one line on stderr naming the input and what is
// wrong, nothing on stdout (a few cases here; the whole table runs in-process in
// test/cli.test.ts). A broken gateway or provider loses no request: each
// is counted, by cause, and the run completes (exit 0), unless nothing answers at all before the
// run (exit 3). Every server here is a fake on 127.0.0.1.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Answer,
  type CliResult,
  closedPort,
  completion,
  expectUsageError,
  FAST_SIMS,
  type Fake,
  fakeGateway,
  ROUTED,
  runCli,
  scratchDir,
} from './helpers.js';

/** Provider URLs for runs against a fake gateway: settings need them, nothing ever calls them. */
const PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };
const SIM = { SIM_OLLAMA_LATENCY_MS: '2', SIM_VLLM_LATENCY_MS: '1' };

// ---------------------------------------------------------------------------------------------
// A few bad inputs through the real process (the whole table runs in-process in test/cli.test.ts).

const FILES = scratchDir();
const missingTargets = join(FILES, 'no-such-file.json');

interface Case {
  label: string;
  args?: string[];
  env?: Record<string, string>;
  /** Content of ./.env in the working directory, or 'directory' for a directory named .env. */
  dotenv?: string;
  /** The whole line on stderr, without "lb-demo: " and the newline. */
  message: RegExp;
}
const F = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const T = { missing: missingTargets };

const cases: Case[] = [
  {
    label: '--requests "abc"',
    args: ['--requests', 'abc'],
    message: /^--requests: expected a whole number from 1 to 1000000, got "abc"$/,
  },
  {
    label: 'GATEWAY_URL="nope"',
    env: { GATEWAY_URL: 'nope', ...PROVIDERS },
    message: /^GATEWAY_URL: not a valid URL: "nope"$/,
  },
  {
    label: '--targets missing file',
    args: ['--targets', missingTargets],
    message: new RegExp(
      `^--targets ${F(missingTargets)}: cannot read the file \\(no such file\\)$`,
    ),
  },
  {
    label: '--rate with --concurrency',
    args: ['--rate', '2', '--concurrency', '2'],
    message: /^option '-r, --rate <r>' cannot be used with option '-c, --concurrency <n>'$/,
  },
];

// A .env in the working directory carrying a bad value.
cases.push(
  {
    label: '.env: LB_WEIGHTS=abc',
    dotenv: 'LB_WEIGHTS=abc\n',
    message: /^LB_WEIGHTS \(weight 1\): expected a number, got "abc"$/,
  },
  {
    label: '.env: SIM_VLLM_LATENCY_MS=-5',
    dotenv: '# simulated latencies\nSIM_OLLAMA_LATENCY_MS=2\nSIM_VLLM_LATENCY_MS=-5\n',
    message: /^SIM_VLLM_LATENCY_MS: must not be negative, got -5$/,
  },
  {
    label: '.env: GATEWAY_URL=ftp://gw',
    dotenv:
      'GATEWAY_URL="ftp://gw"\nOLLAMA_URL=http://127.0.0.1:9\nVLLM_URL=http://127.0.0.1:9/v1\n',
    message: /^GATEWAY_URL: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/gw\/"$/,
  },
  {
    label: '.env: LB_TARGETS_FILE=missing',
    dotenv: `LB_TARGETS_FILE=${T.missing}\n`,
    message: new RegExp(
      `^LB_TARGETS_FILE ${F(T.missing)}: cannot read the file \\(no such file\\)$`,
    ),
  },
  {
    label: '.env: LB_FAULTS=vllm:outage=perhaps',
    dotenv: 'LB_FAULTS=vllm:outage=perhaps\n',
    message: /^LB_FAULTS \(vllm\): outage: expected true or false, got "perhaps"$/,
  },
  {
    label: '.env that is a directory',
    dotenv: 'directory',
    message: /^\.env: cannot read the file \(is a directory\)$/,
  },
);

describe.concurrent('bad input: exit status 2 and one line naming the input', () => {
  it.for(cases)('$label', async ({ label, args = [], env = {}, dotenv, message }) => {
    let cwd: string | undefined;
    if (dotenv !== undefined) {
      cwd = scratchDir();
      if (dotenv === 'directory') mkdirSync(join(cwd, '.env'));
      else writeFileSync(join(cwd, '.env'), dotenv);
    }
    // FAST_SIMS first: a case under test may override them. If validation ever let a case
    // through, the run would be short, and the status check would still fail it.
    const result = await runCli(
      ['--scenario', 'weighted', '--requests', '1', ...args],
      // The real environment wins over .env: no FAST_SIMS there.
      dotenv === undefined ? { ...FAST_SIMS, ...env } : env,
      { ...(cwd ? { cwd } : {}), timeoutMs: 30_000 },
    );
    expectUsageError(result, message, label);
  });
});

describe('flags commander rejects itself', () => {
  // Commander's message can span lines (its "Did you mean" hint comes after a newline) and
  // quotes a rejected value as given: reportError folds it onto one line.
  it('a mistyped flag is one line, with the hint', async () => {
    const result = await runCli(['--request', '5']);
    expectUsageError(result, /^unknown option '--request'.*Did you mean --requests\?/, 'typo');
  });

  it('a newline inside a rejected value still gives one line', async () => {
    const result = await runCli(['--scenario', 'round\nrobin']);
    expectUsageError(
      result,
      /^option '-s, --scenario <name>' argument 'round.{1,2}robin' is invalid/,
      'newline',
    );
  });
});

describe('variables that are set but empty mean unset', () => {
  it('runs on the embedded default with every variable empty', async () => {
    const empty = Object.fromEntries(
      [
        'GATEWAY_URL',
        'PORTKEY_API_KEY',
        'OLLAMA_URL',
        'VLLM_URL',
        'OLLAMA_MODEL',
        'VLLM_MODEL',
        'OLLAMA_API_KEY',
        'VLLM_API_KEY',
        'LB_WEIGHTS',
        'LB_TARGETS_FILE',
        'LB_FAULTS',
      ].map((name) => [name, '']),
    );
    const result = await runCli(['--scenario', 'weighted', '--requests', '2', '--json'], {
      ...empty,
      SIM_OLLAMA_LATENCY_MS: ' ',
      SIM_VLLM_LATENCY_MS: '1',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.embedded_gateway).not.toBeNull();
    expect(doc.scenarios[0]?.succeeded).toBe(2);
    expect(doc.scenarios[0]?.targets.map((t) => t.model)).toEqual(['llama3', 'llama-fp8']);
    // SIM_OLLAMA_LATENCY_MS " " is unset: the default latency, 300 ms.
    expect(doc.simulated_providers.find((p) => p.target === 'ollama')?.latency_ms).toBe(300);
  });
});

// ---------------------------------------------------------------------------------------------
// Broken endpoints.

interface Scenario {
  requests: number;
  succeeded: number;
  failed: number;
  failures: Record<string, number>;
  unattributed: number;
  unattributed_by_cause: Record<string, number>;
  targets: { name: string; model: string; count: number; failed: number; picked: number }[];
}
interface Doc {
  gateway: string;
  embedded_gateway: unknown;
  simulated_providers: { target: string; latency_ms: number; served_chat_completions: number }[];
  scenarios: Scenario[];
}

/**
 * Every request counted once: as a success or as a failure with a cause, and as picked for a
 * target or as unattributed, with a cause.
 */
function expectAccounted(scenario: Scenario | undefined, requests: number): Scenario {
  expect(scenario).toBeDefined();
  const s = scenario as Scenario;
  const sum = (values: number[]) => values.reduce((n, k) => n + k, 0);
  expect(s.requests).toBe(requests);
  expect(s.succeeded + s.failed).toBe(requests);
  expect(sum(Object.values(s.failures))).toBe(s.failed);
  expect(sum(s.targets.map((t) => t.picked)) + s.unattributed).toBe(requests);
  expect(sum(Object.values(s.unattributed_by_cause))).toBe(s.unattributed);
  expect(sum(s.targets.map((t) => t.count)) + (s.unattributed_by_cause.ok ?? 0)).toBe(s.succeeded);
  return s;
}

const REQUESTS = 4;

/** The same behaviour twice, at once: --json for the counts, the report for the words. */
async function runBoth(
  start: () => Promise<Fake>,
  env: Record<string, string> = {},
): Promise<{ doc: Doc; json: CliResult; human: CliResult; fakes: Fake[] }> {
  const fakes = await Promise.all([start(), start()]);
  try {
    const run = (fake: Fake, extra: string[]) =>
      runCli(
        ['--gateway', fake.url, '--scenario', 'weighted', '--requests', String(REQUESTS), ...extra],
        { ...PROVIDERS, ...env },
      );
    const [json, human] = await Promise.all([run(fakes[0]!, ['--json']), run(fakes[1]!, [])]);
    // Every request failed: the run measured nothing, which is a failure of its own (exit 1).
    expect(json.stderr).toMatch(
      new RegExp(
        `^lb-demo: FAIL any-success weighted: no request succeeded \\(${REQUESTS} failed: [a-z-]+ ${REQUESTS}\\)\n$`,
      ),
    );
    expect(json.code).toBe(1);
    expect(human.stderr).toBe('');
    expect(human.stdout).toMatch(/FAIL any-success weighted: no request succeeded/);
    expect(human.code).toBe(1);
    const doc = JSON.parse(json.stdout) as Doc;
    return { doc, json, human, fakes };
  } finally {
    await Promise.all(fakes.map((f) => f.close()));
  }
}

/** The report states the cause on each failed request and in the statistics. */
function expectReportedCause(
  human: string,
  cause: string,
  status: number | undefined,
  detail: RegExp,
  failed: number,
): void {
  const lines = human.split('\n').filter((line) => line.includes('FAILED ('));
  expect(lines).toHaveLength(failed);
  for (const line of lines) {
    expect(line).toMatch(
      new RegExp(`FAILED \\(${cause}${status === undefined ? '' : ` ${status}`}\\): `),
    );
    expect(line).toMatch(detail);
  }
  expect(human).toMatch(new RegExp(`│\\s+${cause}\\s+│\\s+${failed}\\s+│`));
}

describe('a gateway that answers, but not with chat completions', () => {
  it('HTML with status 200: every request is an invalid-response, the run completes', async () => {
    const { doc, human } = await runBoth(() =>
      fakeGateway((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body><h1>Welcome to nginx!</h1></body></html>');
      }),
    );
    const s = expectAccounted(doc.scenarios[0], REQUESTS);
    expect(s.failures).toEqual({ 'invalid-response': REQUESTS });
    expectReportedCause(
      human.stdout,
      'invalid-response',
      undefined,
      /something other than a chat completion: <html><body><h1>Welcome to nginx!/,
      REQUESTS,
    );
  });

  it('a body that is not JSON, with status 200: every request is counted as failed', async () => {
    const { doc, human } = await runBoth(() =>
      fakeGateway((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices": [garbage\u0000\u00ff');
      }),
    );
    const s = expectAccounted(doc.scenarios[0], REQUESTS);
    expect(s.failed).toBe(REQUESTS);
    const [cause] = Object.keys(s.failures);
    expect(cause).toBeDefined();
    const failed = human.stdout.match(/FAILED \(([a-z-]+)/);
    expect(failed?.[1]).toBe(cause);
    expectReportedCause(human.stdout, cause!, undefined, /./, REQUESTS);
  });

  // The SDK's SyntaxError on an unparseable body has no status: it must not be taken for a
  // network failure, since the gateway did answer.
  it('a 200 body that is not JSON is reported as invalid-response, not connection', async () => {
    const { doc } = await runBoth(() =>
      fakeGateway((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices": [garbage');
      }),
    );
    expect(doc.scenarios[0]?.failures).toEqual({ 'invalid-response': REQUESTS });
  });

  it.each([
    [
      401,
      'application/json',
      JSON.stringify({ error: { message: 'Invalid API key' } }),
      /Invalid API key/,
    ],
    [500, 'text/plain', 'Internal Server Error', /Internal Server Error/],
    [502, 'text/html', '<html><body>502 Bad Gateway</body></html>', /502 Bad Gateway/],
  ])(
    'status %i: every request is a gateway-error with that status',
    async (status, type, body, detail) => {
      const { doc, human } = await runBoth(() =>
        fakeGateway((_req, res) => {
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        }),
      );
      const s = expectAccounted(doc.scenarios[0], REQUESTS);
      expect(s.failures).toEqual({ 'gateway-error': REQUESTS });
      expectReportedCause(human.stdout, 'gateway-error', status, detail, REQUESTS);
    },
  );

  it('the wrong port: a web server that is not a gateway (404 for everything)', async () => {
    const notFound: Answer = (req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><pre>Cannot ${req.method} ${req.url}</pre>`);
    };
    const { doc, human } = await runBoth(() => fakeGateway(notFound, notFound));
    const s = expectAccounted(doc.scenarios[0], REQUESTS);
    expect(s.failures).toEqual({ 'gateway-error': REQUESTS });
    expectReportedCause(
      human.stdout,
      'gateway-error',
      404,
      /Cannot POST \/v1\/chat\/completions/,
      REQUESTS,
    );
  });

  it('dies mid-run: 3 answered, then 3 connection failures and a failed probe: exit 3, none lost', async () => {
    const dying = () =>
      fakeGateway((_req, res, fake) => {
        res.writeHead(200, ROUTED);
        res.end(completion(fake.chats));
        if (fake.chats === 3) res.on('finish', () => void fake.close());
      });
    const fakes = await Promise.all([dying(), dying()]);
    const run = (fake: Fake, extra: string[]) =>
      runCli(
        ['--gateway', fake.url, '--scenario', 'weighted', '--requests', '8', ...extra],
        PROVIDERS,
      );
    const [json, human] = await Promise.all([run(fakes[0]!, ['--json']), run(fakes[1]!, [])]);
    await Promise.all(fakes.map((f) => f.close().catch(() => {})));
    // The gateway went away: lb-demo stops sending, reports what completed, and exits 3.
    expect(json.code).toBe(3);
    expect(human.code).toBe(3);
    const gone =
      /^lb-demo: the gateway went away during weighted: 3 requests in a row could not reach it, nor could a probe \(ECONNREFUSED\); the report covers the 6 request\(s\) that completed\n$/;
    expect(json.stderr).toMatch(gone);
    expect(human.stderr).toMatch(gone);
    const doc = JSON.parse(json.stdout) as Doc & { scenarios: { stop_reason: string }[] };
    const s = expectAccounted(doc.scenarios[0], 6);
    expect(doc.scenarios[0]?.stop_reason).toBe('gateway-gone');
    expect(s.succeeded).toBe(3);
    expect(s.targets[0]?.count).toBe(3); // attributed from the headers of the answers it got
    expect(s.failures).toEqual({ connection: 3 });
    expect(fakes[0]!.chats).toBe(3);
    expect(human.stdout.match(/SUCCESS: answer \d/g)).toHaveLength(3);
    expectReportedCause(
      human.stdout,
      'connection',
      undefined,
      /lost the connection to the gateway \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)\)/,
      3,
    );
  });

  it("a rejected config is one line naming the target, even when the gateway's reason spans lines", async () => {
    const fake = await fakeGateway((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'failure',
          message: 'Invalid config passed',
          errors: [
            "path: targets,1,provider, message: Invalid 'provider' value.\nMust be one of: openai, ollama",
          ],
        }),
      );
    });
    try {
      const result = await runCli(['--gateway', fake.url, '--json'], PROVIDERS);
      expectUsageError(
        result,
        /^the gateway rejected the config: target 2 "vllm" provider: unknown provider "openai" \(.*\)$/,
        'rejected config',
      );
    } finally {
      await fake.close();
    }
  });

  it('a URL with credentials is accepted: sent as basic auth, never shown', async () => {
    const expected = `Basic ${Buffer.from('user:s3cretPass').toString('base64')}`;
    const guarded: Answer = (req, res, fake) => {
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('authorization required');
        return;
      }
      res.writeHead(200, ROUTED);
      res.end(completion(fake.chats));
    };
    const fake = await fakeGateway(guarded, guarded);
    try {
      const url = `http://user:s3cretPass@127.0.0.1:${fake.port}/v1`;
      const apiKey = 'any "string" at all, even with spaces';
      const result = await runCli(['--gateway', url, '--scenario', 'weighted', '--requests', '3'], {
        ...PROVIDERS,
        PORTKEY_API_KEY: apiKey,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(fake.chats).toBe(3);
      expect(fake.headers.every((h) => h.authorization === expected)).toBe(true);
      expect(fake.headers.every((h) => h['x-portkey-api-key'] === apiKey)).toBe(true);
      expect(result.stdout).toMatch(/Demo completed: every request succeeded\./);
      expect(result.stdout).toContain(`Gateway: http://127.0.0.1:${fake.port}/v1`);
      expect(result.stdout).not.toContain('s3cretPass');
      expect(result.stdout).not.toContain(expected.slice('Basic '.length));
    } finally {
      await fake.close();
    }
  });
});

describe('nothing answers before the run (the pre-flight check): exit status 3, one line', () => {
  function tcpServer(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
    const server = net.createServer(onConnection);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  }
  const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

  async function expectCannotReach(port: number, why: RegExp): Promise<void> {
    const result = await runCli(['--gateway', `http://127.0.0.1:${port}`, '--json'], PROVIDERS, {
      timeoutMs: 20_000,
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toMatch(
      new RegExp(
        `^lb-demo: cannot reach the gateway at http://127\\.0\\.0\\.1:${port}/v1 \\(${why.source}\\)\\n$`,
      ),
    );
    expect(result.code).toBe(3);
  }

  it('gateway down (nothing listening)', async () => {
    await expectCannotReach(await closedPort(), /ECONNREFUSED/);
  });

  it('a TCP server that answers with bytes that are not HTTP', async () => {
    const server = await tcpServer((socket) =>
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001\r\n\r\n'),
    );
    try {
      await expectCannotReach(portOf(server), /HPE_[A-Z_]+/);
    } finally {
      server.close();
    }
  });

  it('a TCP server that accepts, waits a moment and closes the connection', async () => {
    const server = await tcpServer((socket) => setTimeout(() => socket.destroy(), 50));
    try {
      await expectCannotReach(portOf(server), /UND_ERR_SOCKET|ECONNRESET|other side closed/);
    } finally {
      server.close();
    }
  });

  // On a connection closed at once, before any byte, fetch may never settle: the pre-flight
  // check's own timer must keep the process alive and end it with one line.
  it('a TCP server that accepts and closes at once', async () => {
    const server = await tcpServer((socket) => socket.destroy());
    try {
      await expectCannotReach(portOf(server), /.+/);
    } finally {
      server.close();
    }
  });
});

describe('a provider down or answering garbage, on the embedded default', () => {
  async function runWithFault(fault: string, requests: number) {
    const out = join(scratchDir(), 'results.json');
    const result = await runCli(
      ['--scenario', 'weighted', '--requests', String(requests), '--fault', fault, '--out', out],
      SIM,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Doc;
    return { doc, human: result.stdout };
  }
  const served = (doc: Doc, name: string) =>
    doc.simulated_providers.find((p) => p.target === name)?.served_chat_completions;

  it('vllm:outage: its requests fail as provider errors, ollama serves the rest, none lost', async () => {
    const { doc, human } = await runWithFault('vllm:outage', 12);
    const s = expectAccounted(doc.scenarios[0], 12);
    // 12 requests at 25/75: the chance that vllm gets none is 0.25^12, about 6e-8.
    expect(s.failed).toBeGreaterThan(0);
    expect(s.failures).toEqual({ 'provider-error': s.failed });
    expect(s.targets[1]).toMatchObject({ name: 'vllm', count: 0, failed: s.failed });
    expect(s.targets[0]).toMatchObject({ name: 'ollama', count: s.succeeded, failed: 0 });
    expect(served(doc, 'ollama')).toBe(s.succeeded);
    expect(served(doc, 'vllm')).toBe(0);
    expectReportedCause(human, 'provider-error', 500, /ECONNREFUSED/, s.failed);
  });

  it('vllm:malformed_rate=1: answers that are not JSON fail, each counted under a cause', async () => {
    const { doc, human } = await runWithFault('vllm:malformed_rate=1', 12);
    const s = expectAccounted(doc.scenarios[0], 12);
    expect(s.failed).toBeGreaterThan(0);
    for (const cause of Object.keys(s.failures)) {
      expect(['gateway-error', 'invalid-response', 'provider-error']).toContain(cause);
    }
    // Only ollama answered properly.
    expect(s.targets[0]?.count).toBe(s.succeeded);
    expect(s.targets[1]?.count).toBe(0);
    expect(served(doc, 'ollama')).toBe(s.succeeded);
    const failedLines = human.split('\n').filter((line) => line.includes('FAILED ('));
    expect(failedLines).toHaveLength(s.failed);
    for (const line of failedLines)
      expect(line).toMatch(/FAILED \((gateway-error|invalid-response|provider-error)/);
  });
});
