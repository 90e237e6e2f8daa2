// mergeShards on documents made from a fixture: counts add, the verdict is judged again on the
// sums, and documents that are not the shards of one run are refused with one line.
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { parseResultsDocument } from '../../src/report/document.js';
import { renderHtmlReport } from '../../src/report/html/page.js';
import { mergeShards, type Shard } from '../../src/report/merge.js';
import type { ResultsDocument, ScenarioEntry } from '../../src/report/schema.js';
import { formatScenarioResult } from '../../src/report/text/scenario.js';
import { judgeSplit } from '../../src/stats/verdict.js';
import { shareWeights } from '../../src/weights.js';

const fixture = parseResultsDocument(
  readFileSync(new URL('../fixtures/results-open-loop.json', import.meta.url), 'utf8'),
  'results-open-loop.json',
);

function shard(index: number, count: number, options: { runId?: string; fp?: string } = {}) {
  const document: ResultsDocument = {
    ...structuredClone(fixture),
    shard: {
      run_id: options.runId ?? 'r1',
      index,
      count,
      fingerprint: options.fp ?? 'abc',
      alpha: 0.05,
      gate: { fail_on_skew: true, min_success_rate_pct: null, max_p99_ms: null },
    },
  };
  return { source: `shard-${index}.json`, document } satisfies Shard;
}

describe('mergeShards', () => {
  it('adds counts and judges the summed picks again', () => {
    const merged = mergeShards([shard(0, 3), shard(1, 3), shard(2, 3)]);
    const [one] = fixture.scenarios;
    const [all] = merged.document.scenarios;
    expect(all?.requests).toBe(3 * (one?.requests ?? 0));
    const picks = one?.targets.map((t) => 3 * t.picked) ?? [];
    expect(all?.targets.map((t) => t.picked)).toEqual(picks);
    const expected = judgeSplit(
      picks,
      shareWeights(one?.targets.map((t) => t.expected_share) ?? []),
      3 * (one?.unattributed ?? 0),
      0.05,
    );
    expect(all?.test.p_value).toBeCloseTo(expected.pValue, 6);
    // Three identical shards: the same split, exactly.
    expect(all?.shards_homogeneity?.outcome).toBe('consistent');
    expect(all?.shards_homogeneity?.p_value).toBeCloseTo(1, 9);
    expect(merged.document.merged).toMatchObject({ shards: 3, complete: [0, 1, 2], missing: [] });
    expect(merged.gate.failOnSkew).toBe(true);
    const page = renderHtmlReport(merged.document);
    expect(page).toContain('3 of 3 shards complete');
    expect(page).toMatch(/Across shards:<\/strong> the shards saw the same split \(p = 1\.00;/);
    expect(formatScenarioResult(all as ScenarioEntry, new Chalk({ level: 0 }))).toMatch(
      /Across shards: the shards saw the same split \(p = 1\.00; Pearson's chi-square test/,
    );
  });

  it('adds what the requests cost the providers and what each fault did', () => {
    const shards = [shard(0, 2), shard(1, 2)];
    shards.forEach((s, i) => {
      const entry = s.document.scenarios[0] as ScenarioEntry;
      entry.provider_calls = {
        total: entry.requests + 5 * (i + 1),
        per_request: 0,
        source: i === 0 ? 'simulators' : 'headers',
        unknown_requests: i,
      };
      entry.fault_outcomes = [
        { fault: 'cut', requests: 3 + i, succeeded: 0, broken_answers: 3 + i, errors: 0 },
      ];
      entry.targets.forEach((t) => {
        t.provider_calls = t.answered + i;
      });
    });
    const [all] = mergeShards(shards).document.scenarios;
    const [one] = fixture.scenarios;
    const requests = 2 * (one?.requests ?? 0);
    expect(all?.provider_calls).toEqual({
      total: requests + 15,
      per_request: Number(((requests + 15) / requests).toFixed(4)),
      source: 'mixed',
      unknown_requests: 1,
    });
    expect(all?.fault_outcomes).toEqual([
      { fault: 'cut', requests: 7, succeeded: 0, broken_answers: 7, errors: 0 },
    ]);
    expect(all?.targets.map((t) => t.provider_calls)).toEqual(
      one?.targets.map((t) => 2 * t.answered + 1),
    );
  });

  it('measures the run from the first shard to start to the last to end', () => {
    const [a, b] = [shard(0, 2), shard(1, 2)];
    const [one] = fixture.scenarios;
    const elapsed = one?.elapsed_ms ?? 0;
    (a.document.scenarios[0] as ScenarioEntry).started_at = '2026-11-26T10:00:00.000Z';
    (b.document.scenarios[0] as ScenarioEntry).started_at = '2026-11-26T10:00:01.500Z';
    const [all] = mergeShards([a, b]).document.scenarios;
    expect(all?.started_at).toBe('2026-11-26T10:00:00.000Z');
    expect(all?.elapsed_ms).toBeCloseTo(1500 + elapsed, 3);
    const requests = 2 * (one?.requests ?? 0);
    expect(all?.requests_per_s).toBeCloseTo((requests * 1000) / (1500 + elapsed), 1);
    // Without start times: the shards' rates added, over the longest shard.
    const [added] = mergeShards([shard(0, 2), shard(1, 2)]).document.scenarios;
    expect(added?.started_at).toBeNull();
    expect(added?.requests_per_s).toBeCloseTo(2 * (one?.requests_per_s ?? 0), 2);
  });

  it('says which shards are missing or cut short', () => {
    const cut = shard(3, 4);
    cut.document.interrupted = true;
    const merged = mergeShards([shard(0, 4), cut]);
    expect([merged.complete, merged.missing, merged.incomplete]).toEqual([[0], [1, 2], [3]]);
  });

  it('refuses other runs, other settings, a shard twice, and a whole run', () => {
    expect(() => mergeShards([shard(0, 2), shard(1, 2, { runId: 'r2' })])).toThrow(
      /^shard-1\.json: shard of run r2, not of run r1 \(shard-0\.json\)/,
    );
    expect(() => mergeShards([shard(0, 2), shard(1, 2, { fp: 'def' })])).toThrow(
      /with other settings/,
    );
    expect(() => mergeShards([shard(0, 2), shard(1, 3)])).toThrow(/with other settings/);
    expect(() => mergeShards([shard(0, 2), shard(0, 2)])).toThrow(/shard 0 is also in/);
    expect(() => mergeShards([{ source: 'run.json', document: fixture }])).toThrow(
      /run\.json: not a shard's document/,
    );
  });
});
