// A run as the report tells it: where it happened and what each scenario gave. Types only.
import type { GateSettings, LoadSettings } from './input.js';
import type { ScenarioPlan } from './plan.js';
import type { ScenarioSummary } from './stats.js';
import type { CaseOutcome } from './tree.js';

/** What the report says about where the run happened. */
export interface RunContext {
  version: string;
  gatewayUrl: string;
  /** Set when lb-demo started the gateway itself. */
  embeddedGateway?: { version: string };
  /** Things the user should know about their setup, one line each. */
  notes: string[];
  /** This process is one shard of a run. */
  shard?: {
    runId: string;
    index: number;
    count: number;
    fingerprint: string;
    /** The checks asked for and the alpha: the merge judges them on all shards. */
    gate: GateSettings;
    alpha: number;
  };
  /** Targets served by a simulator started by lb-demo. */
  simulated: { target: string; kind: string; latencyMs: number; url: string; faults: string }[];
}

/**
 * How an open loop kept to its schedule. Every arrival the schedule held is either sent or
 * dropped: scheduled = sent + droppedAtCap + droppedBehind.
 */
export interface ScheduleCounts {
  scheduled: number;
  sent: number;
  /** Sent more than `lateMs` after their scheduled time. */
  late: number;
  lateMs: number;
  /** Not sent: `maxInFlight` requests were already out (k6's dropped iterations). */
  droppedAtCap: number;
  /** Not sent: the sender reached them only after the send window had closed. */
  droppedBehind: number;
  /** The cap on requests in flight, and the most that were. */
  maxInFlight: number;
  peakInFlight: number;
}

/** Why a scenario stopped before its plan was done. */
export type StopReason = 'interrupted' | 'gateway-gone';

export interface ScenarioResult {
  plan: ScenarioPlan;
  /** When it started sending (epoch ms, this machine's clock). */
  startedAt?: number;
  summary: ScenarioSummary;
  load: LoadSettings;
  /** The run was interrupted before all requests were sent (Ctrl-C, or the gateway went away). */
  interrupted: boolean;
  stopReason: StopReason | null;
  /** When the gateway went away: how lb-demo knows, in words. */
  gatewayGoneReason?: string;
  /** Open loop: how it kept to its schedule. */
  schedule?: ScheduleCounts;
  /** The config scenario: its request cases, predicted and sent (the conditional truth table). */
  cases?: CaseOutcome[];
}

/** What each simulator itself counted, across all scenarios of the run. */
export interface ServedByTarget {
  target: string;
  chatCompletions: number;
  /** Chat requests it received, answered or not (gateway retries and fallbacks included). */
  chatRequests: number;
  /** Chat requests hit by each injected fault, by the simulator's own count. */
  faults: Record<string, number>;
}
