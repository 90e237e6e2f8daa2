// The lint's findings as text: one line each, the worst first. Returns strings.
import type { ChalkInstance } from 'chalk';
import { printable } from '../../io/text.js';
import type { LintFinding } from '../../model/tree.js';

const ORDER: Record<LintFinding['severity'], number> = { error: 0, warning: 1, info: 2 };

/** "error    config.targets[1].weight  negative-weight  ..." lines, and a count. */
export function formatFindings(
  file: string,
  findings: readonly LintFinding[],
  c: ChalkInstance,
): string {
  if (findings.length === 0) return `${c.green('✓')} ${printable(file)}: no problems found\n`;
  const paint = { error: c.red, warning: c.yellow, info: c.dim };
  const sorted = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const lines = sorted.map(
    (f) =>
      `  ${paint[f.severity](f.severity.padEnd(7))} ${f.path}  ${c.dim(f.rule)}\n          ${f.message}`,
  );
  const tally = (['error', 'warning', 'info'] as const)
    .map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity}${n === 1 ? '' : 's'}`)
    .join(', ');
  return `${printable(file)}: ${tally}\n${lines.join('\n')}\n`;
}
