// What the gateway accepts without a word but handles otherwise than the user likely meant. The
// rules come from reading gateway 1.15.2's schema and routing code (handlers/handlerUtils.ts,
// services/conditionalRouter.ts, middlewares/requestValidator/schema/config.ts) and from
// running it. Pure.
import type { LintFinding, TreeNode } from '../model/tree.js';
import { OPERATORS } from './conditions.js';
import { refusedHostReason } from './hosts.js';
import { CACHE_KEYS, NODE_KEYS, RETRY_KEYS, STRATEGY_KEYS } from './keys.js';
import { nodesOf } from './parse.js';
import { loadBalanceShares } from './predict.js';

/** Keys the open-source gateway accepts and never acts on. */
const NO_EFFECT: Record<string, string> = {
  sticky_session:
    "sticky sessions are a feature of Portkey's hosted gateway; the open-source one picks afresh for every request",
  cb_config:
    "circuit breaking is a feature of Portkey's hosted gateway; nothing sets it in the open-source one",
  cache:
    'the open-source gateway is built with its cache switched off: every request reaches a provider',
  virtual_key:
    "virtual keys are resolved by Portkey's hosted control plane; the open-source gateway needs api_key",
};

/** Retries back off 1 s, 2 s, 4 s...: past this many, a failing provider holds a request minutes. */
const MAX_SENSIBLE_ATTEMPTS = 5;

export function lintConfig(root: TreeNode): LintFinding[] {
  const findings: LintFinding[] = [];
  const add = (severity: LintFinding['severity'], path: string, rule: string, message: string) =>
    findings.push({ severity, path, rule, message });
  for (const node of nodesOf(root)) {
    keysOf(node, add);
    weightsOf(node, add);
    retryOf(node, add);
    timeoutOf(node, add);
    hostOf(node, add);
    if (node.mode === 'conditional') conditionalOf(node, add);
    if (node.mode === 'single' && node.children.length > 1) {
      add(
        'warning',
        `${node.path}.targets`,
        'unreachable-target',
        `a "single" strategy uses targets[0] only: the other ${node.children.length - 1} target(s) are never called`,
      );
    }
    if (node.mode === null && typeof node.raw.provider !== 'string') {
      add(
        'error',
        node.path,
        'no-provider',
        'a target needs a "provider" (or a "strategy" with "targets")',
      );
    }
  }
  return findings;
}

type Add = (severity: LintFinding['severity'], path: string, rule: string, message: string) => void;

function keysOf(node: TreeNode, add: Add): void {
  const check = (object: unknown, known: Set<string>, path: string) => {
    if (typeof object !== 'object' || object === null) return;
    for (const key of Object.keys(object)) {
      if (NO_EFFECT[key] && known === NODE_KEYS) {
        add('warning', `${path}.${key}`, 'no-effect', NO_EFFECT[key]);
      } else if (!known.has(key)) {
        const near = closest(key, known);
        add(
          'warning',
          `${path}.${key}`,
          'unknown-key',
          `the gateway ignores "${key}" without a word${near ? `; did you mean "${near}"?` : ''}`,
        );
      }
    }
  };
  check(node.raw, NODE_KEYS, node.path);
  check(node.raw.strategy, STRATEGY_KEYS, `${node.path}.strategy`);
  check(node.raw.retry, RETRY_KEYS, `${node.path}.retry`);
  if (node.raw.cache && typeof node.raw.cache === 'object')
    check(node.raw.cache, CACHE_KEYS, `${node.path}.cache`);
}

function weightsOf(node: TreeNode, add: Add): void {
  node.children.forEach((child) => {
    if (child.weight !== undefined && child.weight < 0) {
      add(
        'error',
        `${child.path}.weight`,
        'negative-weight',
        `weight ${child.weight} is negative: the gateway takes it, and it shifts the odds of every other target`,
      );
    }
    if (child.weight !== undefined && node.mode !== 'loadbalance') {
      add(
        'warning',
        `${child.path}.weight`,
        'weight-ignored',
        `a "${node.mode}" strategy ignores weights`,
      );
    }
  });
  if (node.mode !== 'loadbalance') return;
  const shares = loadBalanceShares(node.children.map((c) => c.weight));
  if (shares.every((s) => s === 0)) {
    add(
      'error',
      node.path,
      'no-weight',
      'every weight is 0 (or they sum to 0 or less): the gateway picks no target and sends no response at all',
    );
    return;
  }
  const fractional = node.children.some((c) => c.weight !== undefined && c.weight % 1 !== 0);
  const missing = node.children.filter((c) => c.weight === undefined);
  if (fractional && missing.length > 0) {
    add(
      'warning',
      node.path,
      'missing-weight',
      `${missing.length} target(s) without a weight count as weight 1 beside fractional weights: e.g. 0.25, 0.75 and a missing one split 1/8, 3/8, 1/2`,
    );
  }
  node.children.forEach((child, i) => {
    if (shares[i] === 0 && (child.weight ?? 1) >= 0) {
      add(
        'info',
        child.path,
        'unreachable-target',
        'weight 0: the load balancer never picks this target',
      );
    }
  });
}

function retryOf(node: TreeNode, add: Add): void {
  const retry = node.raw.retry as Record<string, unknown> | undefined;
  if (!retry) return;
  const attempts = retry.attempts as number;
  if (!Number.isInteger(attempts) || attempts < 0) {
    add(
      'error',
      `${node.path}.retry.attempts`,
      'retry-attempts',
      `attempts ${attempts}: expected a whole number from 0`,
    );
  } else if (attempts > MAX_SENSIBLE_ATTEMPTS) {
    const wait = 2 ** attempts - 1;
    add(
      'warning',
      `${node.path}.retry.attempts`,
      'retry-attempts',
      `${attempts} retries back off 1 s, 2 s, 4 s... (no cap in the gateway): a failing provider holds a request about ${wait} s`,
    );
  }
  codesOf(retry.on_status_codes, `${node.path}.retry.on_status_codes`, add);
  if (retry.use_retry_after_header === true) {
    add(
      'warning',
      `${node.path}.retry.use_retry_after_header`,
      'retry-after-broken',
      'in @portkey-ai/gateway 1.15.2 from npm this flag throws inside the retry (a patch of its retry library is not shipped): Retry-After is ignored, and a last attempt answered 429 becomes a 500',
    );
  }
}

function codesOf(codes: unknown, path: string, add: Add): void {
  if (!Array.isArray(codes)) return;
  for (const code of codes) {
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      add('error', path, 'status-code', `${code} is not an HTTP status: nothing ever matches it`);
    }
  }
}

function hostOf(node: TreeNode, add: Add): void {
  const host = node.raw.custom_host;
  if (typeof host !== 'string') return;
  const reason = refusedHostReason(host);
  if (reason === undefined) return;
  add(
    'warning',
    `${node.path}.custom_host`,
    'refused-host',
    `the gateway refuses this host (${reason}) unless its TRUSTED_CUSTOM_HOSTS lists it; a short service name (svc or svc.namespace) passes`,
  );
}

function timeoutOf(node: TreeNode, add: Add): void {
  const timeout = node.raw.request_timeout;
  if (typeof timeout !== 'number') return;
  if (timeout < 0)
    add(
      'error',
      `${node.path}.request_timeout`,
      'request-timeout',
      `${timeout} ms: a negative timeout fails every call at once (HTTP 408)`,
    );
  else if (timeout === 0)
    add(
      'warning',
      `${node.path}.request_timeout`,
      'request-timeout',
      '0 means no timeout to the gateway, not an immediate one',
    );
  else
    add(
      'info',
      `${node.path}.request_timeout`,
      'request-timeout',
      `the gateway stops counting ${timeout} ms once a provider's headers arrive: a slow body or a stalled stream is not cut`,
    );
  if (node.raw.strategy && typeof node.raw.strategy === 'object') {
    codesOf(
      (node.raw.strategy as Record<string, unknown>).on_status_codes,
      `${node.path}.strategy.on_status_codes`,
      add,
    );
  }
}

function conditionalOf(node: TreeNode, add: Add): void {
  const names = new Set(node.children.map((c) => c.name).filter((n) => n !== undefined));
  const referenced = new Set([
    ...node.conditions.map((c) => c.then),
    ...(node.default ? [node.default] : []),
  ]);
  node.conditions.forEach((condition, i) => {
    const at = `${node.path}.strategy.conditions[${i}]`;
    if (!names.has(condition.then))
      add(
        'error',
        `${at}.then`,
        'unknown-target',
        `no target is named "${condition.then}": matching requests get HTTP 400`,
      );
    queryOf(condition.query, `${at}.query`, add);
  });
  if (node.default !== undefined && !names.has(node.default)) {
    add(
      'error',
      `${node.path}.strategy.default`,
      'unknown-target',
      `no target is named "${node.default}": requests matching no condition get HTTP 400`,
    );
  }
  if (
    node.default === undefined &&
    !node.conditions.some((c) => Object.keys(c.query).length === 0)
  ) {
    // A warning: refusing what matches nothing may be the point; the truth table shows the 400.
    add(
      'warning',
      `${node.path}.strategy`,
      'no-default',
      'no "default": a request that matches no condition gets HTTP 400 ("Query router did not resolve to any valid target"); a surrounding fallback does not catch it',
    );
  }
  node.children.forEach((child) => {
    if (child.name === undefined || !referenced.has(child.name)) {
      add(
        'warning',
        child.path,
        'unreachable-target',
        `no condition or default names this target${child.name ? ` ("${child.name}")` : ' (it has no "name")'}: it is never called`,
      );
    }
  });
}

function queryOf(query: Record<string, unknown>, path: string, add: Add): void {
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith('$')) {
      if (key !== '$and' && key !== '$or')
        add(
          'error',
          `${path}.${key}`,
          'unknown-operator',
          `"${key}" is not an operator here: the gateway answers 400`,
        );
      else if (Array.isArray(value)) {
        for (const [i, part] of value.entries()) {
          queryOf(part as Record<string, unknown>, `${path}.${key}[${i}]`, add);
        }
      }
      continue;
    }
    const [root, , deeper] = key.split('.');
    if (!['metadata', 'params', 'url'].includes(root ?? '')) {
      add(
        'warning',
        `${path}.${key}`,
        'unknown-field',
        `the gateway reads only metadata.*, params.* and url.pathname: "${key}" is always undefined`,
      );
    } else if (deeper !== undefined) {
      add(
        'warning',
        `${path}.${key}`,
        'deep-field',
        `the gateway reads two levels only: "${key}" is read as "${key.split('.').slice(0, 2).join('.')}"`,
      );
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const operator of Object.keys(value)) {
        if (
          !(OPERATORS as readonly string[]).includes(operator) ||
          operator === '$and' ||
          operator === '$or'
        ) {
          add(
            'error',
            `${path}.${key}.${operator}`,
            'unknown-operator',
            `"${operator}" is not an operator the gateway knows: it answers 400`,
          );
        }
      }
    }
  }
}

/** The known key nearest to a misspelled one (at most 3 edits away), for a suggestion. */
function closest(key: string, known: Set<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
