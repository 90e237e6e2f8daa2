import { describe, expect, it } from 'vitest';
import { checkHttpUrl } from '../../src/settings/values.js';

describe('checkHttpUrl', () => {
  it('drops a trailing slash and never echoes a password in its error', () => {
    expect(checkHttpUrl('http://gw:8787/v1/', 'X')).toBe('http://gw:8787/v1');
    expect(() => checkHttpUrl('ftp://me:hunter2@gw/', 'X')).toThrow(/^X: expected an http/);
    expect(() => checkHttpUrl('ftp://me:hunter2@gw/', 'X')).not.toThrow(/hunter2/);
  });
});
