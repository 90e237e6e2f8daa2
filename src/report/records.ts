// --records: one JSON line per request, as it completed (k6's --out json, vLLM's detailed
// results): what each request was, where it went and what it took, for a user's own analysis.
// Pure: a record in, a line out.
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import { round } from './rounding.js';

/** One request as a line of JSON; names of targets, not their indexes; times in ms. */
export function formatRecordLine(scenario: string, plan: ScenarioPlan, r: RequestRecord): string {
  const name = (index: number | null) =>
    index === null ? null : (plan.targets[index]?.name ?? null);
  const ms = (value: number | undefined) => (value === undefined ? null : round(value, 3));
  return JSON.stringify({
    scenario,
    seq: r.seq,
    request_id: r.requestId ?? null,
    started_ms: ms(r.startedMs),
    schedule_lag_ms: ms(r.scheduleLagMs),
    latency_ms: ms(r.latencyMs),
    ok: r.ok,
    picked: name(r.pickedIndex),
    answered: name(r.answeredIndex),
    target_path: r.targetPath,
    fallback_depth: r.fallbackDepth,
    attributed_by: r.attributedBy,
    retries: r.retries,
    retries_exhausted: r.retriesExhausted,
    output_tokens: r.outputTokens ?? null,
    ttft_ms: ms(r.ttftMs),
    tpot_ms: ms(r.tpotMs),
    error: r.error
      ? { cause: r.error.cause, status: r.error.status ?? null, message: r.error.message }
      : null,
  });
}
