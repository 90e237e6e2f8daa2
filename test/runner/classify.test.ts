import { describe, expect, it } from 'vitest';
import type { TargetSpec } from '../../src/model/input.js';
import {
  failoverConfig,
  leavesOf,
  loadBalanceConfig,
  withRetry,
} from '../../src/portkey-config.js';
import { describeFailure, routeContext, routeOf } from '../../src/runner/classify.js';
import { equalWeights } from '../../src/weights.js';

const target = (name: string): TargetSpec => ({
  name,
  provider: 'openai',
  customHost: `http://${name}:8000/v1`,
  model: 'm',
});
const three = [target('a'), target('b'), target('c')];
const flat = loadBalanceConfig(three, equalWeights(3));
const nested = failoverConfig(three, equalWeights(3));
const header = (path: string | undefined) => ({ 'x-portkey-last-used-option-index': path });

describe('routeOf: attribution from x-portkey-last-used-option-index', () => {
  const context = routeContext({ leaves: leavesOf(flat), config: flat });

  it.each([
    ['config.targets[0]', 0],
    ['config.targets[2]', 2],
  ])('credits %j to target %i, picked and answered', (path, index) => {
    expect(routeOf(header(path), context)).toMatchObject({
      pickedIndex: index,
      answeredIndex: index,
      fallbackDepth: 0,
      attributedBy: 'header',
    });
  });

  it.each([
    ['config.targets[1]junk'],
    ['config.targets[3]'],
    ['config.targets[01]'],
    [' config.targets[1]'],
    ['config.targets[1].targets[0]'],
    ['config'],
    [''],
    [undefined],
  ])('leaves %j unattributed: only an exact leaf path of the config counts', (path) => {
    expect(routeOf(header(path), context)).toMatchObject({
      pickedIndex: null,
      answeredIndex: null,
      attributedBy: null,
      targetPath: path ?? null,
    });
  });

  it('tells the pick from the answer in a fallback group', () => {
    const groups = routeContext({ leaves: leavesOf(nested), config: nested });
    // Group 1 tries b first, then a, then c.
    expect(routeOf(header('config.targets[1].targets[0]'), groups)).toMatchObject({
      pickedIndex: 1,
      answeredIndex: 1,
      fallbackDepth: 0,
    });
    expect(routeOf(header('config.targets[1].targets[1]'), groups)).toMatchObject({
      pickedIndex: 1,
      answeredIndex: 0,
      fallbackDepth: 1,
    });
    expect(routeOf(header('config.targets[1]'), groups).pickedIndex).toBeNull();
  });

  it("takes the SDK's stripped header names too", () => {
    expect(
      routeOf(
        {
          'last-used-option-index': 'config.targets[1]',
          provider: 'openai',
          'retry-attempt-count': '2',
        },
        context,
      ),
    ).toEqual({
      targetPath: 'config.targets[1]',
      pickedIndex: 1,
      answeredIndex: 1,
      fallbackDepth: 0,
      attributedBy: 'header',
      provider: 'openai',
      retries: 2,
      retriesExhausted: false,
    });
  });

  it('counts retries that ran out (-1) as the attempts the config allows', () => {
    const retrying = withRetry(flat, 3, [503]);
    const withAttempts = routeContext({ leaves: leavesOf(retrying), config: retrying });
    const exhausted = { ...header('config.targets[0]'), 'x-portkey-retry-attempt-count': '-1' };
    expect(routeOf(exhausted, withAttempts)).toMatchObject({ retries: 3, retriesExhausted: true });
    const two = { ...header('config.targets[0]'), 'x-portkey-retry-attempt-count': '2' };
    expect(routeOf(two, withAttempts)).toMatchObject({ retries: 2, retriesExhausted: false });
  });
});

describe('describeFailure', () => {
  it('tells a provider error (routed) from the gateway failing on its own', () => {
    const routed = {
      status: 503,
      headers: header('config.targets[0]'),
      error: { message: 'busy' },
    };
    expect(describeFailure(routed)).toEqual({
      cause: 'provider-error',
      status: 503,
      message: 'busy',
    });
    const exception = { status: 500, headers: { 'x-portkey-gateway-exception': 'true' } };
    expect(describeFailure(exception).cause).toBe('gateway-error');
    expect(describeFailure({ status: 408, headers: {} }).cause).toBe('timeout');
  });
});
