// The config scenario's part of the results document: the leaves and nodes of the user's tree
// with what it predicts and what each got, the tests of its loadbalance nodes, the request
// cases and the lint's findings.
import type { ScenarioResult } from '../model/run.js';
import type { FitResult } from '../model/stats.js';
import { verdictWords } from './format.js';
import { round, roundLatency, significant } from './rounding.js';
import type { CaseEntry, LeafEntry, NodeEntry, ScenarioEntry } from './schema.js';

type TreeFields = Pick<
  ScenarioEntry,
  | 'config_file'
  | 'dry_run'
  | 'leaves'
  | 'nodes'
  | 'tests_in_family'
  | 'family_alpha'
  | 'cases'
  | 'lint'
  | 'shards_homogeneity'
>;

const NONE: TreeFields = {
  config_file: null,
  dry_run: null,
  leaves: null,
  nodes: null,
  tests_in_family: null,
  family_alpha: null,
  cases: null,
  lint: null,
  shards_homogeneity: null,
};

export function treeFields({ plan, summary, cases }: ScenarioResult): TreeFields {
  const tree = plan.tree;
  if (!tree) return NONE;
  const nodeOf = new Map(tree.nodes.map((n) => [n.path, n]));
  const leaves: LeafEntry[] = summary.targets.map((t) => {
    const path = plan.leaves.find((leaf) => leaf.target === t.index)?.path ?? '';
    return {
      path,
      name: t.name,
      provider: t.provider,
      model: plan.targets[t.index]?.model ?? null,
      weight: nodeOf.get(path)?.weight ?? null,
      expected_share: significant(t.expectedShare),
      picked: t.picked,
      answered: t.answered,
      failed: t.failed,
      share: significant(t.share),
      deviation_pp: round(t.deviationPp, 3),
      ci95: [round(t.ci95[0], 6), round(t.ci95[1], 6)],
      latency_ms: roundLatency(t.latencyMs),
    };
  });
  /** A target's name for the words of a verdict: its own, or its place. */
  const nameOf = (path: string) =>
    leaves.find((leaf) => leaf.path === path)?.name ??
    nodeOf.get(path)?.name ??
    path.replace(/^.*\./, '');
  const under = (path: string) =>
    leaves.filter((leaf) => leaf.path === path || leaf.path.startsWith(`${path}.`));
  const nodes: NodeEntry[] = tree.nodes.flatMap((n): NodeEntry[] => {
    if (n.mode === null) return [];
    const test = summary.tree?.nodes.find((t) => t.path === n.path);
    return [
      {
        path: n.path,
        name: n.name ?? null,
        mode: n.mode,
        weight: n.weight ?? null,
        children: n.children,
        expected_share: significant(under(n.path).reduce((s, l) => s + l.expected_share, 0)),
        picked: under(n.path).reduce((s, l) => s + l.picked, 0),
        counts: test?.counts ?? null,
        test: test ? fitEntry(test.fit, test.children.map(nameOf)) : null,
      },
    ];
  });
  return {
    config_file: tree.file,
    dry_run: tree.simulated,
    leaves,
    nodes,
    tests_in_family: summary.tree?.tests ?? null,
    family_alpha: summary.tree?.alpha ?? null,
    cases: cases?.map(caseEntry) ?? null,
    lint: tree.findings,
    shards_homogeneity: null,
  };
}

/** A verdict as the document carries it. */
export function fitEntry(fit: FitResult, names: readonly string[]) {
  return {
    method: fit.method,
    statistic: round(fit.statistic, 6),
    df: fit.df,
    p_value: significant(fit.pValue),
    alpha: significant(fit.alpha),
    consistent: fit.outcome === 'inconclusive' ? null : fit.outcome === 'consistent',
    outcome: fit.outcome,
    reason: fit.reason,
    p_value_range: fit.pValueRange
      ? ([significant(fit.pValueRange[0]), significant(fit.pValueRange[1])] as [number, number])
      : null,
    verdict: verdictWords(fit, names),
    zero_weight_violations: fit.zeroWeightViolations,
    ...(fit.method === 'monte-carlo'
      ? { monte_carlo_samples: fit.monteCarloSamples, seed: fit.monteCarloSeed }
      : {}),
  };
}

function caseEntry(outcome: NonNullable<ScenarioResult['cases']>[number]): CaseEntry {
  const c = outcome.case;
  return {
    label: c.label,
    source: c.source,
    metadata: c.metadata,
    params: c.params,
    expect: c.expect ?? null,
    predicted_leaves: outcome.predictedLeaves,
    predicted_branches: outcome.predictedBranches,
    expect_agrees: outcome.expectAgrees,
    requests: outcome.requests,
    observed: outcome.observed,
    unattributed: outcome.unattributed,
    failed: outcome.failed,
    passed: outcome.passed,
    reason: outcome.reason,
  };
}
