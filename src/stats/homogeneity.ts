// Did every shard see the same split? A test of homogeneity of the shards × targets table of
// picks: when shards reach different gateway replicas, a replica with a stale config shows here.
// Pure.
import type { Outcome } from '../model/stats.js';
import { mt19937 } from './mt19937.js';
import { regularizedGammaQ } from './special.js';

export interface HomogeneityTest {
  /** chi-square when every expected cell is at least 5 (Cochran's rule), else Monte Carlo. */
  method: 'chi-square' | 'monte-carlo';
  statistic: number;
  df: number;
  pValue: number;
  alpha: number;
  outcome: Outcome;
  /** Why inconclusive; null otherwise. */
  reason: string | null;
  monteCarloSamples?: number;
  seed?: number;
}

const SAMPLES = 10_000;
const SEED = 1;
/** Above this many requests the table is large enough for the chi-square approximation. */
const MONTE_CARLO_MAX_REQUESTS = 100_000;

/**
 * Pearson's X² of the table against independence (every shard the same split), over the rows
 * and columns that hold any request. Monte Carlo draws tables with the same margins by
 * shuffling the requests' targets among the shards (a permutation test).
 */
export function testHomogeneity(
  table: readonly (readonly number[])[],
  alpha: number,
): HomogeneityTest {
  const columns = (table[0] ?? [])
    .map((_, j) => j)
    .filter((j) => table.some((row) => (row[j] ?? 0) > 0));
  const rows = table.map((row) => columns.map((j) => row[j] ?? 0)).filter((row) => sum(row) > 0);
  const result = (
    outcome: Outcome,
    reason: string | null,
    fields: Partial<HomogeneityTest> = {},
  ) => ({
    method: 'chi-square' as const,
    statistic: 0,
    df: 0,
    pValue: 1,
    alpha,
    outcome,
    reason,
    ...fields,
  });
  if (rows.length < 2)
    return result('inconclusive', 'fewer than two shards with requests: nothing to compare');
  if (columns.length < 2) {
    return result('consistent', null); // every request went to the same target in every shard
  }
  const statistic = chiSquare(rows);
  const df = (rows.length - 1) * (columns.length - 1);
  const total = sum(rows.map(sum));
  const smallest = Math.min(
    ...rows.flatMap((row) =>
      columns.map((_, j) => (sum(row) * sum(rows.map((r) => r[j] ?? 0))) / total),
    ),
  );
  if (smallest >= 5 || total > MONTE_CARLO_MAX_REQUESTS) {
    const pValue = regularizedGammaQ(df / 2, statistic / 2);
    return result(pValue < alpha ? 'differs' : 'consistent', null, { statistic, df, pValue });
  }
  const pValue = permutationP(rows, statistic);
  return result(pValue < alpha ? 'differs' : 'consistent', null, {
    method: 'monte-carlo',
    statistic,
    df,
    pValue,
    monteCarloSamples: SAMPLES,
    seed: SEED,
  });
}

function chiSquare(rows: readonly (readonly number[])[]): number {
  const total = sum(rows.map(sum));
  const columnTotals = (rows[0] ?? []).map((_, j) => sum(rows.map((r) => r[j] ?? 0)));
  let x2 = 0;
  for (const row of rows) {
    const rowTotal = sum(row);
    row.forEach((observed, j) => {
      const expected = (rowTotal * (columnTotals[j] ?? 0)) / total;
      if (expected > 0) x2 += (observed - expected) ** 2 / expected;
    });
  }
  return x2;
}

/** (1 + tables at least as extreme) / (1 + draws): never 0, as a permutation p-value should be. */
function permutationP(rows: readonly (readonly number[])[], observed: number): number {
  const next = mt19937(SEED);
  const random = () => next() / 2 ** 32;
  const labels = (rows[0] ?? []).flatMap((_, j) =>
    new Array<number>(sum(rows.map((r) => r[j] ?? 0))).fill(j),
  );
  const sizes = rows.map(sum);
  let extreme = 0;
  for (let b = 0; b < SAMPLES; b++) {
    for (let i = labels.length - 1; i > 0; i--) {
      const k = Math.floor(random() * (i + 1));
      const t = labels[i] as number;
      labels[i] = labels[k] as number;
      labels[k] = t;
    }
    let at = 0;
    const drawn = sizes.map((size) => {
      const row = new Array<number>((rows[0] ?? []).length).fill(0);
      for (let n = 0; n < size; n++) {
        const j = labels[at++] as number;
        row[j] = (row[j] as number) + 1;
      }
      return row;
    });
    if (chiSquare(drawn) >= observed - 1e-9) extreme += 1;
  }
  return (1 + extreme) / (1 + SAMPLES);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
