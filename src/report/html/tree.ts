// The config scenario on the HTML page: the user's tree as nested lists, each node and leaf with
// its expected and observed share and each loadbalance's verdict, then the request cases.
import { alphaText, count, fitOf, percent, verdictText } from '../format.js';
import type { NodeEntry, ScenarioEntry } from '../schema.js';
import { type Html, html, table } from './markup.js';

export function treeSection(s: ScenarioEntry): Html {
  if (!s.nodes || !s.leaves) return html``;
  const nodes = new Map(s.nodes.map((n) => [n.path, n]));
  const leaves = new Map(s.leaves.map((l) => [l.path, l]));
  const total = s.leaves.reduce((sum, l) => sum + l.picked, 0);
  const observed = (picked: number) => (total === 0 ? '-' : percent(picked / total));
  const item = (path: string): Html => {
    const node = nodes.get(path);
    const leaf = leaves.get(path);
    const index = path === 'config' ? '' : `[${path.replace(/^.*\[(\d+)\]$/, '$1')}] `;
    if (leaf) {
      const weight = leaf.weight === null ? '' : ` · weight ${leaf.weight}`;
      return html`<li class="leaf" data-path="${leaf.path}"><span class="name">${index}${leaf.name}</span> <span class="muted">${leaf.provider}${leaf.model ? ` · ${leaf.model}` : ''}${weight}</span> <span class="shares">expected ${percent(leaf.expected_share)} · observed ${observed(leaf.picked)} (${count(leaf.picked)}) · answered ${count(leaf.answered)}</span></li>`;
    }
    if (!node) return html`<li>${path}</li>`;
    const weight = node.weight === null ? '' : ` · weight ${node.weight}`;
    return html`<li class="node" data-path="${node.path}"><span class="name">${index}${node.name ? `${node.name}: ` : ''}<strong>${node.mode}</strong></span><span class="muted">${weight}</span> <span class="shares">expected ${percent(node.expected_share)} · observed ${observed(node.picked)} (${count(node.picked)})</span>${testBadge(node)}
<ul>${node.children.map(item)}</ul></li>`;
  };
  const family =
    s.tests_in_family !== null && s.tests_in_family > 1
      ? html`<p class="hint">${s.tests_in_family} tests share alpha ${alphaText(s.family_alpha ?? s.test.alpha)} by Holm's step-down correction; each verdict is at the level shown.</p>`
      : '';
  return html`<h3>Your tree${s.dry_run ? ' (dry run: every leaf is a simulated provider)' : ''}</h3>
<p class="hint">Expected: each leaf's share of these requests from the tree alone, every provider healthy. Observed: the leaf each request was first sent to.</p>
<ul class="config-tree">${item('config')}</ul>
${family}
${casesTable(s)}`;
}

function testBadge(node: NodeEntry): Html {
  if (!node.test) return html``;
  const fit = fitOf(node.test);
  return html` <span class="verdict ${fit.outcome}">split ${verdictText(fit)}, alpha ${alphaText(fit.alpha)}</span>`;
}

function casesTable(s: ScenarioEntry): Html {
  if (!s.cases || s.cases.length === 0) return html``;
  const rows = s.cases.map(
    (k) => html`<tr class="${k.passed ? 'pass' : 'fail'}">
<td class="text">${k.label}${k.source === 'built' ? ' (built)' : ''}${k.expect ? html`<br><span class="muted">you expect: ${k.expect}${k.expect_agrees === false ? ' (the tree disagrees)' : ''}</span>` : ''}</td><td class="text">${k.predicted_leaves.length === 0 ? 'no route (400)' : k.predicted_leaves.join(', ')}</td><td class="text">${k.observed.map((o) => `${o.leaf} ${o.requests}`).join(', ') || '-'}${k.unattributed > 0 ? `, unknown ${k.unattributed}` : ''}</td><td class="text">${k.passed ? 'PASS' : 'FAIL'}: ${k.reason}</td>
</tr>`,
  );
  return html`<h3>Request cases (conditional routing)</h3>
${table(
  'cases-table',
  html`<tr><th class="text">Case</th><th class="text">Predicted leaves</th><th class="text">Observed</th><th class="text">Result</th></tr>`,
  rows,
)}`;
}
