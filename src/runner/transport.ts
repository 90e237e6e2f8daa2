// Sends one chat completion through the official Portkey SDK and reads what came back.
import { performance } from 'node:perf_hooks';
import { Portkey } from 'portkey-ai';
import { Agent } from 'undici';
import { RunError } from '../errors.js';
import type { GatewayConnection, ScenarioPlan } from '../model.js';
import { promptFor } from '../prompts.js';
import {
  type ConfigRejectedError,
  configRejection,
  describeFailure,
  preview,
  routeOf,
  routeOfError,
  type Sent,
} from './classify.js';

/** The start of an answer kept for the per-request lines. */
const SNIPPET_LENGTH = 80;

export interface Transport {
  /** Sends request `seq` of the plan; never throws: a failure is a record too. */
  send(seq: number): Promise<Sent | ConfigRejectedError>;
  /** Closes every connection, including those of requests still hanging. */
  close(): Promise<void>;
}

/**
 * The SDK keeps the latest response headers on the client (`client.responseHeaders`, rewritten by
 * every call, and copied into errors after an await). So every request in flight has an SDK client
 * of its own, taken from a pool: the headers it reads can only be its own. The clients share one
 * connection pool, whose timeouts close a stalled socket (the SDK cannot cancel a request).
 */
export function createTransport(
  plan: ScenarioPlan,
  connection: GatewayConnection,
  options: { stream: boolean; timeoutMs: number },
): Transport {
  const dispatcher = new Agent({
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const fetchWithPool = (url: string, init: RequestInit) =>
    fetch(url, { ...init, dispatcher } as RequestInit);
  const pool: Portkey[] = [];
  return {
    async send(seq) {
      const client = pool.pop() ?? createClient(plan, connection, fetchWithPool);
      try {
        return await sendOne(client, plan, seq, options.stream);
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
): Portkey {
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
  (client as unknown as { fetch: typeof fetchWithPool }).fetch = fetchWithPool;
  return client;
}

interface ChatBody {
  model: string;
  messages: { role: 'user'; content: string }[];
  max_tokens: number;
}

async function sendOne(
  client: Portkey,
  plan: ScenarioPlan,
  seq: number,
  stream: boolean,
): Promise<Sent | ConfigRejectedError> {
  const body: ChatBody = {
    model: plan.targets[0]?.model ?? 'default',
    messages: [{ role: 'user', content: promptFor(plan, seq) }],
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

/** Any HTTP answer means the gateway is there; a network error ends the run before it starts. */
export async function checkReachable(gateway: GatewayConnection): Promise<void> {
  // A plain timer, not AbortSignal.timeout(): that one does not keep Node alive, and a fetch
  // to a server that accepts and never answers would leave nothing to wait for.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, 5_000);
  try {
    await fetch(new URL('/', gateway.url), {
      signal: controller.signal,
      ...(gateway.authorization ? { headers: { authorization: gateway.authorization } } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = timedOut
      ? 'no answer within 5 s'
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new RunError(`cannot reach the gateway at ${gateway.url} (${why})`);
  } finally {
    clearTimeout(timer);
  }
}
