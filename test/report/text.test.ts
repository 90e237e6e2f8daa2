// The text report, read back from the strings its printers return. Printed from the same results
// document as the HTML page: test/fixtures/*.json are real runs.
import { readFileSync } from 'node:fs';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { parseResultsDocument } from '../../src/report/document.js';
import { formatScenarioResult } from '../../src/report/text/scenario.js';
import { formatChecks, formatComparison, formatSummary } from '../../src/report/text/summary.js';

const plain = new Chalk({ level: 0 });
const load = (name: string) =>
  parseResultsDocument(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'), name);
const streamed = load('results.json');
const resilience = load('results-resilience.json');
/** A real `--scenario retry-schedule -n 1` run: provider calls, fault outcomes, retry gaps. */
const drills = load('results-drills.json');

/** The cells of the table row that starts with `first` (cli-table3's │ borders). */
function row(text: string, first: string): string[] {
  const line = text.split('\n').find((l) => l.split('│')[1]?.trim() === first);
  if (!line) throw new Error(`no row ${first}`);
  return line
    .split('│')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('formatScenarioResult', () => {
  const s = streamed.scenarios[0]!;
  const text = formatScenarioResult(s, plain);

  it('prints the statistics of the scenario', () => {
    expect(row(text, 'Total requests')).toEqual(['Total requests', String(s.requests)]);
    expect(row(text, 'Success rate')).toEqual([
      'Success rate',
      `${(s.success_rate * 100).toFixed(1)}%`,
    ]);
  });

  it('prints one distribution row per target: routed, share, interval, expectation, deviation', () => {
    const ollama = s.targets[0]!;
    expect(ollama.name).toBe('ollama');
    expect(row(text, 'ollama').slice(0, 6)).toEqual([
      'ollama',
      String(ollama.routed),
      `${(ollama.share * 100).toFixed(1)}%`,
      `${(ollama.ci95[0] * 100).toFixed(1)}–${(ollama.ci95[1] * 100).toFixed(1)}%`,
      `${(ollama.expected_share * 100).toFixed(1)}% (${ollama.expected_range[0]}–${ollama.expected_range[1]})`,
      `${ollama.deviation_pp > 0 ? '+' : ''}${ollama.deviation_pp.toFixed(1)} pp`,
    ]);
  });

  it('states the verdict with its method and alpha, and the streaming table when streamed', () => {
    expect(s.load.stream).toBe(true);
    expect(text).toContain(
      `Verdict: ${s.test.verdict} (p = 0.054); Pearson's chi-square test, alpha ${s.test.alpha}.`,
    );
    expect(text).toMatch(/Streaming by target, ms/);
    expect(text).toMatch(/│ Target +│ +n │ TTFT p50 │ TTFT p90 │ TTFT p99 │/);
  });

  it('says so when a run was interrupted', () => {
    expect(formatScenarioResult({ ...s, interrupted: true }, plain)).toContain(
      `Interrupted: ${s.requests} request(s) accounted for of ${s.planned_requests} planned.`,
    );
    expect(text).not.toContain('Interrupted');
  });
});

describe('formatComparison, formatSummary and formatChecks', () => {
  const runs = resilience.scenarios.filter((s) => s.scenario === 'failover');

  it('puts the two runs of a resilience scenario side by side', () => {
    const text = formatComparison(runs, plain);
    expect(text).toContain('Side by side: Failover: a provider goes down mid-run');
    const [without, withFallback] = runs;
    expect(row(text, 'without fallback').slice(0, 5)).toEqual([
      'without fallback',
      String(without!.requests),
      String(without!.succeeded),
      `${(without!.success_rate * 100).toFixed(1)}%`,
      String(without!.fallbacks),
    ]);
    expect(row(text, 'with fallback')[4]).toBe(String(withFallback!.fallbacks));
    expect(text).toMatch(/with fallback: a fallback answer took .* at the median/);
    // Broken 200s and calls per request: none counted in a document from before them.
    expect(row(text, 'with fallback').slice(6, 8)).toEqual(['0', '-']);
  });

  it('shows the broken 200s and the calls per request of each run', () => {
    const text = formatComparison(drills.scenarios, plain);
    expect(row(text, '503, no Retry-After').slice(6, 8)).toEqual(['0', '3.00']);
  });

  it('names the statuses of the failures beside their causes', () => {
    const ranOut = { ...drills.scenarios[4]!, failure_statuses: { '500': 1 } };
    const text = formatComparison([drills.scenarios[3]!, ranOut], plain);
    expect(text).toContain(
      '429 until retries run out, use_retry_after_header: failures provider-error 1 (HTTP 500 1)',
    );
    // A document from before statuses were counted: the causes alone.
    expect(text).toContain('429 until retries run out: failures provider-error 1\n');
  });

  it('summarizes every scenario and closes with what happened', () => {
    const text = formatSummary(resilience.scenarios, false, plain);
    expect(text).toContain('LOAD BALANCING DEMO RESULTS SUMMARY');
    for (const s of resilience.scenarios) expect(text).toContain(s.label);
    const failed = resilience.scenarios.reduce((n, s) => n + s.failed, 0);
    expect(text).toContain(`Demo completed with ${failed} failed request(s).`);
    expect(formatSummary(resilience.scenarios, true, plain)).toContain('Interrupted:');
  });

  it('lists each check with PASS or FAIL and counts the failures', () => {
    const text = formatChecks(resilience.checks, plain);
    const failed = resilience.checks.filter((c) => !c.passed).length;
    expect(failed).toBeGreaterThan(0);
    expect(text.match(/^ {2}FAIL /gm)).toHaveLength(failed);
    expect(text).toContain(
      `${failed} of ${resilience.checks.length} checks failed: exit status 1.`,
    );
    expect(formatChecks([], plain)).toBe('');
  });
});

describe('the provider calls behind a scenario', () => {
  const s = drills.scenarios[1]!;
  const text = formatScenarioResult(s, plain);

  it('states the cost in calls per request, and gives each target its calls', () => {
    expect(text).toContain(
      "Cost: 3 provider call(s) for 1 request(s): 3.00 per request (counted by lb-demo's simulators).",
    );
    expect(row(text, 'vllm').at(-1)).toBe('3');
    expect(row(text, 'ollama').at(-1)).toBe('0');
  });

  it('prints what the faults did, and the retry schedule with the Retry-After verdict', () => {
    expect(row(text, 'error')).toEqual(['error', '1', '1', '0', '0']);
    expect(row(text, '#1')).toEqual(['#1', '1', '1.01 s', '0 ms', '1.01 s', '1.01 s']);
    expect(row(text, '#2')).toEqual(['#2', '1', '2.01 s', '0 ms', '2.01 s', '2.01 s']);
    expect(text).toContain(
      'Retry-After: 0 of 2 retries that followed one waited at least as long (the others came sooner).',
    );
  });

  it('says nothing of calls a document before them did not record', () => {
    const old = formatScenarioResult(resilience.scenarios[0]!, plain);
    expect(old).not.toContain('Cost:');
    expect(old).not.toContain('Retry schedule');
  });
});
