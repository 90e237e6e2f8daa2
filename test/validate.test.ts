import { describe, expect, it } from 'vitest';
import { checkHttpUrl, maskSecret, maskUrl } from '../src/validate.js';

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

describe('checkHttpUrl', () => {
  it('drops a trailing slash and never echoes a password in its error', () => {
    expect(checkHttpUrl('http://gw:8787/v1/', 'X')).toBe('http://gw:8787/v1');
    expect(() => checkHttpUrl('ftp://me:hunter2@gw/', 'X')).toThrow(/^X: expected an http/);
    expect(() => checkHttpUrl('ftp://me:hunter2@gw/', 'X')).not.toThrow(/hunter2/);
  });
});
