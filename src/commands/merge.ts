// `lb-demo merge shard-*.json` (or `-` for a stream of documents, such as the concatenated
// `kubectl logs` of a Job): the shards of one run as one run, judged once.
import { EXIT, UsageError, WriteError } from '../errors.js';
import { evaluateGate, viewOfEntry } from '../gate.js';
import { findDocuments } from '../io/documents.js';
import { readTextFile, writeFileSafely } from '../io/files.js';
import { type CliIO, colours } from '../io/streams.js';
import { printable } from '../io/text.js';
import type { CheckOutcome } from '../model/stats.js';
import { maskDocument, parseResultsDocument } from '../report/document.js';
import { checkName } from '../report/format.js';
import { renderHtmlReport } from '../report/html/page.js';
import { formatResultsJson } from '../report/json.js';
import { type MergedRun, mergeShards, type Shard } from '../report/merge.js';
import type { ResultsDocument } from '../report/schema.js';
import { formatScenarioResult } from '../report/text/scenario.js';
import { formatChecks, formatSummary } from '../report/text/summary.js';

export interface MergeOptions {
  json?: boolean;
  out?: string;
  report?: string;
  allowPartial?: boolean;
}

/** Most text read from one input: a thousand shards' documents fit many times over. */
const MAX_STREAM_BYTES = 256 * 1024 * 1024;

export async function mergeCommand(
  inputs: readonly string[],
  options: MergeOptions,
  io: CliIO,
): Promise<number> {
  const shards = await readShards(inputs, io);
  const merged = mergeShards(shards);
  const document = judge(merged, options.allowPartial === true);
  const text = formatResultsJson(document);
  const c = colours(io.stdout, io.env);
  const failed = document.checks.filter((check) => !check.passed);
  if (options.json) {
    io.stdout.write(text);
    for (const check of failed)
      io.stderr.write(`lb-demo: FAIL ${checkName(check.check)} ${check.message}\n`);
  } else {
    io.stdout.write(coverageLine(merged, c));
    for (const entry of document.scenarios) {
      io.stdout.write(`\n${c.bold(`${entry.label}: merged over ${shards.length} shard(s)`)}\n`);
      io.stdout.write(formatScenarioResult(entry, c));
    }
    io.stdout.write(formatSummary(document.scenarios, document.interrupted, c));
    io.stdout.write(formatChecks(document.checks, c));
  }
  let written = true;
  for (const [path, input, render] of [
    [options.out, '--out', () => text],
    [options.report, '--report', () => renderHtmlReport(document)],
  ] as const) {
    if (!path) continue;
    try {
      writeFileSafely(path, render(), input);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      io.stderr.write(`lb-demo: ${error.message}\n`);
      written = false;
    }
  }
  if (!written) return EXIT.writeFailed;
  return failed.length > 0 ? EXIT.checkFailed : EXIT.ok;
}

/** The merged document with its checks: the shards' own, on all of them, and the coverage. */
function judge(merged: MergedRun, allowPartial: boolean): ResultsDocument {
  const { document } = merged;
  const checks: CheckOutcome[] = [coverageCheck(merged, allowPartial)];
  checks.push(
    ...evaluateGate(
      document.scenarios.map((entry) => ({
        scenario: entry.label,
        view: viewOfEntry(entry),
      })),
      merged.gate,
    ),
  );
  return {
    ...document,
    checks: checks.map((check) => ({
      ...check,
      value: check.value === null ? null : Number(check.value.toPrecision(6)),
    })),
    checks_passed: checks.every((check) => check.passed),
  };
}

function coverageCheck(merged: MergedRun, allowPartial: boolean): CheckOutcome {
  const count = merged.complete.length + merged.missing.length + merged.incomplete.length;
  const gaps = [
    ...merged.missing.map((i) => `shard ${i} missing`),
    ...merged.incomplete.map((i) => `shard ${i} cut short`),
  ];
  const whole = gaps.length === 0;
  return {
    check: 'shard-coverage',
    scenario: 'all',
    passed: whole || allowPartial,
    value: merged.complete.length,
    threshold: count,
    message: `coverage ${merged.complete.length} of ${count} shards${whole ? '' : `: ${gaps.join(', ')}${allowPartial ? ' (--allow-partial: merged what there is)' : ''}`}`,
  };
}

function coverageLine(merged: MergedRun, c: ReturnType<typeof colours>): string {
  const count = merged.complete.length + merged.missing.length + merged.incomplete.length;
  const line = `Merged run ${merged.runId}: ${merged.complete.length} of ${count} shards complete`;
  return `${merged.complete.length === count ? c.green(line) : c.yellow(line)}\n`;
}

async function readShards(inputs: readonly string[], io: CliIO): Promise<Shard[]> {
  if (inputs.length === 0)
    throw new UsageError('merge: give the shards’ documents, or - to read them from stdin');
  const shards: Shard[] = [];
  for (const input of inputs) {
    const shown = input === '-' ? 'stdin' : printable(input);
    const text =
      input === '-'
        ? await readStdin(io)
        : (readTextFile(input, shown, { maxBytes: MAX_STREAM_BYTES }) ?? '');
    const found = findDocuments(text);
    for (const line of found.cutShort) {
      io.stderr.write(
        `lb-demo: ${shown}: a document at line ${line} is cut short (its pod stopped mid-print?); skipped\n`,
      );
    }
    // Other JSON on a line of its own (a structured log line) is not a shard's: skipped.
    const documents = found.documents.filter((d) => looksLikeResults(d.text));
    if (documents.length === 0) throw new UsageError(`${shown}: no results document in it`);
    for (const found of documents) {
      const source = documents.length > 1 ? `${shown} (document at line ${found.line})` : shown;
      shards.push({ source, document: maskDocument(parseResultsDocument(found.text, source)) });
    }
  }
  return shards;
}

/** An object with the fields every results document has; a log line's object has not. */
function looksLikeResults(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'object' && value !== null && 'lb_demo' in value && 'scenarios' in value
    );
  } catch {
    // Not JSON after all: parseResultsDocument says so, naming the line.
    return true;
  }
}

async function readStdin(io: CliIO): Promise<string> {
  if (!io.stdin) throw new UsageError('merge -: no standard input to read');
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.length > MAX_STREAM_BYTES)
      throw new UsageError(`stdin: more than ${MAX_STREAM_BYTES} bytes`);
  }
  return text;
}
