// The splits of a config's tree: each loadbalance node's among the requests whose first choice
// went through it, and the split over the leaves, judged together with Holm's correction. Pure.
import type { Weights } from '../model/input.js';
import type { PlanNode, ScenarioPlan } from '../model/plan.js';
import type { FitResult, NodeTest, ScenarioSummary, TreeTests } from '../model/stats.js';
import { shareWeights } from '../weights.js';
import { judgeSplit } from './verdict.js';

export interface TreeInput {
  /** Requests each leaf was picked first for, in leaf order. */
  picked: readonly number[];
  /** Requests whose first choice nothing told: they could have gone through any node. */
  unattributed: number;
  leafPaths: readonly string[];
  leafShares: Weights;
  nodes: readonly PlanNode[];
}

/**
 * A test per loadbalance node with at least two targets it can pick and a share of the run's
 * requests, plus the leaf split when
 * it says more than the top node's (not when the top node's targets are the leaves
 * themselves). Holm's step-down method keeps the chance of any false "differs" among them at
 * alpha: the test with the r-th smallest p-value (r from 0) is judged at alpha / (m - r) until
 * one holds; every later one is judged at that level too.
 */
export function judgeTree(input: TreeInput, alpha: number): TreeTests {
  // A node no request of the run is expected to reach (a branch of a conditional the run's
  // metadata does not pick) has nothing to be judged on.
  const reached = (node: PlanNode) =>
    input.leafPaths.some(
      (path, i) => path.startsWith(`${node.path}.`) && (input.leafShares[i] ?? 0) > 0,
    );
  const nodes = input.nodes.filter(
    (node) =>
      node.childShares !== null &&
      node.childShares.filter((s) => s > 0).length >= 2 &&
      reached(node),
  );
  const counts = nodes.map((node) => nodeCounts(node, input));
  const top = input.nodes[0];
  const leafTestNeeded = !(
    top?.childShares &&
    top.children.every((child) => input.leafPaths.includes(child)) &&
    nodes.includes(top)
  );
  const family: { counts: readonly number[]; weights: Weights }[] = nodes.map((node, i) => ({
    counts: counts[i] as number[],
    weights: shareWeights(node.childShares as number[]),
  }));
  if (leafTestNeeded) family.push({ counts: input.picked, weights: input.leafShares });
  const levels = holmLevels(
    family.map((f) => judgeSplit(f.counts, f.weights, input.unattributed, alpha).pValue),
    alpha,
  );
  const fits = family.map((f, i) =>
    judgeSplit(f.counts, f.weights, input.unattributed, levels[i] as number),
  );
  const nodeTests: NodeTest[] = nodes.map((node, i) => ({
    path: node.path,
    name: node.name,
    children: node.children,
    expectedShares: [...(family[i]?.weights ?? [])],
    counts: counts[i] as number[],
    fit: fits[i] as FitResult,
  }));
  return {
    nodes: nodeTests,
    leafFit: leafTestNeeded ? (fits[fits.length - 1] as FitResult) : null,
    tests: family.length,
    alpha,
  };
}

/**
 * A config scenario's summary with its tree's tests; its verdict becomes the leaf split's (or,
 * when that is the top node's own, the top node's), judged at its Holm level.
 */
export function withTreeTests(
  summary: ScenarioSummary,
  plan: Pick<ScenarioPlan, 'tree' | 'leaves' | 'weights'>,
  alpha: number,
): ScenarioSummary {
  if (!plan.tree) return summary;
  const leafPaths = summary.targets.map(
    (_, i) => plan.leaves.find((leaf) => leaf.target === i)?.path ?? '',
  );
  const tree = judgeTree(
    {
      picked: summary.targets.map((t) => t.picked),
      unattributed: summary.unattributed,
      leafPaths,
      leafShares: plan.weights,
      nodes: plan.tree.nodes,
    },
    alpha,
  );
  return { ...summary, fit: tree.leafFit ?? tree.nodes[0]?.fit ?? summary.fit, tree };
}

/** For each target of the node: requests whose first choice went through it. */
function nodeCounts(node: PlanNode, input: TreeInput): number[] {
  const counts = node.children.map(() => 0);
  input.leafPaths.forEach((path, leaf) => {
    const child = node.children.findIndex((c) => path === c || path.startsWith(`${c}.`));
    if (child >= 0) counts[child] = (counts[child] as number) + (input.picked[leaf] ?? 0);
  });
  return counts;
}

/** Holm's levels, by position: alpha / (m - r) for the r-th smallest p, frozen at the first hold. */
export function holmLevels(pValues: readonly number[], alpha: number): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const levels = new Array<number>(m).fill(alpha);
  let frozen: number | undefined;
  order.forEach(({ p, i }, r) => {
    const level = frozen ?? alpha / (m - r);
    levels[i] = level;
    if (frozen === undefined && p >= level) frozen = level;
  });
  return levels;
}
