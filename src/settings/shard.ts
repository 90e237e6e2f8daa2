// One shard of a run spread over N processes (--shard i/N, or a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX with --shards N): which shard this is, the run it belongs to, and the
// share of the totals it sends. Pure, apart from reading the values it is handed.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { maskUrl } from '../io/redact.js';
import { packageVersion } from '../io/streams.js';
import { quote } from '../io/text.js';
import type { Env, LoadSettings, Settings, ShardSettings } from '../model/input.js';
import { partSeed, shareOf } from '../split.js';
import { nonEmpty, parseCount } from './values.js';

/** Most shards a run may have: far beyond what one gateway deployment needs. */
const MAX_SHARDS = 1_000;

/** A run id: what a Job's uid or a CI build id looks like, safe in file names and labels. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface RawShardOptions {
  shard?: string;
  shards?: string;
  runId?: string;
}

/**
 * `--shard i/N` (i from 0, as JOB_COMPLETION_INDEX counts), or `--shards N` (LB_SHARDS) with i
 * from JOB_COMPLETION_INDEX. A sharded run needs a run id every shard shares (--run-id,
 * LB_RUN_ID), so that `lb-demo merge` can tell its shards from another run's.
 */
export function parseShard(options: RawShardOptions, env: Env): ShardSettings | undefined {
  const counted = options.shards ?? nonEmpty(env.LB_SHARDS);
  const countInput = options.shards !== undefined ? '--shards' : 'LB_SHARDS';
  let index: number;
  let count: number;
  if (options.shard !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(options.shard);
    if (!match) {
      throw new UsageError(
        `--shard: expected INDEX/COUNT with INDEX from 0, such as 0/4, got ${quote(options.shard)}`,
      );
    }
    count = parseCount(match[2] ?? '', '--shard (COUNT)', MAX_SHARDS);
    index = Number(match[1]);
  } else if (counted !== undefined) {
    count = parseCount(counted, countInput, MAX_SHARDS);
    const raw = nonEmpty(env.JOB_COMPLETION_INDEX);
    if (raw === undefined) {
      throw new UsageError(
        `${countInput}: the shard's index comes from JOB_COMPLETION_INDEX (set by an Indexed Job), which is not set; use --shard INDEX/COUNT elsewhere`,
      );
    }
    if (!/^\d+$/.test(raw.trim())) {
      throw new UsageError(`JOB_COMPLETION_INDEX: expected a whole number, got ${quote(raw)}`);
    }
    index = Number(raw.trim());
  } else {
    if (options.runId !== undefined) {
      throw new UsageError('--run-id: only for a sharded run (--shard or --shards)');
    }
    return undefined;
  }
  if (index >= count) {
    throw new UsageError(`shard ${index} of ${count}: the index runs from 0 to ${count - 1}`);
  }
  const runId = options.runId ?? nonEmpty(env.LB_RUN_ID);
  const runInput = options.runId !== undefined ? '--run-id' : 'LB_RUN_ID';
  if (runId === undefined) {
    throw new UsageError(
      "a sharded run needs a run id that every shard shares (--run-id or LB_RUN_ID), so that lb-demo merge can tell its shards from another run's",
    );
  }
  if (!RUN_ID.test(runId)) {
    throw new UsageError(
      `${runInput}: expected letters, digits, ".", "_", ":" or "-" (at most 128), got ${quote(runId)}`,
    );
  }
  return { index, count, runId };
}

/**
 * A total split over the shards, refused when a shard would get none (it would send nothing
 * and make a document with nothing in it).
 */
export function splitTotal(total: number, shard: ShardSettings, input: string): number {
  if (total < shard.count) {
    throw new UsageError(
      `${input} ${total}: cannot be split over ${shard.count} shards (each needs at least 1); it is the total over all shards`,
    );
  }
  return shareOf(total, shard);
}

/**
 * The shard's part of the load: its share of --concurrency (default: one request at a time per
 * shard) and of --rate (λ/N, with its own seed); --duration is every shard's.
 */
export function shardLoad(
  load: LoadSettings,
  shard: ShardSettings,
  concurrencyGiven: boolean,
): LoadSettings {
  const share: LoadSettings = { ...load, seed: partSeed(load.seed ?? 1, shard.index) };
  if (load.rate !== undefined) share.rate = load.rate / shard.count;
  else if (concurrencyGiven)
    share.concurrency = splitTotal(load.concurrency, shard, '--concurrency');
  if (share.rate === undefined && share.workers > share.concurrency) {
    throw new UsageError(
      `--workers ${share.workers}: each worker keeps at least one request in flight, and this shard's part of --concurrency is ${share.concurrency}; raise --concurrency or lower --workers`,
    );
  }
  return share;
}

/**
 * What every shard of one run must share: the version, the scenarios and their targets, the
 * config, the statistics and checks, and the totals of the load. Not the index, not the shares.
 */
export function sharedPart(
  settings: Settings,
  totalLoad: LoadSettings,
  shard: Pick<ShardSettings, 'count' | 'runId'>,
): unknown {
  return {
    version: packageVersion(),
    runId: shard.runId,
    shards: shard.count,
    scenarios: settings.scenarios,
    requests: settings.requests,
    weights: settings.weights,
    targets: settings.deployment.targets.map((t) => ({
      name: t.name,
      provider: t.provider,
      model: t.model,
      host: maskUrl(t.customHost ?? ''),
    })),
    // Not the gateway's URL: shards may each reach a replica of their own (that is what the drift
    // test across shards is for); whether the gateway is embedded, yes.
    gateway: settings.deployment.kind === 'own-gateway' ? 'own' : 'embedded',
    config: settings.userConfig ? fingerprint(settings.userConfig.data) : null,
    alpha: settings.alpha,
    gate: settings.gate,
    // Not the cap on requests in flight nor the threads: each machine's own, not the run's.
    load: { ...totalLoad, seed: undefined, maxInFlight: undefined, workers: undefined },
  };
}

/** A short digest of what every shard of one run must share, for the merge to compare. */
export function fingerprint(shared: unknown): string {
  return createHash('sha256').update(canonical(shared)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so that equal settings give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
