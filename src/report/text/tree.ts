// The config scenario in text: the user's tree with each node's and leaf's expected and observed
// share and each loadbalance's verdict, then the request cases. Returns strings.
import type { ChalkInstance } from 'chalk';
import { alphaText, count, fitOf, percent, verdictText } from '../format.js';
import type { LeafEntry, NodeEntry, ScenarioEntry } from '../schema.js';
import { indent, newTable } from './table.js';

export function formatTree(s: ScenarioEntry, c: ChalkInstance): string[] {
  if (!s.nodes || !s.leaves) return [];
  const nodes = new Map(s.nodes.map((n) => [n.path, n]));
  const leaves = new Map(s.leaves.map((l) => [l.path, l]));
  const total = s.leaves.reduce((sum, l) => sum + l.picked, 0);
  const lines = [
    '  Your tree: expected share of these requests (every provider healthy) -> observed share of first choices',
  ];
  const walk = (path: string, prefix: string, last: boolean, top: boolean) => {
    const node = nodes.get(path);
    const leaf = leaves.get(path);
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const index = top ? '' : `[${path.replace(/^.*\[(\d+)\]$/, '$1')}] `;
    const label = node ? nodeLabel(node, c) : leaf ? leafLabel(leaf) : path;
    const entry = node ?? leaf;
    const shares = entry ? shareWords(entry.expected_share, entry.picked, total) : '';
    lines.push(`  ${prefix}${branch}${index}${label}  ${c.dim(shares)}`);
    if (node?.test)
      lines.push(`  ${prefix}${top ? '' : last ? '   ' : '│  '}${testWords(node, c)}`);
    const children = node?.children ?? [];
    const inner = top ? '' : `${prefix}${last ? '   ' : '│  '}`;
    for (const [i, child] of children.entries()) {
      walk(child, inner, i === children.length - 1, false);
    }
  };
  walk('config', '', true, true);
  if (s.tests_in_family !== null && s.tests_in_family > 1) {
    lines.push(
      c.dim(
        `  ${s.tests_in_family} tests (each loadbalance's split, and the leaves' when it says more) share alpha ${alphaText(s.family_alpha ?? s.test.alpha)} by Holm's step-down correction: each is judged at the level shown.`,
      ),
    );
  }
  return lines;
}

function nodeLabel(node: NodeEntry, c: ChalkInstance): string {
  const name = node.name ? `${node.name}: ` : '';
  const weight = node.weight === null ? '' : ` weight ${node.weight}`;
  return `${name}${c.bold(node.mode)}${weight}`;
}

function leafLabel(leaf: LeafEntry): string {
  const weight = leaf.weight === null ? '' : ` weight ${leaf.weight}`;
  return `${leaf.name} (${leaf.provider}${leaf.model ? `, ${leaf.model}` : ''})${weight}`;
}

function shareWords(expected: number, picked: number, total: number): string {
  const observed = total === 0 ? '-' : percent(picked / total);
  return `${percent(expected)} -> ${observed} (${count(picked)})`;
}

function testWords(node: NodeEntry, c: ChalkInstance): string {
  if (!node.test) return '';
  const fit = fitOf(node.test);
  const paint =
    fit.outcome === 'consistent' ? c.green : fit.outcome === 'differs' ? c.red : c.yellow;
  return paint(`   split ${verdictText(fit)}, alpha ${alphaText(fit.alpha)}`);
}

/** The truth table of the conditional routing: case, predicted, observed, verdict. */
export function formatCases(s: ScenarioEntry, c: ChalkInstance): string[] {
  if (!s.cases || s.cases.length === 0) return [];
  const table = newTable(
    c,
    ['Case', 'Predicted', 'Observed', 'Result'],
    ['left', 'left', 'left', 'left'],
  );
  for (const k of s.cases) {
    const predicted =
      k.predicted_leaves.length === 0 ? 'no route (400)' : k.predicted_leaves.join(', ');
    const branches =
      k.predicted_branches.length > 0 ? ` via ${k.predicted_branches.join(' > ')}` : '';
    const observed =
      k.observed.map((o) => `${o.leaf} ${o.requests}`).join(', ') +
      (k.unattributed > 0 ? `${k.observed.length > 0 ? ', ' : ''}unknown ${k.unattributed}` : '');
    const expect = k.expect
      ? `\nyou expect: ${k.expect}${k.expect_agrees === false ? ' (the tree disagrees)' : ''}`
      : '';
    table.push([
      `${k.label}${k.source === 'user' ? '' : c.dim(' (built)')}${expect}`,
      `${predicted}${branches}`,
      observed || '-',
      k.passed ? c.green(`PASS ${k.reason}`) : c.red(`FAIL ${k.reason}`),
    ]);
  }
  const per = s.cases[0]?.requests ?? 0;
  return [
    '',
    `  Request cases (conditional routing), ${per} request(s) each:`,
    indent(table.toString()),
  ];
}
