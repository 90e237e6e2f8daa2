// What lb-demo's own simulators know that the gateway's answer did not say: which target's
// simulator received a request first (the load balancer's pick), which one answered it, and every
// provider call behind it (retries and fallbacks: what the request cost, and when each came).
import type { ScenarioPlan } from '../model/plan.js';
import type { InjectedFault, ProviderCall, RequestRecord } from '../model/request.js';

/** A call lb-demo's simulators received for a request, as they logged it. */
interface Call {
  target: string;
  /** performance.now() at its arrival. */
  atMs: number;
  status: number | null;
  fault?: InjectedFault | null;
  retryAfterMs?: number | null;
}

/**
 * Completes a record from the simulators' own log of the calls tagged with its request id: its
 * calls always, its pick and answering target when the gateway's answer did not name them. The
 * log is taken either way, so it does not grow with the run.
 */
export function attributeFromSimulators(
  plan: Pick<ScenarioPlan, 'targets'>,
  takeAttempts: (requestId: string) => Call[],
): (record: RequestRecord) => RequestRecord {
  const index = new Map(plan.targets.map((t, i) => [t.name, i]));
  return (record) => {
    if (record.requestId === undefined) return record;
    const attempts = takeAttempts(record.requestId);
    if (attempts.length === 0) return record;
    const withCalls = { ...record, calls: providerCalls(attempts, index) };
    if (record.pickedIndex !== null) return withCalls;
    const first = attempts[0];
    const picked = first ? index.get(first.target) : undefined;
    if (picked === undefined) return withCalls;
    const answeredBy = record.ok
      ? attempts.findLast((a) => a.status !== null && a.status >= 200 && a.status < 300)
      : undefined;
    const answered = answeredBy ? (index.get(answeredBy.target) ?? null) : null;
    return {
      ...withCalls,
      pickedIndex: picked,
      answeredIndex: answered,
      // The gateway's path may have told how far a fallback went, even without the pick.
      fallbackDepth: record.fallbackDepth ?? (answered !== null && answered === picked ? 0 : null),
      attributedBy: 'simulator',
    };
  };
}

/** The log in the record's terms: targets by index, times from the first call. */
function providerCalls(attempts: readonly Call[], index: ReadonlyMap<string, number>) {
  const start = attempts[0]?.atMs ?? 0;
  return attempts.flatMap((a): ProviderCall[] => {
    const target = index.get(a.target);
    if (target === undefined) return [];
    return [
      {
        target,
        atMs: a.atMs - start,
        status: a.status,
        fault: a.fault ?? null,
        retryAfterMs: a.retryAfterMs ?? null,
      },
    ];
  });
}
