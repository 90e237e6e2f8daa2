// How a simulated provider writes an answer it has decided on: whole, streamed piece by piece, cut
// off, stalled, or a 200 stream that reports an error halfway. When and whether is decided in
// chat.ts; here only the bytes and their timing.
import type http from 'node:http';
import { bump, type SimState, send, track } from './state.js';
import {
  type Answer,
  completionJson,
  cutJson,
  type Dialect,
  type StreamFormat,
  streamFormat,
} from './wire.js';

/** What breaks an answer halfway through its content, on purpose. */
export type Breakage =
  | 'cut' // the body or stream ends cleanly, without the rest or the terminator
  | 'reset' // the connection is reset
  | 'stall' // nothing more is sent; the connection stays open
  | 'error-event'; // a 200 stream reports an error and ends

/** How long a reset waits after the last bytes were written, so that they reach the peer first. */
const RESET_AFTER_MS = 20;

export function countSuccess(state: SimState, answer: Answer, streamed: boolean): void {
  state.counters.chatCompletions += 1;
  bump(state.counters.byModel, answer.servedModel);
  if (streamed) state.counters.streamed += 1;
}

export function answerNow(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  answer: Answer,
  ms: number,
): void {
  send(state, res, 200, state.jsonType, completionJson(dialect, answer, ms, state.nextId));
  countSuccess(state, answer, false);
}

/**
 * A whole answer broken halfway: a cut sends half the JSON and ends the (chunked) body cleanly; a
 * reset and a stall announce the whole length, send half and then reset, or send nothing more.
 */
export function answerBroken(
  state: SimState,
  res: http.ServerResponse,
  dialect: Dialect,
  answer: Answer,
  ms: number,
  breakage: Exclude<Breakage, 'error-event'>,
): void {
  const json = completionJson(dialect, answer, ms, state.nextId);
  const half = cutJson(json);
  bump(state.counters.byStatus, 200);
  if (breakage === 'cut') {
    res.writeHead(200, { 'content-type': state.jsonType });
    res.end(half);
    return;
  }
  res.writeHead(200, { 'content-type': state.jsonType, 'content-length': Buffer.byteLength(json) });
  res.write(half);
  const { handle, finish } = track(state, res);
  if (breakage === 'reset') resetSoon(res, handle, finish);
}

/** A 200 whose body is cut-off JSON: a whole body, or the first event or line of a stream. */
export function sendMalformed(
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

/**
 * Sends the answer piece by piece: the first after ttftMs, the rest evenly up to totalMs. A
 * breakage takes effect once half the pieces (at least one) are out.
 */
export function streamAnswer(
  state: SimState,
  res: http.ServerResponse,
  format: StreamFormat,
  answer: Answer,
  timing: { totalMs: number; ttftMs: number },
  breakage?: { kind: Breakage; message: string },
): void {
  const n = answer.pieces.length;
  const { totalMs, ttftMs } = timing;
  bump(state.counters.byStatus, 200);
  if (totalMs <= 0 && !breakage) {
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
  const breakAfter = breakage ? Math.min(n, Math.max(1, Math.floor(n / 2))) : Number.NaN;
  let next = 0;
  let firstTokenMs = 0;
  const { handle, finish } = track(state, res);
  const breakNow = (out: string, kind: Breakage, message: string) => {
    if (kind === 'cut') {
      res.end(out);
      return finish();
    }
    if (kind === 'error-event') {
      res.end(out + format.errorEvent(message));
      return finish();
    }
    if (out) res.write(out);
    // A stall keeps the connection (and its slot) until the client leaves or close().
    if (kind === 'reset') resetSoon(res, handle, finish);
  };
  const tick = () => {
    handle.timer = undefined;
    if (res.destroyed) return finish();
    const now = performance.now() - start;
    if (next === 0) firstTokenMs = now;
    let out = '';
    // Send every piece that is due (timers can fire late; catch up instead of drifting).
    while (next < n && next !== breakAfter && dueAt(next) <= now + 1) {
      out += format.piece(next);
      next += 1;
    }
    if (breakage && next === breakAfter) return breakNow(out, breakage.kind, breakage.message);
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

/** Resets the connection once what was written has had time to leave. */
function resetSoon(
  res: http.ServerResponse,
  handle: { timer: NodeJS.Timeout | undefined },
  finish: () => void,
): void {
  handle.timer = setTimeout(() => {
    handle.timer = undefined;
    res.socket?.resetAndDestroy();
    finish();
  }, RESET_AFTER_MS);
}
