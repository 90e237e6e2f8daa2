// Injects a scenario's faults into the simulated providers, and puts them back afterwards.
import { UsageError } from '../errors.js';
import type { ScenarioPlan } from '../model/plan.js';
import type { SimulatedProvider } from './simulator/server.js';

export interface Disruptor {
  /** Applies the faults that hold from the start. */
  start(): Promise<void>;
  /** Called with the number of requests completed so far. */
  completed(count: number): void;
  /** Puts every disrupted simulator back as it was. */
  restore(): Promise<void>;
}

/**
 * Only lb-demo's own simulators can be disrupted, so resilience scenarios need the embedded
 * default for the targets they disrupt.
 */
export function disruptor(
  plan: ScenarioPlan,
  simulated: ReadonlyMap<string, Pick<SimulatedProvider, 'faults' | 'setFaults'>>,
): Disruptor {
  const touched = plan.disruptions.map((disruption) => {
    const target = plan.targets[disruption.target];
    const sim = target ? simulated.get(target.name) : undefined;
    if (!sim) {
      throw new UsageError(
        `--scenario ${plan.name}: it injects faults into "${target?.name ?? '?'}", which only works for lb-demo's own simulated providers; run it without GATEWAY_URL, OLLAMA_URL and VLLM_URL (or with a targets file without custom_host)`,
      );
    }
    return { disruption, sim, before: sim.faults };
  });
  const apply = ({ disruption, sim, before }: (typeof touched)[number]) =>
    sim.setFaults({ ...before, ...disruption.faults });
  return {
    start: async () => {
      await Promise.all(touched.filter((t) => t.disruption.afterRequests === undefined).map(apply));
    },
    completed: (count) => {
      for (const t of touched) if (t.disruption.afterRequests === count) void apply(t);
    },
    restore: async () => {
      await Promise.all(touched.map(({ sim, before }) => sim.setFaults(before)));
    },
  };
}
