// Human output. Every function returns a string; the caller decides where it goes.
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { RequestRecord } from '../runner.js';
import type { ScenarioPlan } from '../scenarios.js';
import type { ScenarioSummary } from '../stats.js';
import { maskUrl } from '../validate.js';

export interface RunContext {
  version: string;
  gatewayUrl: string;
  /** Set when lb-demo started the gateway itself. */
  embeddedGateway?: { version: string };
  /** Targets served by a simulator started by lb-demo. */
  simulated: { target: string; kind: string; latencyMs: number; url: string }[];
}

export interface ScenarioResult {
  plan: ScenarioPlan;
  summary: ScenarioSummary;
  /** The run was interrupted before all requests were sent. */
  interrupted: boolean;
}

const RULE = '='.repeat(70);

export function formatBanner(context: RunContext, c: ChalkInstance): string {
  const lines = [c.bold(`lb-demo ${context.version}`)];
  if (context.embeddedGateway) {
    lines.push(
      `Gateway: ${context.gatewayUrl} (embedded Portkey AI Gateway ${context.embeddedGateway.version}, loopback only)`,
    );
  } else {
    lines.push(`Gateway: ${maskUrl(context.gatewayUrl)}`);
  }
  if (context.simulated.length > 0) {
    const list = context.simulated
      .map((s) => `${s.target} (${s.kind}-compatible, ~${s.latencyMs} ms)`)
      .join(', ');
    lines.push(
      c.yellow(`Providers are SIMULATED on this machine: ${list}.`),
      c.dim(
        "  Answers and latencies are made up; the routing is the real gateway's. To use real Ollama/vLLM,",
      ),
      c.dim(
        '  set OLLAMA_URL and VLLM_URL (and GATEWAY_URL for your own gateway) in .env; see README.',
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function formatScenarioHeader(plan: ScenarioPlan, c: ChalkInstance): string {
  const lines = [
    '',
    RULE,
    c.bold(`TEST ${plan.number}: ${plan.title}`),
    RULE,
    '',
    'Configuration:',
    `  Strategy: ${plan.strategy}`,
    '  Targets:',
  ];
  plan.config.targets.forEach((target, i) => {
    const spec = plan.targets[i];
    lines.push(
      `    ${i + 1}. ${spec?.name ?? target.provider} (${target.provider}, model ${target.override_params.model}) - ` +
        `${maskUrl(target.custom_host)} - weight ${formatWeight(target.weight)} (${formatPercent(target.weight)})`,
    );
  });
  lines.push(
    '',
    `[Testing] Sending ${plan.requests} request${plan.requests === 1 ? '' : 's'}...`,
    '',
  );
  return `${lines.join('\n')}\n`;
}

export function formatRequestLine(
  record: RequestRecord,
  plan: ScenarioPlan,
  c: ChalkInstance,
): string {
  const head = `[Request ${record.seq + 1}/${plan.requests}] '${record.prompt}'`;
  const served = `Latency: ${formatDuration(record.latencyMs)} | Target: ${targetLabel(record, plan)}`;
  if (record.ok) {
    return `${head}\n  ${c.green('SUCCESS')}: ${snippet(record.answer ?? '')}\n  ${served}\n\n`;
  }
  const error = record.error;
  const status = error?.status ? ` ${error.status}` : '';
  return `${head}\n  ${c.red('FAILED')} (${error?.cause ?? 'error'}${status}): ${error?.message ?? ''}\n  ${served}\n\n`;
}

export function formatProgress(done: number, total: number): string {
  return `  Progress: ${done}/${total} requests done...\n`;
}

export function formatScenarioResult(result: ScenarioResult, c: ChalkInstance): string {
  const { summary, plan } = result;
  const stats = new Table({ style: tableStyle(c) });
  stats.push(
    { 'Total requests': String(summary.requests) },
    { Successful: String(summary.succeeded) },
    { Failed: summary.failed > 0 ? c.red(String(summary.failed)) : '0' },
    { 'Success rate': formatPercent(summary.successRate) },
  );
  if (summary.latencyMs) {
    stats.push(
      { 'Avg latency': formatDuration(summary.latencyMs.avg) },
      {
        'Min / max latency': `${formatDuration(summary.latencyMs.min)} / ${formatDuration(summary.latencyMs.max)}`,
      },
    );
  }
  for (const [cause, count] of Object.entries(summary.failuresByCause)) {
    stats.push({ [`Failed: ${cause}`]: String(count) });
  }

  const withFailures = summary.targets.some((t) => t.failed > 0);
  const head = ['Target', 'Provider', 'Requests', 'Observed', 'Expected', 'Deviation'];
  if (withFailures) head.push('Failed');
  const split = new Table({
    head,
    style: tableStyle(c),
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const t of summary.targets) {
    const row = [
      t.name,
      t.provider,
      String(t.count),
      formatPercent(t.share),
      formatPercent(t.expectedShare),
      formatPp(t.deviationPp),
    ];
    if (withFailures) row.push(t.failed > 0 ? c.red(String(t.failed)) : '0');
    split.push(row);
  }

  const lines = [''];
  if (result.interrupted) {
    lines.push(
      c.yellow(`  Interrupted: ${summary.requests} of ${plan.requests} requests completed.`),
    );
  }
  lines.push(
    '  Statistics:',
    indent(stats.toString()),
    '',
    '  Distribution (successful requests per target):',
    indent(split.toString()),
  );
  if (summary.unattributed > 0) {
    lines.push(
      c.yellow(
        `  ${summary.unattributed} successful request(s) could not be attributed: the gateway sent no last-used-option-index header.`,
      ),
    );
  }
  lines.push(
    c.dim(
      "  The gateway picks each request's target at random by weight, so small runs stray from the weights;",
    ),
    c.dim('  the split settles as the number of requests grows (try --requests 500).'),
  );
  return `${lines.join('\n')}\n`;
}

export function formatSummary(results: readonly ScenarioResult[], c: ChalkInstance): string {
  const table = new Table({
    head: ['Scenario', 'Requests', 'Success rate', 'Avg latency', 'Distribution'],
    style: tableStyle(c),
    colAligns: ['left', 'right', 'right', 'right', 'left'],
  });
  for (const { plan, summary } of results) {
    const split = summary.targets.map((t) => `${t.name} ${t.count}`).join(', ');
    table.push([
      plan.name,
      String(summary.requests),
      formatPercent(summary.successRate),
      summary.latencyMs ? formatDuration(summary.latencyMs.avg) : '-',
      split + (summary.unattributed ? `, unattributed ${summary.unattributed}` : ''),
    ]);
  }
  const failed = results.reduce((n, r) => n + r.summary.failed, 0);
  const interrupted = results.some((r) => r.interrupted);
  const closing = interrupted
    ? c.yellow('Interrupted: the figures above cover the requests that completed.')
    : failed > 0
      ? c.yellow(`Demo completed with ${failed} failed request(s).`)
      : c.green('Demo completed: every request succeeded.');
  return `\n${RULE}\n${c.bold('LOAD BALANCING DEMO RESULTS SUMMARY')}\n${RULE}\n${table.toString()}\n${closing}\n`;
}

function targetLabel(record: RequestRecord, plan: ScenarioPlan): string {
  if (record.targetIndex === null)
    return record.provider ? `unknown target (${record.provider})` : 'unknown';
  const spec = plan.targets[record.targetIndex];
  return `${spec?.name ?? `target ${record.targetIndex + 1}`} (${record.provider ?? spec?.provider ?? '?'})`;
}

function tableStyle(c: ChalkInstance): { head: string[]; border: string[]; compact: boolean } {
  // cli-table3 colours headers itself; with colour off it must not.
  return c.level > 0
    ? { head: ['cyan'], border: ['grey'], compact: true }
    : { head: [], border: [], compact: true };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function snippet(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(3)} s`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

function formatWeight(weight: number): string {
  return Number(weight.toFixed(3)).toString();
}

function formatPp(pp: number): string {
  const rounded = Math.abs(pp) < 0.05 ? 0 : pp;
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(1)} pp`;
}
