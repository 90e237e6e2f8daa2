// Reading a streamed answer as the SDK hands it over: its content, and whether it ended whole. A
// stream ends whole with a finish_reason or [DONE]; one that ends without (cleanly or by a broken
// connection), carries an error event, or stays silent for the idle limit does not.
import { performance } from 'node:perf_hooks';
import { describeFailure, type Failure, preview } from './classify.js';
import type { PoolResponse, RequestCancel } from './fetch.js';

/** The start of an answer kept for the per-request lines. */
export const SNIPPET_LENGTH = 80;

export interface StreamChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { completion_tokens?: number } | null;
  /** An error reported inside a 200 stream (vLLM, OpenAI-compatible servers). */
  error?: { message?: unknown } | string;
}

/** What a stream delivered before it ended, broke or went silent. */
export interface StreamRead {
  firstTokenAt: number | undefined;
  lastTokenAt: number;
  /** Content chunks received: the tokens, when no usage says otherwise. */
  chunks: number;
  usageTokens: number | undefined;
  snippet: string;
  finished: boolean;
  /** The stream's own error event, or why reading it stopped. */
  failure?: Failure;
}

/**
 * Whether the stream's bytes carried `data: [DONE]`, the terminator the SDK reads past without a
 * word: the body the SDK will iterate is swapped for one that looks at each chunk on its way.
 */
export function watchForDone(response: PoolResponse): () => boolean {
  const original = response.body;
  let seen = false;
  let tail = '';
  const watched = {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of original) {
        if (!seen) {
          const text = tail + (chunk as Buffer).toString('latin1');
          seen = text.includes('data: [DONE]');
          tail = text.slice(-12);
        }
        yield chunk;
      }
    },
  };
  (response as { body: unknown }).body = watched;
  return () => seen;
}

/** Reads a stream to its end, its error, or a silence of request.idleMs (then cancels it). */
export async function readStream(
  stream: AsyncIterable<StreamChunk>,
  request: { idleMs: number; cancel: RequestCancel | undefined },
  started: number,
): Promise<StreamRead> {
  const read: StreamRead = {
    firstTokenAt: undefined,
    lastTokenAt: started,
    chunks: 0,
    usageTokens: undefined,
    snippet: '',
    finished: false,
  };
  const iterator = stream[Symbol.asyncIterator]();
  const STALLED = Symbol('stalled');
  let timer: NodeJS.Timeout | undefined;
  const silence = () =>
    new Promise<typeof STALLED>((resolve) => {
      timer = setTimeout(() => resolve(STALLED), request.idleMs);
    });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), silence()]);
      clearTimeout(timer);
      if (next === STALLED) {
        request.cancel?.abort();
        read.failure = {
          cause: 'stalled-stream',
          message: `the stream sent nothing for ${request.idleMs} ms (--stream-idle-timeout), after ${read.chunks} content chunk(s)`,
        };
        return read;
      }
      if (next.done) return read;
      const chunk = next.value;
      if (chunk.error !== undefined) {
        read.failure = { cause: 'stream-error', message: streamErrorMessage(chunk.error) };
        return read;
      }
      const choice = chunk.choices?.[0];
      const piece = choice?.delta?.content;
      if (piece) {
        read.lastTokenAt = performance.now();
        read.firstTokenAt ??= read.lastTokenAt;
        read.chunks += 1;
        if (read.snippet.length < SNIPPET_LENGTH) read.snippet += piece;
      }
      if (choice?.finish_reason) read.finished = true;
      if (typeof chunk.usage?.completion_tokens === 'number') {
        read.usageTokens = chunk.usage.completion_tokens;
      }
    }
  } catch (error) {
    clearTimeout(timer);
    // The SDK throws a stream's `event: error` as an APIError without a status.
    const event = (error as { status?: unknown; error?: unknown }).error;
    const broken = brokenBody(error);
    read.failure =
      event !== undefined && (error as { status?: unknown }).status === undefined
        ? { cause: 'stream-error', message: streamErrorMessage(event) }
        : broken
          ? {
              cause: 'truncated-stream',
              message: `the stream broke off after ${read.chunks} content chunk(s) (${broken})`,
            }
          : describeFailure(error);
    return read;
  }
}

function streamErrorMessage(error: unknown): string {
  const message = typeof error === 'string' ? error : (error as { message?: unknown })?.message;
  return `the stream reported an error inside its 200: ${preview(message ?? error)}`;
}

/**
 * Why a 2xx body could not be read whole: its connection broke (a network code), or it ended in
 * the middle of its JSON; undefined when it is something else, e.g. a body that is not JSON at all.
 */
export function brokenBody(error: unknown): string | undefined {
  let current = error as { cause?: unknown; code?: string; name?: string; message?: string };
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.code?.startsWith('UND_ERR') || current.code?.startsWith('E')) return current.code;
    if (current.name === 'SyntaxError') {
      return /end of (JSON )?input|unterminated/i.test(current.message ?? '')
        ? 'ends mid-JSON'
        : undefined;
    }
    current = current.cause as typeof current;
  }
  return undefined;
}
