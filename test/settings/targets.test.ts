import { describe, expect, it } from 'vitest';
import { defaultTargets, parseTargets } from '../../src/settings/targets.js';

describe('parseTargets', () => {
  it.each([
    [{}, /expected a JSON array of targets, got an object/],
    [[], /the array of targets is empty/],
    [[42], /target 1: expected an object, got number 42/],
    [
      [{ provider: 'openai', model: 'm' }],
      /target 1: "name" must be a non-empty string, got nothing/,
    ],
    [[{ name: 'a', model: 'm' }], /target "a": "provider" must be a non-empty string/],
    [[{ name: 'a', provider: 'openai' }], /target "a": "model" must be a non-empty string/],
    [
      [{ name: 'a', provider: 'openai', model: 'm', wieght: 1 }],
      /target 1: unknown field "wieght"/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', weight: '1' }],
      /target "a": weight must be a number/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', weight: -1 }],
      /target "a": weight: must not be negative/,
    ],
    [
      [{ name: 'a', provider: 'openai', model: 'm', custom_host: 'nope' }],
      /target "a": custom_host: not a valid URL/,
    ],
    [
      [
        { name: 'a', provider: 'openai', model: 'm' },
        { name: 'a', provider: 'ollama', model: 'm' },
      ],
      /target "a": the name is used twice/,
    ],
  ])('rejects %j', (data, message) => {
    expect(() => parseTargets(data, 'targets.json')).toThrow(message);
  });
});

describe('defaultTargets', () => {
  it('ignores empty variables', () => {
    expect(defaultTargets({ OLLAMA_URL: '  ', OLLAMA_MODEL: '' })[0]).toEqual({
      name: 'ollama',
      provider: 'ollama',
      customHost: undefined,
      model: 'llama3',
      weight: 0.25,
    });
  });
});
