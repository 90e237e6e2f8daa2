// Issue #5, item 7: secrets never leave the process in full. Distinctive secrets are planted where
// users put them (PORTKEY_API_KEY, a targets file's api_key, credentials in the gateway URL and in
// a custom_host, VLLM_API_KEY), fakes on 127.0.0.1 echo them back the way OpenAI does ("Incorrect
// API key provided: sk-..."), and every output mode is searched for them: the report on stdout,
// --json, the --out file, stderr, and the error paths that end with exit status 2 or 3.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../src/io/redact.js';
import {
  type CliResult,
  closedPort,
  listenOnLoopback,
  runCli,
  scratchDir,
  writeJson,
} from './helpers.js';

// Each long secret holds PLANTED in its middle, where no masked form ("sk-…9f3a") reaches: any
// output holding PLANTED holds part of a secret.
const PORTKEY_KEY = 'pk-live-PLANTED"portkey-7c1e9f3a'; // a quote: escaped inside JSON strings
const FILE_KEY = 'sk-file-PLANTED-targets-2b8d4e61';
const HOST_PASSWORD = 'hunter2-PLANTED-pw';
const VLLM_KEY = 'sk-vllm-PLANTED-provider-5a0c77d2';
const URL_PASSWORD = 's3cretPass';
const BASIC = `Basic ${Buffer.from(`user:${URL_PASSWORD}`).toString('base64')}`;

const SECRETS = [PORTKEY_KEY, FILE_KEY, HOST_PASSWORD, VLLM_KEY, URL_PASSWORD, BASIC.slice(6)];
const SIM = { SIM_OLLAMA_LATENCY_MS: '2', SIM_VLLM_LATENCY_MS: '1' };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** No planted secret in full, in any form it could be written in, nor a piece of a long one. */
function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    const forms = new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(JSON.stringify(secret)).slice(1, -1),
      encodeURIComponent(secret),
    ]);
    for (const form of forms) {
      expect(text.includes(form), `${where} shows the secret ${form}`).toBe(false);
    }
  }
  expect(text.includes('PLANTED'), `${where} shows part of a secret: ${text}`).toBe(false);
}

function expectAllClean(result: CliResult, label: string, files: Record<string, string> = {}) {
  expectNoSecret(`${label}: stdout`, result.stdout);
  expectNoSecret(`${label}: stderr`, result.stderr);
  for (const [name, text] of Object.entries(files)) expectNoSecret(`${label}: ${name}`, text);
}

interface Fake {
  url: string;
  port: number;
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** node:http on 127.0.0.1: `answer` for chat completions, 200 "ok" for anything else. */
function fakeServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Fake> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.endsWith('/chat/completions')) {
        fake.headers.push(req.headers);
        answer(req, res);
      } else {
        res.end('ok');
      }
    });
  });
  const fake: Fake = {
    url: '',
    port: 0,
    headers: [],
    close: async () => {},
  };
  return listenOnLoopback(server).then(({ port, close }) => {
    fake.port = port;
    fake.url = `http://127.0.0.1:${port}`;
    fake.close = close;
    return fake;
  });
}

interface SentConfig {
  targets: { api_key?: string; custom_host?: string }[];
}
const configOf = (req: http.IncomingMessage) =>
  JSON.parse(String(req.headers['x-portkey-config'])) as SentConfig;

/** A gateway that refuses every request, quoting every credential it was sent. */
function echoingGateway(): Promise<Fake> {
  return fakeServer((req, res) => {
    const target = configOf(req).targets[0];
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: {
          message: `Incorrect API key provided: ${req.headers['x-portkey-api-key']}. Provider key ${target?.api_key} for ${target?.custom_host}; authorization ${req.headers.authorization}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    );
  });
}

const HOST = `http://alice:${HOST_PASSWORD}@127.0.0.1:9/v1`;
function targetsFile(dir: string): string {
  return writeJson(dir, 'targets.json', [
    { name: 'primary', provider: 'openai', custom_host: HOST, model: 'm', api_key: FILE_KEY },
    { name: 'secondary', provider: 'openai', custom_host: 'http://127.0.0.1:9/v1', model: 'm' },
  ]);
}
const gatewayWithCredentials = (fake: Fake) =>
  `http://user:${URL_PASSWORD}@127.0.0.1:${fake.port}/v1`;

describe('secrets echoed by the gateway', () => {
  it('the report and the --out file show masked forms only', async () => {
    const fake = await echoingGateway();
    const dir = scratchDir();
    const out = join(dir, 'results.json');
    try {
      const result = await runCli(
        [
          '--gateway',
          gatewayWithCredentials(fake),
          '--targets',
          targetsFile(dir),
          '--scenario',
          'weighted',
          '--weights',
          '1,0',
          '--requests',
          '2',
          '--out',
          out,
        ],
        { PORTKEY_API_KEY: PORTKEY_KEY },
      );
      // Every request failed: the run measured nothing, and says so with its exit status.
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL any-success weighted: no request succeeded/);
      // The secrets were really sent: what came back held them.
      expect(fake.headers).toHaveLength(2);
      expect(fake.headers[0]?.['x-portkey-api-key']).toBe(PORTKEY_KEY);
      expect(fake.headers[0]?.authorization).toBe(BASIC);
      const file = readFileSync(out, 'utf8');
      expectAllClean(result, 'report', { '--out file': file });
      // Where a secret was echoed, its masked form stands in.
      const failed = result.stdout.split('\n').filter((line) => line.includes('FAILED ('));
      expect(failed).toHaveLength(2);
      for (const line of failed) {
        expect(line).toContain(`Incorrect API key provided: ${maskSecret(PORTKEY_KEY)}.`);
        expect(line).toContain(`Provider key ${maskSecret(FILE_KEY)} for`);
        expect(line).toContain(`:${maskSecret(HOST_PASSWORD)}@127.0.0.1:9/v1`);
        expect(line).toContain(`authorization ${maskSecret(BASIC)}`);
      }
      expect(maskSecret(PORTKEY_KEY)).toBe('pk-…9f3a');
      // The targets list in the banner and the JSON document's custom_host hide the credentials.
      expect(result.stdout).toContain(
        '1. primary (openai, model m) - http://***:***@127.0.0.1:9/v1',
      );
      const doc = JSON.parse(file) as { scenarios: { targets: { custom_host: string }[] }[] };
      expect(doc.scenarios[0]?.targets[0]?.custom_host).toBe('http://***:***@127.0.0.1:9/v1');
    } finally {
      await fake.close();
    }
  });

  it('--json on stdout and failed checks on stderr, with PORTKEY_API_KEY read from ./.env', async () => {
    const fake = await echoingGateway();
    const dir = scratchDir();
    writeFileSync(join(dir, '.env'), `# planted\nPORTKEY_API_KEY='${PORTKEY_KEY}'\n`);
    try {
      const result = await runCli(
        [
          '--gateway',
          gatewayWithCredentials(fake),
          '--targets',
          targetsFile(dir),
          '--scenario',
          'weighted',
          '--requests',
          '2',
          '--json',
          '--min-success-rate',
          '99',
        ],
        {},
        { cwd: dir },
      );
      expect(result.code).toBe(1);
      expect(fake.headers[0]?.['x-portkey-api-key']).toBe(PORTKEY_KEY); // from the .env
      expect(result.stderr).toMatch(
        /^lb-demo: FAIL any-success weighted: no request succeeded .*\nlb-demo: FAIL --min-success-rate weighted: /,
      );
      expectAllClean(result, '--json');
      const doc = JSON.parse(result.stdout) as {
        gateway: string;
        scenarios: { failed: number; targets: { custom_host: string }[] }[];
      };
      expect(doc.gateway).toBe(`http://127.0.0.1:${fake.port}/v1`);
      expect(doc.scenarios[0]?.failed).toBe(2);
      expect(doc.scenarios[0]?.targets[0]?.custom_host).toBe('http://***:***@127.0.0.1:9/v1');
    } finally {
      await fake.close();
    }
  });

  it('a config rejection quoting the keys (exit status 2) masks them in its one line', async () => {
    const fake = await fakeServer((req, res) => {
      const target = configOf(req).targets[0];
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'failure',
          message: 'Invalid config passed',
          errors: [
            `path: targets,0,api_key, message: Invalid key ${target?.api_key} (portkey key ${req.headers['x-portkey-api-key']}, ${req.headers.authorization})`,
          ],
        }),
      );
    });
    const dir = scratchDir();
    try {
      const result = await runCli(
        ['--gateway', gatewayWithCredentials(fake), '--targets', targetsFile(dir), '--json'],
        { PORTKEY_API_KEY: PORTKEY_KEY },
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toBe(
        `lb-demo: the gateway rejected the config: target 1 "primary" api_key: Invalid key ${maskSecret(FILE_KEY)} (portkey key ${maskSecret(PORTKEY_KEY)}, ${maskSecret(BASIC)})\n`,
      );
      expectAllClean(result, 'rejection');
    } finally {
      await fake.close();
    }
  });
});

describe('a provider echoing its bearer token, through the embedded gateway', () => {
  it('VLLM_API_KEY: the report, --out and --json show sk-…77d2 at most', async () => {
    // What OpenAI answers a bad key with.
    const provider = await fakeServer((req, res) => {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${token}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        }),
      );
    });
    const env = { ...SIM, VLLM_URL: `${provider.url}/v1`, VLLM_API_KEY: VLLM_KEY };
    const args = ['--scenario', 'weighted', '--weights', '0,1', '--requests', '3'];
    const out = join(scratchDir(), 'results.json');
    try {
      const [report, json] = await Promise.all([
        runCli([...args, '--out', out], env),
        runCli([...args, '--json'], env),
      ]);
      // No request succeeded: exit status 1, said on a line of its own.
      expect(report.code).toBe(1);
      expect(json.code).toBe(1);
      expect(json.stderr).toMatch(/^lb-demo: FAIL any-success weighted: no request succeeded/);
      expect(provider.headers).toHaveLength(6);
      expect(provider.headers.every((h) => h.authorization === `Bearer ${VLLM_KEY}`)).toBe(true);
      expectAllClean(report, 'report', { '--out file': readFileSync(out, 'utf8') });
      expectAllClean(json, '--json');
      const failed = report.stdout.split('\n').filter((line) => line.includes('FAILED ('));
      expect(failed).toHaveLength(3);
      for (const line of failed) {
        expect(line).toMatch(/FAILED \(provider-error 401\): /);
        expect(line).toContain(`Incorrect API key provided: ${maskSecret(VLLM_KEY)}.`);
      }
      expect(maskSecret(VLLM_KEY)).toBe('sk-…77d2');
      expect(JSON.parse(json.stdout).scenarios[0].failures).toEqual({ 'provider-error': 3 });
    } finally {
      await provider.close();
    }
  });
});

describe('error paths that end the run early', () => {
  it('exit status 3: an unreachable gateway with credentials in its URL', async () => {
    const port = await closedPort();
    const result = await runCli(['--gateway', `http://user:${URL_PASSWORD}@127.0.0.1:${port}/v1`], {
      PORTKEY_API_KEY: PORTKEY_KEY,
      OLLAMA_URL: HOST,
      VLLM_URL: 'http://127.0.0.1:9/v1',
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `lb-demo: cannot reach the gateway at http://127.0.0.1:${port}/v1 (ECONNREFUSED)\n`,
    );
    expectAllClean(result, 'exit 3');
  });

  // These fail while reading the settings, before the redactor knows any secret: each message
  // has to keep secrets out by itself.
  const dir = scratchDir();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  it.each([
    [
      'a gateway URL with credentials and a bad port',
      ['--gateway', `http://user:${URL_PASSWORD}@127.0.0.1:99999/v1`],
      {},
      /^lb-demo: --gateway: not a valid URL: "http:\/\/\*\*\*@127\.0\.0\.1:99999\/v1"\n$/,
    ],
    [
      'a gateway URL whose password breaks it',
      ['--gateway', `https://user:${HOST_PASSWORD}/x@gw.example.com/v1`],
      {},
      /^lb-demo: --gateway: not a valid URL: "https:\/\/\*\*\*@gw\.example\.com\/v1"\n$/,
    ],
    [
      'a custom_host with credentials and a bad port',
      [
        '--targets',
        file(
          'bad-host.json',
          JSON.stringify([
            {
              name: 'a',
              provider: 'openai',
              model: 'm',
              custom_host: HOST.replace(':9/', ':99999/'),
            },
          ]),
        ),
      ],
      {},
      /^lb-demo: --targets .*bad-host\.json: target "a": custom_host: not a valid URL: "http:\/\/\*\*\*@127\.0\.0\.1:99999\/v1"\n$/,
    ],
    [
      'a targets file that is not JSON, with an unquoted api_key',
      ['--targets', file('unquoted.json', `[{"name": "a", "api_key": ${FILE_KEY}, "model": "m"}]`)],
      {},
      /^lb-demo: --targets .*unquoted\.json: not valid JSON \(Unexpected token 's'\)\n$/,
    ],
    [
      'a targets file that is not JSON just after an api_key',
      ['--targets', file('comma.json', `[{"name": "a", "api_key": "${FILE_KEY}"},,]`)],
      {},
      /^lb-demo: --targets .*comma\.json: not valid JSON \(Unexpected token ','\)\n$/,
    ],
    [
      'a targets file that is not JSON inside the object holding an api_key',
      ['--targets', file('object.json', `[{"name": "a",\n "api_key": "${FILE_KEY}",, "m": 1}]`)],
      {},
      /^lb-demo: --targets .*object\.json: not valid JSON \(Expected double-quoted property name at line 2, column 48\)\n$/,
    ],
    [
      'an api_key that cannot be sent in a header',
      [
        '--targets',
        file(
          'key-bell.json',
          JSON.stringify([
            {
              name: 'a',
              provider: 'openai',
              model: 'm',
              api_key: `${FILE_KEY.slice(0, 15)}\u0007${FILE_KEY.slice(15)}`,
            },
          ]),
        ),
      ],
      {},
      /^lb-demo: --targets .*key-bell\.json: target "a": api_key: character 16 cannot be sent in an HTTP header \(.*\)\n$/,
    ],
    [
      'faults asked of a provider whose URL holds a password',
      ['--fault', 'ollama:outage'],
      { OLLAMA_URL: HOST },
      /^lb-demo: faults for "ollama": .* not into http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:9\/v1\n$/,
    ],
    [
      'a PORTKEY_API_KEY that cannot be sent in a header',
      ['--gateway', 'http://127.0.0.1:9/v1'],
      { PORTKEY_API_KEY: `${PORTKEY_KEY}\u0001`, OLLAMA_URL: HOST, VLLM_URL: HOST },
      /^lb-demo: PORTKEY_API_KEY: character 33 cannot be sent in an HTTP header \(.*\)\n$/,
    ],
  ] as [string, string[], Record<string, string>, RegExp][])(
    'exit status 2: %s',
    async (label, args, env, message) => {
      const result = await runCli(['--scenario', 'weighted', ...args], { ...SIM, ...env });
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expectAllClean(result, label);
    },
  );
});

describe('.env', () => {
  it('is git-ignored, so a .env holding keys is never committed', () => {
    const ignored = spawnSync('git', ['check-ignore', '--quiet', '.env'], { cwd: ROOT });
    expect(ignored.error).toBeUndefined();
    expect(ignored.status).toBe(0);
    // And not already tracked, which .gitignore would not undo.
    const tracked = spawnSync('git', ['ls-files', '--error-unmatch', '.env'], { cwd: ROOT });
    expect(tracked.status).not.toBe(0);
  });
});
