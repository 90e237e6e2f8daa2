// Issue #6: the HTML report as a browser draws it. Headless Chromium (Debian's package, driven by
// playwright-core) opens the rendered fixture from a file at desktop and at phone width: the
// charts must be drawn, the page must not scroll sideways on a phone, no label may be clipped or
// overlap another, and the page must make no request but for itself. Screenshots are left in
// test-output/ for a person to look at.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResultsDocument } from '../../src/report/document.js';
import { renderHtmlReport } from '../../src/report/html/page.js';

const CHROMIUM = '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
if (!installed) {
  console.warn(
    `test/report/html.browser.test.ts: SKIPPED: Chromium is not installed (${CHROMIUM} does not exist). ` +
      'Install it with: apt-get update && apt-get install -y chromium',
  );
}

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

/** `histogramsPer`: the latency histograms each scenario with a success draws, at least. */
function reportFile(
  fixture: string,
  name: string,
  histogramsPer = 2,
): { path: string; scenarios: number; histograms: number; zeroShares: boolean } {
  const text = readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8');
  const doc = parseResultsDocument(text, fixture);
  mkdirSync(OUTPUT, { recursive: true });
  const path = `${OUTPUT}${name}`;
  writeFileSync(path, renderHtmlReport(doc));
  const answered = doc.scenarios.filter((s) => s.succeeded > 0).length;
  // A target of weight 0 (as in the drills) has bars of width 0: a share of 0, drawn as such.
  const zeroShares = doc.scenarios.some((s) => s.targets.some((t) => t.expected_share === 0));
  return {
    path,
    scenarios: doc.scenarios.length,
    histograms: histogramsPer * answered,
    zeroShares,
  };
}

/**
 * The little of the DOM the in-page checks use. The project's TypeScript has no DOM library (it
 * is a Node CLI); these functions run in the page, where `globalThis` is the window.
 */
interface Dom {
  document: {
    querySelectorAll(selector: string): ArrayLike<DomElement>;
    scrollingElement: { scrollWidth: number } | null;
  };
  innerWidth: number;
  getComputedStyle(element: DomElement): {
    overflowX: string;
    backgroundColor: string;
    breakInside: string;
  };
}

interface DomElement {
  tagName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): {
    left: number;
    right: number;
    top: number;
    bottom: number;
    width: number;
    height: number;
  };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

interface Opened {
  context: BrowserContext;
  page: Page;
  requests: string[];
  problems: string[];
}

describe.skipIf(!installed)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let streamed: ReturnType<typeof reportFile>;
  let resilience: ReturnType<typeof reportFile>;
  let drills: ReturnType<typeof reportFile>;

  beforeAll(async () => {
    streamed = reportFile('results.json', 'report.html');
    resilience = reportFile('results-resilience.json', 'report-resilience.html');
    // Not streamed, and two runs without a success (retries that ran out): fewer histograms.
    drills = reportFile('results-drills.json', 'report-drills.html', 1);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh context per page, recording every request and every console error. */
  async function open(path: string, viewport: { width: number; height: number }): Promise<Opened> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    return { context, page, requests, problems };
  }

  /** Size of each chart, bar and bin as drawn. */
  async function drawn(page: Page) {
    return page.evaluate(() => {
      const { document } = globalThis as unknown as Dom;
      const box = (selector: string) =>
        Array.from(document.querySelectorAll(selector)).map((element) => {
          const r = element.getBoundingClientRect();
          return { width: r.width, height: r.height };
        });
      return {
        splitCharts: box('svg.split-chart'),
        histograms: box('svg.latency-histogram'),
        observed: box('rect.bar.observed'),
        expected: box('rect.bar.expected'),
        bins: box('rect.bin'),
        whiskers: box('path.ci95'),
      };
    });
  }

  /**
   * Text of each chart that sticks out of its SVG (and so is clipped) or overlaps another text of
   * the same chart, as drawn by the browser.
   */
  async function labelProblems(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const { document } = globalThis as unknown as Dom;
      const found: string[] = [];
      for (const chart of Array.from(document.querySelectorAll('svg.chart'))) {
        const frame = chart.getBoundingClientRect();
        const texts = Array.from(chart.querySelectorAll('text')).map((t) => ({
          text: t.textContent ?? '',
          r: t.getBoundingClientRect(),
        }));
        const name = `${chart.getAttribute('class')} ${chart.getAttribute('data-scenario') ?? chart.getAttribute('data-target')}`;
        for (const { text, r } of texts) {
          if (
            r.left < frame.left - 0.5 ||
            r.right > frame.right + 0.5 ||
            r.top < frame.top - 0.5 ||
            r.bottom > frame.bottom + 0.5
          ) {
            found.push(`${name}: "${text}" is clipped`);
          }
        }
        for (let i = 0; i < texts.length; i++) {
          for (let j = i + 1; j < texts.length; j++) {
            const a = texts[i]!.r;
            const b = texts[j]!.r;
            const overlap =
              Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
              Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
            if (overlap) found.push(`${name}: "${texts[i]!.text}" overlaps "${texts[j]!.text}"`);
          }
        }
      }
      return found;
    });
  }

  async function checkPage(
    report: ReturnType<typeof reportFile>,
    viewport: { width: number; height: number },
    screenshot?: string,
  ) {
    const { context, page, requests, problems } = await open(report.path, viewport);
    try {
      const sizes = await drawn(page);
      expect(sizes.splitCharts).toHaveLength(report.scenarios);
      expect(sizes.histograms.length).toBeGreaterThanOrEqual(report.histograms);
      for (const list of [sizes.splitCharts, sizes.histograms, sizes.observed, sizes.whiskers]) {
        for (const { width, height } of list) {
          const bar = list === sizes.observed;
          expect(width).toBeGreaterThanOrEqual(bar && report.zeroShares ? 0 : Number.MIN_VALUE);
          expect(height).toBeGreaterThan(0);
        }
      }
      expect(sizes.observed.length).toBe(sizes.expected.length);
      const drawnBars = sizes.expected.filter((b) => b.width > 0).length;
      expect(drawnBars).toBe(report.zeroShares ? report.scenarios : sizes.expected.length);
      expect(sizes.bins.length).toBeGreaterThan(0);
      expect(sizes.bins.every((b) => b.width > 0 && b.height > 0)).toBe(true);
      // Charts scale with the page: never wider than it.
      for (const chart of [...sizes.splitCharts, ...sizes.histograms]) {
        expect(chart.width).toBeLessThanOrEqual(viewport.width);
      }

      const { scrollWidth, innerWidth } = await page.evaluate(() => {
        const { document, innerWidth } = globalThis as unknown as Dom;
        return { scrollWidth: document.scrollingElement?.scrollWidth ?? 0, innerWidth };
      });
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth + 1);
      expect(await labelProblems(page)).toEqual([]);

      if (screenshot) await page.screenshot({ path: `${OUTPUT}${screenshot}`, fullPage: true });
      expect(requests).toEqual([pathToFileURL(report.path).href]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }

  it('draws the streamed fixture at desktop width, with no request but the file', async () => {
    await checkPage(streamed, DESKTOP, 'report-desktop.png');
  });

  it('fits a 375 px phone screen: no sideways scrolling, charts drawn, tables scroll inside', async () => {
    await checkPage(streamed, PHONE, 'report-phone.png');
    const { context, page } = await open(streamed.path, PHONE);
    try {
      // Wide tables scroll in their wrapper rather than widening the page.
      const wrappers = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as Dom;
        return Array.from(document.querySelectorAll('.table-wrap')).map((w) => ({
          overflow: getComputedStyle(w).overflowX,
          right: w.getBoundingClientRect().right,
        }));
      });
      expect(wrappers.length).toBeGreaterThan(0);
      for (const w of wrappers) {
        expect(w.overflow).toBe('auto');
        expect(w.right).toBeLessThanOrEqual(PHONE.width);
      }
    } finally {
      await context.close();
    }
  });

  it('draws the resilience fixture (failures, fallbacks, failed checks) at both widths', async () => {
    await checkPage(resilience, DESKTOP);
    await checkPage(resilience, PHONE, 'report-resilience-phone.png');
  });

  it('draws the drills fixture (provider calls, fault outcomes, retry schedule) at both widths', async () => {
    await checkPage(drills, DESKTOP);
    await checkPage(drills, PHONE, 'report-drills-phone.png');
  });

  it('prints on white, and keeps each chart on one page', async () => {
    const { context, page } = await open(streamed.path, DESKTOP);
    try {
      await page.emulateMedia({ media: 'print' });
      const styles = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as Dom;
        const dark: string[] = [];
        for (const element of Array.from(document.querySelectorAll('body, body *'))) {
          const colour = getComputedStyle(element).backgroundColor;
          const rgb = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(colour);
          if (!rgb || Number(rgb[4] ?? 1) === 0) continue;
          const [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number) as [number, number, number];
          if (0.2126 * r + 0.7152 * g + 0.0722 * b < 200) dark.push(`${element.tagName} ${colour}`);
        }
        const figures = Array.from(document.querySelectorAll('figure')).map(
          (f) => getComputedStyle(f).breakInside,
        );
        return { dark, figures };
      });
      expect(styles.dark).toEqual([]);
      expect(styles.figures.length).toBeGreaterThan(0);
      expect(new Set(styles.figures)).toEqual(new Set(['avoid']));
    } finally {
      await context.close();
    }
  });
});
