// Issue #6: the self-contained HTML report, read back as markup. The charts are checked against
// the document they were drawn from: bar widths against shares, histogram counts against the
// requests each target served.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResultsDocument, type ResultsDocument } from '../../src/report/document.js';
import { formatP } from '../../src/report/format.js';
import { escapeHtml } from '../../src/report/html/markup.js';
import { renderHtmlReport } from '../../src/report/html/page.js';

const STREAMED_TEXT = readFileSync(new URL('../fixtures/results.json', import.meta.url), 'utf8');
/** A real `--scenario resilience --rate 25` run: failures, fallbacks, retries, failed checks. */
const RESILIENCE_TEXT = readFileSync(
  new URL('../fixtures/results-resilience.json', import.meta.url),
  'utf8',
);
const streamed = parseResultsDocument(STREAMED_TEXT, 'results.json');
const resilience = parseResultsDocument(RESILIENCE_TEXT, 'results-resilience.json');
const streamedPage = renderHtmlReport(streamed);
const resiliencePage = renderHtmlReport(resilience);

// ---------------------------------------------------------------------------------------------
// Reading the markup back.

interface Tag {
  name: string;
  attrs: Record<string, string>;
}

/** Every start tag of the markup with its attributes, unescaped. */
function startTags(markup: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of markup.matchAll(
    /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g,
  )) {
    const attrs: Record<string, string> = {};
    for (const a of (match[2] ?? '').matchAll(/([^\s=>/]+)(?:="([^"]*)")?/g)) {
      attrs[a[1]!] = decode(a[2] ?? '');
    }
    tags.push({ name: match[1]!.toLowerCase(), attrs });
  }
  return tags;
}

function withClass(tags: Tag[], name: string, ...classes: string[]): Tag[] {
  return tags.filter(
    (t) => t.name === name && classes.every((c) => (t.attrs.class ?? '').split(' ').includes(c)),
  );
}

function decode(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** What a reader sees: the text without tags, entities decoded, whitespace folded. */
function visibleText(markup: string): string {
  const text = markup
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<\/?(strong|span|code|a)\b[^>]*>/g, '')
    .replace(/<[^>]*>/g, ' ');
  return decode(text).replace(/\s+/g, ' ').trim();
}

/** The markup of each scenario's <section>, in order. */
function scenarioSections(markup: string): string[] {
  return [...markup.matchAll(/<section class="scenario"[\s\S]*?<\/section>/g)].map((m) => m[0]);
}

/** The markup of the SVG element with this class and data attribute. */
function svgOf(markup: string, className: string, attribute: string, value: string): string {
  const svgs = [...markup.matchAll(/<svg [^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0]);
  const found = svgs.filter((svg) => {
    const tag = startTags(svg)[0];
    return (
      (tag?.attrs.class ?? '').split(' ').includes(className) && tag?.attrs[attribute] === value
    );
  });
  expect(found, `one svg.${className} with ${attribute}=${value}`).toHaveLength(1);
  return found[0]!;
}

function label(s: ResultsDocument['scenarios'][number]): string {
  return s.variant ? `${s.scenario} (${s.variant})` : s.scenario;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

const both = [
  ['the streamed fixture', streamed, streamedPage],
  ['the resilience fixture', resilience, resiliencePage],
] as const;

// ---------------------------------------------------------------------------------------------

describe('renderHtmlReport: the page', () => {
  it('is one HTML document with a title naming the scenarios', () => {
    expect(streamedPage.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(streamedPage.trimEnd().endsWith('</html>')).toBe(true);
    expect(streamedPage).toContain(
      '<title>lb-demo report: round-robin, weighted, distribution</title>',
    );
    expect(streamedPage).toContain('<meta name="viewport" content="width=device-width');
  });

  it('has a header with the version, the masked gateway URL, the embedded gateway and SIMULATED providers with their latencies', () => {
    const header = visibleText(streamedPage.slice(0, streamedPage.indexOf('</header>')));
    expect(header).toContain('lb-demo 0.1.0');
    expect(header).toContain('Gateway http://127.0.0.1:40197/v1');
    expect(header).toContain('Embedded gateway yes: @portkey-ai/gateway 1.15.2');
    expect(header).toContain('Providers were SIMULATED on this machine.');
    expect(header).toContain('ollama: ollama-compatible simulator, about 300 ms per answer');
    expect(header).toContain('vllm-a: openai-compatible simulator, about 15 ms per answer');
    expect(header).toContain('it counted 154 chat completions');
  });

  it('says plainly when the gateway was not embedded and no provider was simulated', () => {
    const page = visibleText(
      renderHtmlReport({ ...streamed, embedded_gateway: null, simulated_providers: [] }),
    );
    expect(page).toContain('Embedded gateway no: a gateway that was already running');
    expect(page).toContain('Providers real: none was simulated by lb-demo');
    expect(page).not.toContain('SIMULATED');
  });

  it('shows each scenario in its own section, in order', () => {
    for (const [, doc, page] of both) {
      const sections = scenarioSections(page);
      expect(sections).toHaveLength(doc.scenarios.length);
      doc.scenarios.forEach((s, i) => {
        expect(startTags(sections[i]!)[0]?.attrs['data-scenario']).toBe(label(s));
        expect(sections[i]).toContain(`<h2>${i + 1}. ${escapeHtml(label(s))}</h2>`);
      });
    }
  });

  it('shows the configuration: targets, normalized weights and load shape', () => {
    const [first] = scenarioSections(streamedPage);
    const text = visibleText(first!);
    expect(text).toContain(
      'Load: closed loop, 4 requests in flight, streamed; 120 requests planned, 120 sent in 4.86 s.',
    );
    expect(text).toContain('1 ollama ollama llama3 http://127.0.0.1:42471 0.333 (33.3%)');
    expect(text).toContain('2 vllm-a openai llama-fp8 http://127.0.0.1:35771/v1 0.333 (33.3%)');
    const weighted = visibleText(scenarioSections(streamedPage)[1]!);
    expect(weighted).toContain('1 ollama ollama llama3 http://127.0.0.1:42471 0.5 (50.0%)');
    expect(weighted).toContain('3 vllm-b openai llama-fp8 http://127.0.0.1:36769/v1 0.2 (20.0%)');

    const sections = scenarioSections(resiliencePage).map(visibleText);
    expect(sections[0]).toContain(
      'Load: open loop, 25 requests/s with Poisson arrivals; 30 requests planned',
    );
    expect(sections[0]).toContain(
      'Fault injected: vllm goes down (connection refused) after 10 requests',
    );
    expect(sections[1]).toContain('Each target is a fallback group over the others');
    expect(sections[3]).toContain('Gateway retry: up to 3 more attempt(s) on status 429, 503');
    expect(sections[4]).toContain('Gateway request timeout: 1,000 ms');
  });
});

describe('renderHtmlReport: the split chart', () => {
  it('draws one chart per scenario with one expected and one observed bar per target, widths proportional to the shares', () => {
    for (const [, doc, page] of both) {
      const charts = withClass(startTags(page), 'svg', 'split-chart');
      expect(charts.map((c) => c.attrs['data-scenario'])).toEqual(doc.scenarios.map(label));

      for (const s of doc.scenarios) {
        const tags = startTags(svgOf(page, 'split-chart', 'data-scenario', label(s)));
        const bars: { width: number; share: number; x: number }[] = [];
        for (const t of s.targets) {
          for (const [kind, share] of [
            ['observed', t.share],
            ['expected', t.expected_share],
          ] as const) {
            const rects = withClass(tags, 'rect', 'bar', kind).filter(
              (r) => r.attrs['data-target'] === t.name,
            );
            expect(rects, `${label(s)} ${t.name} ${kind}`).toHaveLength(1);
            const rect = rects[0]!;
            expect(Number(rect.attrs['data-share'])).toBe(share);
            bars.push({ width: Number(rect.attrs.width), share, x: Number(rect.attrs.x) });
          }
        }
        expect(withClass(tags, 'rect', 'bar')).toHaveLength(2 * s.targets.length);
        // One scale for every bar of the chart, all starting at the same x.
        const scale = Math.max(...bars.map((b) => b.width)) / Math.max(...bars.map((b) => b.share));
        expect(scale).toBeGreaterThan(0);
        for (const bar of bars) {
          expect(bar.width).toBeCloseTo(bar.share * scale, 1);
          expect(bar.x).toBe(bars[0]!.x);
        }
      }
    }
  });

  it('draws the 95% interval as a whisker on the observed bar, on the same scale', () => {
    for (const [, doc, page] of both) {
      for (const s of doc.scenarios) {
        const markup = svgOf(page, 'split-chart', 'data-scenario', label(s));
        const tags = startTags(markup);
        for (const t of s.targets) {
          const bar = withClass(tags, 'rect', 'bar', 'observed').find(
            (r) => r.attrs['data-target'] === t.name,
          )!;
          const whisker = withClass(tags, 'path', 'ci95').filter(
            (p) => p.attrs['data-target'] === t.name,
          );
          expect(whisker).toHaveLength(1);
          const { d, 'data-low': low, 'data-high': high } = whisker[0]!.attrs;
          expect([Number(low), Number(high)]).toEqual(t.ci95);
          // M<x low> <y>H<x high>...: the ends sit where bars of those shares would end.
          const [, xLow, y, xHigh] = /^M([\d.]+) ([\d.]+)H([\d.]+)/.exec(d ?? '')!.map(Number);
          const x0 = Number(bar.attrs.x);
          const scale = Number(bar.attrs.width) / t.share;
          expect(xLow! - x0).toBeCloseTo(t.ci95[0]! * scale, 1);
          expect(xHigh! - x0).toBeCloseTo(t.ci95[1]! * scale, 1);
          const barY = Number(bar.attrs.y);
          expect(y).toBeGreaterThan(barY);
          expect(y).toBeLessThan(barY + Number(bar.attrs.height));
        }
      }
    }
  });

  it('labels every bar with its share as text, and each target with its interval', () => {
    for (const [, doc, page] of both) {
      for (const s of doc.scenarios) {
        const text = visibleText(svgOf(page, 'split-chart', 'data-scenario', label(s)));
        for (const t of s.targets) {
          expect(text).toContain(
            `${t.name} 95% CI ${(t.ci95[0]! * 100).toFixed(1)}–${pct(t.ci95[1]!)} ` +
              `expected ${pct(t.expected_share)} observed ${pct(t.share)}`,
          );
        }
      }
    }
  });

  it('states the verdict in words with the method, statistic, df, p-value and alpha of the document', () => {
    for (const [, doc, page] of both) {
      scenarioSections(page).forEach((section, i) => {
        const { test } = doc.scenarios[i]!;
        // Documents of lb-demo 0.1 were judged by the chi-square approximation.
        expect(test.method).toBe('chi-square');
        expect(visibleText(section)).toContain(
          `Verdict: ${test.verdict} (${formatP(test.p_value)}). Pearson's chi-square test: statistic ${Number(test.statistic.toFixed(3))}, ` +
            `df ${test.df}, ${formatP(test.p_value)}, alpha ${test.alpha}.`,
        );
        expect(section).toContain(`class="verdict ${test.outcome}"`);
      });
    }
    expect(visibleText(streamedPage)).toContain(
      "Verdict: consistent with the configured weights (p = 0.054). Pearson's chi-square test: statistic 5.85, df 2, p = 0.054, alpha 0.05.",
    );
    expect(visibleText(resiliencePage)).toContain(
      "Verdict: differs from the configured weights (p = 0.028). Pearson's chi-square test: statistic 4.8, df 1, p = 0.028, alpha 0.05.",
    );
  });

  it('names the Monte Carlo test with its samples and seed', () => {
    const doc = structuredClone(streamed);
    const first = doc.scenarios[0]!;
    first.test = { ...first.test, method: 'monte-carlo', monte_carlo_samples: 20000, seed: 42 };
    expect(visibleText(renderHtmlReport(doc))).toContain(
      'Monte Carlo multinomial test (20000 samples, seed 42): statistic 5.85',
    );
  });

  it('gives the requests needed to detect a 5 pp skew only when the verdict is consistent and the sample smaller', () => {
    const hint = (n: number, needed: number) =>
      `${n} requests can only reveal a large skew; about ${needed} would detect a 5 pp skew with 80% power.`;
    const sections = scenarioSections(streamedPage).map(visibleText);
    expect(sections[0]).toContain(hint(120, 711));
    expect(sections[1]).toContain(hint(120, 783));
    const resilient = scenarioSections(resiliencePage).map(visibleText);
    expect(resilience.scenarios[0]!.test.consistent).toBe(false);
    expect(resilient[0]).not.toContain('can only reveal');
    expect(resilient[1]).toContain(hint(30, 783));

    const big = structuredClone(streamed);
    big.scenarios[0]!.attributed = 5000;
    expect(visibleText(renderHtmlReport(big))).not.toContain(hint(5000, 711));
  });
});

describe('renderHtmlReport: latency', () => {
  it("draws one histogram per target whose bars add up to the target's successful requests", () => {
    for (const [, doc, page] of both) {
      scenarioSections(page).forEach((section, i) => {
        const s = doc.scenarios[i]!;
        expect(withClass(startTags(section), 'svg', 'latency-histogram')).toHaveLength(
          s.targets.length,
        );
        let total = 0;
        s.targets.forEach((t, ti) => {
          const bins = withClass(
            startTags(svgOf(section, 'latency-histogram', 'data-target', t.name)),
            'rect',
            'bin',
          );
          const sum = bins.reduce((n, b) => n + Number(b.attrs['data-count']), 0);
          expect(sum, `${label(s)} ${t.name}`).toBe(t.count);
          expect(sum).toBe(s.latency_histogram.counts[ti]!.reduce((a, b) => a + b, 0));
          // Bars sit on the document's bin edges, in order, with heights following the counts.
          const edges = s.latency_histogram.edges_ms;
          for (const b of bins) {
            expect(edges).toContain(Number(b.attrs['data-from-ms']));
            expect(edges).toContain(Number(b.attrs['data-to-ms']));
            expect(Number(b.attrs.width)).toBeGreaterThan(0);
          }
          const tallest = bins.reduce((a, b) =>
            Number(b.attrs['data-count']) > Number(a.attrs['data-count']) ? b : a,
          );
          for (const b of bins) {
            expect(Number(b.attrs.height)).toBeLessThanOrEqual(Number(tallest.attrs.height));
          }
          total += sum;
        });
        expect(total).toBe(s.succeeded - s.unattributed);
      });
    }
  });

  it('has a percentile table per scenario: min, avg, p50, p90, p95, p99, max per target and overall', () => {
    const section = scenarioSections(streamedPage)[0]!;
    const table = /<table class="latency-table">[\s\S]*?<\/table>/.exec(section)![0];
    expect(visibleText(table)).toBe(
      'Target n min avg p50 p90 p95 p99 max ' +
        'ollama 52 276 307 303 330 333 401 407 ' +
        'vllm-a 31 33.0 42.4 38.5 46.1 49.1 114 142 ' +
        'vllm-b 37 33.4 41.4 36.7 50.1 57.7 110 139 ' +
        'All targets 120 33.0 157 46.8 321 330 385 407',
    );
  });

  it('shows time to first token, time per output token and tokens/s for streamed runs only', () => {
    for (const [i, section] of scenarioSections(streamedPage).entries()) {
      const s = streamed.scenarios[i]!;
      expect(section).toContain('<table class="streaming-table">');
      const text = visibleText(section);
      expect(text).toContain(`Output tokens/s: ${Number(s.output_tokens_per_s.toFixed(1))}`);
      for (const t of s.targets) {
        expect(t.ttft_ms).not.toBeNull();
        expect(section).toMatch(
          new RegExp(
            `<tr data-target="${t.name}"><td class="text">${t.name}</td><td>${t.ttft_ms!.count}</td>`,
          ),
        );
      }
    }
    const table = /<table class="streaming-table">[\s\S]*?<\/table>/.exec(streamedPage)![0];
    expect(visibleText(table)).toContain('ollama 52 105 112 193 6.02 6.71 6.88 1,748');
    expect(visibleText(table)).toContain('vllm-a 31 38.3 44.5 114 0.004 0.007 0.009 1,029');
    expect(resiliencePage).not.toContain('streaming-table');
    expect(resiliencePage).not.toContain('Output tokens/s');
  });

  it('draws no histogram for a target without a successful request, nor for a scenario where all failed', () => {
    const doc = structuredClone(resilience);
    const s = doc.scenarios[0]!;
    s.latency_histogram = { edges_ms: [], counts: s.targets.map(() => []) };
    s.latency_ms = null;
    for (const t of s.targets) {
      t.latency_ms = null;
      t.count = 0;
    }
    const section = scenarioSections(renderHtmlReport(doc))[0]!;
    expect(section).not.toContain('latency-histogram');
    expect(section.match(/No successful request: nothing to draw\./g)).toHaveLength(2);
    expect(visibleText(section)).toContain('All targets 0 - - - - - - -');
  });
});

describe('renderHtmlReport: outcomes and checks', () => {
  it('lists failures by cause, and per target the failed requests, retries and fallbacks', () => {
    const sections = scenarioSections(resiliencePage);
    expect(sections[0]).toContain(
      '<li data-cause="provider-error"><strong>provider-error</strong>: 14</li>',
    );
    expect(sections[2]).toContain(
      '<li data-cause="provider-error"><strong>provider-error</strong>: 5</li>',
    );
    expect(sections[4]).toContain('<li data-cause="timeout"><strong>timeout</strong>: 2</li>');
    expect(visibleText(sections[1]!)).toContain('Failures by cause: none.');

    const outcomes = (i: number) =>
      visibleText(/<table class="outcomes-table">[\s\S]*?<\/table>/.exec(sections[i]!)![0]);
    expect(outcomes(0)).toBe(
      'Target Picked Answered Failed Retries Fallbacks ollama 9 9 0 0 0 vllm 21 7 14 0 0',
    );
    expect(outcomes(1)).toContain('vllm 16 16 0 0 8');
    expect(outcomes(3)).toContain('vllm 16 16 0 7 0');
    const text = visibleText(sections[0]!);
    expect(text).toContain('Requests 30 of 30 planned Succeeded 16 (53.3%) Failed 14');
    expect(visibleText(sections[3]!)).toContain('Gateway retries 7');
    expect(visibleText(sections[1]!)).toContain(
      'A fallback answer took 304 ms at the median, against 299 ms from the first choice.',
    );
  });

  it('lists every check with PASS or FAIL in words and its message', () => {
    const items = withClass(startTags(resiliencePage), 'li', 'check');
    expect(items).toHaveLength(resilience.checks.length);
    const list = /<ul class="check-list">[\s\S]*?<\/ul>/.exec(resiliencePage)![0];
    const lines = [...list.matchAll(/<li [^>]*>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1]!));
    resilience.checks.forEach((c, i) => {
      expect(lines[i]).toBe(`${c.passed ? 'PASS' : 'FAIL'} --${c.check} ${c.message}`);
      expect(items[i]!.attrs.class).toBe(`check ${c.passed ? 'pass' : 'fail'}`);
    });
    expect(visibleText(resiliencePage)).toContain(
      '5 of 15 checks FAILED: the run exited with status 1.',
    );
    expect(visibleText(streamedPage)).toContain('All 6 checks passed.');
    expect(visibleText(resiliencePage)).toContain(
      'failover (without fallback) 30 53.3% differs (p = 0.028) 2 of 3 FAILED',
    );
  });

  it('says so when no check was asked for', () => {
    const page = renderHtmlReport({ ...streamed, checks: [], checks_passed: null });
    expect(visibleText(page)).toContain('No check was asked for');
    expect(page).not.toContain('class="check ');
  });

  it('renders a document without a scenario (a run stopped before the first one ended)', () => {
    const page = renderHtmlReport(
      parseResultsDocument(
        '{"lb_demo": "0.1.0", "gateway": "http://127.0.0.1:8787/v1", "scenarios": []}',
        'empty.json',
      ),
    );
    expect(page).toContain('<title>lb-demo report: no scenario</title>');
    expect(visibleText(page)).toContain('The document holds no scenario');
    expect(page).not.toContain('class="scenario"');
  });

  it('marks an interrupted run', () => {
    const doc = structuredClone(streamed);
    doc.interrupted = true;
    doc.scenarios[2]!.interrupted = true;
    doc.scenarios[2]!.requests = 57;
    const text = visibleText(renderHtmlReport(doc));
    expect(text).toContain('Interrupted: the run was stopped early');
    expect(text).toContain('Interrupted: 57 request(s) accounted for of 120 planned.');
  });
});

describe('renderHtmlReport: self-contained and safe', () => {
  it('loads nothing: no script, no stylesheet link, no external resource, a CSP that forbids fetches', () => {
    for (const [, doc, page] of both) {
      expect(page).not.toMatch(/<script/i);
      expect(page).not.toMatch(/<link/i);
      expect(page).not.toMatch(/<(img|iframe|object|embed|video|audio|source|base|form)\b/i);
      expect(page).not.toMatch(/url\(|@import|@font-face/i);
      expect(page).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
      );
      for (const tag of startTags(page)) {
        for (const name of ['src', 'href', 'srcset', 'action', 'xlink:href']) {
          const value = tag.attrs[name];
          if (value !== undefined) expect(value, `${tag.name} ${name}`).toMatch(/^#scenario-\d+$/);
        }
      }
      // The gateway URL and the custom hosts are text, never an attribute value.
      const urls = [
        doc.gateway,
        ...doc.scenarios.flatMap((s) => s.targets.map((t) => t.custom_host)),
      ];
      for (const tag of startTags(page)) {
        for (const value of Object.values(tag.attrs)) {
          for (const url of urls) expect(value).not.toContain(url);
        }
      }
      expect(page).toContain(`<span class="url">${doc.gateway}</span>`);
    }
  });

  it('escapes every string from the document', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const quote = '"><svg onload=alert(2)>';
    const doc = structuredClone(streamed);
    doc.gateway = `http://gw.example/${quote}`;
    doc.lb_demo = `0.1.0${evil}`;
    doc.simulated_providers[0]!.target = evil;
    const s = doc.scenarios[0]!;
    s.scenario = quote as typeof s.scenario;
    s.variant = evil;
    s.disruptions = [evil];
    s.targets[0]!.name = evil;
    s.targets[1]!.name = quote;
    s.targets[1]!.provider = `${evil}&`;
    s.targets[1]!.model = quote;
    s.targets[2]!.custom_host = `http://h/${evil}`;
    s.test.outcome = 'inconclusive';
    s.test.reason = evil;
    s.failures = { [evil]: 3 } as typeof s.failures;
    doc.checks[0]!.message = evil;
    doc.checks[0]!.scenario = quote;
    const page = renderHtmlReport(doc);

    // No element or attribute came from the document: only the report's own.
    const names = new Set(startTags(page).map((t) => t.name));
    expect([...names].filter((n) => !ALLOWED_TAGS.has(n))).toEqual([]);
    for (const tag of startTags(page)) {
      for (const name of Object.keys(tag.attrs)) expect(name).not.toMatch(/^on/i);
    }
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<svg onload');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('data-target="&lt;img src=x onerror=alert(1)&gt;"');
    expect(page).toContain('data-target="&quot;&gt;&lt;svg onload=alert(2)&gt;"');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;');
    // Escaped, the text still reads as written.
    const text = visibleText(page);
    expect(text).toContain(`Gateway http://gw.example/${quote}`);
    expect(text).toContain(`Verdict: inconclusive: ${evil}.`);
    expect(text).toContain(`${evil}: 3`);
    expect(text).toContain(`Fault injected: ${evil}`);
  });

  it('gives the same page for the same document', () => {
    expect(renderHtmlReport(streamed)).toBe(streamedPage);
    expect(renderHtmlReport(parseResultsDocument(STREAMED_TEXT, 'again.json'))).toBe(streamedPage);
    expect(renderHtmlReport(structuredClone(resilience))).toBe(resiliencePage);
  });

  it('renders the document as the run hands it over (JSON.parse of the current format)', () => {
    // What a run of this version writes: the fixture with every field it has today.
    const current = JSON.stringify(resilience);
    expect(renderHtmlReport(JSON.parse(current) as ResultsDocument)).toBe(resiliencePage);
  });
});

/** Every element the report itself writes. */
const ALLOWED_TAGS = new Set([
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'header',
  'main',
  'footer',
  'section',
  'h1',
  'h2',
  'h3',
  'p',
  'strong',
  'span',
  'code',
  'a',
  'ul',
  'li',
  'dl',
  'dt',
  'dd',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'svg',
  'g',
  'rect',
  'line',
  'path',
  'text',
]);

// biome-ignore lint/suspicious/noExplicitAny: the tests break the document on purpose, anywhere.
type Json = any;

describe('parseResultsDocument', () => {
  const SOURCE = 'saved/results.json';
  const error = (text: string) => {
    try {
      parseResultsDocument(text, SOURCE);
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      const message = (e as Error).message;
      expect(message.startsWith(`${SOURCE}: `), message).toBe(true);
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error('no error');
  };
  const edited = (edit: (doc: Json) => void) => {
    const doc = JSON.parse(STREAMED_TEXT);
    edit(doc);
    return JSON.stringify(doc);
  };

  it('rejects text that is not JSON, with the reason on one line and the position as line and column', () => {
    // V8's excerpt of the file is left out: it may span lines.
    expect(error('<html>\n<body>')).toBe(`${SOURCE}: not valid JSON (Unexpected token '<')`);
    expect(error('{"scenarios": []} x')).toBe(
      `${SOURCE}: not valid JSON (Unexpected non-whitespace character after JSON at line 1, column 19)`,
    );
    expect(error('{\n  "a" 1\n}')).toBe(
      `${SOURCE}: not valid JSON (Expected ':' after property name at line 2, column 7)`,
    );
    expect(error('')).toBe(`${SOURCE}: not valid JSON (Unexpected end of JSON input)`);
  });

  it('rejects JSON that is not a results document', () => {
    expect(error('[1, 2]')).toBe(
      `${SOURCE}: not an lb-demo results document: the document must be an object, got an array`,
    );
    expect(error('null')).toBe(
      `${SOURCE}: not an lb-demo results document: the document must be an object, got null`,
    );
    // The first field missing, in the document's order.
    expect(error('{"targets": []}')).toBe(
      `${SOURCE}: not an lb-demo results document: lb_demo is missing`,
    );
    expect(error(edited((d) => delete d.scenarios))).toBe(
      `${SOURCE}: not an lb-demo results document: scenarios is missing`,
    );
  });

  it('names the field of the wrong type', () => {
    const cases: [(doc: Json) => void, string][] = [
      [(d) => (d.scenarios = { a: 1 }), 'scenarios must be an array, got an object'],
      [(d) => (d.scenarios[0] = 'x'), 'scenarios[0] must be an object, got the string "x"'],
      [(d) => (d.gateway = 8787), 'gateway must be a string, got number 8787'],
      [
        (d) => (d.scenarios[1].targets[2].share = '25%'),
        'scenarios[1].targets[2].share must be a number, got the string "25%"',
      ],
      [(d) => delete d.scenarios[0].targets[0].name, 'scenarios[0].targets[0].name is missing'],
      [
        (d) => (d.scenarios[0].targets[1].ci95 = [0.1]),
        'scenarios[0].targets[1].ci95 must hold 2 numbers, not 1',
      ],
      [
        (d) => (d.scenarios[2].test.p_value = null),
        'scenarios[2].test.p_value must be a number, got null',
      ],
      [
        (d) => (d.scenarios[0].test.method = 'g-test'),
        'scenarios[0].test.method must be one of chi-square, exact-binomial, exact-multinomial, monte-carlo, got the string "g-test"',
      ],
      [
        (d) => (d.scenarios[0].load.mode = 'burst'),
        'scenarios[0].load.mode must be "closed-loop" or "open-loop", got the string "burst"',
      ],
      [
        (d) => d.scenarios[0].latency_histogram.counts.pop(),
        'scenarios[0].latency_histogram.counts must hold one row per target (3), not 2',
      ],
      [
        (d) => d.scenarios[0].latency_histogram.counts[1].pop(),
        'scenarios[0].latency_histogram.counts[1] must hold 40 numbers, not 39',
      ],
      [
        (d) => (d.scenarios[0].targets[0].latency_ms.p99 = 'slow'),
        'scenarios[0].targets[0].latency_ms.p99 must be a number, got the string "slow"',
      ],
      [
        (d) => (d.scenarios[0].failures = { timeout: '2' }),
        'scenarios[0].failures.timeout must be a number, got the string "2"',
      ],
      [
        (d) => (d.checks[3].passed = 'yes'),
        'checks[3].passed must be true or false, got the string "yes"',
      ],
      [
        (d) => (d.embedded_gateway = 'yes'),
        'embedded_gateway must be an object, got the string "yes"',
      ],
    ];
    for (const [edit, problem] of cases) {
      expect(error(edited(edit))).toBe(`${SOURCE}: not an lb-demo results document: ${problem}`);
    }
  });

  it('fills in the fields an older document lacks', () => {
    // results.json predates variant, disruptions, gateway_config, fallbacks and faults.
    expect(JSON.parse(STREAMED_TEXT).scenarios[0].variant).toBeUndefined();
    const s = streamed.scenarios[0]!;
    expect(s.variant).toBeNull();
    expect(s.disruptions).toEqual([]);
    expect(s.gateway_config).toEqual({ retry: null, request_timeout_ms: null, fallback: false });
    expect(s.fallbacks).toBe(0);
    expect(s.fallback_latency_ms).toBeNull();
    expect(s.direct_latency_ms).toBeNull();
    expect(s.targets[0]!.fallbacks).toBe(0);
    expect(streamed.simulated_providers[0]!.faults).toBeNull();
  });

  it('keeps a current document as it is', () => {
    // Read, written again as this version writes it, and read back: nothing changes.
    const current = JSON.stringify(resilience);
    const again = parseResultsDocument(current, 'current.json');
    expect(again).toEqual(resilience);
    expect(JSON.stringify(again)).toBe(current);
    expect(Object.keys(resilience)).toEqual(Object.keys(JSON.parse(RESILIENCE_TEXT)));
  });
});

describe('the provider calls section', () => {
  const drills = parseResultsDocument(
    readFileSync(new URL('../fixtures/results-drills.json', import.meta.url), 'utf8'),
    'results-drills.json',
  );
  const page = renderHtmlReport(drills);

  it('carries the cost, the fault outcomes and the retry schedule, in the words of the text', () => {
    expect(page).toContain(
      escapeHtml(
        "3 provider call(s) for 1 request(s): 3.00 per request (counted by lb-demo's simulators).",
      ),
    );
    expect(page.match(/<table class="fault-outcomes">/g)?.length).toBe(5);
    expect(page.match(/<table class="retry-schedule">/g)?.length).toBe(5);
    expect(page).toContain('use_retry_after_header');
    expect(page).toMatch(/<td class="text">#2<\/td>\s*<td>1<\/td>\s*<td>2.01 s<\/td>/);
  });

  it('has no such section for a document without calls', () => {
    expect(resiliencePage).not.toContain('class="fault-outcomes"');
    expect(resiliencePage).not.toContain('<h3>Provider calls</h3>');
  });
});
