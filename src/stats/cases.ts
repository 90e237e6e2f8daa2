// A request case's verdict: did every request go where the tree predicts (and, when the user
// said where it must go, there)? Pure.
import type { RequestRecord } from '../model/request.js';
import type { CaseOutcome, RequestCase } from '../model/tree.js';

export interface CaseInput {
  case: RequestCase;
  /** Leaf indices the tree may send it to; empty: nowhere (the gateway answers 400). */
  predicted: readonly number[];
  branches: readonly string[];
  /** Leaf indices under the target the user expects; null without an expectation. */
  expected: readonly number[] | null;
  leafNames: readonly string[];
}

type CaseRecord = Pick<RequestRecord, 'ok' | 'answeredIndex' | 'pickedIndex' | 'error'>;

/**
 * Passes when at least one request was attributed and every attributed one reached a leaf the
 * tree predicts (and the user expects); a case the tree routes nowhere passes when every request
 * got the gateway's 400 and none reached a provider. No evidence, no pass.
 */
export function judgeCase(input: CaseInput, records: readonly CaseRecord[]): CaseOutcome {
  const counts = new Map<number, number>();
  let unattributed = 0;
  for (const record of records) {
    const leaf = record.answeredIndex ?? record.pickedIndex;
    if (leaf === null || leaf === undefined) unattributed += 1;
    else counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
  }
  const name = (i: number) => input.leafNames[i] ?? `#${i}`;
  const observed = [...counts].map(([leaf, requests]) => ({ leaf: name(leaf), requests }));
  const failed = records.filter((r) => !r.ok).length;
  const reached = [...counts.keys()];
  const outside = (allowed: readonly number[]) => reached.filter((leaf) => !allowed.includes(leaf));
  const unexpected = outside(input.predicted);
  const unwanted = input.expected ? outside(input.expected) : [];
  const expectAgrees = input.expected
    ? input.predicted.length > 0 && input.predicted.every((leaf) => input.expected?.includes(leaf))
    : null;
  const verdict = (passed: boolean, reason: string): CaseOutcome => ({
    case: input.case,
    predictedLeaves: input.predicted.map(name),
    predictedBranches: [...input.branches],
    expectAgrees,
    requests: records.length,
    observed,
    unattributed,
    failed,
    passed,
    reason,
  });
  if (records.length === 0) return verdict(false, 'no request was sent');
  if (input.predicted.length === 0) {
    const refused = records.filter((r) => r.error?.status === 400).length;
    return reached.length === 0 && refused === records.length
      ? verdict(
          expectAgrees !== false,
          expectAgrees === false
            ? `the gateway answered 400 (no route) as predicted, but you expect ${input.case.expect}`
            : 'the gateway answered 400 (no route), as predicted',
        )
      : verdict(
          false,
          `predicted: no route (400); ${reached.length > 0 ? `reached ${reached.map(name).join(', ')}` : `${records.length - refused} request(s) ended otherwise`}`,
        );
  }
  if (unexpected.length > 0) {
    return verdict(
      false,
      `reached ${unexpected.map(name).join(', ')}, which the tree does not predict`,
    );
  }
  if (unwanted.length > 0) {
    return verdict(
      false,
      `reached ${unwanted.map(name).join(', ')}, not under ${input.case.expect} as you expect`,
    );
  }
  if (reached.length === 0) {
    return verdict(
      false,
      `no request was attributed to a leaf (${failed} failed): nothing to judge`,
    );
  }
  return verdict(
    true,
    unattributed > 0 ? `as predicted (${unattributed} request(s) not attributed)` : 'as predicted',
  );
}
