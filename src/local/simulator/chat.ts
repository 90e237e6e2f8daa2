// How a simulated provider answers a chat request: decided first (the model's answer, its
// latency, and any fault injected in front of it), then carried out, at once, later or streamed.
import type http from 'node:http';
import { hits } from './faults.js';
import { bump, later, type SimState, send, track } from './state.js';
import {
  type Answer,
  buildAnswer,
  completionJson,
  cutJson,
  type Dialect,
  errorJson,
  faultMessage,
  modelNotFoundMessage,
  type ParsedChat,
  parseChat,
  type StreamFormat,
  streamFormat,
} from './wire.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The header lb-demo tags its requests with (the gateway forwards it when asked): the simulator
 * records each chat request that carries it, so lb-demo can tell which target got a request the
 * gateway's answer did not name.
 */
export const REQUEST_ID_HEADER = 'x-lb-demo-request-id';

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

/** The handler of a chat route in one dialect. */
export function chatRoute(
  state: SimState,
  dialect: Dialect,
  defaultModel: string | undefined,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        sendError(state, res, dialect, 413, 'request body too large');
        return;
      }
      chunks.push(chunk);
    });
    recordAttempt(state, req, res);
    req.on('end', () => {
      if (tooLarge || res.destroyed) return;
      const body =
        chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
      state.inFlight += 1;
      if (state.inFlight > state.counters.maxInFlight) state.counters.maxInFlight = state.inFlight;
      try {
        const decision = decideChat(state, dialect, parseChat(dialect, body, defaultModel));
        executeChat(state, res, dialect, decision);
      } finally {
        // Delayed answers hold a slot of their own until they end (see track()).
        state.inFlight -= 1;
      }
    });
  };
}

/**
 * The one place for per-provider behaviour, latency and injected faults. Faults come first, as
 * if they happened in front of the model server: hang, then error, then malformed, then spike.
 */
function decideChat(state: SimState, dialect: Dialect, request: ParsedChat): ChatDecision {
  const { counters, faults: f } = state;
  const i = counters.chatRequests;
  counters.chatRequests += 1;
  if (f.anyRate && hits(i, f.hangRate)) {
    counters.faults.hang += 1;
    return { type: 'hang' };
  }
  if (f.anyRate && hits(i, f.errorRate)) {
    counters.faults.error += 1;
    const status = f.errorStatus;
    const message = faultMessage(state.name, status);
    return {
      type: 'error',
      status,
      message,
      delayMs: 0,
      ...(status === 429 ? { retryAfter: 1 } : {}),
    };
  }
  const decision = decideAnswer(state, dialect, request);
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
}

/** The answer without faults: a validation error, or the simulated model's answer. */
function decideAnswer(state: SimState, dialect: Dialect, request: ParsedChat): ChatDecision {
  if (!request.ok) {
    return { type: 'error', status: request.status, message: request.message, delayMs: 0 };
  }
  const servedModel = state.findModel(request.model);
  if (servedModel === undefined) {
    const message = modelNotFoundMessage(dialect, request.model);
    return { type: 'error', status: 404, message, delayMs: 0 };
  }
  const { jitter, latencyMs } = state;
  const factor = jitter > 0 ? 1 + jitter * (2 * Math.random() - 1) : 1;
  const ttft = (state.ttftMs ?? latencyMs / 4) * factor;
  return {
    type: 'answer',
    answer: buildAnswer(state.name, request, servedModel),
    stream: request.stream,
    includeUsage: request.includeUsage,
    latencyMs: Math.max(latencyMs * factor, ttft),
    ttftMs: ttft,
  };
}

function executeChat(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  decision: ChatDecision,
): void {
  switch (decision.type) {
    case 'answer': {
      const { answer, latencyMs: total, ttftMs } = decision;
      if (decision.stream) {
        const format = streamFormat(dialect, answer, decision.includeUsage, state.nextId);
        streamAnswer(state, res, format, answer, total, ttftMs);
      } else if (total <= 0) {
        answerNow(state, res, dialect, answer, 0);
      } else {
        later(state, res, total, (elapsedMs) => answerNow(state, res, dialect, answer, elapsedMs));
      }
      return;
    }
    case 'error': {
      const { status, message, retryAfter } = decision;
      const respond = () => sendError(state, res, dialect, status, message, retryAfter);
      if (decision.delayMs <= 0) respond();
      else later(state, res, decision.delayMs, respond);
      return;
    }
    case 'malformed': {
      const { answer, stream } = decision;
      const respond = () => sendMalformed(state, res, dialect, answer, stream);
      if (decision.delayMs <= 0) respond();
      else later(state, res, decision.delayMs, respond);
      return;
    }
    case 'hang':
      // No headers, no timer: the socket stays open until the client gives up or the server
      // drops it (close() or an outage); track() releases the slot then.
      track(state, res);
      return;
  }
}

/** Notes the arrival of a tagged request, and its status once answered. */
function recordAttempt(state: SimState, req: http.IncomingMessage, res: http.ServerResponse) {
  const id = req.headers[REQUEST_ID_HEADER];
  if (typeof id !== 'string') return;
  const attempt = { atMs: performance.now(), status: null as number | null };
  const list = state.attempts.get(id);
  if (list) list.push(attempt);
  else state.attempts.set(id, [attempt]);
  res.once('finish', () => {
    attempt.status = res.statusCode;
  });
  return attempt;
}

function countSuccess(state: SimState, answer: Answer, streamed: boolean): void {
  state.counters.chatCompletions += 1;
  bump(state.counters.byModel, answer.servedModel);
  if (streamed) state.counters.streamed += 1;
}

function answerNow(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  answer: Answer,
  ms: number,
): void {
  send(state, res, 200, state.jsonType, completionJson(dialect, answer, ms, state.nextId));
  countSuccess(state, answer, false);
}

/** A 200 whose body is cut-off JSON: a whole body, or the first event or line of a stream. */
function sendMalformed(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  answer: Answer | undefined,
  stream: boolean,
): void {
  if (!stream) {
    const json = answer
      ? completionJson(dialect, answer, 0, state.nextId)
      : '{"object":"chat.completion","choices":[]}';
    send(state, res, 200, state.jsonType, cutJson(json));
    return;
  }
  const format = answer ? streamFormat(dialect, answer, false, state.nextId) : undefined;
  const first =
    format === undefined ? '' : answer?.pieces.length ? format.piece(0) : format.tail(0, 0);
  if (dialect === 'ollama') {
    const line = first.slice(0, first.indexOf('\n')) || '{"message":{"content":""},"done":false}';
    send(state, res, 200, 'application/x-ndjson', `${cutJson(line)}\n`);
  } else {
    const data =
      first.slice('data: '.length, first.indexOf('\n')) ||
      '{"object":"chat.completion.chunk","choices":[]}';
    send(state, res, 200, 'text/event-stream', `data: ${cutJson(data)}\n\n`);
  }
}

/** Sends the answer piece by piece: the first after ttftMs, the rest evenly up to totalMs. */
function streamAnswer(
  state: SimState,
  res: http.ServerResponse,
  format: StreamFormat,
  answer: Answer,
  totalMs: number,
  ttftMs: number,
): void {
  const n = answer.pieces.length;
  bump(state.counters.byStatus, 200);
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
    countSuccess(state, answer, true);
    return;
  }
  res.writeHead(200, { 'content-type': format.contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  const start = performance.now();
  const step = n > 1 ? (totalMs - ttftMs) / (n - 1) : 0;
  const dueAt = (i: number) => (i < n ? ttftMs + i * step : totalMs);
  let next = 0;
  let firstTokenMs = 0;
  const { handle, finish } = track(state, res);
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
      countSuccess(state, answer, true);
      return finish();
    }
    if (out) res.write(out);
    handle.timer = setTimeout(tick, Math.max(0, dueAt(next) - (performance.now() - start)));
  };
  if (ttftMs <= 0) tick();
  else handle.timer = setTimeout(tick, ttftMs);
}

function sendError(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  status: number,
  message: string,
  retryAfter?: number,
): void {
  send(state, res, status, state.jsonType, errorJson(dialect, status, message), retryAfter);
}
