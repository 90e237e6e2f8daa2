// The simulators' stream faults, read with the official openai and ollama clients: answers cut
// (a clean end without the terminator, or a reset), stalled, carrying an error event, or slow to
// their first token; and fail_first with Retry-After, by lb-demo's request id.
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REQUEST_ID_HEADER,
  type SimulatedProvider,
  type SimulatedProviderOptions,
  startSimulatedProvider,
} from '../../../src/local/simulator/server.js';

const started: SimulatedProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

async function start(options: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const sim = await startSimulatedProvider(options);
  started.push(sim);
  return sim;
}
const startVllm = (faults: SimulatedProviderOptions['faults'], latencyMs = 0) =>
  start({ kind: 'openai', name: 'vllm-sim', models: ['m'], faults, latencyMs });
const startOllama = (faults: SimulatedProviderOptions['faults'], latencyMs = 0) =>
  start({ kind: 'ollama', name: 'ollama-sim', models: ['llama3'], faults, latencyMs });
const openaiFor = (sim: SimulatedProvider) =>
  new OpenAI({
    baseURL: sim.kind === 'ollama' ? `${sim.origin}/v1` : sim.baseUrl,
    apiKey: 'x',
    maxRetries: 0,
  });

const messages = [{ role: 'user' as const, content: 'What is a gateway?' }];
const model = (sim: SimulatedProvider) => (sim.kind === 'ollama' ? 'llama3' : 'm');

/** A stream read to its end or its error: the chunks, the content, the error if one came. */
async function read(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (e) {
    error = e;
  }
  const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  const finished = chunks.some((c) => c.choices[0]?.finish_reason);
  return { chunks, content, finished, error };
}

const streamed = (sim: SimulatedProvider) =>
  openaiFor(sim)
    .chat.completions.create({ model: model(sim), messages, stream: true })
    .then(read);

describe('cut_rate: an answer ends halfway, alternately cleanly and by a reset', () => {
  it.each(['openai', 'ollama'] as const)(
    '%s through the openai client: the 1st cut ends cleanly without finish_reason, the 2nd is reset',
    async (kind) => {
      const sim =
        kind === 'openai' ? await startVllm({ cutRate: 1 }) : await startOllama({ cutRate: 1 });
      const whole = await startVllm({}).then(streamed);
      expect(whole.finished).toBe(true);
      const clean = await streamed(sim);
      expect(clean.error).toBeUndefined();
      expect(clean.finished).toBe(false);
      expect(clean.content.length).toBeGreaterThan(0);
      const reset = await streamed(sim);
      expect(reset.error).toBeDefined();
      expect(reset.finished).toBe(false);
      expect(sim.served()).toMatchObject({
        chatRequests: 2,
        chatCompletions: 0,
        streamed: 0,
        faults: { cut: 1, reset: 1 },
      });
    },
  );

  it('hits exactly floor(n·r) of n requests, evenly spread, the same every time', async () => {
    const sim = await startVllm({ cutRate: 0.5 });
    const finished: boolean[] = [];
    for (let i = 0; i < 6; i++) finished.push((await streamed(sim)).finished);
    expect(finished).toEqual([true, false, true, false, true, false]);
    expect(sim.served().faults).toMatchObject({ cut: 2, reset: 1 });
    expect(sim.served().chatCompletions).toBe(3);
  });

  it('the native Ollama API: the ollama client misses its done: true, then sees the reset', async () => {
    const sim = await startOllama({ cutRate: 1 });
    const ollama = new Ollama({ host: sim.origin });
    const drainNative = async () => {
      const parts: { done: boolean }[] = [];
      for await (const part of await ollama.chat({ model: 'llama3', messages, stream: true })) {
        parts.push(part);
      }
      return parts;
    };
    await expect(drainNative()).rejects.toThrow(/Did not receive done or success response/);
    await expect(drainNative()).rejects.toThrow();
    expect(sim.served().faults).toMatchObject({ cut: 1, reset: 1 });
  });

  it('a whole answer: half its JSON, then a clean end or a reset; both fail the client', async () => {
    const sim = await startVllm({ cutRate: 1 });
    const client = openaiFor(sim);
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toThrow();
    await expect(client.chat.completions.create({ model: 'm', messages })).rejects.toThrow();
    expect(sim.served()).toMatchObject({ chatCompletions: 0, faults: { cut: 1, reset: 1 } });
  });
});

describe('stall_rate: an answer stops halfway, the connection left open', () => {
  it('sends half the chunks and then nothing until the client leaves', async () => {
    const sim = await startVllm({ stallRate: 1 });
    const controller = new AbortController();
    const stream = await openaiFor(sim).chat.completions.create(
      { model: 'm', messages, stream: true },
      { signal: controller.signal },
    );
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch(() => 'aborted');
    // Half the answer arrives at once (no latency); then the stream is silent.
    const until = Date.now() + 5_000;
    while (chunks.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const seen = chunks.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(chunks.length).toBe(seen);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    controller.abort();
    await reading;
    expect(sim.served()).toMatchObject({ chatCompletions: 0, faults: { stall: 1 } });
  });
});

describe('error_event_rate: a 200 stream carrying an error', () => {
  it('vLLM: the openai client throws the error event', async () => {
    const sim = await startVllm({ errorEventRate: 1 });
    const result = await streamed(sim);
    expect(result.chunks.length).toBeGreaterThan(0);
    expect(String(result.error)).toMatch(/fault injected by vllm-sim/);
    expect(sim.served()).toMatchObject({ chatCompletions: 0, faults: { errorEvent: 1 } });
  });

  it("Ollama: the ollama client throws the native stream's error line", async () => {
    const sim = await startOllama({ errorEventRate: 1 });
    const ollama = new Ollama({ host: sim.origin });
    const reading = (async () => {
      for await (const _ of await ollama.chat({ model: 'llama3', messages, stream: true })) {
        // drain
      }
    })();
    await expect(reading).rejects.toThrow(/fault injected by ollama-sim/);
    const openai = await streamed(sim);
    expect(String(openai.error)).toMatch(/fault injected by ollama-sim/);
  });

  it('leaves a whole answer whole, and does not count it', async () => {
    const sim = await startVllm({ errorEventRate: 1 });
    const answer = await openaiFor(sim).chat.completions.create({ model: 'm', messages });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    expect(sim.served()).toMatchObject({ chatCompletions: 1, faults: { errorEvent: 0 } });
  });
});

describe('ttft_ms: the first token comes late, the headers at once', () => {
  // Tolerances: the headers within 150 ms of the request; the first token no earlier than
  // ttft_ms less 5 ms (timers never fire early by more than a millisecond or so).
  it('streams: headers at once, the first chunk after ttft_ms', async () => {
    const sim = await startVllm({ ttftMs: 400 }, 20);
    const t0 = performance.now();
    const response = await fetch(`${sim.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages, stream: true }),
    });
    const headersAt = performance.now() - t0;
    const reader = response.body?.getReader();
    await reader?.read();
    const firstAt = performance.now() - t0;
    await reader?.cancel();
    expect(response.status).toBe(200);
    expect(headersAt).toBeLessThan(150);
    expect(firstAt).toBeGreaterThanOrEqual(395);
    expect(sim.served().faults.slowFirstToken).toBe(1);
  });

  it('a whole answer comes no sooner than its first token', async () => {
    const sim = await startVllm({ ttftMs: 300 }, 20);
    const t0 = performance.now();
    await openaiFor(sim).chat.completions.create({ model: 'm', messages });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(295);
  });
});

describe('fail_first and retry_after: the first calls of each request fail', () => {
  const call = (sim: SimulatedProvider, id?: string) =>
    fetch(`${sim.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(id ? { [REQUEST_ID_HEADER]: id } : {}) },
      body: JSON.stringify({ model: 'm', messages }),
    });

  it('fails the first N calls of each request id, then answers; an untagged call is a first', async () => {
    const sim = await startVllm({ failFirst: 2, errorStatus: 503, retryAfterS: null });
    const statuses = [];
    for (const id of ['a', 'a', 'a', 'b', undefined]) {
      const res = await call(sim, id);
      expect(res.headers.get('retry-after')).toBeNull();
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([503, 503, 200, 503, 503]);
    expect(sim.takeAttempts('a')).toMatchObject([
      { status: 503, fault: 'error', retryAfterMs: null },
      { status: 503, fault: 'error', retryAfterMs: null },
      { status: 200, fault: null, retryAfterMs: null },
    ]);
  });

  it('sends the Retry-After asked for, and logs it', async () => {
    const sim = await startVllm({ failFirst: 1, errorStatus: 429, retryAfterS: 3 });
    const res = await call(sim, 'x');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    await res.text();
    expect((await call(sim, 'x')).status).toBe(200);
    expect(sim.takeAttempts('x')[0]).toMatchObject({ fault: 'error', retryAfterMs: 3000 });
  });

  it('logs a cut answer as such: a clean end with its 200, a reset with no status', async () => {
    const sim = await startVllm({ cutRate: 1 });
    for (const id of ['c1', 'c2']) {
      const res = await call(sim, id);
      await res.text().catch(() => '');
    }
    expect(sim.takeAttempts('c1')).toMatchObject([{ status: 200, fault: 'cut' }]);
    expect(sim.takeAttempts('c2')).toMatchObject([{ status: null, fault: 'reset' }]);
  });
});
