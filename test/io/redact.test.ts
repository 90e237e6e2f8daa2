import { describe, expect, it } from 'vitest';
import { createRedactor, maskSecret, maskUrl } from '../../src/io/redact.js';

describe('createRedactor', () => {
  it('masks every occurrence of each secret, also URL-encoded, and leaves the rest', () => {
    const redact = createRedactor(['sk-live-abcdef123456', 'p@ss/word!', undefined, 'ab']);
    expect(
      redact('Incorrect API key provided: sk-live-abcdef123456. Again sk-live-abcdef123456'),
    ).toBe('Incorrect API key provided: sk-…3456. Again sk-…3456');
    expect(redact('http://u:p%40ss%2Fword!@h/v1')).toBe('http://u:****@h/v1');
    expect(redact('short ab stays')).toBe('short ab stays');
  });

  it('replaces a secret that contains another as a whole', () => {
    const redact = createRedactor(['secret-one', 'secret-one-two-three']);
    expect(redact('x secret-one-two-three y')).toBe('x sec…hree y');
  });

  it('is the identity with no secrets', () => {
    expect(createRedactor([])('anything')).toBe('anything');
  });
});

describe('maskSecret', () => {
  it('keeps only the first three and last four characters', () => {
    expect(maskSecret('sk-abcdefghijkl9f3a')).toBe('sk-…9f3a');
    expect(maskSecret('short')).toBe('****');
  });
});

describe('maskUrl', () => {
  it('hides credentials and leaves other URLs alone', () => {
    expect(maskUrl('https://user:hunter2@gw.example.com/v1')).toBe(
      'https://***:***@gw.example.com/v1',
    );
    expect(maskUrl('http://127.0.0.1:8787/v1')).toBe('http://127.0.0.1:8787/v1');
  });
});
