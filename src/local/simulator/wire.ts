// The wire formats the simulated providers speak: Ollama's native /api/chat, Ollama's
// OpenAI-compatible /v1/chat/completions, and vLLM's OpenAI-compatible /v1/chat/completions.
// Requests are parsed and answers written here; when and whether to answer is decided elsewhere.
import http from 'node:http';

/** The version the simulated Ollama reports on /api/version. */
export const SIMULATED_OLLAMA_VERSION = '0.11.4';

const FILLER =
  'This reply was generated locally without calling a real model, so that load balancing ' +
  'through the Portkey AI Gateway can be shown and measured.';
const TOPIC_WORDS = 12;

/**
 * The wire format a chat route speaks: Ollama's native /api/chat, Ollama's OpenAI-compatible
 * /v1/chat/completions, or vLLM's OpenAI-compatible /v1/chat/completions.
 */
export type Dialect = 'ollama' | 'ollama-openai' | 'vllm';

export type FinishReason = 'stop' | 'length';

/** A chat request that passed validation, reduced to what the answer depends on. */
export interface ChatRequest {
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

export type ParsedChat = ChatRequest | InvalidChatRequest;

/** What the simulated model says. */
export interface Answer {
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
export function ollamaKey(model: string): string {
  return model.includes(':') ? model : `${model}:latest`;
}

export function parseChat(
  dialect: Dialect,
  body: string,
  defaultModel: string | undefined,
): ParsedChat {
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
function simulatedAnswerText(name: string, model: string, lastUserText: string): string {
  const topic =
    splitWords(lastUserText)
      .slice(0, TOPIC_WORDS)
      .join(' ')
      .replace(/[\s?.!:;,]+$/, '') || 'Your message';
  return `${topic} (simulated answer from ${name}, model ${model}): ${FILLER}`;
}

export function buildAnswer(name: string, request: ChatRequest, servedModel: string): Answer {
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

export function errorJson(dialect: Dialect, status: number, message: string): string {
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
export function faultMessage(name: string, status: number, retryAfterS?: number): string {
  const reason =
    status === 429
      ? `too many requests${retryAfterS === undefined ? '' : `, retry after ${retryAfterS} second${retryAfterS === 1 ? '' : 's'}`}`
      : status === 503
        ? 'server busy, please try again'
        : (http.STATUS_CODES[status]?.toLowerCase() ?? 'error');
  return `${reason} (fault injected by ${name})`;
}

/** A JSON text cut in half: never valid JSON, since only its last character closes it. */
export function cutJson(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

export function modelNotFoundMessage(dialect: Dialect, model: string): string {
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
export interface StreamFormat {
  contentType: string;
  /** The text sent with content piece i (the first may carry an opening chunk). */
  piece(i: number): string;
  /** The text after the last piece: final chunk, usage chunk, terminator. */
  tail(elapsedMs: number, firstTokenMs: number): string;
  /** An error reported inside the stream, as the real server writes one mid-answer. */
  errorEvent(message: string): string;
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** A whole (non-streamed) answer in the dialect's format; `nextId` numbers OpenAI-style ids. */
export function completionJson(
  dialect: Dialect,
  answer: Answer,
  elapsedMs: number,
  nextId: () => string,
): string {
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
}

// Chunks are assembled from pre-serialised parts: a stream sends one chunk per word, and
// serialising a whole object per word would cost several times as much.
export function streamFormat(
  dialect: Dialect,
  answer: Answer,
  includeUsage: boolean,
  nextId: () => string,
): StreamFormat {
  const q = JSON.stringify;
  const last = answer.pieces.length - 1;
  if (dialect === 'ollama') {
    const open = `{"model":${q(answer.model)},"created_at":${q(new Date().toISOString())},`;
    return {
      contentType: 'application/x-ndjson',
      // Ollama ends a failing native stream with an {"error": ...} line.
      errorEvent: (message) => `${q({ error: message })}\n`,
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
      errorEvent: (message) =>
        sse({ error: { message, type: 'api_error', param: null, code: null } }),
      piece: (i) => chunk(`{"role":"assistant","content":${q(answer.pieces[i] ?? '')}}`, null),
      tail: () => `${chunk(roleDelta, answer.finishReason)}${usageChunk}data: [DONE]\n\n`,
    };
  }
  // vLLM/OpenAI: an opening chunk with the role, then content deltas, then the finish.
  return {
    contentType: 'text/event-stream',
    // vLLM writes an error mid-stream as a data event holding {"error": ...}, then [DONE].
    errorEvent: (message) =>
      `${sse({ error: { object: 'error', message, type: 'InternalServerError', param: null, code: 500 } })}data: [DONE]\n\n`,
    piece: (i) => {
      const content = chunk(`{"content":${q(answer.pieces[i] ?? '')}}`, null);
      return i === 0 ? chunk(roleDelta, null) + content : content;
    },
    tail: () =>
      `${last < 0 ? chunk(roleDelta, null) : ''}${chunk('{"content":""}', answer.finishReason)}` +
      `${usageChunk}data: [DONE]\n\n`,
  };
}
