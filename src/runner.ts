// Sends a scenario's requests through the Portkey SDK and reports one RequestRecord per request.
import { performance } from 'node:perf_hooks';
import mt19937 from '@stdlib/random-base-mt19937';
import { Portkey } from 'portkey-ai';
import { servingTargetIndex } from './config.js';
import { UsageError } from './errors.js';
import { promptFor, type ScenarioPlan } from './scenarios.js';

export interface GatewayConnection {
  /** The gateway's base URL, e.g. http://127.0.0.1:8787/v1. Always explicit: never the hosted API by default. */
  url: string;
  /** Sent as x-portkey-api-key; a self-hosted gateway ignores it. */
  apiKey?: string;
  /** An Authorization header for a gateway behind basic auth. */
  authorization?: string;
}

export type FailureCause =
  | 'provider-error' // the provider answered with an error status, passed on by the gateway
  | 'gateway-error' // the gateway failed on its own (for example an unparseable provider answer)
  | 'invalid-response' // a 2xx answer that is not a chat completion
  | 'connection' // the gateway could not be reached
  | 'timeout'
  | 'interrupted'; // still in flight when the run was stopped

export interface RequestRecord {
  /** 0-based position in the scenario. */
  seq: number;
  /** ms from the start of the run to sending this request. */
  startedMs: number;
  /** End-to-end latency as the client saw it (the whole stream, when streaming). */
  latencyMs: number;
  ok: boolean;
  /** Top-level target the gateway used, from this response's own headers; null when not told. */
  targetIndex: number | null;
  /** The gateway's JSON path of the target, e.g. config.targets[1]. */
  targetPath: string | null;
  /** Provider slug the gateway reported. */
  provider: string | null;
  /** Gateway retries for this request (x-portkey-retry-attempt-count). */
  retries: number;
  /** The start of the answer, for the per-request lines. */
  snippet?: string;
  outputTokens?: number;
  /** Streaming: time to the first content token. */
  ttftMs?: number;
  /** Streaming: mean time between tokens after the first (time per output token). */
  tpotMs?: number;
  error?: { cause: FailureCause; status?: number; message: string };
}

/** How requests are sent: closed loop (concurrency) or open loop (rate), until a count or a time. */
export interface LoadShape {
  /** Closed loop: this many requests in flight at once (ignored when `rate` is set). */
  concurrency: number;
  /** Open loop: requests per second, with Poisson (exponential) inter-arrival times. */
  rate?: number;
  /** Stop after this many requests... */
  requests?: number;
  /** ...or after this much time (ms); one of the two is required. */
  durationMs?: number;
  stream: boolean;
  /** Client-side limit on one request (ms): past it the request is reported as a timeout. */
  timeoutMs?: number;
  /** Seed of the arrival times in open loop, so a run can be repeated. */
  seed?: number;
}

export interface RunOptions {
  /** Called as each request completes, in completion order. */
  onRecord: (record: RequestRecord) => void;
  /** Stops sending new requests when aborted; requests in flight get `graceMs` to complete. */
  signal?: AbortSignal;
  graceMs?: number;
}

export interface RunOutcome {
  sent: number;
  /** From the first request sent to the last one completed. */
  elapsedMs: number;
  interrupted: boolean;
}

/** The gateway refused the config itself (status 400 before any provider was called). */
export class ConfigRejectedError extends UsageError {
  override name = 'ConfigRejectedError';
}

/**
 * Runs a scenario under a load shape and reports each request through `onRecord`; records are not
 * kept here, so memory stays flat however long the run.
 *
 * The SDK keeps the latest response headers on the client (`client.responseHeaders`, rewritten by
 * every call, and copied into errors after an await). So every request in flight has an SDK client
 * of its own, taken from a pool: the headers it reads can only be its own. All clients share
 * Node's fetch connection pool, so connections are kept alive across requests.
 */
export async function runScenario(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  shape: LoadShape,
  options: RunOptions,
): Promise<RunOutcome> {
  const pool: Portkey[] = [];
  const inFlight = new Map<number, { startedMs: number; task: Promise<void> }>();
  const start = performance.now();
  const deadline =
    shape.durationMs === undefined ? Number.POSITIVE_INFINITY : start + shape.durationMs;
  let sent = 0;
  let lastDone = start;
  let rejection: ConfigRejectedError | undefined;

  const mayStart = () =>
    !rejection &&
    !options.signal?.aborted &&
    (shape.requests === undefined || sent < shape.requests) &&
    performance.now() < deadline;

  const launch = (): Promise<void> => {
    const seq = sent++;
    const client = pool.pop() ?? createClient(plan, connection);
    const startedMs = performance.now() - start;
    const attempt = sendOne(client, plan, seq, shape.stream);
    // A client goes back to the pool only once its request is really over, even after a timeout.
    void attempt.then(() => pool.push(client));
    const task = withTimeout(attempt, shape.timeoutMs, seq).then((result) => {
      // Gone from the map: it was reported as interrupted when the grace period ran out.
      if (!inFlight.delete(seq)) return;
      if (result instanceof ConfigRejectedError) {
        rejection ??= result;
        return;
      }
      lastDone = performance.now();
      options.onRecord({ ...result, startedMs });
    });
    inFlight.set(seq, { startedMs, task });
    return task;
  };

  if (shape.rate === undefined) {
    const worker = async () => {
      while (mayStart()) await launch();
    };
    const workers = Array.from({ length: Math.max(1, shape.concurrency) }, worker);
    await untilAborted(Promise.all(workers), options.signal);
  } else {
    const nextGap = exponentialGaps(shape.rate, shape.seed ?? 1);
    let due = performance.now();
    while (mayStart()) {
      const wait = due - performance.now();
      if (wait > 0 && !(await sleep(wait, options.signal))) break;
      // Timers fire late: send every arrival that is due rather than drift behind the rate.
      while (due <= performance.now() && mayStart()) {
        void launch();
        due += nextGap();
      }
    }
  }

  const interrupted = options.signal?.aborted === true;
  await waitFor(
    [...inFlight.values()].map((r) => r.task),
    interrupted ? (options.graceMs ?? 5_000) : undefined,
  );
  // Requests still out after the grace period are reported as interrupted, not lost.
  const now = performance.now() - start;
  for (const [seq, { startedMs }] of inFlight) {
    options.onRecord({
      seq,
      startedMs,
      latencyMs: now - startedMs,
      ok: false,
      targetIndex: null,
      targetPath: null,
      provider: null,
      retries: 0,
      error: { cause: 'interrupted', message: 'still in flight when the run was stopped' },
    });
  }
  inFlight.clear();
  if (rejection) throw rejection;
  return { sent, elapsedMs: Math.max(lastDone, start + now) - start, interrupted };
}

/**
 * The SDK takes no abort signal, so a request cannot be cancelled from here: past the limit it is
 * reported as a timeout at once (the caller also sets the HTTP agent's timeouts, which close the
 * socket soon after).
 */
function withTimeout(
  attempt: Promise<Sent | ConfigRejectedError>,
  timeoutMs: number | undefined,
  seq: number,
): Promise<Sent | ConfigRejectedError> {
  if (timeoutMs === undefined) return attempt;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Sent>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          seq,
          latencyMs: timeoutMs,
          ok: false,
          targetIndex: null,
          targetPath: null,
          provider: null,
          retries: 0,
          error: {
            cause: 'timeout',
            message: `no complete answer within ${timeoutMs} ms (--timeout)`,
          },
        }),
      timeoutMs,
    );
  });
  return Promise.race([attempt, expired]).finally(() => clearTimeout(timer));
}

/** Resolves when `work` settles or `signal` aborts, whichever comes first. */
function untilAborted(work: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work.then(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits for every task, or at most `limitMs` when given. */
async function waitFor(tasks: Promise<void>[], limitMs: number | undefined): Promise<void> {
  const all = Promise.allSettled(tasks).then(() => undefined);
  if (limitMs === undefined) return all;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
  });
  await Promise.race([all, limit]);
  clearTimeout(timer);
}

/** Sleeps `ms`; resolves false when the signal aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Gaps between Poisson arrivals at `rate` per second: exponentially distributed, mean 1000/rate ms.
 * Drawn from a seeded generator so that a run's arrival pattern can be repeated.
 */
export function exponentialGaps(rate: number, seed: number): () => number {
  const uniform = mt19937.factory({ seed });
  const max = mt19937.MAX + 1;
  return () => {
    const u = (uniform() + 0.5) / max; // in (0, 1): never log(0)
    return (-Math.log(u) * 1000) / rate;
  };
}

function createClient(plan: ScenarioPlan, connection: GatewayConnection): Portkey {
  const client = new Portkey({
    baseURL: connection.url,
    // null, not undefined: undefined would make the SDK read PORTKEY_API_KEY from the environment.
    apiKey: connection.apiKey ?? null,
    config: plan.config as unknown as Record<string, unknown>,
    ...(connection.authorization ? { Authorization: connection.authorization } : {}),
  });
  // The SDK retries connection errors and some 5xx answers by default; that would hide failures
  // and send requests nobody counted.
  client.maxRetries = 0;
  return client;
}
type Sent = Omit<RequestRecord, 'startedMs'>;

async function sendOne(
  client: Portkey,
  plan: ScenarioPlan,
  seq: number,
  stream: boolean,
): Promise<Sent | ConfigRejectedError> {
  const body = {
    model: plan.targets[0]?.model ?? 'default',
    messages: [{ role: 'user' as const, content: promptFor(plan, seq) }],
    max_tokens: plan.maxTokens,
  };
  const started = performance.now();
  try {
    return stream
      ? await sendStreamed(client, body, seq, started)
      : await sendPlain(client, body, seq, started);
  } catch (error) {
    const latencyMs = performance.now() - started;
    const rejected = configRejection(error, plan);
    if (rejected) return rejected;
    return { seq, latencyMs, ok: false, ...routeOfError(error), error: describeFailure(error) };
  }
}

interface ChatBody {
  model: string;
  messages: { role: 'user'; content: string }[];
  max_tokens: number;
}

async function sendPlain(
  client: Portkey,
  body: ChatBody,
  seq: number,
  started: number,
): Promise<Sent> {
  const response = await client.chat.completions.create(body);
  const latencyMs = performance.now() - started;
  const route = routeOf(response.getHeaders?.() ?? {});
  const answer = response.choices?.[0]?.message?.content;
  if (typeof answer !== 'string') {
    return {
      seq,
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
    latencyMs,
    ok: true,
    ...route,
    snippet: answer.slice(0, SNIPPET_LENGTH),
    ...(response.usage ? { outputTokens: response.usage.completion_tokens } : {}),
  };
}

/**
 * A streamed request: time to first token, time per output token after it, and the whole. A
 * stream's headers are only on the client (the SDK gives the Stream no headers of its own); this
 * client has no other request in flight, so they are this stream's.
 */
async function sendStreamed(
  client: Portkey,
  body: ChatBody,
  seq: number,
  started: number,
): Promise<Sent> {
  const stream = await client.chat.completions.create({
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  } as ChatBody & { stream: true });
  const route = routeOf({ ...client.responseHeaders });
  let firstTokenAt: number | undefined;
  let lastTokenAt = started;
  let chunks = 0;
  let usageTokens: number | undefined;
  let snippet = '';
  for await (const chunk of stream as AsyncIterable<StreamChunk>) {
    const piece = chunk.choices?.[0]?.delta?.content;
    if (piece) {
      lastTokenAt = performance.now();
      firstTokenAt ??= lastTokenAt;
      chunks += 1;
      if (snippet.length < SNIPPET_LENGTH) snippet += piece;
    }
    if (typeof chunk.usage?.completion_tokens === 'number')
      usageTokens = chunk.usage.completion_tokens;
  }
  const latencyMs = performance.now() - started;
  if (firstTokenAt === undefined) {
    return {
      seq,
      latencyMs,
      ok: false,
      ...route,
      error: { cause: 'invalid-response', message: 'the stream ended without any content' },
    };
  }
  const outputTokens = usageTokens ?? chunks;
  return {
    seq,
    latencyMs,
    ok: true,
    ...route,
    snippet: snippet.slice(0, SNIPPET_LENGTH),
    outputTokens,
    ttftMs: firstTokenAt - started,
    ...(outputTokens > 1 ? { tpotMs: (lastTokenAt - firstTokenAt) / (outputTokens - 1) } : {}),
  };
}

interface StreamChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
}

const SNIPPET_LENGTH = 80;

interface Route {
  targetIndex: number | null;
  targetPath: string | null;
  provider: string | null;
  retries: number;
}

/** Headers as the SDK hands them over: names lower-case, `x-portkey-` stripped or not. */
function routeOf(headers: Record<string, string | undefined>): Route {
  const path = headers['last-used-option-index'] ?? headers['x-portkey-last-used-option-index'];
  const provider = headers.provider ?? headers['x-portkey-provider'];
  const retries = Number(
    headers['retry-attempt-count'] ?? headers['x-portkey-retry-attempt-count'] ?? 0,
  );
  return {
    targetIndex: servingTargetIndex(path),
    targetPath: path ?? null,
    provider: provider || null,
    // The gateway sends -1 when it gave up after its last attempt.
    retries: Number.isFinite(retries) ? Math.abs(retries) : 0,
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
    : { targetIndex: null, targetPath: null, provider: null, retries: 0 };
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function describeFailure(error: unknown): NonNullable<RequestRecord['error']> {
  const e = error as SdkError;
  if (typeof e?.status !== 'number') {
    const chain = causeChain(error);
    // A 2xx answer whose body the SDK could not parse: the gateway answered, but not with JSON.
    if (chain.some((c) => c.name === 'SyntaxError')) {
      return {
        cause: 'invalid-response',
        message: `the gateway answered with a body that is not JSON (${oneLine(e?.message ?? '')})`,
      };
    }
    // A network failure: the SDK wraps fetch's error, which wraps the socket's.
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
  const headers = e.headers ?? {};
  const message = oneLine(errorMessage(e));
  // 408 is the gateway's own request_timeout; 504 a gateway or proxy giving up upstream.
  if (e.status === 408 || e.status === 504) return { cause: 'timeout', status: e.status, message };
  // Without the gateway's routing headers the answer came from the gateway itself, or from
  // whatever stands in front of it (a proxy, an OpenShift router), not from a provider.
  const routed = headers['x-portkey-last-used-option-index'] !== undefined;
  const fromGateway = headers['x-portkey-gateway-exception'] === 'true' || !routed;
  return { cause: fromGateway ? 'gateway-error' : 'provider-error', status: e.status, message };
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
