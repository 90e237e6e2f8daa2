// The shards of one run, merged into the document of the run as a whole: counts add, the
// verdicts are judged again on the sums, and each scenario says whether the shards saw the same
// split. Pure: documents in, a document out.
import { UsageError } from '../errors.js';
import type { GateSettings, Weights } from '../model/input.js';
import { MAX_RELATIVE_ERROR } from '../stats/histogram.js';
import { testHomogeneity } from '../stats/homogeneity.js';
import { binomialCountRange, wilsonInterval } from '../stats/intervals.js';
import { requestsToDetectSkew } from '../stats/power.js';
import { judgeSplit } from '../stats/verdict.js';
import { shareWeights } from '../weights.js';
import { fitEntry } from './json-tree.js';
import { mergeLatency } from './merge-latency.js';
import { round, significant } from './rounding.js';
import type { ResultsDocument, ScenarioEntry, TargetEntry } from './schema.js';

export interface Shard {
  /** Where it came from, for messages: a file name, or "stdin, document 3". */
  source: string;
  document: ResultsDocument;
}

export interface MergedRun {
  runId: string;
  document: ResultsDocument;
  /** The checks every shard was run with: judged once, on the merged data. */
  gate: GateSettings;
  /** Shards whose document is there and complete, and those missing or cut short. */
  complete: number[];
  missing: number[];
  incomplete: number[];
}

/**
 * Checks that the documents are shards of one run (same run id, same fingerprint, same count,
 * each index once) and merges them. Anything else is one line naming the document.
 */
export function mergeShards(shards: readonly Shard[]): MergedRun {
  const first = shards[0];
  if (!first) throw new UsageError('merge: no results document given');
  const head = shardOf(first);
  const seen = new Map<number, string>();
  for (const shard of shards) {
    const s = shardOf(shard);
    if (s.run_id !== head.run_id) {
      throw new UsageError(
        `${shard.source}: shard of run ${s.run_id}, not of run ${head.run_id} (${first.source}): shards of different runs cannot be merged`,
      );
    }
    if (s.fingerprint !== head.fingerprint || s.count !== head.count) {
      throw new UsageError(
        `${shard.source}: run ${s.run_id} with other settings than ${first.source} (fingerprint ${s.fingerprint}, ${s.count} shards; against ${head.fingerprint}, ${head.count}): every shard must run the same scenarios, targets, config, checks and totals`,
      );
    }
    const other = seen.get(s.index);
    if (other !== undefined) {
      throw new UsageError(`${shard.source}: shard ${s.index} is also in ${other}`);
    }
    seen.set(s.index, shard.source);
  }
  const indexes = Array.from({ length: head.count }, (_, i) => i);
  const cutShort = (d: ResultsDocument) =>
    d.interrupted || d.scenarios.some((s) => s.stop_reason !== null);
  const incomplete = shards.filter((s) => cutShort(s.document)).map((s) => shardOf(s).index);
  const complete = indexes.filter((i) => seen.has(i) && !incomplete.includes(i));
  const missing = indexes.filter((i) => !seen.has(i));
  const documents = [...shards]
    .sort((a, b) => shardOf(a).index - shardOf(b).index)
    .map((s) => s.document);
  const document = mergeDocuments(documents, head.alpha);
  return {
    runId: head.run_id,
    document: {
      ...document,
      merged: {
        run_id: head.run_id,
        shards: head.count,
        complete,
        missing,
        incomplete,
        percentile_max_relative_error: MAX_RELATIVE_ERROR,
      },
    },
    gate: {
      failOnSkew: head.gate.fail_on_skew,
      ...(head.gate.min_success_rate_pct === null
        ? {}
        : { minSuccessRatePct: head.gate.min_success_rate_pct }),
      ...(head.gate.max_p99_ms === null ? {} : { maxP99Ms: head.gate.max_p99_ms }),
    },
    complete,
    missing,
    incomplete,
  };
}

function shardOf(shard: Shard): NonNullable<ResultsDocument['shard']> {
  if (!shard.document.shard) {
    throw new UsageError(
      `${shard.source}: not a shard's document (it was not run with --shard or --shards)`,
    );
  }
  return shard.document.shard;
}

function mergeDocuments(documents: readonly ResultsDocument[], alpha: number): ResultsDocument {
  const first = documents[0] as ResultsDocument;
  const labels = [...new Set(documents.flatMap((d) => d.scenarios.map((s) => s.label)))];
  return {
    ...first,
    shard: null,
    interrupted: documents.some((d) => d.interrupted),
    simulated_providers: mergeProviders(documents),
    checks: [],
    checks_passed: null,
    scenarios: labels.map((label) =>
      mergeScenario(
        documents.flatMap((d) => d.scenarios.filter((s) => s.label === label)),
        alpha,
      ),
    ),
  };
}

/** Each shard's own simulators (embedded runs), summed by target. */
function mergeProviders(
  documents: readonly ResultsDocument[],
): ResultsDocument['simulated_providers'] {
  const merged = new Map<string, ResultsDocument['simulated_providers'][number]>();
  for (const provider of documents.flatMap((d) => d.simulated_providers)) {
    const seen = merged.get(provider.target);
    merged.set(
      provider.target,
      seen
        ? {
            ...seen,
            served_chat_completions:
              seen.served_chat_completions + provider.served_chat_completions,
            received_chat_requests:
              (seen.received_chat_requests ?? 0) + (provider.received_chat_requests ?? 0),
            injected_faults: addMaps([seen.injected_faults, provider.injected_faults]),
          }
        : { ...provider },
    );
  }
  return [...merged.values()];
}

const add = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const addMaps = (maps: readonly Record<string, number>[]) => {
  const sum: Record<string, number> = {};
  for (const map of maps) for (const [k, v] of Object.entries(map)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
};

/** One scenario's entries, one per shard that ran it, as one entry. */
export function mergeScenario(entries: readonly ScenarioEntry[], alpha: number): ScenarioEntry {
  const first = entries[0] as ScenarioEntry;
  const total = (pick: (s: ScenarioEntry) => number) => add(entries.map(pick));
  const requests = total((s) => s.requests);
  const succeeded = total((s) => s.succeeded);
  const weights = shareWeights(first.targets.map((t) => t.expected_share));
  const targets = first.targets.map((_t, i) =>
    mergeTarget(entries.map((s) => s.targets[i] as TargetEntry)),
  );
  const attributed = add(targets.map((t) => t.picked));
  const unattributed = total((s) => s.unattributed);
  const fit = judgeSplit(
    targets.map((t) => t.picked),
    weights,
    unattributed,
    alpha,
  );
  const window = runWindow(entries);
  const latency = mergeLatency(entries);
  const perSecond = (pick: (s: ScenarioEntry) => number) =>
    // Over the window from the first shard's start to the last one's end when the documents
    // say when they ran; else the shards' own rates added (they ran side by side).
    window
      ? round(total((s) => pick(s) * s.elapsed_ms) / window.elapsedMs || 0, 3)
      : round(total(pick), 3);
  return {
    ...first,
    requests,
    planned_requests:
      first.planned_requests === null ? null : total((s) => s.planned_requests ?? 0),
    interrupted: entries.some((s) => s.interrupted),
    stop_reason: entries.find((s) => s.stop_reason !== null)?.stop_reason ?? null,
    load: {
      ...first.load,
      concurrency: first.load.concurrency === null ? null : total((s) => s.load.concurrency ?? 0),
      rate_per_s:
        first.load.rate_per_s === null
          ? null
          : round(
              total((s) => s.load.rate_per_s ?? 0),
              6,
            ),
    },
    started_at: window?.startedAt ?? null,
    elapsed_ms: round(window?.elapsedMs ?? Math.max(...entries.map((s) => s.elapsed_ms)), 3),
    requests_per_s: perSecond((s) => s.requests_per_s),
    send_window_ms: round(Math.max(...entries.map((s) => s.send_window_ms ?? 0)), 3),
    sent_per_s: round(
      total((s) => s.sent_per_s ?? 0),
      3,
    ),
    output_tokens_per_s: perSecond((s) => s.output_tokens_per_s),
    retries: total((s) => s.retries),
    retries_exhausted: total((s) => s.retries_exhausted),
    fallbacks: total((s) => s.fallbacks),
    succeeded,
    failed: requests - succeeded,
    success_rate: requests === 0 ? 0 : round(succeeded / requests, 4),
    ...latency.scenario,
    test: {
      ...fitEntry(
        fit,
        targets.map((t) => t.name),
      ),
      requests_for_5pp_skew: requestsToDetectSkew(weights, alpha),
    },
    attributed,
    attributed_by_simulator: total((s) => s.attributed_by_simulator),
    targets: targets.map((t, i) => ({
      ...t,
      ...shares(t.picked, attributed, weights, i),
      ...latency.targets[i],
    })),
    unattributed,
    unattributed_by_cause: addMaps(entries.map((s) => s.unattributed_by_cause)),
    partial_answers: total((s) => s.partial_answers),
    partial_output_tokens: total((s) => s.partial_output_tokens),
    failures: addMaps(entries.map((s) => s.failures)),
    failure_statuses: addMaps(entries.map((s) => s.failure_statuses)),
    provider_calls: mergeProviderCalls(entries, requests),
    fault_outcomes: mergeFaultOutcomes(entries),
    retry_schedule: onlyRetrySchedule(entries),
    shards_homogeneity: homogeneity(entries, alpha),
  };
}

/**
 * From the first shard's start to the last shard's end, when every document says when it started
 * (lb-demo 0.2 and later). The machines' clocks are trusted to agree (NTP: milliseconds).
 */
function runWindow(
  entries: readonly ScenarioEntry[],
): { startedAt: string; elapsedMs: number } | undefined {
  const starts = entries.map((s) =>
    s.started_at === null ? Number.NaN : Date.parse(s.started_at),
  );
  if (starts.some((t) => !Number.isFinite(t))) return undefined;
  const first = Math.min(...starts);
  const last = Math.max(...entries.map((s, i) => (starts[i] ?? first) + s.elapsed_ms));
  return { startedAt: new Date(first).toISOString(), elapsedMs: last - first };
}

function mergeTarget(parts: readonly TargetEntry[]): TargetEntry {
  const first = parts[0] as TargetEntry;
  const total = (pick: (t: TargetEntry) => number) => add(parts.map(pick));
  return {
    ...first,
    count: total((t) => t.count),
    failed: total((t) => t.failed),
    routed: total((t) => t.routed),
    picked: total((t) => t.picked),
    answered: total((t) => t.answered),
    retries: total((t) => t.retries),
    output_tokens: total((t) => t.output_tokens),
    fallbacks: total((t) => t.fallbacks),
    provider_calls: parts.some((t) => t.provider_calls === null)
      ? null
      : total((t) => t.provider_calls ?? 0),
  };
}

/** The provider calls behind the shards' requests: totals add, the source is all of theirs. */
function mergeProviderCalls(
  entries: readonly ScenarioEntry[],
  requests: number,
): ScenarioEntry['provider_calls'] {
  const parts = entries.map((s) => s.provider_calls);
  if (parts.some((p) => p === null)) return null;
  const calls = parts as NonNullable<ScenarioEntry['provider_calls']>[];
  const sources = new Set(calls.map((p) => p.source));
  const total = add(calls.map((p) => p.total));
  return {
    total,
    per_request: requests === 0 ? 0 : round(total / requests, 4),
    source: sources.size === 1 ? (calls[0]?.source ?? 'none') : 'mixed',
    unknown_requests: add(calls.map((p) => p.unknown_requests)),
  };
}

/** What each injected fault did, summed by fault over the shards. */
function mergeFaultOutcomes(entries: readonly ScenarioEntry[]): ScenarioEntry['fault_outcomes'] {
  const merged = new Map<string, ScenarioEntry['fault_outcomes'][number]>();
  for (const outcome of entries.flatMap((s) => s.fault_outcomes)) {
    const seen = merged.get(outcome.fault);
    merged.set(
      outcome.fault,
      seen
        ? {
            fault: outcome.fault,
            requests: seen.requests + outcome.requests,
            succeeded: seen.succeeded + outcome.succeeded,
            broken_answers: seen.broken_answers + outcome.broken_answers,
            errors: seen.errors + outcome.errors,
          }
        : { ...outcome },
    );
  }
  return [...merged.values()];
}

/**
 * A retry schedule keeps percentiles of retry time, not a histogram: one shard's is kept, several
 * are refused rather than merged wrong (sharded runs refuse the scenarios that measure them).
 */
function onlyRetrySchedule(entries: readonly ScenarioEntry[]): ScenarioEntry['retry_schedule'] {
  const schedules = entries.flatMap((s) => (s.retry_schedule ? [s.retry_schedule] : []));
  if (schedules.length > 1) {
    throw new UsageError(
      `${entries[0]?.label ?? 'a scenario'}: the retry schedules of several shards cannot be merged (their retry times are kept as percentiles, not histograms)`,
    );
  }
  return schedules[0] ?? null;
}

function shares(picked: number, attributed: number, weights: Weights, index: number) {
  const expected = weights[index] ?? 0;
  const share = attributed === 0 ? 0 : picked / attributed;
  const ci = attributed === 0 ? ([0, 1] as const) : wilsonInterval(picked, attributed);
  return {
    share: significant(share),
    deviation_pp: round((share - expected) * 100, 3),
    ci95: [round(ci[0], 6), round(ci[1], 6)] as [number, number],
    expected_range: binomialCountRange(attributed, expected),
  };
}

/** The shards × targets table of picks, tested for one split across shards. */
function homogeneity(
  entries: readonly ScenarioEntry[],
  alpha: number,
): ScenarioEntry['shards_homogeneity'] {
  const test = testHomogeneity(
    entries.map((s) => s.targets.map((t) => t.picked)),
    alpha,
  );
  return {
    method: test.method,
    statistic: round(test.statistic, 6),
    df: test.df,
    p_value: significant(test.pValue),
    alpha,
    outcome: test.outcome,
    reason: test.reason,
    ...(test.monteCarloSamples !== undefined
      ? { monte_carlo_samples: test.monteCarloSamples, seed: test.seed ?? 1 }
      : {}),
  };
}
