// The end of the text report: runs side by side, the summary of every scenario, the checks.

import type { ChalkInstance } from 'chalk';
import { brokenAnswers, callsPerRequest } from '../calls.js';
import {
  checkName,
  count,
  duration,
  fitOf,
  percent,
  scenarioLabel,
  signedDuration,
  verdictText,
} from '../format.js';
import type { CheckEntry, ScenarioEntry } from '../schema.js';
import { RULE } from './live.js';
import { newTable } from './table.js';

/** A resilience scenario's runs side by side: without and with the gateway feature. */
export function formatComparison(runs: readonly ScenarioEntry[], c: ChalkInstance): string {
  const table = newTable(c, [
    'Run',
    'Requests',
    'Succeeded',
    'Success',
    'Fallbacks',
    'Retries',
    'Broken 200s',
    'Calls/request',
    'p50',
    'p99',
  ]);
  for (const s of runs) {
    table.push([
      s.variant ?? s.scenario,
      count(s.requests),
      count(s.succeeded),
      percent(s.success_rate),
      count(s.fallbacks),
      count(s.retries),
      count(brokenAnswers(s)),
      callsPerRequest(s),
      s.latency_ms ? duration(s.latency_ms.p50) : '-',
      s.latency_ms ? duration(s.latency_ms.p99) : '-',
    ]);
  }
  const lines = ['', c.bold(`Side by side: ${runs[0]?.title ?? ''}`), table.toString()];
  for (const s of runs) {
    const name = s.variant ?? s.scenario;
    const causes = Object.entries(s.failures)
      .map(([cause, n]) => `${cause} ${count(n)}`)
      .join(', ');
    const statuses = Object.entries(s.failure_statuses)
      .map(([status, n]) => `HTTP ${status} ${count(n)}`)
      .join(', ');
    lines.push(`  ${name}: failures ${causes || 'none'}${statuses ? ` (${statuses})` : ''}`);
    const direct = s.direct_latency_ms;
    const fallback = s.fallback_latency_ms;
    if (direct && fallback) {
      lines.push(
        `  ${name}: a fallback answer took ${duration(fallback.p50)} at the median, against ${duration(direct.p50)} from the first choice (${signedDuration(fallback.p50 - direct.p50)})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function formatSummary(
  scenarios: readonly ScenarioEntry[],
  interrupted: boolean,
  c: ChalkInstance,
): string {
  const table = newTable(
    c,
    ['Scenario', 'Requests', 'Success rate', 'Avg latency', 'Distribution'],
    ['left', 'right', 'right', 'right', 'left'],
  );
  for (const s of scenarios) {
    const split = s.targets.map((t) => `${t.name} ${count(t.count)}`).join(', ');
    table.push([
      scenarioLabel({ name: s.scenario, variant: s.variant }),
      count(s.requests),
      percent(s.success_rate),
      s.latency_ms ? duration(s.latency_ms.avg) : '-',
      split + (s.unattributed ? `, unattributed ${count(s.unattributed)}` : ''),
    ]);
  }
  const failed = scenarios.reduce((n, s) => n + s.failed, 0);
  const closing = interrupted
    ? c.yellow('Interrupted: the figures above cover the requests that completed.')
    : failed > 0
      ? c.yellow(`Demo completed with ${failed} failed request(s).`)
      : c.green('Demo completed: every request succeeded.');
  const verdicts = scenarios.map((s) => {
    const fit = fitOf(s.test);
    const label = scenarioLabel({ name: s.scenario, variant: s.variant });
    const text = `${label}: ${verdictText(
      fit,
      s.targets.map((t) => t.name),
    )}`;
    return `  ${fit.outcome === 'consistent' ? text : fit.outcome === 'differs' ? c.red(text) : c.yellow(text)}`;
  });
  return [
    '',
    RULE,
    c.bold('LOAD BALANCING DEMO RESULTS SUMMARY'),
    RULE,
    table.toString(),
    'Split against the configured weights:',
    ...verdicts,
    closing,
    '',
  ].join('\n');
}

export function formatChecks(checks: readonly CheckEntry[], c: ChalkInstance): string {
  if (checks.length === 0) return '';
  const lines = ['', c.bold('Checks:')];
  for (const o of checks) {
    lines.push(
      `  ${o.passed ? c.green('PASS') : c.red('FAIL')} ${checkName(o.check)} ${o.message}`,
    );
  }
  const failed = checks.filter((o) => !o.passed).length;
  lines.push(
    failed === 0
      ? c.green(`All ${checks.length} checks passed.`)
      : c.red(`${failed} of ${checks.length} checks failed: exit status 1.`),
  );
  return `${lines.join('\n')}\n`;
}
