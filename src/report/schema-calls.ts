// The part of the results document (schema.ts) that tells what the requests cost the providers,
// what the injected faults did, and the retry schedule measured (report/calls.ts words them).
import { z } from 'zod';
import { FAULT_ORDER } from '../stats/provider-calls.js';

const providerCalls = z.object({
  total: z.number(),
  per_request: z.number(),
  source: z.enum(['simulators', 'headers', 'mixed', 'none']),
  unknown_requests: z.number(),
});

const faultOutcome = z.object({
  fault: z.enum(FAULT_ORDER),
  requests: z.number(),
  succeeded: z.number(),
  broken_answers: z.number(),
  errors: z.number(),
});

/** The retry schedule; its retry_time_ms has the latency shape of schema.ts. */
const retrySchedule = <L extends z.ZodType>(latencyOrNull: L) =>
  z.object({
    requests_retried: z.number(),
    gaps: z.array(
      z.object({
        retry: z.number(),
        count: z.number(),
        mean_ms: z.number(),
        sd_ms: z.number(),
        min_ms: z.number(),
        max_ms: z.number(),
      }),
    ),
    retry_after_asked: z.number(),
    retry_after_honoured: z.number(),
    retry_time_ms: latencyOrNull,
  });

/** The three, given the latency shape (schema.ts declares it). */
export function callSchemas<L extends z.ZodType>(latencyOrNull: L) {
  return { providerCalls, faultOutcome, retrySchedule: retrySchedule(latencyOrNull) };
}
