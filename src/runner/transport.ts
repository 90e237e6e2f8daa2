// Sends one chat completion through the official Portkey SDK and reads what came back.
import { performance } from 'node:perf_hooks';
import { Portkey } from 'portkey-ai';
import { Agent } from 'undici';
import type { GatewayConnection } from '../model/input.js';
import type { ScenarioPlan } from '../model/plan.js';
import { promptFor } from '../prompts.js';
import {
  type ConfigRejectedError,
  configRejection,
  describeFailure,
  preview,
  type RouteContext,
  routeContext,
  routeOf,
  routeOfError,
  type Sent,
} from './classify.js';

/** The start of an answer kept for the per-request lines. */
const SNIPPET_LENGTH = 80;

export interface Transport {
  /** Sends request `seq` of the plan; never throws: a failure is a record too. */
  send(seq: number): Promise<Sent | ConfigRejectedError>;
  /** The id request `seq` is tagged with, when requests are tagged. */
  requestIdFor(seq: number): string | undefined;
  /** Closes every connection, including those of requests still hanging. */
  close(): Promise<void>;
}

/**
 * The SDK keeps the latest response headers on the client (`client.responseHeaders`, rewritten by
 * every call, and copied into errors after an await). So every request in flight has an SDK client
 * of its own, taken from a pool: the headers it reads can only be its own. The clients share one
 * connection pool, whose timeouts close a stalled socket (the SDK cannot cancel a request).
 */
export interface TransportOptions {
  stream: boolean;
  timeoutMs: number;
  /**
   * Tag each request with `<prefix>-<seq>` in this header, and ask the gateway to forward it to
   * the providers (x-portkey-forward-headers): lb-demo's simulators then know which request each
   * provider call belongs to.
   */
  tag?: { header: string; prefix: string };
}

export function createTransport(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  options: TransportOptions,
): Transport {
  const dispatcher = new Agent({
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const fetchWithPool = (url: string, init: RequestInit) =>
    fetch(url, { ...init, dispatcher } as RequestInit);
  const pool: Portkey[] = [];
  const context = routeContext(plan);
  const { tag } = options;
  return {
    requestIdFor: (seq) => (tag ? `${tag.prefix}-${seq}` : undefined),
    async send(seq) {
      const client = pool.pop() ?? createClient(plan, connection, fetchWithPool, tag?.header);
      const headers = tag ? { [tag.header]: `${tag.prefix}-${seq}` } : undefined;
      try {
        return await sendOne(client, plan, context, seq, options.stream, headers);
      } finally {
        // Back to the pool only once its request is really over, even after a --timeout.
        pool.push(client);
      }
    },
    close: () => dispatcher.destroy(),
  };
}

function createClient(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  fetchWithPool: (url: string, init: RequestInit) => Promise<Response>,
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
  (client as unknown as { fetch: typeof fetchWithPool }).fetch = fetchWithPool;
  return client;
}

interface ChatBody {
  model: string;
  messages: { role: 'user'; content: string }[];
  max_tokens: number;
  [param: string]: unknown;
}

/** Extra headers of one request (the SDK's per-call option; the client's own stay untouched). */
type Extra = { extraHeaders?: Record<string, string> };

async function sendOne(
  client: Portkey,
  plan: ScenarioPlan,
  context: RouteContext,
  seq: number,
  stream: boolean,
  headers: Record<string, string> | undefined,
): Promise<Sent | ConfigRejectedError> {
  const body: ChatBody = {
    model: plan.requestModel ?? plan.targets[0]?.model ?? 'default',
    messages: [{ role: 'user', content: promptFor(plan, seq) }],
    max_tokens: plan.maxTokens,
    // A request case's params (a conditional reads params.*) go in the body as given.
    ...plan.params,
  };
  const extra: Extra = headers ? { extraHeaders: headers } : {};
  const started = performance.now();
  try {
    return stream
      ? await sendStreamed(client, body, extra, context, seq, started)
      : await sendPlain(client, body, extra, context, seq, started);
  } catch (error) {
    const latencyMs = performance.now() - started;
    const rejected = configRejection(error, plan);
    if (rejected) return rejected;
    const failure = describeFailure(error);
    // An answer the SDK could not parse still came with headers; they are on the client, which
    // has no other request in flight. A network failure has none.
    const route =
      failure.cause === 'invalid-response'
        ? routeOf({ ...client.responseHeaders }, context)
        : routeOfError(error, context);
    return { seq, latencyMs, ok: false, ...route, error: failure };
  }
}

async function sendPlain(
  client: Portkey,
  body: ChatBody,
  extra: Extra,
  context: RouteContext,
  seq: number,
  started: number,
): Promise<Sent> {
  const response = await client.chat.completions.create(body, undefined, extra);
  const latencyMs = performance.now() - started;
  const route = routeOf(response.getHeaders?.() ?? {}, context);
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

interface StreamChunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { completion_tokens?: number } | null;
}

/**
 * A streamed request: time to first token, time per output token after it, and the whole. A
 * stream's headers are only on the client (the SDK gives the Stream no headers of its own); this
 * client has no other request in flight, so they are this stream's.
 */
async function sendStreamed(
  client: Portkey,
  body: ChatBody,
  extra: Extra,
  context: RouteContext,
  seq: number,
  started: number,
): Promise<Sent> {
  const stream = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } } as ChatBody & {
      stream: true;
    },
    undefined,
    extra,
  );
  const route = routeOf({ ...client.responseHeaders }, context);
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
