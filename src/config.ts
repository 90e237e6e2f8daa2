// Builds Portkey gateway config objects. Pure: no I/O, no process, no SDK.
import { UsageError } from './errors.js';

/** A provider endpoint as the user described it (from .env, flags or a targets file). */
export interface TargetSpec {
  /** Unique label shown in reports, e.g. "ollama" or "vllm". */
  name: string;
  /** Portkey provider slug, e.g. "ollama" or "openai". */
  provider: string;
  /** Base URL the gateway calls for this target (for openai-compatible servers it ends in /v1). */
  customHost: string;
  model: string;
  apiKey?: string;
  weight?: number;
}

/** One target of a Portkey config, in the gateway's wire format (snake_case). */
export interface PortkeyTarget {
  provider: string;
  custom_host: string;
  api_key: string;
  weight: number;
  override_params: { model: string };
}

export interface LoadBalanceConfig {
  strategy: { mode: 'loadbalance' };
  targets: PortkeyTarget[];
}

/** A config that cannot be built from the given targets and weights (exit status 2). */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

/**
 * The gateway forwards api_key as the provider's bearer token. Ollama and vLLM deployments
 * usually need none, but the gateway's schema wants a string, so a placeholder stands in.
 */
export const PLACEHOLDER_API_KEY = 'not-needed';

/** Scales weights so that they sum to 1. Zero weights stay zero (the gateway never picks them). */
export function normalizeWeights(weights: readonly number[]): number[] {
  if (weights.length === 0) throw new ConfigError('weights: at least one weight is needed');
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new ConfigError(`weights: weight ${i + 1} (${String(w)}) is not a finite number`);
    }
    if (w < 0) throw new ConfigError(`weights: weight ${i + 1} (${w}) is negative`);
  });
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total <= 0)
    throw new ConfigError('weights: all weights are zero, so no target could be picked');
  return weights.map((w) => w / total);
}

/** Equal weights: what the seed called "round-robin" (the gateway still picks at random). */
export function createRoundRobinConfig(targets: readonly TargetSpec[]): LoadBalanceConfig {
  return createWeightedConfig(
    targets,
    targets.map(() => 1),
  );
}

export function createWeightedConfig(
  targets: readonly TargetSpec[],
  weights: readonly number[],
): LoadBalanceConfig {
  if (targets.length === 0) throw new ConfigError('targets: at least one target is needed');
  if (weights.length !== targets.length) {
    throw new ConfigError(
      `weights: ${weights.length} weight(s) given for ${targets.length} target(s) (${targets
        .map((t) => t.name)
        .join(', ')})`,
    );
  }
  const normalized = normalizeWeights(weights);
  return {
    strategy: { mode: 'loadbalance' },
    targets: targets.map((target, i) => ({
      provider: target.provider,
      custom_host: target.customHost,
      api_key: target.apiKey ?? PLACEHOLDER_API_KEY,
      weight: normalized[i] ?? 0,
      override_params: { model: target.model },
    })),
  };
}

/**
 * The top-level target index from the gateway's `last-used-option-index` header, a JSON path
 * such as `config.targets[1]` or, for nested strategies, `config.targets[1].targets[0]`.
 * Returns null when the path does not name a target.
 */
export function servingTargetIndex(path: string | undefined | null): number | null {
  if (!path) return null;
  const match = /^config\.targets\[(\d+)\]/.exec(path.trim());
  return match?.[1] === undefined ? null : Number(match[1]);
}
