// The embedded default: the real gateway plus simulated Ollama and vLLM-like servers on loopback.
import type { SimulationSettings, TargetInput, TargetSpec } from '../model/input.js';
import { type RunningGateway, startGateway } from './gateway.js';
import {
  type Attempt,
  type SimulatedProvider,
  startSimulatedProvider,
} from './simulator/server.js';

/** A simulated provider call: which target's simulator got it, when, and how it answered. */
export interface TargetAttempt extends Attempt {
  target: string;
}

export interface EmbeddedStack {
  gateway: RunningGateway;
  /** Targets with every custom_host filled in. */
  targets: TargetSpec[];
  /** The simulator serving each target that had no custom_host, by target name. */
  simulated: Map<string, SimulatedProvider>;
  /** Every simulated provider call tagged with this request id, oldest first; then forgotten. */
  takeAttempts(requestId: string): TargetAttempt[];
  /** Forgets the tagged calls nobody took (after a scenario). */
  clearAttempts(): void;
  stop(): Promise<void>;
}

export async function startEmbeddedStack(
  inputs: readonly TargetInput[],
  simulation: SimulationSettings,
): Promise<EmbeddedStack> {
  const simulated = new Map<string, SimulatedProvider>();
  let gateway: RunningGateway | undefined;
  const stop = async () => {
    await Promise.allSettled([gateway?.stop(), ...[...simulated.values()].map((s) => s.close())]);
  };
  try {
    const targets: TargetSpec[] = [];
    for (const input of inputs) {
      const { name, provider, model, apiKey } = input;
      const customHost = input.customHost ?? (await simulate(input, simulation, simulated));
      targets.push({ name, provider, customHost, model, ...(apiKey ? { apiKey } : {}) });
    }
    const trustedHosts = targets.map((t) => new URL(t.customHost).hostname);
    gateway = await startGateway({ trustedHosts });
    return {
      gateway,
      targets,
      simulated,
      takeAttempts: (requestId) =>
        [...simulated]
          .flatMap(([target, sim]) => sim.takeAttempts(requestId).map((a) => ({ target, ...a })))
          .sort((a, b) => a.atMs - b.atMs),
      clearAttempts: () => {
        for (const sim of simulated.values()) sim.clearAttempts();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts a simulator for a target that has no custom_host and returns the URL to give the gateway. */
async function simulate(
  input: TargetInput,
  simulation: SimulationSettings,
  simulated: Map<string, SimulatedProvider>,
): Promise<string> {
  const kind = input.provider === 'ollama' ? 'ollama' : 'openai';
  const sim = await startSimulatedProvider({
    kind,
    name: `${input.name}-sim`,
    models: input.models ?? [input.model],
    latencyMs: kind === 'ollama' ? simulation.ollamaLatencyMs : simulation.openaiLatencyMs,
    jitter: 0.1,
    ...(input.faults ? { faults: input.faults } : {}),
  });
  simulated.set(input.name, sim);
  return sim.baseUrl;
}
