// What the report says of the provider calls behind a scenario's requests: their cost, what
// became of the requests a fault hit, and the retry schedule measured. The text report and the
// HTML page print the same sentences and the same cells.
import { count, duration } from './format.js';
import type { ScenarioEntry } from './schema.js';

/** "34 provider calls for 20 requests: 1.70 per request (counted by lb-demo's simulators)." */
export function providerCallsSentence(s: ScenarioEntry): string | null {
  const calls = s.provider_calls;
  if (!calls || calls.source === 'none') return null;
  const how =
    calls.source === 'simulators'
      ? "counted by lb-demo's simulators"
      : calls.source === 'headers'
        ? "at least: from the gateway's headers (the answering target's attempts, one call per fallback step)"
        : "counted by lb-demo's simulators where they served, from the gateway's headers elsewhere";
  const unknown =
    calls.unknown_requests > 0 ? `; ${count(calls.unknown_requests)} request(s) told nothing` : '';
  return `${count(calls.total)} provider call(s) for ${count(s.requests)} request(s): ${calls.per_request.toFixed(2)} per request (${how}${unknown}).`;
}

/** Failures that reached the client as a 200 and broke after it: truncated, stalled, erroring. */
const BROKEN_CAUSES = ['truncated-stream', 'stream-error', 'stalled-stream', 'truncated-body'];

export function brokenAnswers(s: ScenarioEntry): number {
  return BROKEN_CAUSES.reduce((n, cause) => n + (s.failures[cause] ?? 0), 0);
}

/** Provider calls per request, or '-' for a document that did not count them. */
export function callsPerRequest(s: ScenarioEntry): string {
  const calls = s.provider_calls;
  return calls && calls.source !== 'none' ? calls.per_request.toFixed(2) : '-';
}

export const FAULT_OUTCOME_HEAD = [
  'Fault injected',
  'Requests hit',
  'Answered whole',
  'Passed on as a broken 200',
  'Failed as an error',
];

/** One row per fault that hit a request: what the client got. */
export function faultOutcomeRows(s: ScenarioEntry): string[][] {
  return s.fault_outcomes.map((o) => [
    o.fault,
    count(o.requests),
    count(o.succeeded),
    count(o.broken_answers),
    count(o.errors),
  ]);
}

export const RETRY_GAP_HEAD = ['Retry', 'n', 'mean gap', 'sd (jitter)', 'min', 'max'];

/** One row per retry: the gap before it, from the previous call to the same target. */
export function retryGapRows(s: ScenarioEntry): string[][] {
  return (s.retry_schedule?.gaps ?? []).map((g) => [
    `#${g.retry}`,
    count(g.count),
    duration(g.mean_ms),
    duration(g.sd_ms),
    duration(g.min_ms),
    duration(g.max_ms),
  ]);
}

/** Whether retries waited for the Retry-After asked, and how long requests spent retrying. */
export function retryScheduleSentences(s: ScenarioEntry): string[] {
  const r = s.retry_schedule;
  if (!r) return [];
  const lines: string[] = [];
  if (r.retry_after_asked > 0) {
    lines.push(
      `Retry-After: ${count(r.retry_after_honoured)} of ${count(r.retry_after_asked)} retries that followed one waited at least as long${r.retry_after_honoured === r.retry_after_asked ? '' : ' (the others came sooner)'}.`,
    );
  }
  const t = r.retry_time_ms;
  if (t) {
    lines.push(
      `${count(r.requests_retried)} request(s) took more than one provider call; from their first call to their last: ${duration(t.p50)} at the median, ${duration(t.max)} at most.`,
    );
  }
  return lines;
}

/**
 * A streamed first token later than the gateway's request_timeout: the timeout stops counting
 * once the headers arrive, so it let the answer through. null when none came that late.
 */
export function lateFirstTokenSentence(s: ScenarioEntry): string | null {
  const timeout = s.gateway_config.request_timeout_ms;
  const ttft = s.ttft_ms;
  if (timeout === null || !ttft || ttft.max <= timeout) return null;
  return `First tokens came up to ${duration(ttft.max)} after the request (${duration(ttft.p50)} at the median), beyond the gateway's request_timeout of ${count(timeout)} ms: it stops counting once a provider's headers arrive, so a slow first token or a stalled stream is never timed out.`;
}
