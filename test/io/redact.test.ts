import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  maskCredentialsIn,
  maskSecret,
  maskUrl,
  urlPasswords,
} from '../../src/io/redact.js';

describe('createRedactor: free text', () => {
  it('masks every occurrence of each secret, also URL-encoded, and leaves the rest', () => {
    const { text } = createRedactor(['sk-live-abcdef123456', 'p@ss/word!', undefined, 'ab']);
    expect(
      text('Incorrect API key provided: sk-live-abcdef123456. Again sk-live-abcdef123456'),
    ).toBe('Incorrect API key provided: sk-…3456. Again sk-…3456');
    expect(text('http://u:p%40ss%2Fword!@h/v1')).toBe('http://u:****@h/v1');
    expect(text('short ab stays')).toBe('short ab stays');
  });

  it('masks the echoes a provider or proxy makes of a key: case, hex, base64', () => {
    const key = 'sk-Live-Abcdef123456';
    const { text } = createRedactor([key]);
    const echoes = [
      key.toUpperCase(),
      key.toLowerCase(),
      Buffer.from(key).toString('hex'),
      Buffer.from(key).toString('hex').toUpperCase(),
      Buffer.from(key).toString('base64'),
    ];
    for (const echo of echoes) expect(text(`got ${echo} here`), echo).toBe('got sk-…3456 here');
  });

  it('masks a short secret as a whole token only, and never a word of the run', () => {
    const { text } = createRedactor(['abc', 'ollama', 'hunter2'], ['ollama', 'vllm', 'llama3']);
    expect(text('key abc was refused')).toBe('key **** was refused');
    expect(text('abcdef and xabc stay')).toBe('abcdef and xabc stay');
    // Ollama's documented placeholder key names a target here: nothing to hide.
    expect(text('ollama answered')).toBe('ollama answered');
    expect(text('password hunter2!')).toBe('password ****!');
  });

  it('replaces a secret that contains another as a whole', () => {
    const { text } = createRedactor(['secret-one', 'secret-one-two-three']);
    expect(text('x secret-one-two-three y')).toBe('x sec…hree y');
  });

  it('is the identity with no secrets', () => {
    expect(createRedactor([]).text('anything')).toBe('anything');
  });
});

describe('createRedactor: the net over everything written', () => {
  it('masks long secrets only, so a JSON document stays valid whatever the secrets are', () => {
    const redact = createRedactor(['null', 'true', 'ollama', 'sk-abcdefghijkl9f3a']);
    const doc = JSON.stringify({ a: null, b: true, name: 'ollama', k: 'sk-abcdefghijkl9f3a' });
    const masked = redact.net(doc);
    expect(JSON.parse(masked)).toEqual({ a: null, b: true, name: 'ollama', k: 'sk-…9f3a' });
  });
});

describe('maskSecret', () => {
  it('keeps only the first three and last four characters', () => {
    expect(maskSecret('sk-abcdefghijkl9f3a')).toBe('sk-…9f3a');
    expect(maskSecret('short')).toBe('****');
  });
});

describe('maskUrl and maskCredentialsIn', () => {
  it('hides credentials and leaves other URLs alone', () => {
    expect(maskUrl('https://user:hunter2@gw.example.com/v1')).toBe(
      'https://***:***@gw.example.com/v1',
    );
    expect(maskUrl('http://127.0.0.1:8787/v1')).toBe('http://127.0.0.1:8787/v1');
  });

  it('recognises credentials in a URL without a scheme', () => {
    expect(maskUrl('alice:s3cret@gateway:8787/v1')).toBe('***:***@gateway:8787/v1');
    expect(maskCredentialsIn('see alice:s3cret@gw.example.com now')).toBe(
      'see ***:***@gw.example.com now',
    );
    expect(maskCredentialsIn('weighted: split differs (p = 0.03)')).toBe(
      'weighted: split differs (p = 0.03)',
    );
  });

  it('takes a password as written and decoded, with or without a scheme', () => {
    expect(urlPasswords('http://u:p%40ss@h/v1')).toEqual(['p%40ss', 'p@ss']);
    expect(urlPasswords('u:plain@h:1')).toEqual(['plain']);
    expect(urlPasswords('http://h/v1')).toEqual([]);
    expect(urlPasswords(undefined)).toEqual([]);
  });
});
