// The text report and the HTML page print every figure they share with the same formatter, so
// the same run reads the same in both: each table cell is compared, text against HTML.
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { parseResultsDocument } from '../../src/report/document.js';
import { scenarioLabel } from '../../src/report/format.js';
import { renderHtmlReport } from '../../src/report/html/page.js';
import { formatScenarioResult } from '../../src/report/text/scenario.js';
import { formatSummary } from '../../src/report/text/summary.js';

const plain = new Chalk({ level: 0 });

/** Rows of the text tables: the cells between cli-table3's │ borders, keyed by the first cell. */
function textRows(text: string): Map<string, string[]>[] {
  const tables: Map<string, string[]>[] = [];
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.includes('┌')) {
      current = new Map();
      tables.push(current);
    }
    if (!current || !line.includes('│')) continue;
    const cells = line
      .split('│')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells[0]) current.set(cells[0], cells);
  }
  return tables;
}

/** Rows of an HTML table of this class: the text of each cell, keyed by the first cell. */
function htmlRows(page: string, tableClass: string): Map<string, string[]> {
  const table = new RegExp(`<table class="${tableClass}">([\\s\\S]*?)</table>`).exec(page)?.[1];
  const rows = new Map<string, string[]>();
  for (const tr of table?.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g) ?? []) {
    const cells = [...(tr[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) =>
      (td[1] ?? '')
        .replace(/<[^>]+>/g, '')
        .replaceAll('&amp;', '&')
        .trim(),
    );
    if (cells[0]) rows.set(cells[0], cells);
  }
  return rows;
}

for (const fixture of ['results.json', 'results-resilience.json', 'results-config.json']) {
  const doc = parseResultsDocument(
    readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8'),
    fixture,
  );
  const page = renderHtmlReport(doc);
  // The page holds every scenario; each is cut out by its section.
  const sections = page.split('<section class="scenario"').slice(1);

  describe(`${fixture}: text and HTML print the same figures`, () => {
    doc.scenarios.forEach((s, i) => {
      const html = sections[i] ?? '';
      const tables = textRows(formatScenarioResult(s, plain));
      const withColumn = (column: string) => tables.find((t) => t.get('Target')?.includes(column));
      const distribution = withColumn('95% CI');
      const latency = withColumn('min');
      const label = s.label || scenarioLabel({ name: s.scenario, variant: s.variant });

      it(`${label}: the split, per target`, () => {
        const split = htmlRows(html, 'split-table');
        for (const t of s.targets) {
          const text = distribution?.get(t.name);
          const cells = split.get(t.name);
          // routed, observed share, 95% interval, deviation
          expect([text?.[1], text?.[2], text?.[3], text?.[5]]).toEqual([
            cells?.[1],
            cells?.[2],
            cells?.[3],
            cells?.[6],
          ]);
          // the expected share, and its range of counts
          expect(text?.[4]).toBe(`${cells?.[4]} (${cells?.[5]})`);
        }
      });

      it(`${label}: latency percentiles, per target`, () => {
        const table = htmlRows(html, 'latency-table');
        for (const t of s.targets) {
          if (!t.latency_ms) continue;
          expect(latency?.get(t.name), t.name).toEqual(table.get(t.name));
        }
      });
    });

    it('the summary: requests, success rate and verdict of each scenario', () => {
      const summary = htmlRows(page, 'summary-table');
      const text = formatSummary(doc.scenarios, doc.interrupted, plain);
      const [table] = textRows(text);
      for (const s of doc.scenarios) {
        const label = s.label || scenarioLabel({ name: s.scenario, variant: s.variant });
        const cells = summary.get(label);
        expect(table?.get(label)?.slice(1, 3)).toEqual(cells?.slice(1, 3));
        // "consistent (p = 0.28)" on the page, "...consistent with the configured weights (p = 0.28)"
        const p = /\(p [=<] [^)]*\)/.exec(cells?.[3] ?? '')?.[0];
        expect(p).toBeDefined();
        expect(text).toContain(`${label}: ${s.test.verdict} ${p}`);
      }
    });
  });
}
