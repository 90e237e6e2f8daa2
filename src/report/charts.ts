// Terminal pictures drawn with Unicode blocks. Readable without colour: labels carry the meaning.
import type { ChalkInstance } from 'chalk';
import type { LatencyHistogram } from '../model/stats.js';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const LEVELS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A horizontal bar `width` cells long at full share, with eighth-cell resolution. */
export function bar(fraction: number, width: number): string {
  const eighths = Math.round(Math.min(Math.max(fraction, 0), 1) * width * 8);
  const full = Math.floor(eighths / 8);
  return '█'.repeat(full) + (EIGHTHS[eighths % 8] ?? '');
}

export interface ShareRow {
  name: string;
  share: number;
  expectedShare: number;
}

/** Observed against expected share per target, e.g. for a 25/75 config. */
export function shareBars(rows: readonly ShareRow[], c: ChalkInstance, width = 40): string {
  const nameWidth = Math.min(Math.max(...rows.map((r) => r.name.length), 6), 14);
  const lines: string[] = [];
  for (const row of rows) {
    const name = padName(row.name, nameWidth);
    const observed = bar(row.share, width);
    const expected = bar(row.expectedShare, width);
    lines.push(
      `  ${name} observed ${c.cyan(observed.padEnd(width))} ${percent(row.share)}`,
      `  ${' '.repeat(nameWidth)} expected ${c.dim(expected.padEnd(width))} ${percent(row.expectedShare)}`,
    );
  }
  return lines.join('\n');
}

/**
 * One row per target over a shared logarithmic axis, so a provider 20 times faster than another
 * sits visibly apart. Each row is scaled to its own tallest bin.
 */
export function latencyRows(
  histogram: LatencyHistogram,
  names: readonly string[],
  formatMs: (ms: number) => string,
): string {
  const { edgesMs, counts } = histogram;
  const bins = edgesMs.length - 1;
  if (bins < 1) return '';
  const nameWidth = Math.min(Math.max(...names.map((n) => n.length), 6), 14);
  const lines = counts.map((row, i) => {
    const peak = Math.max(...row);
    const cells = row
      .map((n) =>
        n === 0 || peak === 0 ? ' ' : (LEVELS[Math.max(1, Math.round((n / peak) * 8))] ?? '█'),
      )
      .join('');
    const total = row.reduce((a, b) => a + b, 0);
    return `  ${padName(names[i] ?? '', nameWidth)} │${cells}│ n=${total}`;
  });
  const low = formatMs(edgesMs[0] ?? 0);
  const mid = formatMs(Math.sqrt((edgesMs[0] ?? 0) * (edgesMs[bins] ?? 0)));
  const high = formatMs(edgesMs[bins] ?? 0);
  lines.push(`  ${' '.repeat(nameWidth)} ${axis(bins + 2, low, mid, high)}`);
  return lines.join('\n');
}

/** A ruler line with labels at the left end, the middle (if it fits) and the right end. */
function axis(width: number, low: string, mid: string, high: string): string {
  const cells = Array.from({ length: Math.max(width, low.length + high.length + 1) }, () => ' ');
  const put = (text: string, at: number) => {
    for (let i = 0; i < text.length; i++) cells[at + i] = text[i] ?? ' ';
  };
  put(low, 0);
  put(high, cells.length - high.length);
  const midAt = Math.round(cells.length / 2 - mid.length / 2);
  if (midAt > low.length + 1 && midAt + mid.length < cells.length - high.length - 1)
    put(mid, midAt);
  return cells.join('').trimEnd();
}

function padName(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`.padStart(6);
}
