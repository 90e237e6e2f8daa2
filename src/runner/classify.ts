// Reading one answer (or failure) of the gateway: where it went, and what went wrong. Pure.
import { UsageError } from '../errors.js';
import { maskUrl } from '../io/redact.js';
import { oneLine } from '../io/text.js';
import type { Leaf, ScenarioPlan } from '../model/plan.js';
import type { RequestRecord, Route } from '../model/request.js';
import { configFeatures } from '../portkey-config.js';

/** The gateway refused the config itself (status 400 before any provider was called). */
export class ConfigRejectedError extends UsageError {
  override name = 'ConfigRejectedError';
}

/** What a request ended with, before the loop stamps its start time. */
export type Sent = Omit<RequestRecord, 'startedMs'>;
export type Failure = NonNullable<RequestRecord['error']>;

export const NO_ROUTE: Route = {
  targetPath: null,
  pickedIndex: null,
  answeredIndex: null,
  fallbackDepth: null,
  attributedBy: null,
  provider: null,
  retries: 0,
  retriesExhausted: false,
};

/** What a response's headers are read against: the config's leaves and its retry attempts. */
export interface RouteContext {
  /** Leaf paths of the config, exactly as the gateway reports them. */
  leaves: ReadonlyMap<string, Leaf>;
  /** retry.attempts of the config (0 without retry): what a count of -1 stands for. */
  retryAttempts: number;
}

export function routeContext(plan: Pick<ScenarioPlan, 'leaves' | 'config'>): RouteContext {
  return {
    leaves: new Map(plan.leaves.map((leaf) => [leaf.path, leaf])),
    retryAttempts: configFeatures(plan.config).retry?.attempts ?? 0,
  };
}

/**
 * The route from the gateway's headers (names lower-case, `x-portkey-` stripped or not). Only a
 * path that is exactly one of the config's leaves (`config.targets[1]`, or for a nested strategy
 * `config.targets[1].targets[0]`) attributes the request: anything else leaves it unattributed.
 */
export function routeOf(headers: Record<string, string | undefined>, context: RouteContext): Route {
  const path = headers['last-used-option-index'] ?? headers['x-portkey-last-used-option-index'];
  const provider = headers.provider ?? headers['x-portkey-provider'];
  const count = headers['retry-attempt-count'] ?? headers['x-portkey-retry-attempt-count'];
  const leaf = path === undefined ? undefined : context.leaves.get(path);
  // The gateway sends -1 when it gave up after its last attempt: they were all spent.
  const exhausted = count?.trim() === '-1';
  const retries = exhausted ? (leaf?.retryAttempts ?? context.retryAttempts) : Number(count ?? 0);
  return {
    targetPath: path ?? null,
    pickedIndex: leaf?.picked ?? null,
    answeredIndex: leaf?.target ?? null,
    fallbackDepth: leaf?.fallbackDepth ?? null,
    attributedBy: leaf && leaf.picked !== null ? 'header' : null,
    provider: provider || null,
    retries: Number.isSafeInteger(retries) && retries > 0 ? retries : 0,
    retriesExhausted: exhausted,
  };
}

/** An error as the SDK throws it: an APIError with status, body and headers, or a wrapper. */
interface SdkError {
  status?: number;
  error?: unknown;
  headers?: Record<string, string | undefined>;
  message?: string;
  name?: string;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * The cause of a failed request, from the SDK's error and the headers of the request's own
 * response (the error's headers by default; with a client shared by requests in flight they may
 * be another request's).
 */
export function describeFailure(
  error: unknown,
  ownHeaders?: Record<string, string | undefined>,
): Failure {
  const e = error as SdkError;
  if (typeof e?.status !== 'number') return describeUnanswered(error);
  const headers = ownHeaders ?? e.headers ?? {};
  const message = oneLine(errorMessage(e));
  // 408 is the gateway's own request_timeout; 504 a gateway or proxy giving up upstream.
  if (e.status === 408 || e.status === 504) return { cause: 'timeout', status: e.status, message };
  // Without the gateway's routing headers the answer came from the gateway itself, or from
  // whatever stands in front of it (a proxy, an OpenShift router), not from a provider.
  const routed = headers['x-portkey-last-used-option-index'] !== undefined;
  const fromGateway = headers['x-portkey-gateway-exception'] === 'true' || !routed;
  return { cause: fromGateway ? 'gateway-error' : 'provider-error', status: e.status, message };
}

/** No status: a body that is not JSON, or a network failure (the SDK wraps fetch's error). */
function describeUnanswered(error: unknown): Failure {
  const e = error as SdkError;
  const chain = causeChain(error);
  // A 2xx answer whose body the SDK could not parse: the gateway answered, but not with JSON.
  if (chain.some((c) => c.name === 'SyntaxError')) {
    return {
      cause: 'invalid-response',
      message: `the gateway answered with a body that is not JSON (${oneLine(e?.message ?? '')})`,
    };
  }
  const codes = chain.map((c) => c.code ?? c.name ?? '');
  if (e?.name === 'APIConnectionTimeoutError' || codes.some((code) => TIMEOUT_CODES.has(code))) {
    return { cause: 'timeout', message: 'no answer in time (--timeout)' };
  }
  const detail = codes.find((code) => code && code !== 'Error' && code !== 'TypeError');
  return {
    cause: 'connection',
    message: `lost the connection to the gateway (${detail ?? oneLine(e?.message ?? String(error))})`,
  };
}

function causeChain(error: unknown): { code?: string; name?: string }[] {
  const chain: { code?: string; name?: string }[] = [];
  let current = error as { cause?: unknown; code?: string; name?: string } | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    chain.push(current);
    current = current.cause as typeof current;
  }
  return chain;
}

function errorMessage(e: SdkError): string {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.error?.message ?? body?.message ?? e.message;
  return typeof message === 'string' ? message : (JSON.stringify(message) ?? '');
}

/**
 * A 400 whose body lists config errors means the gateway refused the config before calling any
 * provider, and a 431 that the config header was too large for it: every request would fail the
 * same way, so the run stops with the reason.
 */
export function configRejection(
  error: unknown,
  plan: ScenarioPlan,
): ConfigRejectedError | undefined {
  const e = error as SdkError;
  if (e?.status === 431) {
    const bytes = Buffer.byteLength(JSON.stringify(plan.config));
    return new ConfigRejectedError(
      `the gateway refused the request headers (HTTP 431): the config travels in one header (x-portkey-config, ${bytes} bytes here) and the gateway's limit is lower (Node's default is 16 KB for all headers); use fewer targets, or start the gateway's node with --max-http-header-size`,
    );
  }
  const body = e?.error as { status?: string; message?: string; errors?: unknown } | undefined;
  if (e?.status !== 400 || body?.status !== 'failure') return undefined;
  // A conditional that routes this request nowhere is an answer about the request, not the
  // config: it fails on its own (and is what a request case may predict).
  if (/query router/i.test(body.message ?? '')) return undefined;
  const reasons = Array.isArray(body.errors) ? body.errors.map(String) : [];
  const named = reasons.map((reason) => nameTarget(reason, plan));
  const why = named.length > 0 ? named.join('; ') : (body.message ?? 'no reason given');
  return new ConfigRejectedError(`the gateway rejected the config: ${why}`);
}

/** "path: targets,0,provider, message: Invalid ..." -> 'target 1 "ollama" (provider): Invalid ...' */
function nameTarget(reason: string, plan: ScenarioPlan): string {
  const match = /^path: targets,(\d+),?([^,]*), message: (.*)$/s.exec(reason);
  if (!match) return oneLine(reason);
  const index = Number(match[1]);
  const target = plan.targets[index];
  const field = match[2] ? ` ${match[2]}` : '';
  let message = oneLine(match[3] ?? '');
  if (message.startsWith("Invalid 'provider' value")) {
    message = `unknown provider "${target?.provider}" (the gateway's list: ${message.replace(/^.*Must be one of: /, '').slice(0, 120)}…)`;
  }
  if (message === 'Invalid custom host') {
    message = `the gateway refuses custom_host ${maskUrl(target?.customHost ?? '')} (it blocks private, internal and .local addresses unless its TRUSTED_CUSTOM_HOSTS lists the host)`;
  }
  return `target ${index + 1} "${target?.name ?? '?'}"${field}: ${message}`;
}

/** The start of something that is not a chat completion, for a failure's message. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return oneLine(text ?? '').slice(0, 80);
}
