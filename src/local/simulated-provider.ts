// Simulated LLM model servers for the local demo: one speaks Ollama's wire formats (native
// /api/* and its OpenAI-compatible /v1/*), the other vLLM's OpenAI-compatible server. They sit on
// loopback behind the real Portkey gateway and count what they served, so end-to-end tests can
// compare the CLI's report with what actually happened. Only node:http, and built for speed:
// no timers when the delay is 0, no per-request logging, counters instead of per-request records.
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
  /** Highest number of chat requests being handled at once. */
  maxInFlight: number;
}

export interface SimulatedProvider {
  readonly name: string;
  readonly kind: SimulatedKind;
  /** 'http://127.0.0.1:PORT' */
  readonly origin: string;
  /** What a Portkey target's custom_host should be: ollama -> origin; openai -> origin + '/v1'. */
  readonly baseUrl: string;
  /** A snapshot copy. */
  served(): ServedCounts;
  reset(): void;
  /** Closes the server and all keep-alive sockets; resolves when the port is free. */
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

/**
 * How a chat request is answered. This is the single place where fault injection (error rate,
 * hang, latency spike, malformed body, outage) can later add variants.
 */
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
  | { type: 'error'; status: number; message: string };

interface Counters {
  requests: number;
  chatCompletions: number;
  byModel: Map<string, number>;
  byRoute: Map<string, number>;
  byStatus: Map<number, number>;
  streamed: number;
  maxInFlight: number;
}

/** A pending timer of one chat answer; close() clears them all. */
interface Pending {
  timer: NodeJS.Timeout | undefined;
}

type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function newCounters(): Counters {
  return {
    requests: 0,
    chatCompletions: 0,
    byModel: new Map(),
    byRoute: new Map(),
    byStatus: new Map(),
    streamed: 0,
    maxInFlight: 0,
  };
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
            : 'InternalServerError';
      return JSON.stringify({ object: 'error', message, type, param: null, code: status });
    }
  }
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

  const send = (res: http.ServerResponse, status: number, contentType: string, body: string) => {
    bump(counters.byStatus, status);
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const sendError = (res: http.ServerResponse, dialect: Dialect, status: number, msg: string) =>
    send(res, status, jsonType, errorJson(dialect, status, msg));

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
   * Decides how a chat request is answered: the one place for per-provider behaviour such as
   * latency now and fault injection later.
   */
  const decideChat = (dialect: Dialect, request: ParsedChat): ChatDecision => {
    if (!request.ok) return { type: 'error', status: request.status, message: request.message };
    const servedModel = findModel(request.model);
    if (servedModel === undefined) {
      return { type: 'error', status: 404, message: modelNotFoundMessage(dialect, request.model) };
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
   * Tracks a delayed answer: its timer, and the cleanup when it ends or the client leaves. It
   * holds an in-flight slot of its own until then, because chatRoute releases its slot as soon
   * as the answer has been scheduled.
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

  const answerLater = (res: http.ServerResponse, dialect: Dialect, answer: Answer, ms: number) => {
    const start = performance.now();
    const { handle, finish } = track(res);
    handle.timer = setTimeout(() => {
      handle.timer = undefined;
      if (res.destroyed) return finish();
      answerNow(res, dialect, answer, performance.now() - start);
      finish();
    }, ms);
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
    if (decision.type === 'error') {
      sendError(res, dialect, decision.status, decision.message);
      return;
    }
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
      answerLater(res, dialect, answer, total);
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | undefined;

  return {
    name,
    kind,
    origin,
    baseUrl: kind === 'ollama' ? origin : `${origin}/v1`,
    served: () => ({
      requests: counters.requests,
      chatCompletions: counters.chatCompletions,
      byModel: Object.fromEntries(counters.byModel),
      byRoute: Object.fromEntries(counters.byRoute),
      byStatus: Object.fromEntries([...counters.byStatus].map(([s, n]) => [String(s), n])),
      streamed: counters.streamed,
      maxInFlight: counters.maxInFlight,
    }),
    reset: () => {
      counters = newCounters();
      counters.maxInFlight = inFlight;
    },
    close: () => {
      if (!closing) {
        closing = new Promise<void>((resolve, reject) => {
          for (const p of pending) if (p.timer !== undefined) clearTimeout(p.timer);
          pending.clear();
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        });
      }
      return closing;
    },
  };
}
