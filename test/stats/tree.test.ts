// The tests of a config's tree: counts per node from the leaves' first choices, and Holm's
// step-down levels checked against values worked out by hand.
import { describe, expect, it } from 'vitest';
import type { PlanNode } from '../../src/model/plan.js';
import { holmLevels, judgeTree } from '../../src/stats/tree.js';
import { shareWeights } from '../../src/weights.js';

describe('holmLevels', () => {
  it('steps down alpha/m, alpha/(m-1), ... while the smallest p-values fall below', () => {
    // m = 3: 0.01 < 0.05/3 rejected; 0.02 < 0.05/2 rejected; 0.04 < 0.05 rejected.
    expect(holmLevels([0.04, 0.01, 0.02], 0.05)).toEqual([0.05, 0.05 / 3, 0.025]);
  });

  it('freezes at the first level that holds: later tests are judged no more leniently', () => {
    // 0.03 >= 0.05/3 holds, so 0.04 is judged at 0.05/3 too (plain Bonferroni-Holm: not rejected).
    const levels = holmLevels([0.03, 0.04], 0.05);
    expect(levels).toEqual([0.025, 0.025]);
    expect(holmLevels([0.02, 0.03, 0.04], 0.05)).toEqual([0.05 / 3, 0.05 / 3, 0.05 / 3]);
  });

  it('is alpha itself for one test', () => {
    expect(holmLevels([0.2], 0.05)).toEqual([0.05]);
  });
});

const node = (path: string, children: string[], childShares: number[] | null): PlanNode => ({
  path,
  mode: childShares ? 'loadbalance' : 'fallback',
  name: undefined,
  weight: undefined,
  children,
  childShares,
});

describe('judgeTree', () => {
  // config: loadbalance [0.5 -> fallback(a, b), 0.5 -> loadbalance(c 0.25, d 0.75)]
  const leafPaths = [
    'config.targets[0].targets[0]',
    'config.targets[0].targets[1]',
    'config.targets[1].targets[0]',
    'config.targets[1].targets[1]',
  ];
  const nodes = [
    node('config', ['config.targets[0]', 'config.targets[1]'], [0.5, 0.5]),
    node('config.targets[0]', leafPaths.slice(0, 2), null),
    node('config.targets[1]', leafPaths.slice(2), [0.25, 0.75]),
  ];
  const leafShares = shareWeights([0.5, 0, 0.125, 0.375]);

  it('counts each node by the first choices below it, and tests the leaves too', () => {
    const tree = judgeTree(
      { picked: [50, 0, 12, 38], unattributed: 0, leafPaths, leafShares, nodes },
      0.05,
    );
    expect(tree.nodes.map((n) => [n.path, n.counts])).toEqual([
      ['config', [50, 50]],
      ['config.targets[1]', [12, 38]],
    ]);
    expect(tree.tests).toBe(3);
    expect(tree.leafFit).not.toBeNull();
    for (const n of tree.nodes) expect(n.fit.outcome).toBe('consistent');
  });

  it('finds the one node that differs, judged at its Holm level', () => {
    // The inner node's 40 / 10 against 0.25 / 0.75: p far below 0.05/3.
    const tree = judgeTree(
      { picked: [50, 0, 40, 10], unattributed: 0, leafPaths, leafShares, nodes },
      0.05,
    );
    const inner = tree.nodes.find((n) => n.path === 'config.targets[1]');
    expect(inner?.fit.outcome).toBe('differs');
    expect(inner?.fit.alpha).toBeCloseTo(0.05 / 3, 12);
    expect(tree.nodes[0]?.fit.outcome).toBe('consistent');
  });

  it('leaves out a node no request is expected to reach, and the leaf test when it repeats the top', () => {
    const flat = [node('config', ['config.targets[0]', 'config.targets[1]'], [0.5, 0.5])];
    const tree = judgeTree(
      {
        picked: [5, 5],
        unattributed: 0,
        leafPaths: ['config.targets[0]', 'config.targets[1]'],
        leafShares: shareWeights([0.5, 0.5]),
        nodes: flat,
      },
      0.05,
    );
    expect(tree.tests).toBe(1);
    expect(tree.leafFit).toBeNull();
    const unreached = judgeTree(
      {
        picked: [60, 0, 0, 0],
        unattributed: 0,
        leafPaths,
        leafShares: shareWeights([1, 0, 0, 0]),
        nodes,
      },
      0.05,
    );
    expect(unreached.nodes.map((n) => n.path)).toEqual(['config']);
  });
});
