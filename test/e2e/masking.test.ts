// Masking that is exact and harmless, and text from the network that cannot reach the terminal
// raw: secrets are removed where they come in, in the forms they are echoed in, without
// garbling the report or the JSON; control and bidi characters are escaped; look-alike target
// names are refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeGateway, runCli, scratchDir, writeJson } from './helpers.js';

const SIM = { SIM_OLLAMA_LATENCY_MS: '2', SIM_VLLM_LATENCY_MS: '1' };

/** A provider that refuses every call, echoing its bearer token the ways proxies do. */
async function echoingProvider(echo: (token: string) => string) {
  return fakeGateway((req, res) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: echo(token), type: 'invalid_request_error' } }));
  });
}

describe('secrets that are ordinary words do not garble the output', () => {
  it.each([
    ['VLLM_API_KEY', 'null'],
    ['VLLM_API_KEY', 'true'],
    ['PORTKEY_API_KEY', 'true'],
    ['OLLAMA_API_KEY', 'ollama'],
  ])('%s=%s: --json stays valid and the report renders', async (name, value) => {
    const dir = scratchDir();
    const report = join(dir, 'run.html');
    const result = await runCli(
      ['--scenario', 'weighted', '-n', '4', '--json', '--report', report],
      { ...SIM, [name]: value },
    );
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.scenarios[0].targets.map((t: { name: string }) => t.name)).toEqual([
      'ollama',
      'vllm',
    ]);
  });

  it("says that Ollama's provider sends no key, when one is set for it", async () => {
    const result = await runCli(['--scenario', 'weighted', '-n', '2'], {
      ...SIM,
      OLLAMA_API_KEY: 'some-ollama-key',
    });
    expect(result.stdout).toContain(
      "Note: ollama: an API key is set, but the gateway's ollama provider sends none to Ollama; it is not used.",
    );
  });
});

describe('secrets echoed in other forms are masked', () => {
  const KEY = 'sk-Echo-PLANTED-key-0e4f';
  it.each([
    ['upper-case', (t: string) => `bad key ${t.toUpperCase()}`],
    ['hex', (t: string) => `bad key ${Buffer.from(t).toString('hex')}`],
    ['base64', (t: string) => `bad key ${Buffer.from(t).toString('base64')}`],
    ['URL-encoded', (t: string) => `bad key ${encodeURIComponent(t)}`],
  ])('%s', async (_, echo) => {
    const provider = await echoingProvider(echo);
    try {
      const result = await runCli(['--scenario', 'weighted', '--weights', '0,1', '-n', '2'], {
        ...SIM,
        VLLM_URL: `${provider.url}/v1`,
        VLLM_API_KEY: KEY,
      });
      expect(provider.chats).toBe(2);
      expect(result.stdout).toMatch(/FAILED \(provider-error 401\): .*bad key sk-…0e4f/);
      expect(result.stdout.toLowerCase()).not.toContain('planted');
      expect(result.stdout).not.toContain(Buffer.from(KEY).toString('hex'));
    } finally {
      await provider.close();
    }
  });

  it('a three-character key echoed back is masked too', async () => {
    const provider = await echoingProvider((t) => `Incorrect API key provided: ${t}.`);
    try {
      const result = await runCli(['--scenario', 'weighted', '--weights', '0,1', '-n', '1'], {
        ...SIM,
        VLLM_URL: `${provider.url}/v1`,
        VLLM_API_KEY: 'z9q',
      });
      expect(result.stdout).toContain('Incorrect API key provided: ****.');
      expect(result.stdout).not.toMatch(/\bz9q\b/);
    } finally {
      await provider.close();
    }
  });
});

describe('credentials in URLs', () => {
  it('a URL without a scheme never shows its password', async () => {
    for (const name of ['GATEWAY_URL', 'OLLAMA_URL', 'VLLM_URL']) {
      const result = await runCli(['--scenario', 'weighted'], {
        ...SIM,
        [name]: 'alice:Pl4nted-pass@gateway.example:8787',
      });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).not.toContain('Pl4nted');
      expect(result.stderr, name).toContain('***:***@gateway.example:8787');
    }
  });

  it("a partly percent-encoded password is masked in the gateway's rejection", async () => {
    const gateway = await fakeGateway((req, res) => {
      const config = JSON.parse(String(req.headers['x-portkey-config']));
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'failure',
          message: 'Invalid config passed',
          errors: [
            `path: targets,0,custom_host, message: bad host ${config.targets[0].custom_host}`,
          ],
        }),
      );
    });
    try {
      const result = await runCli(['--gateway', gateway.url, '--json'], {
        OLLAMA_URL: 'http://u:p%40ss-PLANTED@127.0.0.1:9',
        VLLM_URL: 'http://127.0.0.1:9/v1',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain('PLANTED');
      expect(result.stderr).toContain('the gateway rejected the config');
    } finally {
      await gateway.close();
    }
  });

  it('`lb-demo report` masks credentials a saved document holds', async () => {
    const dir = scratchDir();
    const saved = join(dir, 'saved.json');
    const run = await runCli(['--scenario', 'weighted', '-n', '2', '--out', saved], SIM);
    expect(run.code).toBe(0);
    const doc = JSON.parse(readFileSync(saved, 'utf8'));
    doc.gateway = 'http://bob:Pl4nted-pw@gw.example/v1';
    doc.scenarios[0].targets[0].custom_host = 'carol:Pl4nted-too@host:1';
    writeFileSync(saved, JSON.stringify(doc));
    const html = join(dir, 'page.html');
    const result = await runCli(['report', saved, '-o', html]);
    expect(result.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toContain('Pl4nted');
    expect(page).toContain('http://***:***@gw.example/v1');
  });
});

describe('text from the network reaches the terminal escaped', () => {
  it('an answer and an error carrying escape sequences cannot clear the screen or set the clipboard', async () => {
    const evil =
      'clear\u001b[2J\u001b[H title\u001b]0;pwned\u0007 clip\u001b]52;c;cHduZWQ=\u0007 \u202eevil';
    const provider = await fakeGateway((_req, res, f) => {
      if (f.chats % 2 === 1) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 1,
            model: 'llama-fp8',
            choices: [
              { index: 0, message: { role: 'assistant', content: evil }, finish_reason: 'stop' },
            ],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
      } else {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: evil } }));
      }
    });
    try {
      const result = await runCli(['--scenario', 'weighted', '--weights', '0,1', '-n', '4'], {
        ...SIM,
        VLLM_URL: `${provider.url}/v1`,
      });
      expect(result.stdout).toMatch(/SUCCESS: clear\\u001b\[2J/);
      expect(result.stdout).toMatch(/FAILED \(provider-error 503\): .*clear\\u001b\[2J/);
      // No escape, bell or bidi override leaves the process raw.
      expect(result.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
      expect(result.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    } finally {
      await provider.close();
    }
  });

  it('refuses look-alike target names with one line', async () => {
    const dir = scratchDir();
    for (const name of ['vl\u200blm', 'vllm\u202e', 'v\u2066llm']) {
      const file = writeJson(dir, 'targets.json', [
        { name: 'ollama', provider: 'ollama', model: 'm' },
        { name, provider: 'openai', model: 'm' },
      ]);
      const result = await runCli(['--targets', file], SIM);
      expect(result.code, JSON.stringify(name)).toBe(2);
      expect(result.stderr).toMatch(
        /target 2: "name" must not contain invisible \(zero-width or bidi\) characters, got the string "v.*\\u20[0-9a-f]{2}/,
      );
      expect(result.stderr).not.toMatch(/[\u200b\u202e\u2066]/);
    }
  });
});
