// Simulated LLM model servers for the embedded default: one speaks Ollama's wire formats (native
// /api/* and its OpenAI-compatible /v1/*), the other vLLM's OpenAI-compatible server. They sit on
// loopback behind the real Portkey gateway and count what they served, so end-to-end tests can
// compare the CLI's report with what actually happened. Only node:http, built for speed: no
// timers when the delay is 0, no per-request logging, counters instead of per-request records.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultSettings } from '../../model/input.js';
import { chatRoute } from './chat.js';
import { activeFaults, settingsCopy } from './faults.js';
import {
  type Attempt,
  bump,
  type FaultCounts,
  newCounters,
  type SimState,
  type SimulatedKind,
  send,
} from './state.js';
import { ollamaKey, SIMULATED_OLLAMA_VERSION } from './wire.js';

export { REQUEST_ID_HEADER } from './chat.js';
export type { Attempt, SimulatedKind } from './state.js';

export interface SimulatedProviderOptions {
  kind: SimulatedKind;
  /** Shown in answers, e.g. 'ollama-sim'. */
  name: string;
  /** Models it serves; others get the real server's 404 "model not found". */
  models: string[];
  /** Total time of a non-streamed answer, default 0. */
  latencyMs?: number;
  /** Fraction: latency varies uniformly within ±jitter (default 0). */
  jitter?: number;
  /** Streamed: time to first token, default latencyMs / 4. */
  ttftMs?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Faults to inject from the start (checked by the caller); see setFaults(). */
  faults?: FaultSettings;
}

export interface ServedCounts {
  /** Every HTTP request received. */
  requests: number;
  /** Chat answers completed with status 200 (any route, streamed or not). */
  chatCompletions: number;
  /** Chat requests received (with a whole body), whatever became of them. */
  chatRequests: number;
  /** Successful chat answers per model (as named in `models`). */
  byModel: Record<string, number>;
  /** 'METHOD /path', e.g. 'POST /api/chat'; requests to unknown paths count as 'METHOD *'. */
  byRoute: Record<string, number>;
  /** HTTP status -> count, for every response that was sent. */
  byStatus: Record<string, number>;
  /** Successful streamed chat answers. */
  streamed: number;
  /** Highest number of chat requests being handled at once (hung ones included). */
  maxInFlight: number;
  /** Chat requests hit by each injected fault. */
  faults: FaultCounts;
}

export interface SimulatedProvider {
  readonly name: string;
  readonly kind: SimulatedKind;
  /** 'http://127.0.0.1:PORT' */
  readonly origin: string;
  /** What a Portkey target's custom_host should be: ollama -> origin; openai -> origin + '/v1'. */
  readonly baseUrl: string;
  /** The fault settings in force (a copy). */
  readonly faults: FaultSettings;
  /**
   * Replaces the whole fault set (already checked). Resolves once an outage change has taken
   * effect: the port closed, or listening again on the same port.
   */
  setFaults(faults: FaultSettings): Promise<void>;
  /** A snapshot copy. */
  served(): ServedCounts;
  /** Resets the counters, the chat request count that faults go by included (not the faults). */
  reset(): void;
  /** The chat requests tagged with this request id, oldest first; forgotten once taken. */
  takeAttempts(requestId: string): Attempt[];
  /** Forgets every tagged request not taken (a scenario's stragglers). */
  clearAttempts(): void;
  /** Closes the server and all sockets (hung requests too); resolves when the port is free. */
  close(): Promise<void>;
}

type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startSimulatedProvider(
  options: SimulatedProviderOptions,
): Promise<SimulatedProvider> {
  const { kind, name } = options;
  const state = newState(options);
  let faultSettings = settingsCopy(options.faults ?? {});
  const server = http.createServer(router(state, routesOf(state, [...options.models])));
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  const clearTimers = () => {
    for (const p of state.pending) if (p.timer !== undefined) clearTimeout(p.timer);
  };
  const host = options.host ?? '127.0.0.1';
  const listening = await listenWithOutages(server, host, options.port ?? 0, clearTimers);
  if (state.faults.outage) await listening.applyOutage(true);
  return {
    name,
    kind,
    origin: listening.origin,
    baseUrl: kind === 'ollama' ? listening.origin : `${listening.origin}/v1`,
    get faults() {
      return settingsCopy(faultSettings);
    },
    setFaults: async (settings: FaultSettings) => {
      state.faults = activeFaults(settings);
      faultSettings = settingsCopy(settings);
      await listening.applyOutage(state.faults.outage);
    },
    served: () => servedCounts(state),
    reset: () => {
      state.counters = newCounters();
      state.counters.maxInFlight = state.inFlight;
    },
    takeAttempts: (requestId) => {
      const attempts = state.attempts.get(requestId) ?? [];
      state.attempts.delete(requestId);
      return attempts;
    },
    clearAttempts: () => state.attempts.clear(),
    close: () => listening.close(() => state.pending.clear()),
  };
}

function newState(options: SimulatedProviderOptions): SimState {
  const { kind } = options;
  const idPrefix = randomBytes(12).toString('hex');
  let idCounter = 0;
  // Model lookup: requested name -> configured name; Ollama treats 'llama3' as 'llama3:latest'.
  const key = (model: string) => (kind === 'ollama' ? ollamaKey(model) : model);
  const modelIndex = new Map(options.models.map((m) => [key(m), m]));
  return {
    kind,
    name: options.name,
    jsonType: kind === 'ollama' ? 'application/json; charset=utf-8' : 'application/json',
    latencyMs: Math.max(0, options.latencyMs ?? 0),
    jitter: Math.min(1, Math.max(0, options.jitter ?? 0)),
    ttftMs: options.ttftMs,
    faults: activeFaults(options.faults ?? {}),
    counters: newCounters(),
    inFlight: 0,
    pending: new Set(),
    attempts: new Map(),
    nextId: () => {
      idCounter += 1;
      return kind === 'ollama'
        ? `chatcmpl-${idCounter}`
        : `chatcmpl-${idPrefix}${idCounter.toString(16).padStart(8, '0')}`;
    },
    findModel: (requested) => modelIndex.get(key(requested)),
  };
}

function servedCounts(state: SimState): ServedCounts {
  const { counters } = state;
  return {
    requests: counters.requests,
    chatCompletions: counters.chatCompletions,
    chatRequests: counters.chatRequests,
    byModel: Object.fromEntries(counters.byModel),
    byRoute: Object.fromEntries(counters.byRoute),
    byStatus: Object.fromEntries([...counters.byStatus].map(([s, n]) => [String(s), n])),
    streamed: counters.streamed,
    maxInFlight: counters.maxInFlight,
    faults: { ...counters.faults },
  };
}

/** Path -> method -> handler, as the real server routes them. */
function routesOf(state: SimState, models: string[]): Map<string, Map<string, RouteHandler>> {
  const { kind } = state;
  const routes = new Map<string, Map<string, RouteHandler>>();
  const route = (method: string, path: string, handler: RouteHandler) => {
    const byMethod = routes.get(path) ?? new Map<string, RouteHandler>();
    routes.set(path, byMethod);
    byMethod.set(method, handler);
    // Ollama (gin) answers HEAD on its GET routes too.
    if (method === 'GET' && kind === 'ollama') byMethod.set('HEAD', handler);
  };
  const fixed =
    (status: number, contentType: string, body: string): RouteHandler =>
    (_req, res) =>
      send(state, res, status, contentType, body);
  const textType = 'text/plain; charset=utf-8';
  const modelsJson = JSON.stringify(modelList(kind, models));
  if (kind === 'ollama') {
    const version = JSON.stringify({ version: SIMULATED_OLLAMA_VERSION });
    route('GET', '/', fixed(200, textType, 'Ollama is running'));
    route('GET', '/api/version', fixed(200, state.jsonType, version));
    route('GET', '/api/tags', fixed(200, state.jsonType, JSON.stringify(ollamaTags(models))));
    route('POST', '/api/chat', chatRoute(state, 'ollama', models[0]));
    route('POST', '/v1/chat/completions', chatRoute(state, 'ollama-openai', models[0]));
    route('GET', '/v1/models', fixed(200, state.jsonType, modelsJson));
  } else {
    route('POST', '/v1/chat/completions', chatRoute(state, 'vllm', models[0]));
    route('GET', '/v1/models', fixed(200, state.jsonType, modelsJson));
    route('GET', '/health', fixed(200, textType, ''));
  }
  return routes;
}

/** Counts every request, then hands it to its route, or answers 404 or 405 as the real server. */
function router(
  state: SimState,
  routes: Map<string, Map<string, RouteHandler>>,
): http.RequestListener {
  const ollama = state.kind === 'ollama';
  const textType = 'text/plain; charset=utf-8';
  return (req, res) => {
    state.counters.requests += 1;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const byMethod = routes.get(path);
    bump(state.counters.byRoute, byMethod ? `${method} ${path}` : `${method} *`);
    if (!byMethod) {
      if (ollama) send(state, res, 404, textType, '404 page not found');
      else send(state, res, 404, state.jsonType, '{"detail":"Not Found"}');
      return;
    }
    const handler = byMethod.get(method);
    if (handler) return handler(req, res);
    res.setHeader('allow', [...byMethod.keys()].join(', '));
    if (ollama) send(state, res, 405, textType, '405 method not allowed');
    else send(state, res, 405, state.jsonType, '{"detail":"Method Not Allowed"}');
  };
}

function modelList(kind: SimulatedKind, models: readonly string[]) {
  const created = Math.floor(Date.now() / 1000);
  return {
    object: 'list',
    data: models.map((m) =>
      kind === 'ollama'
        ? { id: m, object: 'model', created, owned_by: 'library' }
        : {
            id: m,
            object: 'model',
            created,
            owned_by: 'vllm',
            root: m,
            parent: null,
            max_model_len: 8192,
            permission: [],
          },
    ),
  };
}

function ollamaTags(models: readonly string[]) {
  const modifiedAt = new Date().toISOString();
  return {
    models: models.map((m) => {
      const family = /^[a-z]+/i.exec(m)?.[0]?.toLowerCase() ?? 'llama';
      return {
        name: m,
        model: m,
        modified_at: modifiedAt,
        size: 4_661_224_676,
        digest: createHash('sha256').update(m).digest('hex'),
        details: {
          parent_model: '',
          format: 'gguf',
          family,
          families: [family],
          parameter_size: '8.0B',
          quantization_level: 'Q4_0',
        },
      };
    }),
  };
}

/**
 * Listens, and stops and resumes listening on the same port for outages. Outage changes run one
 * after another; close() waits for the one under way.
 */
async function listenWithOutages(
  server: http.Server,
  host: string,
  port: number,
  onStop: () => void,
) {
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  /** Stops listening and drops every socket (with the answers pending on them). */
  const stopListening = () =>
    new Promise<void>((resolve, reject) => {
      onStop();
      if (!server.listening) {
        server.closeAllConnections();
        resolve();
        return;
      }
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });

  await listen(port);
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  let transition: Promise<void> = Promise.resolve();
  return {
    origin,
    applyOutage(outage: boolean): Promise<void> {
      const step = transition.then(async () => {
        if (closing) return;
        if (outage && server.listening) await stopListening();
        else if (!outage && !server.listening) await listen(address.port);
      });
      transition = step.catch(() => undefined);
      return step;
    },
    close(clearPending: () => void): Promise<void> {
      closing ??= transition.then(() => {
        const stopped = stopListening();
        clearPending();
        return stopped;
      });
      return closing;
    },
  };
}
