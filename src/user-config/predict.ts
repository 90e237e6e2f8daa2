// Where a config sends requests when every provider is healthy: each leaf's expected share,
// from the tree alone, with the gateway's own rules for weights. Pure.
import type { TreeNode } from '../model/tree.js';
import { type RequestContext, resolveBranch } from './conditions.js';

/**
 * The probability that a loadbalance picks each child, as gateway 1.15.2 picks: a missing weight
 * counts as 1; r is drawn uniformly from [0, total); the first child whose running sum of weights
 * exceeds r is picked. Weight 0 is never picked; negative weights shift the others. All zero
 * weights (or a total <= 0) pick nothing: the gateway then sends no response at all.
 */
export function loadBalanceShares(weights: readonly (number | undefined)[]): number[] {
  const w = weights.map((x) => (x === undefined ? 1 : x));
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return w.map(() => 0);
  let sum = 0;
  let reached = 0;
  return w.map((weight) => {
    sum += weight;
    const share = Math.max(0, Math.min(sum, total) - reached) / total;
    reached = Math.max(reached, Math.min(sum, total));
    return share;
  });
}

/**
 * Each leaf's share of requests of this context, by path: the product of the picks along the
 * way (a loadbalance by weight, a fallback and a single their first target, a conditional the
 * branch its conditions choose). What no leaf receives (a conditional that resolves to nothing,
 * a loadbalance that picks nothing) is left out, so the shares may sum to less than 1.
 */
export function expectedLeafShares(root: TreeNode, context: RequestContext): Map<string, number> {
  const shares = new Map<string, number>();
  const visit = (node: TreeNode, probability: number) => {
    if (probability === 0) return;
    if (node.mode === null) {
      shares.set(node.path, (shares.get(node.path) ?? 0) + probability);
      return;
    }
    if (node.mode === 'loadbalance') {
      const picks = loadBalanceShares(node.children.map((c) => c.weight));
      for (const [i, child] of node.children.entries()) {
        visit(child, probability * (picks[i] ?? 0));
      }
      return;
    }
    if (node.mode === 'conditional') {
      const name = resolveBranch(node.conditions, node.default, context);
      const chosen = node.children.find((c) => c.name === name);
      if (chosen) visit(chosen, probability);
      return;
    }
    const first = node.children[0];
    if (first) visit(first, probability);
  };
  visit(root, 1);
  return shares;
}

/** What lb-demo's requests look like to a conditional: these params, this metadata (none). */
export function plainContext(
  params: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): RequestContext {
  return { metadata, params, url: { pathname: '/v1/chat/completions' } };
}
