// Sends a scenario's requests through the Portkey SDK and records one RequestRecord per request.
import { performance } from 'node:perf_hooks';
import { Portkey } from 'portkey-ai';
import { servingTargetIndex } from './config.js';
import { UsageError } from './errors.js';
import { promptFor, type ScenarioPlan } from './scenarios.js';

export interface GatewayConnection {
  /** The gateway's base URL, e.g. http://127.0.0.1:8787/v1. Always explicit: never the hosted API by default. */
  url: string;
  /** Sent as x-portkey-api-key; a self-hosted gateway ignores it. */
  apiKey?: string;
}

export type FailureCause =
  | 'provider-error' // the provider answered with an error status, passed on by the gateway
  | 'gateway-error' // the gateway failed on its own (for example an unparseable provider answer)
  | 'invalid-response' // a 2xx answer that is not a chat completion
  | 'connection' // the gateway could not be reached
  | 'timeout';

export interface RequestRecord {
  /** 0-based position in the scenario. */
  seq: number;
  prompt: string;
  latencyMs: number;
  ok: boolean;
  /** Top-level target the gateway used, from this response's own headers; null when not told. */
  targetIndex: number | null;
  /** The gateway's JSON path of the target, e.g. config.targets[1]. */
  targetPath: string | null;
  /** Provider slug the gateway reported. */
  provider: string | null;
  answer?: string;
  completionTokens?: number;
  error?: { cause: FailureCause; status?: number; message: string };
}

export interface RunOptions {
  /** Requests in flight at once; each has an SDK client of its own (see below). */
  concurrency?: number;
  /** Called as each request completes, in completion order. */
  onRecord?: (record: RequestRecord) => void;
  /** Stops sending new requests when aborted; requests in flight still complete. */
  signal?: AbortSignal;
}

/** The gateway refused the config itself (status 400 before any provider was called). */
export class ConfigRejectedError extends UsageError {
  override name = 'ConfigRejectedError';
}

/**
 * Runs a scenario and returns its records in sequence order.
 *
 * The SDK keeps the latest response headers on the client (`client.responseHeaders`, rewritten by
 * every call, and copied into errors after an await). So each worker owns one client and has one
 * request in flight on it: a response's headers can then only be its own. Successful answers are
 * attributed from `response.getHeaders()`, errors from the headers the SDK attaches to them.
 */
export async function runScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  options: RunOptions = {},
): Promise<RequestRecord[]> {
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 1, plan.requests));
  const records: RequestRecord[] = new Array(plan.requests);
  let next = 0;
  let rejection: ConfigRejectedError | undefined;

  const worker = async () => {
    const client = createClient(plan, connection);
    while (next < plan.requests && !options.signal?.aborted && !rejection) {
      const seq = next++;
      const record = await sendOne(client, plan, seq);
      if (record instanceof ConfigRejectedError) {
        rejection = record;
        break;
      }
      records[seq] = record;
      options.onRecord?.(record);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (rejection) throw rejection;
  // Holes are requests never sent because the run was interrupted.
  return records.filter((r) => r !== undefined);
}

function createClient(plan: ScenarioPlan, connection: GatewayConnection): Portkey {
  const client = new Portkey({
    baseURL: connection.url,
    // null, not undefined: undefined would make the SDK read PORTKEY_API_KEY from the environment.
    apiKey: connection.apiKey ?? null,
    config: plan.config as unknown as Record<string, unknown>,
  });
  // The SDK retries connection errors and some 5xx answers by default; that would hide failures
  // and send requests nobody counted.
  client.maxRetries = 0;
  return client;
}

async function sendOne(
  client: Portkey,
  plan: ScenarioPlan,
  seq: number,
): Promise<RequestRecord | ConfigRejectedError> {
  const prompt = promptFor(plan, seq);
  const started = performance.now();
  try {
    const response = await client.chat.completions.create({
      model: plan.targets[0]?.model ?? 'default',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: plan.maxTokens,
    });
    const latencyMs = performance.now() - started;
    const headers = response.getHeaders?.() ?? {};
    const route = routeOf(headers);
    const answer = response.choices?.[0]?.message?.content;
    if (typeof answer !== 'string') {
      return {
        seq,
        prompt,
        latencyMs,
        ok: false,
        ...route,
        error: {
          cause: 'invalid-response',
          message: `the gateway answered with something other than a chat completion: ${preview(response)}`,
        },
      };
    }
    return {
      seq,
      prompt,
      latencyMs,
      ok: true,
      ...route,
      answer,
      ...(response.usage ? { completionTokens: response.usage.completion_tokens } : {}),
    };
  } catch (error) {
    const latencyMs = performance.now() - started;
    const rejected = configRejection(error, plan);
    if (rejected) return rejected;
    return {
      seq,
      prompt,
      latencyMs,
      ok: false,
      ...routeOfError(error),
      error: describeFailure(error),
    };
  }
}

interface Route {
  targetIndex: number | null;
  targetPath: string | null;
  provider: string | null;
}

/** Headers as the SDK hands them over: names lower-case, `x-portkey-` stripped or not. */
function routeOf(headers: Record<string, string | undefined>): Route {
  const path = headers['last-used-option-index'] ?? headers['x-portkey-last-used-option-index'];
  const provider = headers.provider ?? headers['x-portkey-provider'];
  return {
    targetIndex: servingTargetIndex(path),
    targetPath: path ?? null,
    provider: provider || null,
  };
}

interface SdkError {
  status?: number;
  error?: unknown;
  headers?: Record<string, string | undefined>;
  message?: string;
  name?: string;
}

function routeOfError(error: unknown): Route {
  const headers = (error as SdkError)?.headers;
  return headers
    ? routeOf({ ...headers })
    : { targetIndex: null, targetPath: null, provider: null };
}

function describeFailure(error: unknown): NonNullable<RequestRecord['error']> {
  const e = error as SdkError;
  const name = e?.name ?? '';
  if (name === 'APIConnectionTimeoutError') return { cause: 'timeout', message: 'timed out' };
  if (typeof e?.status !== 'number') {
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? e?.message ?? String(error);
    return { cause: 'connection', message: `cannot reach the gateway (${detail})` };
  }
  const headers = e.headers ?? {};
  const fromGateway = headers['x-portkey-gateway-exception'] === 'true';
  return {
    cause: fromGateway ? 'gateway-error' : 'provider-error',
    status: e.status,
    message: oneLine(errorMessage(e)),
  };
}

function errorMessage(e: SdkError): string {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.error?.message ?? body?.message ?? e.message;
  return typeof message === 'string' ? message : JSON.stringify(message);
}

/**
 * A 400 whose body lists config errors means the gateway refused the config before calling any
 * provider: every request would fail the same way, so the run stops with the gateway's reasons.
 */
function configRejection(error: unknown, plan: ScenarioPlan): ConfigRejectedError | undefined {
  const e = error as SdkError;
  const body = e?.error as { status?: string; message?: string; errors?: unknown } | undefined;
  if (e?.status !== 400 || body?.status !== 'failure') return undefined;
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
    message = `the gateway refuses custom_host ${target?.customHost ?? ''} (it blocks private, internal and .local addresses unless its TRUSTED_CUSTOM_HOSTS lists the host)`;
  }
  return `target ${index + 1} "${target?.name ?? '?'}"${field}: ${message}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return oneLine(text ?? '').slice(0, 80);
}
