import { describe, expect, it } from 'vitest';
import { routeOf } from '../../src/runner/classify.js';

describe('routeOf: the target from x-portkey-last-used-option-index', () => {
  it.each([
    ['config.targets[0]', 0],
    ['config.targets[1]', 1],
    ['config.targets[12]', 12],
    ['config.targets[1].targets[0]', 1],
    ['config.targets[0].targets[1]', 0],
    ['config', null],
    ['', null],
    [undefined, null],
    ['targets[1]', null],
  ])('reads %j as top-level target %j', (path, index) => {
    expect(routeOf({ 'x-portkey-last-used-option-index': path }).targetIndex).toBe(index);
  });

  it.each([
    ['config.targets[0].targets[1]', 1],
    ['config.targets[1].targets[0]', 0],
    ['config.targets[1]', null],
    [undefined, null],
  ])('reads %j as nested member %j', (path, index) => {
    expect(routeOf({ 'x-portkey-last-used-option-index': path }).nestedIndex).toBe(index);
  });

  it("takes the SDK's stripped header names too, and the retries as a count", () => {
    expect(
      routeOf({
        'last-used-option-index': 'config.targets[1]',
        provider: 'openai',
        'retry-attempt-count': '2',
      }),
    ).toEqual({
      targetIndex: 1,
      nestedIndex: null,
      targetPath: 'config.targets[1]',
      provider: 'openai',
      retries: 2,
    });
  });
});
