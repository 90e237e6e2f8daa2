// Sends one chat completion through the official Portkey SDK and reads what came back.
import { performance } from 'node:perf_hooks';
import { Portkey } from 'portkey-ai';
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import { promptFor } from '../prompts.js';
import {
  type ConfigRejectedError,
  configRejection,
  describeFailure,
  NO_ROUTE,
  preview,
  type RouteContext,
  routeContext,
  routeOf,
  type Sent,
} from './classify.js';
import {
  createPoolFetch,
  type PoolResponse,
  RequestCancel,
  type ResponseHeaders,
  type SdkFetch,
} from './fetch.js';
import {
  brokenBody,
  readStream,
  SNIPPET_LENGTH,
  type StreamChunk,
  watchForDone,
} from './stream.js';

export interface Transport {
  /**
   * Sends request `seq` of the plan; never throws: a failure is a record too. Times are from
   * `fromMs` (performance.now()), the request's scheduled time in an open loop; now by default.
   * `cancel` gives up on it (after --timeout): its connection is closed.
   */
  send(seq: number, fromMs?: number, cancel?: RequestCancel): Promise<Sent | ConfigRejectedError>;
  /** The id request `seq` is tagged with, when requests are tagged. */
  requestIdFor(seq: number): string | undefined;
  /** Closes every connection, including those of requests still hanging. */
  close(): Promise<void>;
}

export interface TransportOptions {
  stream: boolean;
  timeoutMs: number;
  /** Streamed: a 200 stream silent this long (ms) is given up as stalled; default: timeoutMs. */
  streamIdleTimeoutMs?: number;
  /** Connections to the gateway at most (the concurrency, or the open loop's max in flight). */
  connections: number;
  /**
   * Tag each request with `<prefix>-<seq>` in this header, and ask the gateway to forward it to
   * the providers (x-portkey-forward-headers): lb-demo's simulators then know which request each
   * provider call belongs to.
   */
  tag?: { header: string; prefix: string };
}

/**
 * Where one request's own response lands. The SDK keeps the latest response headers on the
 * client (rewritten by every call, and copied into errors after an await), so with one client
 * they could belong to another request in flight. Each request carries its slot instead, under a
 * symbol key in its extra headers: the SDK copies those into the request's own headers object
 * (Object.assign copies symbol keys) and hands that object to the client's fetch, which takes the
 * slot out before sending and puts the response in it.
 */
interface Slot {
  response?: PoolResponse;
  cancel?: RequestCancel;
}
const SLOT = Symbol('lb-demo request slot');

/** One SDK client for every request of the plan, over a pool of keep-alive connections. */
export function createTransport(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  options: TransportOptions,
): Transport {
  const pool = createPoolFetch({ connections: options.connections, timeoutMs: options.timeoutMs });
  const { tag } = options;
  const client = createClient(plan, connection, slotted(pool.fetch), tag?.header);
  const context = routeContext(plan);
  const body = requestBody(plan, options.stream);
  const idleMs = options.streamIdleTimeoutMs ?? options.timeoutMs;
  return {
    requestIdFor: (seq) => (tag ? `${tag.prefix}-${seq}` : undefined),
    send(seq, fromMs, cancel) {
      const slot: Slot = { cancel: cancel ?? new RequestCancel() };
      const extraHeaders: Record<string | symbol, unknown> = { [SLOT]: slot };
      if (tag) extraHeaders[tag.header] = `${tag.prefix}-${seq}`;
      const request = { client, slot, extraHeaders, context, seq, plan, idleMs };
      return sendOne(request, body(seq), options.stream, fromMs ?? performance.now());
    },
    close: () => pool.close(),
  };
}

/** The client's fetch: takes each request's slot out of its headers, and fills it in. */
function slotted(fetch: SdkFetch): SdkFetch {
  return (url, init) => {
    const headers = init.headers as unknown as Record<string | symbol, unknown>;
    const slot = headers[SLOT] as Slot | undefined;
    // Sent without its slot, a request's headers could not be told from its neighbours'.
    if (!slot) throw new Error('lb-demo: a request without its slot (the SDK changed?)');
    delete headers[SLOT];
    return fetch(url, init, slot.cancel).then((response) => {
      slot.response = response;
      return response;
    });
  };
}

function createClient(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  fetch: SdkFetch,
  forward: string | undefined,
): Portkey {
  const client = new Portkey({
    baseURL: connection.url,
    // null, not undefined: undefined would make the SDK read PORTKEY_API_KEY from the environment.
    apiKey: connection.apiKey ?? null,
    config: plan.config as unknown as Record<string, unknown>,
    ...(connection.authorization ? { Authorization: connection.authorization } : {}),
    // The SDK sends an option it does not know as x-portkey-<kebab-case>: x-portkey-lb-demo-token.
    ...(connection.token ? { lbDemoToken: connection.token } : {}),
    ...(forward ? { forwardHeaders: [forward] } : {}),
    // x-portkey-metadata: what a conditional strategy reads as metadata.*.
    ...(plan.metadata ? { metadata: plan.metadata } : {}),
  });
  // The SDK retries connection errors and some 5xx answers by default; that would hide failures
  // and send requests nobody counted.
  client.maxRetries = 0;
  const internals = client as unknown as {
    fetch: SdkFetch;
    defaultHeaders: () => Record<string, string>;
  };
  // client.fetch is a field the SDK calls for every request (the constructor takes no fetch).
  internals.fetch = fetch;
  // The SDK recomputes these constant headers (package and runtime versions) for every request,
  // and copies them into the request's own headers; once is enough.
  const defaults = internals.defaultHeaders();
  internals.defaultHeaders = () => defaults;
  return client;
}

interface ChatBody {
  model: string;
  messages: { role: 'user'; content: string }[];
  max_tokens: number;
  [param: string]: unknown;
}

/** The body of request `seq`: the same for every request but its prompt. */
function requestBody(plan: ScenarioPlan, stream: boolean): (seq: number) => ChatBody {
  const model = plan.requestModel ?? plan.targets[0]?.model ?? 'default';
  const streaming = stream ? { stream: true, stream_options: { include_usage: true } } : {};
  return (seq) => ({
    model,
    messages: [{ role: 'user', content: promptFor(plan, seq) }],
    max_tokens: plan.maxTokens,
    // A request case's params (a conditional reads params.*) go in the body as given.
    ...plan.params,
    ...streaming,
  });
}

interface Request {
  client: Portkey;
  slot: Slot;
  extraHeaders: Record<string | symbol, unknown>;
  context: RouteContext;
  seq: number;
  plan: ScenarioPlan;
  /** Streamed: how long the stream may stay silent. */
  idleMs: number;
}

/** This request's own routing headers (lower-case names), from its slot; none without an answer. */
function ownHeaders(slot: Slot): Record<string, string | undefined> | undefined {
  const headers: ResponseHeaders | undefined = slot.response?.headers;
  if (!headers) return undefined;
  return {
    'x-portkey-last-used-option-index':
      headers.get('x-portkey-last-used-option-index') ?? undefined,
    'x-portkey-provider': headers.get('x-portkey-provider') ?? undefined,
    'x-portkey-retry-attempt-count': headers.get('x-portkey-retry-attempt-count') ?? undefined,
    'x-portkey-gateway-exception': headers.get('x-portkey-gateway-exception') ?? undefined,
  };
}

async function sendOne(
  request: Request,
  body: ChatBody,
  stream: boolean,
  started: number,
): Promise<Sent | ConfigRejectedError> {
  try {
    return stream
      ? await sendStreamed(request, body, started)
      : await sendPlain(request, body, started);
  } catch (error) {
    const latencyMs = performance.now() - started;
    const rejected = configRejection(error, request.plan);
    if (rejected) return rejected;
    const headers = ownHeaders(request.slot);
    const route = headers ? routeOf(headers, request.context) : NO_ROUTE;
    // A 2xx whose body then broke (a reset, a cut content-length) was answered, not unreached.
    const broken = request.slot.response?.ok && brokenBody(error);
    return {
      seq: request.seq,
      latencyMs,
      ok: false,
      ...route,
      error: broken
        ? {
            cause: 'truncated-body',
            message: `the answer's body broke off before its end (${broken})`,
          }
        : describeFailure(error, headers),
    };
  }
}

/** The SDK's per-call options: this request's extra headers, its slot among them. */
const callOptions = (request: Request) => ({
  extraHeaders: request.extraHeaders as Record<string, string>,
});

async function sendPlain(request: Request, body: ChatBody, started: number): Promise<Sent> {
  const { seq } = request;
  const response = await request.client.chat.completions.create(
    body,
    undefined,
    callOptions(request),
  );
  const latencyMs = performance.now() - started;
  const route = routeOf(ownHeaders(request.slot) ?? {}, request.context);
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
 * stream must end with a finish_reason: one that ends without it (cleanly or by a broken
 * connection), carries an error event, or goes silent for idleMs is a failure, however it began.
 */
async function sendStreamed(request: Request, body: ChatBody, started: number): Promise<Sent> {
  const { seq } = request;
  const stream = await request.client.chat.completions.create(
    body as ChatBody & { stream: true },
    undefined,
    callOptions(request),
  );
  const route = routeOf(ownHeaders(request.slot) ?? {}, request.context);
  const done = request.slot.response ? watchForDone(request.slot.response) : () => false;
  const read = await readStream(
    stream as AsyncIterable<StreamChunk>,
    { idleMs: request.idleMs, cancel: request.slot.cancel },
    started,
  );
  read.finished ||= done();
  const latencyMs = performance.now() - started;
  const outputTokens = read.usageTokens ?? read.chunks;
  const received = read.chunks > 0 ? { outputTokens, snippet: read.snippet } : {};
  const failure =
    read.failure ??
    (!read.finished
      ? {
          cause: 'truncated-stream' as const,
          message: `the stream ended without a finish_reason or [DONE], after ${read.chunks} content chunk(s)`,
        }
      : read.firstTokenAt === undefined
        ? { cause: 'invalid-response' as const, message: 'the stream ended without any content' }
        : undefined);
  if (failure) return { seq, latencyMs, ok: false, ...route, ...received, error: failure };
  const first = read.firstTokenAt as number;
  return {
    seq,
    latencyMs,
    ok: true,
    ...route,
    snippet: read.snippet.slice(0, SNIPPET_LENGTH),
    outputTokens,
    ttftMs: first - started,
    ...(outputTokens > 1 ? { tpotMs: (read.lastTokenAt - first) / (outputTokens - 1) } : {}),
  };
}
