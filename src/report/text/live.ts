// What the text report prints while a run goes: the banner, each scenario's header, a line per
// request or a progress line. Every function returns a string; the caller decides where it goes.
import type { ChalkInstance } from 'chalk';
import { maskUrl } from '../../io/redact.js';
import { oneLine } from '../../io/text.js';
import type { LoadSettings } from '../../model/input.js';
import type { ScenarioPlan } from '../../model/plan.js';
import type { RequestRecord } from '../../model/request.js';
import type { RunContext } from '../../model/run.js';
import { promptFor } from '../../prompts.js';
import { decimal, describeLoad, duration, percent } from '../format.js';

export const RULE = '='.repeat(70);

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
      .map(
        (s) =>
          `${s.target} (${s.kind}-compatible, ~${s.latencyMs} ms${s.faults ? `, faults ${s.faults}` : ''})`,
      )
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
  if (context.shard) {
    const { index, count, runId } = context.shard;
    lines.push(
      c.cyan(
        `Shard ${index} of ${count} (from 0) of run ${runId}: it sends its share of the totals; lb-demo merge judges the run as a whole.`,
      ),
    );
  }
  for (const note of context.notes) lines.push(c.yellow(`Note: ${note}.`));
  return `${lines.join('\n')}\n`;
}

export function formatScenarioHeader(
  plan: ScenarioPlan,
  load: LoadSettings,
  c: ChalkInstance,
): string {
  const lines = [
    '',
    RULE,
    c.bold(`TEST ${plan.number}: ${plan.title}${plan.variant ? ` (${plan.variant})` : ''}`),
    RULE,
    '',
    'Configuration:',
    `  Strategy: ${plan.strategy}`,
    '  Targets:',
  ];
  plan.targets.forEach((target, i) => {
    const weight = plan.weights[i] ?? 0;
    // A config's leaves have no weight of their own: their share is the product along the path
    // (a fallback's later targets get none while the first answers).
    const share = plan.tree
      ? `expected share ${percent(weight)}`
      : `weight ${decimal(weight)} (${percent(weight)})`;
    lines.push(
      `    ${i + 1}. ${target.name} (${target.provider}, model ${target.model}) - ` +
        `${maskUrl(target.customHost)} - ${share}`,
    );
  });
  for (const disruption of plan.disruptions)
    lines.push(`  Fault injected: ${disruption.description}`);
  const amount =
    plan.requests === undefined
      ? `requests for ${decimal((plan.durationMs ?? 0) / 1000)} s`
      : `${plan.requests} request${plan.requests === 1 ? '' : 's'}`;
  lines.push(`  Load: ${describeLoad(load)}`, '', `[Testing] Sending ${amount}...`, '');
  return `${lines.join('\n')}\n`;
}

export function formatRequestLine(
  record: RequestRecord,
  plan: ScenarioPlan,
  c: ChalkInstance,
): string {
  const head = `[Request ${record.seq + 1}/${plan.requests ?? '?'}] '${promptFor(plan, record.seq)}'`;
  const ttft = record.ttftMs === undefined ? '' : ` (first token ${duration(record.ttftMs)})`;
  const retries = record.retries > 0 ? ` | Gateway retries: ${record.retries}` : '';
  const served = `Latency: ${duration(record.latencyMs)}${ttft} | Target: ${targetLabel(record, plan)}${retries}`;
  if (record.ok) {
    return `${head}\n  ${c.green('SUCCESS')}: ${snippet(record.snippet ?? '')}\n  ${served}\n\n`;
  }
  const error = record.error;
  const status = error?.status ? ` ${error.status}` : '';
  return `${head}\n  ${c.red('FAILED')} (${error?.cause ?? 'error'}${status}): ${oneLine(error?.message ?? '')}\n  ${served}\n\n`;
}

export function formatProgress(done: number, total: number | undefined): string {
  return `  Progress: ${done}${total === undefined ? '' : `/${total}`} requests done...\n`;
}

/** "vllm (openai)", "ollama (ollama), fallback for vllm", "vllm (known from its simulator)". */
function targetLabel(record: RequestRecord, plan: ScenarioPlan): string {
  const { pickedIndex: picked, answeredIndex: answered } = record;
  if (picked === null) return record.provider ? `unknown target (${record.provider})` : 'unknown';
  const name = (i: number) => plan.targets[i]?.name ?? `target ${i + 1}`;
  const shown = answered ?? picked;
  const provider = record.provider ?? plan.targets[shown]?.provider ?? '?';
  const source = record.attributedBy === 'simulator' ? ', known from its simulator' : '';
  const fallback = answered !== null && answered !== picked ? `, fallback for ${name(picked)}` : '';
  return `${name(shown)} (${provider}${source})${fallback}`;
}

/** The start of an answer from the network, on one line and without control characters. */
function snippet(text: string, max = 60): string {
  const flat = oneLine(text);
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
