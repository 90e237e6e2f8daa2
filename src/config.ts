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
  weight?: number;
  override_params: { model: string };
}

/** A nested strategy: here, a target that falls back to others when it fails. */
export interface FallbackGroup {
  strategy: { mode: 'fallback'; on_status_codes?: number[] };
  targets: PortkeyTarget[];
  weight: number;
}

export interface LoadBalanceConfig {
  strategy: { mode: 'loadbalance' };
  targets: (PortkeyTarget | FallbackGroup)[];
  /** The gateway retries a target on these statuses, up to `attempts` more times. */
  retry?: { attempts: number; on_status_codes: number[] };
  /** The gateway gives up on a provider after this many ms and answers 408. */
  request_timeout?: number;
}

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
    targets: targets.map((target, i) => ({ ...portkeyTarget(target), weight: normalized[i] ?? 0 })),
  };
}

/**
 * Load balancing in which each target falls back to the others, in order, when it fails: the
 * seed's "combine with fallback" next step. The gateway reports a request that took the fallback
 * with a nested path such as config.targets[0].targets[1].
 */
export function createFailoverConfig(
  targets: readonly TargetSpec[],
  weights: readonly number[],
): LoadBalanceConfig {
  const balanced = createWeightedConfig(targets, weights);
  return {
    strategy: { mode: 'loadbalance' },
    targets: targets.map((target, i) => ({
      strategy: { mode: 'fallback' },
      targets: [target, ...targets.filter((_, j) => j !== i)].map(portkeyTarget),
      weight: balanced.targets[i]?.weight ?? 0,
    })),
  };
}

/** Adds the gateway's retry: `attempts` more tries of the same target on these statuses. */
export function withRetry(
  config: LoadBalanceConfig,
  attempts: number,
  onStatusCodes: readonly number[],
): LoadBalanceConfig {
  return { ...config, retry: { attempts, on_status_codes: [...onStatusCodes] } };
}

/** Adds the gateway's own timeout on each provider call. */
export function withRequestTimeout(config: LoadBalanceConfig, ms: number): LoadBalanceConfig {
  return { ...config, request_timeout: ms };
}

function portkeyTarget(target: TargetSpec): PortkeyTarget {
  return {
    provider: target.provider,
    custom_host: target.customHost,
    api_key: target.apiKey ?? PLACEHOLDER_API_KEY,
    override_params: { model: target.model },
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

/**
 * The position inside a nested strategy, e.g. 1 for config.targets[0].targets[1]: with a fallback
 * group, 0 is the target itself and anything above is a fallback. Null for a flat path.
 */
export function nestedTargetIndex(path: string | undefined | null): number | null {
  const match = /^config\.targets\[\d+\]\.targets\[(\d+)\]/.exec(path?.trim() ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}
