// Simulated LLM model servers for the local demo: one speaks Ollama's wire formats (native
// /api/* and its OpenAI-compatible /v1/*), the other vLLM's OpenAI-compatible server. They sit on
// loopback behind the real Portkey gateway and count what they served, so end-to-end tests can
// compare the CLI's report with what actually happened. Only node:http, and built for speed:
// no timers when the delay is 0, no per-request logging, counters instead of per-request records.
// Faults (errors, hangs, latency spikes, malformed bodies, outages) can be injected per server;
// which chat requests they hit is deterministic, so tests and demos can count them exactly.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type SimulatedKind = 'ollama' | 'openai';

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
  /** Faults to inject from the start; see setFaults(). */
  faults?: FaultSettings;
}

/**
 * Faults injected into chat requests (`/api/chat`, `/v1/chat/completions`); other routes stay
 * healthy unless there is an outage. A fault with rate r hits the i-th chat request (0-based,
 * counted since start or reset()) iff floor((i+1)·r) > floor(i·r): exactly floor(n·r) of n
 * requests, evenly spread. If several hit the same request: hang, then error, then malformed,
 * then spike. Faults apply before the request is validated, as they would in front of a server.
 */
export interface FaultSettings {
  /** 0..1: fraction of chat requests answered with errorStatus in the server's error format. */
  errorRate?: number;
  /** 100..599, default 503. A 429 carries `retry-after: 1`. */
  errorStatus?: number;
  /** 0..1: fraction never answered: no headers, socket open until the client gives up. */
  hangRate?: number;
  /** 0..1: fraction whose latency (and time to first token) gets spikeMs added. */
  spikeRate?: number;
  /** Default 1000. */
  spikeMs?: number;
  /**
   * 0..1: fraction answered 200 with a body that is not valid JSON (streamed: one event or line
   * whose JSON is cut off, then the end), after the time the answer would have taken to start.
   */
  malformedRate?: number;
  /** Connection refused: stops listening and drops all sockets; the port is kept for later. */
  outage?: boolean;
}

/** Chat requests hit by each fault (the one that took effect when several applied). */
export interface FaultCounts {
  error: number;
  hang: number;
  malformed: number;
  spike: number;
}

export interface ServedCounts {
  /** Every HTTP request received. */
  requests: number;
  /** Chat answers completed with status 200 (any route, streamed or not). */
  chatCompletions: number;
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
   * Replaces the whole fault set (throws on invalid settings). Resolves once an outage change has
   * taken effect: the port closed, or listening again on the same port.
   */
  setFaults(faults: FaultSettings): Promise<void>;
  /** A snapshot copy. */
  served(): ServedCounts;
  /** Resets the counters, the chat request count that faults go by included (not the faults). */
  reset(): void;
  /** Closes the server and all sockets (hung requests too); resolves when the port is free. */
  close(): Promise<void>;
}

/** The version the simulated Ollama reports on /api/version. */
export const SIMULATED_OLLAMA_VERSION = '0.11.4';

const FILLER =
  'This reply was generated locally without calling a real model, so that load balancing ' +
  'through the Portkey AI Gateway can be shown and measured.';
const TOPIC_WORDS = 12;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The wire format a chat route speaks: Ollama's native /api/chat, Ollama's OpenAI-compatible
 * /v1/chat/completions, or vLLM's OpenAI-compatible /v1/chat/completions.
 */
type Dialect = 'ollama' | 'ollama-openai' | 'vllm';

type FinishReason = 'stop' | 'length';

/** A chat request that passed validation, reduced to what the answer depends on. */
interface ChatRequest {
  ok: true;
  /** The model name as the client sent it (echoed in the answer). */
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** Word limit from max_tokens / max_completion_tokens / options.num_predict, if any. */
  maxWords: number | undefined;
  promptTokens: number;
  lastUserText: string;
}

/** A chat request that failed validation (malformed JSON, missing messages or model). */
interface InvalidChatRequest {
  ok: false;
  status: number;
  message: string;
}

type ParsedChat = ChatRequest | InvalidChatRequest;

/** What the simulated model says. */
interface Answer {
  /** Model name as requested (echoed in the answer). */
  model: string;
  /** Model name as configured (the byModel key). */
  servedModel: string;
  /** Pieces whose concatenation is the content: 'word', ' word', ' word', ... */
  pieces: string[];
  content: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

/** How a chat request is answered: decided by decideChat(), carried out by executeChat(). */
type ChatDecision =
  | {
      type: 'answer';
      answer: Answer;
      stream: boolean;
      includeUsage: boolean;
      /** Total time of the answer in ms. */
      latencyMs: number;
      /** Streamed: time to the first content token in ms (<= latencyMs). */
      ttftMs: number;
    }
  | {
      type: 'error';
      status: number;
      message: string;
      /** Sent after this many ms (a latency spike on an invalid request), usually 0. */
      delayMs: number;
      /** Seconds for a `retry-after` header. */
      retryAfter?: number;
    }
  | {
      /** 200 with a cut-off JSON body (or stream event), after delayMs. */
      type: 'malformed';
      answer: Answer | undefined;
      stream: boolean;
      delayMs: number;
    }
  | { type: 'hang' };

/** Fault settings checked and with defaults filled in. */
interface ActiveFaults {
  errorRate: number;
  errorStatus: number;
  hangRate: number;
  spikeRate: number;
  spikeMs: number;
  malformedRate: number;
  outage: boolean;
  /** Any rate above 0 (the fast path skips the fault checks otherwise). */
  anyRate: boolean;
}

interface Counters {
  requests: number;
  /** Chat requests decided since start or reset; the index that fault hits go by. */
  chatRequests: number;
  chatCompletions: number;
  byModel: Map<string, number>;
  byRoute: Map<string, number>;
  byStatus: Map<number, number>;
  streamed: number;
  maxInFlight: number;
  faults: FaultCounts;
}

/** A pending timer of one chat answer; close() clears them all. */
interface Pending {
  timer: NodeJS.Timeout | undefined;
}

type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function newCounters(): Counters {
  return {
    requests: 0,
    chatRequests: 0,
    chatCompletions: 0,
    byModel: new Map(),
    byRoute: new Map(),
    byStatus: new Map(),
    streamed: 0,
    maxInFlight: 0,
    faults: { error: 0, hang: 0, malformed: 0, spike: 0 },
  };
}

const RATE_KEYS = ['errorRate', 'hangRate', 'spikeRate', 'malformedRate'] as const;

/** Checks fault settings and fills in the defaults; throws a plain Error on invalid ones. */
function activeFaults(faults: FaultSettings): ActiveFaults {
  // Settings may come from JSON or JavaScript callers: check the types too.
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    throw new Error('fault settings must be an object');
  }
  for (const key of RATE_KEYS) {
    const rate = faults[key];
    if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new Error(`fault ${key} must be a number from 0 to 1, got ${String(rate)}`);
    }
  }
  const { errorStatus, spikeMs, outage } = faults;
  if (
    errorStatus !== undefined &&
    !(Number.isInteger(errorStatus) && errorStatus >= 100 && errorStatus <= 599)
  ) {
    throw new Error(`fault errorStatus must be an HTTP status from 100 to 599, got ${errorStatus}`);
  }
  if (
    spikeMs !== undefined &&
    !(typeof spikeMs === 'number' && spikeMs >= 0 && spikeMs < 2 ** 31)
  ) {
    throw new Error(`fault spikeMs must be a number of ms >= 0, got ${String(spikeMs)}`);
  }
  if (outage !== undefined && typeof outage !== 'boolean') {
    throw new Error(`fault outage must be true or false, got ${String(outage)}`);
  }
  const active = {
    errorRate: faults.errorRate ?? 0,
    errorStatus: errorStatus ?? 503,
    hangRate: faults.hangRate ?? 0,
    spikeRate: faults.spikeRate ?? 0,
    spikeMs: spikeMs ?? 1000,
    malformedRate: faults.malformedRate ?? 0,
    outage: outage ?? false,
  };
  return { ...active, anyRate: RATE_KEYS.some((key) => active[key] > 0) };
}

/**
 * Whether a fault with this rate hits the i-th request (0-based): floor((i+1)·r) > floor(i·r).
 * The tiny relative margin keeps products like 3 × 0.1 = 0.30000000000000004 (or just below an
 * integer) from moving a hit to the next request.
 */
function hits(i: number, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const margin = 1 + 1e-12;
  return Math.floor((i + 1) * rate * margin) > Math.floor(i * rate * margin);
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Text of a message's content: a string, or OpenAI's array of parts (text parts only). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content) {
      if (isRecord(part) && typeof part.text === 'string') text += (text ? ' ' : '') + part.text;
    }
    return text;
  }
  return '';
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1
    ? Math.floor(value)
    : undefined;
}

/** Ollama treats 'llama3' and 'llama3:latest' as the same model. */
function ollamaKey(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

function parseChat(dialect: Dialect, body: string, defaultModel: string | undefined): ParsedChat {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, status: 400, message: (err as Error).message };
  }
  if (!isRecord(json)) {
    return { ok: false, status: 400, message: 'request body must be a JSON object' };
  }
  let model = json.model;
  if (model === undefined && dialect === 'vllm') model = defaultModel;
  if (typeof model !== 'string' || model === '') {
    return { ok: false, status: 400, message: 'model is required' };
  }
  const messages = json.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, status: 400, message: 'messages is required and must not be empty' };
  }
  let promptTokens = 0;
  let lastUserText: string | undefined;
  let lastText = '';
  for (const message of messages) {
    if (!isRecord(message) || typeof message.role !== 'string') {
      return { ok: false, status: 400, message: 'each message needs a role' };
    }
    const text = contentText(message.content);
    promptTokens += countWords(text);
    lastText = text;
    if (message.role === 'user') lastUserText = text;
  }
  let maxWords: number | undefined;
  if (dialect === 'ollama') {
    maxWords = isRecord(json.options) ? positiveInt(json.options.num_predict) : undefined;
  } else {
    maxWords = positiveInt(json.max_completion_tokens) ?? positiveInt(json.max_tokens);
  }
  return {
    ok: true,
    model,
    // Ollama's native API streams unless told not to; the OpenAI API only when asked.
    stream: dialect === 'ollama' ? json.stream !== false : json.stream === true,
    includeUsage: isRecord(json.stream_options) && json.stream_options.include_usage === true,
    maxWords,
    promptTokens,
    lastUserText: lastUserText ?? lastText,
  };
}

/** The deterministic answer: the topic of the last user message, who answers, and a filler. */
export function simulatedAnswerText(name: string, model: string, lastUserText: string): string {
  const topic =
    splitWords(lastUserText)
      .slice(0, TOPIC_WORDS)
      .join(' ')
      .replace(/[\s?.!:;,]+$/, '') || 'Your message';
  return `${topic} (simulated answer from ${name}, model ${model}): ${FILLER}`;
}

function buildAnswer(name: string, request: ChatRequest, servedModel: string): Answer {
  let words = splitWords(simulatedAnswerText(name, request.model, request.lastUserText));
  let finishReason: FinishReason = 'stop';
  if (request.maxWords !== undefined && words.length > request.maxWords) {
    words = words.slice(0, request.maxWords);
    finishReason = 'length';
  }
  const pieces = words.map((w, i) => (i === 0 ? w : ` ${w}`));
  return {
    model: request.model,
    servedModel,
    pieces,
    content: words.join(' '),
    finishReason,
    promptTokens: request.promptTokens,
    completionTokens: words.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Wire formats

function errorJson(dialect: Dialect, status: number, message: string): string {
  switch (dialect) {
    case 'ollama':
      return JSON.stringify({ error: message });
    case 'ollama-openai':
      return JSON.stringify({
        error: {
          message,
          type: status === 400 ? 'invalid_request_error' : 'api_error',
          param: null,
          code: null,
        },
      });
    case 'vllm': {
      const type =
        status === 400
          ? 'BadRequestError'
          : status === 404
            ? 'NotFoundError'
            : status === 429
              ? 'TooManyRequestsError'
              : status === 503
                ? 'ServiceUnavailableError'
                : 'InternalServerError';
      return JSON.stringify({ object: 'error', message, type, param: null, code: status });
    }
  }
}

/** The message of an injected error. */
function faultMessage(name: string, status: number): string {
  const reason =
    status === 429
      ? 'too many requests, retry after 1 second'
      : status === 503
        ? 'server busy, please try again'
        : (http.STATUS_CODES[status]?.toLowerCase() ?? 'error');
  return `${reason} (fault injected by ${name})`;
}

/** A JSON text cut in half: never valid JSON, since only its last character closes it. */
function cutJson(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

function modelNotFoundMessage(dialect: Dialect, model: string): string {
  return dialect === 'vllm'
    ? `The model \`${model}\` does not exist.`
    : `model "${model}" not found, try pulling it first`;
}

function usageOf(answer: Answer) {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
  };
}

/** Nanosecond durations of an Ollama native answer, from the measured time it took. */
function ollamaStats(answer: Answer, elapsedMs: number, firstTokenMs: number) {
  const total = Math.max(1, Math.round(elapsedMs * 1e6));
  const promptEval = Math.min(total, Math.round(firstTokenMs * 1e6));
  return {
    total_duration: total,
    load_duration: 0,
    prompt_eval_count: answer.promptTokens,
    prompt_eval_duration: promptEval,
    eval_count: answer.completionTokens,
    eval_duration: total - promptEval,
  };
}

/** Writes the pieces of a streamed answer in a dialect's format. */
interface StreamFormat {
  contentType: string;
  /** The text sent with content piece i (the first may carry an opening chunk). */
  piece(i: number): string;
  /** The text after the last piece: final chunk, usage chunk, terminator. */
  tail(elapsedMs: number, firstTokenMs: number): string;
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startSimulatedProvider(
  options: SimulatedProviderOptions,
): Promise<SimulatedProvider> {
  const { kind, name } = options;
  if (kind !== 'ollama' && kind !== 'openai') throw new Error(`unknown simulated kind: ${kind}`);
  const models = [...options.models];
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0));
  const ttftOption = options.ttftMs;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  let faults = activeFaults(options.faults ?? {});
  let faultSettings = settingsCopy(options.faults ?? {});

  const startedAt = new Date();
  const createdSec = Math.floor(startedAt.getTime() / 1000);
  const idPrefix = randomBytes(12).toString('hex');
  let idCounter = 0;

  // Model lookup: requested name -> configured name.
  const modelIndex = new Map<string, string>();
  for (const m of models) modelIndex.set(kind === 'ollama' ? ollamaKey(m) : m, m);
  const findModel = (requested: string): string | undefined =>
    modelIndex.get(kind === 'ollama' ? ollamaKey(requested) : requested);

  let counters = newCounters();
  let inFlight = 0;
  const pending = new Set<Pending>();

  // ----- static answers, built once

  const digestOf = (m: string) => createHash('sha256').update(m).digest('hex');
  const tagsJson = JSON.stringify({
    models: models.map((m) => {
      const family = /^[a-z]+/i.exec(m)?.[0]?.toLowerCase() ?? 'llama';
      return {
        name: m,
        model: m,
        modified_at: startedAt.toISOString(),
        size: 4_661_224_676,
        digest: digestOf(m),
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
  });
  const modelsJson = JSON.stringify({
    object: 'list',
    data: models.map((m) =>
      kind === 'ollama'
        ? { id: m, object: 'model', created: createdSec, owned_by: 'library' }
        : {
            id: m,
            object: 'model',
            created: createdSec,
            owned_by: 'vllm',
            root: m,
            parent: null,
            max_model_len: 8192,
            permission: [],
          },
    ),
  });
  const versionJson = JSON.stringify({ version: SIMULATED_OLLAMA_VERSION });
  const jsonType = kind === 'ollama' ? 'application/json; charset=utf-8' : 'application/json';
  const textType = 'text/plain; charset=utf-8';

  // ----- sending

  const send = (
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: string,
    retryAfter?: number,
  ) => {
    bump(counters.byStatus, status);
    res.writeHead(
      status,
      retryAfter === undefined
        ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }
        : {
            'content-type': contentType,
            'content-length': Buffer.byteLength(body),
            'retry-after': String(retryAfter),
          },
    );
    res.end(body);
  };

  const sendError = (
    res: http.ServerResponse,
    dialect: Dialect,
    status: number,
    msg: string,
    retryAfter?: number,
  ) => send(res, status, jsonType, errorJson(dialect, status, msg), retryAfter);

  const nextId = (): string => {
    idCounter += 1;
    return kind === 'ollama'
      ? `chatcmpl-${idCounter}`
      : `chatcmpl-${idPrefix}${idCounter.toString(16).padStart(8, '0')}`;
  };

  const completionJson = (dialect: Dialect, answer: Answer, elapsedMs: number): string => {
    if (dialect === 'ollama') {
      return JSON.stringify({
        model: answer.model,
        created_at: new Date().toISOString(),
        message: { role: 'assistant', content: answer.content },
        done_reason: answer.finishReason,
        done: true,
        ...ollamaStats(answer, elapsedMs, elapsedMs / 4),
      });
    }
    const message =
      dialect === 'vllm'
        ? { role: 'assistant', content: answer.content, refusal: null, tool_calls: [] }
        : { role: 'assistant', content: answer.content };
    return JSON.stringify({
      id: nextId(),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: answer.model,
      ...(dialect === 'ollama-openai' ? { system_fingerprint: 'fp_ollama' } : {}),
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage: usageOf(answer),
    });
  };

  // Chunks are assembled from pre-serialised parts: a stream sends one chunk per word, and
  // serialising a whole object per word would cost several times as much.
  const streamFormat = (dialect: Dialect, answer: Answer, includeUsage: boolean): StreamFormat => {
    const q = JSON.stringify;
    const last = answer.pieces.length - 1;
    if (dialect === 'ollama') {
      const open = `{"model":${q(answer.model)},"created_at":${q(new Date().toISOString())},`;
      return {
        contentType: 'application/x-ndjson',
        piece: (i) =>
          `${open}"message":{"role":"assistant","content":${q(answer.pieces[i] ?? '')}},"done":false}\n`,
        tail: (elapsedMs, firstTokenMs) =>
          `${q({
            model: answer.model,
            created_at: new Date().toISOString(),
            message: { role: 'assistant', content: '' },
            done_reason: answer.finishReason,
            done: true,
            ...ollamaStats(answer, elapsedMs, firstTokenMs),
          })}\n`,
      };
    }
    const base = {
      id: nextId(),
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: answer.model,
      ...(dialect === 'ollama-openai' ? { system_fingerprint: 'fp_ollama' } : {}),
    };
    // '{"id":...,"model":"m"' without the closing brace.
    const open = `data: ${q(base).slice(0, -1)},"choices":[{"index":0,"delta":`;
    // OpenAI sends `usage: null` on every chunk when usage was asked for (Ollama omits it).
    const close = `${includeUsage && dialect === 'vllm' ? ',"usage":null' : ''}}\n\n`;
    const chunk = (delta: string, finishReason: FinishReason | null) =>
      `${open}${delta},"logprobs":null,"finish_reason":${q(finishReason)}}]${close}`;
    const usageChunk = includeUsage ? sse({ ...base, choices: [], usage: usageOf(answer) }) : '';
    const roleDelta = '{"role":"assistant","content":""}';
    if (dialect === 'ollama-openai') {
      // Ollama puts the role on every delta.
      return {
        contentType: 'text/event-stream',
        piece: (i) => chunk(`{"role":"assistant","content":${q(answer.pieces[i] ?? '')}}`, null),
        tail: () => `${chunk(roleDelta, answer.finishReason)}${usageChunk}data: [DONE]\n\n`,
      };
    }
    // vLLM/OpenAI: an opening chunk with the role, then content deltas, then the finish.
    return {
      contentType: 'text/event-stream',
      piece: (i) => {
        const content = chunk(`{"content":${q(answer.pieces[i] ?? '')}}`, null);
        return i === 0 ? chunk(roleDelta, null) + content : content;
      },
      tail: () =>
        `${last < 0 ? chunk(roleDelta, null) : ''}${chunk('{"content":""}', answer.finishReason)}` +
        `${usageChunk}data: [DONE]\n\n`,
    };
  };

  // ----- chat

  /**
   * Decides how a chat request is answered: the one place for per-provider behaviour, latency
   * and injected faults. Faults come first, as if they happened in front of the model server.
   */
  const decideChat = (dialect: Dialect, request: ParsedChat): ChatDecision => {
    const i = counters.chatRequests;
    counters.chatRequests += 1;
    const f = faults;
    if (f.anyRate) {
      if (hits(i, f.hangRate)) {
        counters.faults.hang += 1;
        return { type: 'hang' };
      }
      if (hits(i, f.errorRate)) {
        counters.faults.error += 1;
        const status = f.errorStatus;
        return {
          type: 'error',
          status,
          message: faultMessage(name, status),
          delayMs: 0,
          ...(status === 429 ? { retryAfter: 1 } : {}),
        };
      }
    }
    const decision = decideAnswer(dialect, request);
    if (!f.anyRate) return decision;
    if (hits(i, f.malformedRate)) {
      counters.faults.malformed += 1;
      const answered = decision.type === 'answer';
      return {
        type: 'malformed',
        answer: answered ? decision.answer : undefined,
        stream: answered ? decision.stream : false,
        delayMs: answered ? (decision.stream ? decision.ttftMs : decision.latencyMs) : 0,
      };
    }
    if (hits(i, f.spikeRate)) {
      counters.faults.spike += 1;
      if (decision.type === 'answer') {
        decision.latencyMs += f.spikeMs;
        decision.ttftMs += f.spikeMs;
      } else if (decision.type === 'error') {
        decision.delayMs += f.spikeMs;
      }
    }
    return decision;
  };

  /** The answer without faults: a validation error, or the simulated model's answer. */
  const decideAnswer = (dialect: Dialect, request: ParsedChat): ChatDecision => {
    if (!request.ok) {
      return { type: 'error', status: request.status, message: request.message, delayMs: 0 };
    }
    const servedModel = findModel(request.model);
    if (servedModel === undefined) {
      const message = modelNotFoundMessage(dialect, request.model);
      return { type: 'error', status: 404, message, delayMs: 0 };
    }
    const factor = jitter > 0 ? 1 + jitter * (2 * Math.random() - 1) : 1;
    const ttft = (ttftOption ?? latencyMs / 4) * factor;
    return {
      type: 'answer',
      answer: buildAnswer(name, request, servedModel),
      stream: request.stream,
      includeUsage: request.includeUsage,
      latencyMs: Math.max(latencyMs * factor, ttft),
      ttftMs: ttft,
    };
  };

  const countSuccess = (answer: Answer, streamed: boolean) => {
    counters.chatCompletions += 1;
    bump(counters.byModel, answer.servedModel);
    if (streamed) counters.streamed += 1;
  };

  const enterChat = () => {
    inFlight += 1;
    if (inFlight > counters.maxInFlight) counters.maxInFlight = inFlight;
  };

  /**
   * Tracks a delayed or hung answer: its timer, and the cleanup when it ends or the client (or
   * close() or an outage) drops the connection. It holds an in-flight slot of its own until
   * then, because chatRoute releases its slot as soon as the answer has been scheduled.
   */
  const track = (res: http.ServerResponse) => {
    const handle: Pending = { timer: undefined };
    pending.add(handle);
    inFlight += 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (handle.timer !== undefined) clearTimeout(handle.timer);
      handle.timer = undefined;
      pending.delete(handle);
      inFlight -= 1;
    };
    res.once('close', finish);
    return { handle, finish };
  };

  const answerNow = (res: http.ServerResponse, dialect: Dialect, answer: Answer, ms: number) => {
    send(res, 200, jsonType, completionJson(dialect, answer, ms));
    countSuccess(answer, false);
  };

  /** Runs `respond` after ms (with the time it actually waited), unless the client left. */
  const later = (res: http.ServerResponse, ms: number, respond: (elapsedMs: number) => void) => {
    const start = performance.now();
    const { handle, finish } = track(res);
    handle.timer = setTimeout(() => {
      handle.timer = undefined;
      if (res.destroyed) return finish();
      respond(performance.now() - start);
      finish();
    }, ms);
  };

  /** A 200 whose body is cut-off JSON: a whole body, or the first event or line of a stream. */
  const sendMalformed = (
    res: http.ServerResponse,
    dialect: Dialect,
    answer: Answer | undefined,
    stream: boolean,
  ) => {
    if (!stream) {
      const json = answer
        ? completionJson(dialect, answer, 0)
        : '{"object":"chat.completion","choices":[]}';
      send(res, 200, jsonType, cutJson(json));
      return;
    }
    const format = answer ? streamFormat(dialect, answer, false) : undefined;
    const first =
      format === undefined ? '' : answer?.pieces.length ? format.piece(0) : format.tail(0, 0);
    if (dialect === 'ollama') {
      const line = first.slice(0, first.indexOf('\n')) || '{"message":{"content":""},"done":false}';
      send(res, 200, 'application/x-ndjson', `${cutJson(line)}\n`);
    } else {
      const data =
        first.slice('data: '.length, first.indexOf('\n')) ||
        '{"object":"chat.completion.chunk","choices":[]}';
      send(res, 200, 'text/event-stream', `data: ${cutJson(data)}\n\n`);
    }
  };

  const streamAnswer = (
    res: http.ServerResponse,
    format: StreamFormat,
    answer: Answer,
    totalMs: number,
    ttftMs: number,
  ) => {
    const n = answer.pieces.length;
    bump(counters.byStatus, 200);
    if (totalMs <= 0) {
      // Zero latency: the whole stream in one write.
      let body = '';
      for (let i = 0; i < n; i++) body += format.piece(i);
      body += format.tail(0, 0);
      res.writeHead(200, {
        'content-type': format.contentType,
        'cache-control': 'no-cache',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      countSuccess(answer, true);
      return;
    }
    res.writeHead(200, { 'content-type': format.contentType, 'cache-control': 'no-cache' });
    res.flushHeaders();
    const start = performance.now();
    const step = n > 1 ? (totalMs - ttftMs) / (n - 1) : 0;
    const dueAt = (i: number) => (i < n ? ttftMs + i * step : totalMs);
    let next = 0;
    let firstTokenMs = 0;
    const { handle, finish } = track(res);
    const tick = () => {
      handle.timer = undefined;
      if (res.destroyed) return finish();
      const now = performance.now() - start;
      if (next === 0) firstTokenMs = now;
      let out = '';
      // Send every piece that is due (timers can fire late; catch up instead of drifting).
      while (next < n && dueAt(next) <= now + 1) {
        out += format.piece(next);
        next += 1;
      }
      if (next >= n && dueAt(n) <= now + 1) {
        res.end(out + format.tail(now, firstTokenMs));
        countSuccess(answer, true);
        return finish();
      }
      if (out) res.write(out);
      handle.timer = setTimeout(tick, Math.max(0, dueAt(next) - (performance.now() - start)));
    };
    if (ttftMs <= 0) tick();
    else handle.timer = setTimeout(tick, ttftMs);
  };

  const executeChat = (res: http.ServerResponse, dialect: Dialect, decision: ChatDecision) => {
    switch (decision.type) {
      case 'answer': {
        const { answer, latencyMs: total, ttftMs } = decision;
        if (decision.stream) {
          streamAnswer(
            res,
            streamFormat(dialect, answer, decision.includeUsage),
            answer,
            total,
            ttftMs,
          );
        } else if (total <= 0) {
          answerNow(res, dialect, answer, 0);
        } else {
          later(res, total, (elapsedMs) => answerNow(res, dialect, answer, elapsedMs));
        }
        return;
      }
      case 'error': {
        const { status, message, retryAfter } = decision;
        if (decision.delayMs <= 0) sendError(res, dialect, status, message, retryAfter);
        else
          later(res, decision.delayMs, () => sendError(res, dialect, status, message, retryAfter));
        return;
      }
      case 'malformed': {
        const { answer, stream } = decision;
        if (decision.delayMs <= 0) sendMalformed(res, dialect, answer, stream);
        else later(res, decision.delayMs, () => sendMalformed(res, dialect, answer, stream));
        return;
      }
      case 'hang':
        // No headers, no timer: the socket stays open until the client gives up or the server
        // drops it (close() or an outage); track() releases the slot then.
        track(res);
        return;
    }
  };

  const chatRoute =
    (dialect: Dialect): RouteHandler =>
    (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true;
          sendError(res, dialect, 413, 'request body too large');
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (tooLarge || res.destroyed) return;
        const body =
          chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
        enterChat();
        try {
          executeChat(res, dialect, decideChat(dialect, parseChat(dialect, body, models[0])));
        } finally {
          // Delayed answers hold a slot of their own until they end (see track()).
          inFlight -= 1;
        }
      });
    };

  // ----- routes

  const staticRoute =
    (status: number, contentType: string, body: string): RouteHandler =>
    (_req, res) =>
      send(res, status, contentType, body);

  const routes = new Map<string, Map<string, RouteHandler>>();
  const route = (method: string, path: string, handler: RouteHandler) => {
    let byMethod = routes.get(path);
    if (!byMethod) {
      byMethod = new Map();
      routes.set(path, byMethod);
    }
    byMethod.set(method, handler);
    // Ollama (gin) answers HEAD on its GET routes too.
    if (method === 'GET' && kind === 'ollama') byMethod.set('HEAD', handler);
  };
  if (kind === 'ollama') {
    route('GET', '/', staticRoute(200, textType, 'Ollama is running'));
    route('GET', '/api/version', staticRoute(200, jsonType, versionJson));
    route('GET', '/api/tags', staticRoute(200, jsonType, tagsJson));
    route('POST', '/api/chat', chatRoute('ollama'));
    route('POST', '/v1/chat/completions', chatRoute('ollama-openai'));
    route('GET', '/v1/models', staticRoute(200, jsonType, modelsJson));
  } else {
    route('POST', '/v1/chat/completions', chatRoute('vllm'));
    route('GET', '/v1/models', staticRoute(200, jsonType, modelsJson));
    route('GET', '/health', staticRoute(200, textType, ''));
  }

  const notFound = (res: http.ServerResponse) =>
    kind === 'ollama'
      ? send(res, 404, textType, '404 page not found')
      : send(res, 404, jsonType, '{"detail":"Not Found"}');
  const methodNotAllowed = (res: http.ServerResponse, allowed: Iterable<string>) => {
    res.setHeader('allow', [...allowed].join(', '));
    if (kind === 'ollama') send(res, 405, textType, '405 method not allowed');
    else send(res, 405, jsonType, '{"detail":"Method Not Allowed"}');
  };

  const server = http.createServer((req, res) => {
    counters.requests += 1;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const byMethod = routes.get(path);
    if (!byMethod) {
      bump(counters.byRoute, `${method} *`);
      notFound(res);
      return;
    }
    bump(counters.byRoute, `${method} ${path}`);
    const handler = byMethod.get(method);
    if (!handler) {
      methodNotAllowed(res, byMethod.keys());
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  // ----- listening, outages and closing

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
      for (const p of pending) if (p.timer !== undefined) clearTimeout(p.timer);
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
  const boundPort = address.port;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${boundPort}`;

  let closing: Promise<void> | undefined;
  // Outage changes run one after another; close() waits for the one under way.
  let transition: Promise<void> = Promise.resolve();
  const applyOutage = (outage: boolean): Promise<void> => {
    const step = transition.then(async () => {
      if (closing) return;
      if (outage && server.listening) await stopListening();
      else if (!outage && !server.listening) await listen(boundPort);
    });
    transition = step.catch(() => undefined);
    return step;
  };

  if (faults.outage) await applyOutage(true);

  return {
    name,
    kind,
    origin,
    baseUrl: kind === 'ollama' ? origin : `${origin}/v1`,
    get faults() {
      return settingsCopy(faultSettings);
    },
    setFaults: async (settings: FaultSettings) => {
      faults = activeFaults(settings);
      faultSettings = settingsCopy(settings);
      await applyOutage(faults.outage);
    },
    served: () => ({
      requests: counters.requests,
      chatCompletions: counters.chatCompletions,
      byModel: Object.fromEntries(counters.byModel),
      byRoute: Object.fromEntries(counters.byRoute),
      byStatus: Object.fromEntries([...counters.byStatus].map(([s, n]) => [String(s), n])),
      streamed: counters.streamed,
      maxInFlight: counters.maxInFlight,
      faults: { ...counters.faults },
    }),
    reset: () => {
      counters = newCounters();
      counters.maxInFlight = inFlight;
    },
    close: () => {
      if (!closing) {
        closing = transition.then(() => {
          const stopped = stopListening();
          pending.clear();
          return stopped;
        });
      }
      return closing;
    },
  };
}

/** A copy of fault settings without the keys that are undefined. */
function settingsCopy(settings: FaultSettings): FaultSettings {
  const copy: FaultSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) (copy as Record<string, unknown>)[key] = value;
  }
  return copy;
}
