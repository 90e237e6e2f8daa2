// Builds the Portkey gateway configs lb-demo sends. Pure: no I/O, no process, no SDK.
import type { TargetSpec, Weights } from './model/input.js';
import type {
  FallbackGroup,
  Leaf,
  LoadBalanceConfig,
  PortkeyConfig,
  PortkeyTarget,
} from './model/plan.js';

/**
 * The gateway forwards api_key as the provider's bearer token. Ollama and vLLM deployments
 * usually need none, but the gateway's schema wants a string, so a placeholder stands in.
 */
export const PLACEHOLDER_API_KEY = 'not-needed';

/** One loadbalance over the targets; the gateway picks each request's target at random by weight. */
export function loadBalanceConfig(
  targets: readonly TargetSpec[],
  weights: Weights,
): LoadBalanceConfig {
  return {
    strategy: { mode: 'loadbalance' },
    targets: targets.map((target, i) => ({ ...portkeyTarget(target), weight: weights[i] ?? 0 })),
  };
}

/**
 * Load balancing in which each target falls back to the others, in order, when it fails: the
 * seed's "combine with fallback" next step. The gateway reports a request that took the fallback
 * with a nested path such as config.targets[0].targets[1].
 */
export function failoverConfig(
  targets: readonly TargetSpec[],
  weights: Weights,
): LoadBalanceConfig {
  return {
    strategy: { mode: 'loadbalance' },
    targets: targets.map(
      (_, i): FallbackGroup => ({
        strategy: { mode: 'fallback' },
        targets: fallbackOrder(i, targets.length).map((j) =>
          portkeyTarget(targets[j] as TargetSpec),
        ),
        weight: weights[i] ?? 0,
      }),
    ),
  };
}

/** Target i first, then the others in order. */
function fallbackOrder(i: number, n: number): number[] {
  return [i, ...Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)];
}

/**
 * The leaves of a config lb-demo built, by the path the gateway reports for each: a flat
 * loadbalance has config.targets[i]; a group of failoverConfig has config.targets[i].targets[m]
 * for its m-th member.
 */
export function leavesOf(config: LoadBalanceConfig): Leaf[] {
  const n = config.targets.length;
  return config.targets.flatMap((node, i): Leaf[] =>
    'strategy' in node
      ? fallbackOrder(i, n).map((target, depth) => ({
          path: `config.targets[${i}].targets[${depth}]`,
          picked: i,
          target,
          fallbackDepth: depth,
        }))
      : [{ path: `config.targets[${i}]`, picked: i, target: i, fallbackDepth: 0 }],
  );
}

/**
 * Adds the gateway's retry: `attempts` more tries of the same target on these statuses; with
 * `useRetryAfter`, the gateway's use_retry_after_header (singular: the schema's spelling).
 */
export function withRetry(
  config: LoadBalanceConfig,
  attempts: number,
  onStatusCodes: readonly number[],
  useRetryAfter = false,
): LoadBalanceConfig {
  return {
    ...config,
    retry: {
      attempts,
      on_status_codes: [...onStatusCodes],
      ...(useRetryAfter ? { use_retry_after_header: true } : {}),
    },
  };
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

/** What the report says about a config's gateway features: those of its top level. */
export function configFeatures(config: PortkeyConfig): {
  retry: { attempts: number; on_status_codes: number[]; use_retry_after_header: boolean } | null;
  requestTimeoutMs: number | null;
  fallback: boolean;
} {
  const top = config as Record<string, unknown>;
  const retry = top.retry as
    | { attempts?: unknown; on_status_codes?: unknown; use_retry_after_header?: unknown }
    | undefined;
  const attempts = typeof retry?.attempts === 'number' ? retry.attempts : undefined;
  return {
    retry:
      attempts === undefined
        ? null
        : {
            attempts,
            on_status_codes: Array.isArray(retry?.on_status_codes)
              ? retry.on_status_codes.filter((c): c is number => typeof c === 'number')
              : [],
            use_retry_after_header: retry?.use_retry_after_header === true,
          },
    requestTimeoutMs: typeof top.request_timeout === 'number' ? top.request_timeout : null,
    fallback: hasFallback(top),
  };
}

function hasFallback(node: Record<string, unknown>): boolean {
  const strategy = node.strategy as { mode?: unknown } | undefined;
  const targets = Array.isArray(node.targets) ? (node.targets as Record<string, unknown>[]) : [];
  return (
    strategy?.mode === 'fallback' ||
    targets.some((t) => typeof t === 'object' && t !== null && hasFallback(t))
  );
}
