// Reads a Portkey config as the user wrote it into a tree of routing nodes and leaves. Only what
// the gateway itself would refuse is an error here (exit status 2, naming the place); what it
// accepts but handles badly is for the lint.
import { UsageError } from '../errors.js';
import { describeValue, printable } from '../io/text.js';
import type { Condition, ConfigTree, RoutingMode, TreeLeaf, TreeNode } from '../model/tree.js';

const MODES: readonly RoutingMode[] = ['single', 'loadbalance', 'fallback', 'conditional'];

/** The tree of a parsed config JSON; `source` names the file in messages. */
export function parseConfigTree(data: unknown, source: string): ConfigTree {
  const fail = (path: string, problem: string): never => {
    throw new UsageError(`${source}: ${path}: ${problem}`);
  };
  const root = readNode(data, 'config', fail);
  return { root, leaves: leavesOf(root) };
}

type Fail = (path: string, problem: string) => never;

function readNode(data: unknown, path: string, fail: Fail): TreeNode {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail(path, `expected an object, got ${describeValue(data)}`);
  }
  const raw = data as Record<string, unknown>;
  const strategy = optionalObject(raw, 'strategy', path, fail);
  const mode = strategy === undefined ? null : readMode(strategy, `${path}.strategy`, fail);
  const targets = raw.targets;
  if (targets !== undefined && !Array.isArray(targets)) {
    fail(`${path}.targets`, `expected an array, got ${describeValue(targets)}`);
  }
  if (mode !== null && (!Array.isArray(targets) || targets.length === 0)) {
    fail(path, `a "${mode}" strategy needs a non-empty "targets" array`);
  }
  if (mode === null && targets !== undefined) {
    fail(path, 'has "targets" but no "strategy": the gateway needs both');
  }
  checkTypes(raw, path, fail);
  const children = (Array.isArray(targets) ? targets : []).map((child, i) =>
    readNode(child, `${path}.targets[${i}]`, fail),
  );
  const conditions = strategy ? readConditions(strategy, `${path}.strategy`, fail) : [];
  const defaultName = strategy?.default;
  if (defaultName !== undefined && typeof defaultName !== 'string') {
    fail(`${path}.strategy.default`, `expected a target name, got ${describeValue(defaultName)}`);
  }
  return {
    path,
    mode,
    weight: raw.weight as number | undefined,
    name: typeof raw.name === 'string' ? raw.name : undefined,
    children,
    conditions,
    default: defaultName as string | undefined,
    raw,
  };
}

function optionalObject(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  fail: Fail,
): Record<string, unknown> | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`${path}.${key}`, `expected an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

function readMode(strategy: Record<string, unknown>, path: string, fail: Fail): RoutingMode {
  const mode = strategy.mode;
  if (typeof mode !== 'string' || !MODES.includes(mode as RoutingMode)) {
    return fail(`${path}.mode`, `expected one of ${MODES.join(', ')}, got ${describeValue(mode)}`);
  }
  return mode as RoutingMode;
}

function readConditions(strategy: Record<string, unknown>, path: string, fail: Fail): Condition[] {
  const list = strategy.conditions;
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    return fail(`${path}.conditions`, `expected an array, got ${describeValue(list)}`);
  }
  return list.map((item, i) => {
    const at = `${path}.conditions[${i}]`;
    const entry = item as Record<string, unknown> | null;
    const query = entry?.query;
    if (typeof query !== 'object' || query === null || Array.isArray(query)) {
      return fail(`${at}.query`, `expected an object, got ${describeValue(query)}`);
    }
    if (typeof entry?.then !== 'string') {
      return fail(`${at}.then`, `expected a target name, got ${describeValue(entry?.then)}`);
    }
    // `then` is the gateway's own key (a conditional's target), not a thenable.
    return { query: query as Record<string, unknown>, then: entry.then };
  });
}

/** The types the gateway's schema checks: numbers, strings, arrays of numbers. */
function checkTypes(raw: Record<string, unknown>, path: string, fail: Fail): void {
  const expect = (key: string, ok: (v: unknown) => boolean, what: string) => {
    const value = raw[key];
    if (value !== undefined && !ok(value)) {
      fail(`${path}.${key}`, `expected ${what}, got ${describeValue(value)}`);
    }
  };
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const isNumbers = (v: unknown) => Array.isArray(v) && v.every(isNumber);
  for (const key of ['provider', 'api_key', 'custom_host', 'virtual_key', 'name']) {
    expect(key, (v) => typeof v === 'string', 'a string');
  }
  expect('weight', isNumber, 'a number');
  expect('request_timeout', isNumber, 'a number');
  expect('on_status_codes', isNumbers, 'an array of numbers');
  expect(
    'override_params',
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'an object',
  );
  const retry = optionalObject(raw, 'retry', path, fail);
  if (retry) {
    if (!isNumber(retry.attempts)) {
      fail(`${path}.retry.attempts`, `expected a number, got ${describeValue(retry.attempts)}`);
    }
    if (retry.on_status_codes !== undefined && !isNumbers(retry.on_status_codes)) {
      fail(`${path}.retry.on_status_codes`, 'expected an array of numbers');
    }
  }
}

/**
 * The leaves with what they inherit (custom_host, override_params.model) and a unique name:
 * their own `name`, else their provider and position ("openai#1.0").
 */
function leavesOf(root: TreeNode): TreeLeaf[] {
  const leaves: TreeLeaf[] = [];
  const walk = (node: TreeNode, host: string | undefined, model: string | undefined) => {
    const ownHost = typeof node.raw.custom_host === 'string' ? node.raw.custom_host : undefined;
    const params = node.raw.override_params as Record<string, unknown> | undefined;
    const ownModel = typeof params?.model === 'string' ? params.model : undefined;
    const hostHere = ownHost ?? host;
    const modelHere = ownModel ?? model;
    if (node.mode !== null) {
      for (const child of node.children) walk(child, hostHere, modelHere);
      return;
    }
    const provider = typeof node.raw.provider === 'string' ? node.raw.provider : 'unknown';
    const position = node.path
      .replace(/^config/, '')
      .replace(/\.targets\[(\d+)\]/g, '.$1')
      .slice(1);
    leaves.push({
      path: node.path,
      name: node.name ?? `${provider}${position ? `#${position}` : ''}`,
      provider,
      model: modelHere,
      customHost: hostHere,
      apiKey: typeof node.raw.api_key === 'string' ? node.raw.api_key : undefined,
    });
  };
  walk(root, undefined, undefined);
  // Two leaves of one name would be one target to the report: keep the first, number the rest.
  const seen = new Map<string, number>();
  for (const leaf of leaves) {
    const n = seen.get(leaf.name) ?? 0;
    seen.set(leaf.name, n + 1);
    if (n > 0) leaf.name = `${leaf.name}#${n + 1}`;
  }
  for (const leaf of leaves) leaf.name = printable(leaf.name);
  return leaves;
}

/** Every node of the tree, depth first. */
export function nodesOf(root: TreeNode): TreeNode[] {
  return [root, ...root.children.flatMap(nodesOf)];
}
