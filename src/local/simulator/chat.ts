// How a simulated provider answers a chat request: decided first (the model's answer, its
// latency, and any fault injected in front of it), then carried out, at once, later or streamed.
import type http from 'node:http';
import type { InjectedFault } from '../../model/request.js';
import { answerBroken, answerNow, type Breakage, sendMalformed, streamAnswer } from './answer.js';
import { hits } from './faults.js';
import { type Attempt, later, type SimState, send, track } from './state.js';
import {
  type Answer,
  buildAnswer,
  type Dialect,
  errorJson,
  faultMessage,
  modelNotFoundMessage,
  type ParsedChat,
  parseChat,
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
      /** Broken halfway on purpose. */
      breakage?: Breakage;
    }
  | {
      type: 'error';
      status: number;
      message: string;
      /** Sent after this many ms (a latency spike on an invalid request), usually 0. */
      delayMs: number;
      /** Seconds for a `retry-after` header. */
      retryAfter?: number;
      /** Injected on purpose (not a bad request or an unknown model). */
      injected?: boolean;
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
    const attempt = recordAttempt(state, req, res);
    req.on('end', () => {
      if (tooLarge || res.destroyed) return;
      const body =
        chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
      state.inFlight += 1;
      if (state.inFlight > state.counters.maxInFlight) state.counters.maxInFlight = state.inFlight;
      try {
        const number = attempt ? (state.attempts.get(attempt.id)?.length ?? 1) : 1;
        const decision = decideChat(state, dialect, parseChat(dialect, body, defaultModel), number);
        if (attempt) noteFault(state, attempt.record, decision);
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
 * if they happened in front of the model server: hang, then error (by rate, then the request's
 * first calls), then malformed, cut, stall and error event, then spike. `attempt` is this call's
 * number among the calls of its request (1 for an untagged one).
 */
function decideChat(
  state: SimState,
  dialect: Dialect,
  request: ParsedChat,
  attempt: number,
): ChatDecision {
  const { counters, faults: f } = state;
  const i = counters.chatRequests;
  counters.chatRequests += 1;
  if (f.anyRate && hits(i, f.hangRate)) {
    counters.faults.hang += 1;
    return { type: 'hang' };
  }
  if (f.anyRate && (hits(i, f.errorRate) || attempt <= f.failFirst)) {
    counters.faults.error += 1;
    const status = f.errorStatus;
    const header = f.retryAfterS === undefined ? (status === 429 ? 1 : undefined) : f.retryAfterS;
    const retryAfter = header ?? undefined;
    return {
      type: 'error',
      status,
      message: faultMessage(state.name, status, retryAfter),
      delayMs: 0,
      injected: true,
      ...(retryAfter === undefined ? {} : { retryAfter }),
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
  if (decision.type === 'answer') breakAnswer(state, decision, i);
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

/**
 * Cut, stall or error event, when one hits the i-th request. Cuts alternate: the 1st, 3rd, ...
 * ends cleanly, the 2nd, 4th, ... is reset. An error event needs a stream: a whole answer it
 * would hit is left whole, and not counted.
 */
function breakAnswer(state: SimState, decision: ChatDecision & { type: 'answer' }, i: number) {
  const { counters, faults: f } = state;
  if (hits(i, f.cutRate)) {
    const clean = (counters.faults.cut + counters.faults.reset) % 2 === 0;
    decision.breakage = clean ? 'cut' : 'reset';
    counters.faults[clean ? 'cut' : 'reset'] += 1;
  } else if (hits(i, f.stallRate)) {
    decision.breakage = 'stall';
    counters.faults.stall += 1;
  } else if (decision.stream && hits(i, f.errorEventRate)) {
    decision.breakage = 'error-event';
    counters.faults.errorEvent += 1;
  }
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
  const ownTtft = (state.ttftMs ?? latencyMs / 4) * factor;
  const total = Math.max(latencyMs * factor, ownTtft);
  // ttft_ms: the first token comes late, and the rest of the answer after it as usual.
  const slow = state.faults.ttftMs;
  if (slow !== undefined) state.counters.faults.slowFirstToken += 1;
  return {
    type: 'answer',
    answer: buildAnswer(state.name, request, servedModel),
    stream: request.stream,
    includeUsage: request.includeUsage,
    latencyMs: slow === undefined ? total : slow + (total - ownTtft),
    ttftMs: slow ?? ownTtft,
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
      const { answer, latencyMs: total, ttftMs, breakage } = decision;
      if (decision.stream) {
        const format = streamFormat(dialect, answer, decision.includeUsage, state.nextId);
        const message = faultMessage(state.name, 500);
        const broken = breakage ? { kind: breakage, message } : undefined;
        streamAnswer(state, res, format, answer, { totalMs: total, ttftMs }, broken);
        return;
      }
      const respond = (elapsedMs: number) =>
        breakage && breakage !== 'error-event'
          ? answerBroken(state, res, dialect, answer, elapsedMs, breakage)
          : answerNow(state, res, dialect, answer, elapsedMs);
      if (total <= 0) respond(0);
      else later(state, res, total, respond);
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
function recordAttempt(
  state: SimState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): { id: string; record: Attempt } | undefined {
  const id = req.headers[REQUEST_ID_HEADER];
  if (typeof id !== 'string') return undefined;
  const record: Attempt = {
    atMs: performance.now(),
    status: null,
    fault: null,
    retryAfterMs: null,
  };
  const list = state.attempts.get(id);
  if (list) list.push(record);
  else state.attempts.set(id, [record]);
  res.once('finish', () => {
    // A reset answer never finishes: its status stays null.
    record.status = res.statusCode;
  });
  return { id, record };
}

/** What the decision does to the call, for the request's log. */
function noteFault(state: SimState, attempt: Attempt, decision: ChatDecision): void {
  const fault: InjectedFault | null =
    decision.type === 'hang'
      ? 'hang'
      : decision.type === 'malformed'
        ? 'malformed'
        : decision.type === 'answer'
          ? (decision.breakage ?? (state.faults.ttftMs !== undefined ? 'slow-first-token' : null))
          : decision.injected
            ? 'error'
            : null;
  attempt.fault = fault;
  if (decision.type === 'error' && decision.retryAfter !== undefined) {
    attempt.retryAfterMs = decision.retryAfter * 1000;
  }
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
