// Medians, spreads and the tables the bench prints.

export interface Run {
  tool: string;
  /** Completed requests over the tool's own measuring window, as the tool reports it. */
  reportedRps: number;
  /** Completed requests over the whole process's wall time, startup and drain included. */
  processRps: number;
  /** CPU of the tool's process per completed request (µs). */
  cpuUsPerRequest: number;
  /** CPU of the gateway's processes per request served in the same time (µs). */
  serverUsPerRequest: number;
  errors: number;
  maxRssMb: number;
  load: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** "1,234 [1,100–1,300]": the median and the range of the rounds. */
export function spread(values: readonly number[], digits = 0): string {
  const f = (n: number) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${f(median(values))} [${f(Math.min(...values))}–${f(Math.max(...values))}]`;
}

/** One row per tool, then the ratios of each tool to the first, round by round. */
export function table(runs: readonly Run[], tools: readonly string[]): string {
  const rows = [
    [
      'tool',
      'rounds',
      'req/s (tool)',
      'req/s (whole process)',
      'CPU µs/req',
      'gateway µs/req',
      'errors',
      'peak MB',
    ],
  ];
  for (const tool of tools) {
    const mine = runs.filter((r) => r.tool === tool);
    rows.push([
      tool,
      String(mine.length),
      spread(mine.map((r) => r.reportedRps)),
      spread(mine.map((r) => r.processRps)),
      spread(mine.map((r) => r.cpuUsPerRequest)),
      spread(mine.map((r) => r.serverUsPerRequest)),
      String(mine.reduce((n, r) => n + r.errors, 0)),
      spread(mine.map((r) => r.maxRssMb)),
    ]);
  }
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const [reference, ...others] = tools;
  for (const tool of others) {
    const ratios = (pick: (r: Run) => number) =>
      runs
        .filter((r) => r.tool === reference)
        .map((r, round) => {
          const mine = runs.filter((x) => x.tool === tool)[round];
          return mine ? pick(mine) / pick(r) : Number.NaN;
        })
        .filter((n) => Number.isFinite(n));
    lines.push(
      `${tool} / ${reference}, per round: ${spread(
        ratios((r) => r.processRps),
        2,
      )} whole process, ${spread(
        ratios((r) => r.reportedRps),
        2,
      )} as reported`,
    );
  }
  const loads = runs.map((r) => r.load);
  lines.push(
    `load average (1 min) during the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
  );
  return lines.join('\n');
}
