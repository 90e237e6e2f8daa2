// The user's config as a scenario: the leaves as targets, each leaf's expected share from the
// tree alone, and, on the embedded default, the same tree with every leaf pointed at a
// simulator. Pure.
import type { TargetSpec } from '../model/input.js';
import type { Leaf, PlanNode, PortkeyConfig } from '../model/plan.js';
import type { ConfigTree, TreeNode } from '../model/tree.js';
import { nodesOf } from './parse.js';
import { expectedLeafShares, loadBalanceShares, plainContext } from './predict.js';

/** The placeholder key a simulated leaf is given: the gateway's schema wants one for openai. */
const SIMULATED_KEY = 'simulated';

/** Keys that carry credentials or name a real account: a simulated leaf keeps none of them. */
const CREDENTIAL_KEY =
  /^(api_key|virtual_key|aws|vertex|azure|openai_(project|organization)|workers_ai|stability|snowflake|oracle|anthropic)/i;

/** Each leaf's share of lb-demo's own requests (these params and metadata), in leaf order. */
export function leafShares(
  tree: ConfigTree,
  params: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): number[] {
  const shares = expectedLeafShares(tree.root, plainContext(params, metadata));
  return tree.leaves.map((leaf) => shares.get(leaf.path) ?? 0);
}

/** Every node, with a loadbalance's chance of picking each of its targets. */
export function planNodes(tree: ConfigTree): PlanNode[] {
  return nodesOf(tree.root).map((node) => ({
    path: node.path,
    mode: node.mode,
    name: node.name,
    weight: node.weight,
    children: node.children.map((child) => child.path),
    childShares:
      node.mode === 'loadbalance' ? loadBalanceShares(node.children.map((c) => c.weight)) : null,
  }));
}

/**
 * How a leaf's path reads for attribution: the leaf the load balancers picked first when this
 * one answered, and how many fallback steps lay between them. A path that steps past the first
 * target of a fallback was not the first choice; the first choice is then the first target's
 * own first leaf, known only if nothing random stands before it (a loadbalance or a
 * conditional under that first target leaves the pick unknown: null).
 */
export function planLeaves(tree: ConfigTree): Leaf[] {
  const index = new Map(tree.leaves.map((leaf, i) => [leaf.path, i]));
  const leaves: Leaf[] = [];
  const walk = (
    node: TreeNode,
    firstChoice: string | null | undefined,
    steps: number,
    retry: number,
  ) => {
    const attempts = retryAttemptsOf(node) ?? retry;
    if (node.mode === null) {
      const target = index.get(node.path) as number;
      const picked =
        firstChoice === undefined
          ? target
          : firstChoice === null
            ? null
            : (index.get(firstChoice) ?? null);
      leaves.push({
        path: node.path,
        picked,
        target,
        fallbackDepth: steps,
        retryAttempts: attempts,
      });
      return;
    }
    node.children.forEach((child, i) => {
      const past = node.mode === 'fallback' && i > 0;
      // The first step past a first target fixes the first choice for everything below it.
      const choice = firstChoice !== undefined || !past ? firstChoice : firstLeaf(node.children[0]);
      walk(child, choice, steps + (past ? i : 0), attempts);
    });
  };
  walk(tree.root, undefined, 0, 0);
  return leaves.sort((a, b) => a.target - b.target);
}

/** The leaf a node always tries first, or null when a random or conditional pick decides. */
function firstLeaf(node: TreeNode | undefined): string | null {
  if (!node) return null;
  if (node.mode === null) return node.path;
  if (node.mode === 'single' || node.mode === 'fallback') return firstLeaf(node.children[0]);
  if (node.mode === 'loadbalance') {
    const shares = loadBalanceShares(node.children.map((c) => c.weight));
    const only = shares.filter((s) => s > 0).length === 1 ? shares.findIndex((s) => s > 0) : -1;
    return only < 0 ? null : firstLeaf(node.children[only]);
  }
  return null;
}

/** A node's own retry.attempts: a child's retry replaces its parent's whole object. */
function retryAttemptsOf(node: TreeNode): number | undefined {
  const retry = node.raw.retry as { attempts?: unknown } | undefined;
  return typeof retry?.attempts === 'number' ? retry.attempts : undefined;
}

/**
 * The tree as the embedded gateway gets it: every leaf calls the simulator standing for it
 * (an `ollama` leaf an Ollama one, any other an OpenAI-compatible one, as provider `openai`),
 * with a placeholder key; credentials and real hosts are dropped everywhere. Strategies,
 * weights, names, retries, timeouts, status codes and override_params stay as written.
 */
export function simulatedConfig(tree: ConfigTree, targets: readonly TargetSpec[]): PortkeyConfig {
  const byPath = new Map(tree.leaves.map((leaf, i) => [leaf.path, targets[i]]));
  const rewrite = (node: TreeNode): Record<string, unknown> => {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node.raw)) {
      if (key === 'targets' || key === 'custom_host' || key === 'provider') continue;
      if (CREDENTIAL_KEY.test(key)) continue;
      copy[key] = structuredClone(value);
    }
    const target = byPath.get(node.path);
    if (node.mode === null && target) {
      copy.provider = target.provider === 'ollama' ? 'ollama' : 'openai';
      copy.custom_host = target.customHost;
      copy.api_key = SIMULATED_KEY;
    }
    if (node.mode !== null) copy.targets = node.children.map(rewrite);
    return copy;
  };
  return rewrite(tree.root);
}
