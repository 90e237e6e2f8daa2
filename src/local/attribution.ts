// What lb-demo's own simulators know that the gateway's answer did not say: which target's
// simulator received a request first (the load balancer's pick) and which one answered it.
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';

/** A call lb-demo's simulators received for a request: which target's, and its answer's status. */
interface Call {
  target: string;
  status: number | null;
}

/**
 * Completes a record from the simulators' own log of the calls tagged with its request id.
 * Records the gateway already attributed are left as they are; the log is taken either way, so
 * it does not grow with the run.
 */
export function attributeFromSimulators(
  plan: Pick<ScenarioPlan, 'targets'>,
  takeAttempts: (requestId: string) => Call[],
): (record: RequestRecord) => RequestRecord {
  const index = new Map(plan.targets.map((t, i) => [t.name, i]));
  return (record) => {
    if (record.requestId === undefined) return record;
    const attempts = takeAttempts(record.requestId);
    if (record.pickedIndex !== null) return record;
    const first = attempts[0];
    const picked = first ? index.get(first.target) : undefined;
    if (picked === undefined) return record;
    const answeredBy = record.ok
      ? attempts.findLast((a) => a.status !== null && a.status >= 200 && a.status < 300)
      : undefined;
    const answered = answeredBy ? (index.get(answeredBy.target) ?? null) : null;
    return {
      ...record,
      pickedIndex: picked,
      answeredIndex: answered,
      // The gateway's path may have told how far a fallback went, even without the pick.
      fallbackDepth: record.fallbackDepth ?? (answered !== null && answered === picked ? 0 : null),
      attributedBy: 'simulator',
    };
  };
}
