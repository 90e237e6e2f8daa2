// Request cases for the conditional nodes of a config: one built to satisfy each condition, and
// one with no metadata at all, or the user's own. Pure.
import type { ConfigTree, RequestCase, TreeNode } from '../model/tree.js';
import { resolveBranch } from './conditions.js';
import { nodesOf } from './parse.js';
import { expectedLeafShares, loadBalanceShares, plainContext } from './predict.js';

/**
 * A case per condition of every conditional node (the first one its query can be built for),
 * and a case without metadata. A query lb-demo cannot build a request for (a `$regex` that is
 * not a plain string, a url.pathname other than the chat route) gets none: the report says so.
 */
export function buildCases(root: TreeNode): { cases: RequestCase[]; skipped: string[] } {
  const cases: RequestCase[] = [
    { label: 'no metadata', metadata: {}, params: {}, source: 'built' },
  ];
  const skipped: string[] = [];
  for (const node of nodesOf(root)) {
    node.conditions.forEach((condition, i) => {
      const built = satisfy(condition.query);
      const at = `${node.path}.strategy.conditions[${i}]`;
      if (!built) {
        skipped.push(at);
        return;
      }
      const label = describeCase(built) || `matches ${at}`;
      if (!cases.some((c) => c.label === label)) cases.push({ label, ...built, source: 'built' });
    });
  }
  return { cases, skipped };
}

type Built = Pick<RequestCase, 'metadata' | 'params'>;

/** Field values that make the query hold, or undefined when lb-demo cannot build them. */
function satisfy(query: Record<string, unknown>): Built | undefined {
  const built: Built = { metadata: {}, params: {} };
  for (const [key, expected] of Object.entries(query)) {
    if (key === '$and' || key === '$or') {
      const parts = Array.isArray(expected) ? (expected as Record<string, unknown>[]) : [];
      for (const part of key === '$or' ? parts.slice(0, 1) : parts) {
        const sub = part ? satisfy(part) : undefined;
        if (!sub) return undefined;
        Object.assign(built.metadata, sub.metadata);
        Object.assign(built.params, sub.params);
      }
      // The gateway decides the whole query at $and / $or.
      return built;
    }
    const value =
      typeof expected === 'object' && expected !== null
        ? valueFor(expected as Record<string, unknown>)
        : { value: expected };
    if (!value || !set(built, key, value.value)) return undefined;
  }
  return built;
}

/** A value for which every operator of the object holds, when lb-demo can find one. */
function valueFor(operators: Record<string, unknown>): { value: unknown } | undefined {
  let value: unknown;
  let chosen = false;
  const choose = (v: unknown) => {
    value = v;
    chosen = true;
  };
  for (const [operator, operand] of Object.entries(operators)) {
    switch (operator) {
      case '$eq':
      case '$gte':
      case '$lte':
        choose(operand);
        break;
      case '$gt':
        choose(Number(operand) + 1);
        break;
      case '$lt':
        choose(Number(operand) - 1);
        break;
      case '$in':
        if (!Array.isArray(operand) || operand.length === 0) return undefined;
        choose(operand[0]);
        break;
      case '$ne':
      case '$nin':
        if (!chosen) choose(`not-${JSON.stringify(Array.isArray(operand) ? operand[0] : operand)}`);
        break;
      case '$regex': {
        // A plain string (anchors aside) matches itself; anything cleverer is left to the user.
        const literal = String(operand).replace(/^\^/, '').replace(/\$$/, '');
        if (/[\\.*+?()[\]{}|^$]/.test(literal)) return undefined;
        choose(literal);
        break;
      }
      default:
        return undefined;
    }
  }
  return chosen ? { value } : undefined;
}

function set(built: Built, key: string, value: unknown): boolean {
  const [root, field] = key.split('.');
  if (field === undefined) return false;
  if (root === 'metadata') built.metadata[field] = value as string;
  else if (root === 'params') built.params[field] = value;
  else return root === 'url' && field === 'pathname' && value === '/v1/chat/completions';
  return true;
}

/** 'metadata.plan = "paid", params.max_tokens = 512'. */
export function describeCase(c: Built): string {
  return [
    ...Object.entries(c.metadata).map(([k, v]) => `metadata.${k} = ${JSON.stringify(v)}`),
    ...Object.entries(c.params).map(([k, v]) => `params.${k} = ${JSON.stringify(v)}`),
  ].join(', ');
}

/** Where the tree sends a case's requests, before any is sent. */
export interface CasePrediction {
  /** Indices of the leaves it may go to (share > 0); empty when the gateway routes it nowhere. */
  leaves: number[];
  /** The target each conditional on the way picks, by name ('none' when it picks nothing). */
  branches: string[];
  /** The leaves under the target the user expects it to reach; null without an expectation. */
  expected: number[] | null;
}

/** The prediction for one case; an `expect` that names nothing in the tree is an error. */
export function predictCase(
  tree: ConfigTree,
  c: RequestCase,
  body: Record<string, unknown>,
): CasePrediction {
  const context = plainContext({ ...body, ...c.params }, c.metadata);
  const shares = expectedLeafShares(tree.root, context);
  const leaves = tree.leaves.flatMap((leaf, i) => ((shares.get(leaf.path) ?? 0) > 0 ? [i] : []));
  const branches: string[] = [];
  const visit = (node: TreeNode) => {
    if (node.mode === 'conditional') {
      const name = resolveBranch(node.conditions, node.default, context);
      branches.push(name ?? 'none');
      const chosen = node.children.find((child) => child.name === name);
      if (chosen) visit(chosen);
      return;
    }
    if (node.mode === 'loadbalance') {
      const picks = loadBalanceShares(node.children.map((child) => child.weight));
      node.children.forEach((child, i) => {
        if ((picks[i] ?? 0) > 0) visit(child);
      });
    } else if (node.mode !== null && node.children[0]) visit(node.children[0]);
  };
  visit(tree.root);
  return {
    leaves,
    branches,
    expected: c.expect === undefined ? null : leavesUnder(tree, c.expect),
  };
}

/** The indices of the leaves under the node or leaf of that name (its `name`, or a leaf's). */
export function leavesUnder(tree: ConfigTree, name: string): number[] {
  const node = nodesOf(tree.root).find((n) => n.name === name);
  const paths = node
    ? nodesOf(node)
        .filter((n) => n.mode === null)
        .map((n) => n.path)
    : tree.leaves.filter((leaf) => leaf.name === name).map((leaf) => leaf.path);
  return tree.leaves.flatMap((leaf, i) => (paths.includes(leaf.path) ? [i] : []));
}
