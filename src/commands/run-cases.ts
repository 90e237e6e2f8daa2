// The truth table of a config's conditional routing: each request case sent a few times,
// predicted from the tree first, judged against where the gateway sent it.
import type { GatewayConnection, Settings } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { RequestRecord } from '../model/request.js';
import type { CaseOutcome, RequestCase, UserConfig } from '../model/tree.js';
import { runScenario } from '../runner/loop.js';
import { configRequestBody } from '../scenarios.js';
import { judgeCase } from '../stats/cases.js';
import { buildCases, predictCase } from '../user-config/cases.js';
import type { ScenarioHooks, ScenarioOutput } from './run-scenario.js';

/** Requests per case: enough to see a loadbalance under a branch spread, few enough to be quick. */
export const CASE_REQUESTS = 5;

/** The user's cases, or, for a tree with conditionals, one per condition and one with no metadata. */
export function casesToSend(config: UserConfig): RequestCase[] {
  if (config.cases) return config.cases;
  const hasConditional = (node: UserConfig['tree']['root']): boolean =>
    node.mode === 'conditional' || node.children.some(hasConditional);
  return hasConditional(config.tree.root) ? buildCases(config.tree.root).cases : [];
}

export async function runCases(
  config: UserConfig,
  plan: ScenarioPlan,
  connection: GatewayConnection,
  settings: Settings,
  hooks: ScenarioHooks,
  out: ScenarioOutput,
): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  const leafNames = plan.targets.map((t) => t.name);
  for (const [i, c] of casesToSend(config).entries()) {
    if (out.io.signal?.aborted || hooks.gatewayGone?.aborted) break;
    const prediction = predictCase(config.tree, c, configRequestBody());
    const casePlan: ScenarioPlan = {
      ...plan,
      variant: `case ${i + 1}`,
      requests: CASE_REQUESTS,
      durationMs: undefined,
      metadata: c.metadata,
      params: c.params,
    };
    const records: RequestRecord[] = [];
    const onRecord = (sent: RequestRecord) => {
      records.push(out.mask(hooks.attribute ? hooks.attribute.complete(sent) : sent));
    };
    const tag = hooks.attribute && { header: hooks.attribute.header, prefix: `case-${i + 1}` };
    await runScenario(
      casePlan,
      connection,
      {
        concurrency: 1,
        requests: CASE_REQUESTS,
        stream: settings.load.stream,
        timeoutMs: settings.load.timeoutMs,
        streamIdleTimeoutMs: settings.load.streamIdleTimeoutMs,
        ...(tag ? { tag } : {}),
      },
      { onRecord, ...(out.io.signal ? { signal: out.io.signal } : {}) },
    );
    outcomes.push(
      judgeCase(
        {
          case: c,
          predicted: prediction.leaves,
          branches: prediction.branches,
          expected: prediction.expected,
          leafNames,
        },
        records,
      ),
    );
  }
  return outcomes;
}
