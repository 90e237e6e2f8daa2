// cli-table3 tables as the text report draws them.
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';

type Align = 'left' | 'right';

/** A compact table; the first column left-aligned, the others right-aligned unless told. */
export function newTable(c: ChalkInstance, head: string[] = [], colAligns?: Align[]): Table.Table {
  return new Table({
    ...(head.length > 0 ? { head } : {}),
    // cli-table3 colours headers itself; with colour off it must not.
    style:
      c.level > 0
        ? { head: ['cyan'], border: ['grey'], compact: true }
        : { head: [], border: [], compact: true },
    colAligns: colAligns ?? head.map((_, i) => (i === 0 ? 'left' : 'right')),
  });
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
