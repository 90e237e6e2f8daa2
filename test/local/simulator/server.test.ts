import net from 'node:net';
import { Ollama } from 'ollama';
import OpenAI, { type ClientOptions } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type SimulatedProvider,
  type SimulatedProviderOptions,
  startSimulatedProvider,
} from '../../../src/local/simulator/server.js';

const started: SimulatedProvider[] = [];

async function start(options: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const sim = await startSimulatedProvider(options);
  started.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

const startOllama = (extra: Partial<SimulatedProviderOptions> = {}) =>
  start({ kind: 'ollama', name: 'ollama-sim', models: ['llama3:latest', 'mistral'], ...extra });
const startVllm = (extra: Partial<SimulatedProviderOptions> = {}) =>
  start({ kind: 'openai', name: 'vllm-sim', models: ['llama-fp8'], ...extra });

// Portkey's ollama provider takes the origin and adds /v1 itself; the openai client needs it.
const openaiFor = (sim: SimulatedProvider, extra: ClientOptions = {}) =>
  new OpenAI({
    baseURL: sim.kind === 'ollama' ? `${sim.origin}/v1` : sim.baseUrl,
    apiKey: 'x',
    maxRetries: 0,
    ...extra,
  });

// 5 + 5 = 10 words of prompt.
const messages = [
  { role: 'system' as const, content: 'You are a terse assistant.' },
  { role: 'user' as const, content: 'Explain  weighted load balancing\nbriefly?' },
];
const PROMPT_WORDS = 10;
const TOPIC = 'Explain weighted load balancing briefly';

const words = (text: string) => text.split(/\s+/).filter((w) => w.length > 0).length;

/** Drains an OpenAI stream: content, chunks and when each chunk arrived (ms after start). */
async function drain(stream: AsyncIterable<ChatCompletionChunk>, t0 = performance.now()) {
  const chunks: ChatCompletionChunk[] = [];
  const arrivals: number[] = [];
  let content = '';
  for await (const chunk of stream) {
    chunks.push(chunk);
    arrivals.push(performance.now() - t0);
    content += chunk.choices[0]?.delta.content ?? '';
  }
  return { chunks, arrivals, content };
}

describe('simulated Ollama, native API through the official ollama client', () => {
  it('answers a non-streamed chat with the topic, the model and word-counted stats', async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    const res = await ollama.chat({ model: 'llama3:latest', messages, stream: false });
    expect(res.model).toBe('llama3:latest');
    expect(res.message.role).toBe('assistant');
    expect(res.message.content.startsWith(`${TOPIC} (simulated answer from ollama-sim, `)).toBe(
      true,
    );
    expect(res.message.content).toContain('model llama3:latest');
    expect(res.done).toBe(true);
    expect(res.done_reason).toBe('stop');
    expect(res.prompt_eval_count).toBe(PROMPT_WORDS);
    expect(res.eval_count).toBe(words(res.message.content));
    expect(res.eval_count).toBeGreaterThan(10);
    for (const key of ['total_duration', 'eval_duration', 'prompt_eval_duration'] as const) {
      expect(Number.isInteger(res[key])).toBe(true);
    }
    expect(Number.isNaN(Date.parse(String(res.created_at)))).toBe(false);
    expect(sim.served()).toMatchObject({
      requests: 1,
      chatCompletions: 1,
      streamed: 0,
      byModel: { 'llama3:latest': 1 },
      byRoute: { 'POST /api/chat': 1 },
      byStatus: { '200': 1 },
    });
  });

  it('streams NDJSON by default, one piece per line, matching the non-streamed content', async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    const whole = await ollama.chat({ model: 'mistral', messages, stream: false });

    const stream = await ollama.chat({ model: 'mistral', messages, stream: true });
    const parts: string[] = [];
    let last: Awaited<ReturnType<typeof ollama.chat>> | undefined;
    for await (const part of stream) {
      if (!part.done) parts.push(part.message.content);
      last = part;
    }
    expect(parts.length).toBe(words(whole.message.content));
    expect(parts.join('')).toBe(whole.message.content);
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe('stop');
    expect(last?.eval_count).toBe(parts.length);
    expect(last?.prompt_eval_count).toBe(PROMPT_WORDS);
    expect(sim.served()).toMatchObject({
      chatCompletions: 2,
      streamed: 1,
      byModel: { mistral: 2 },
      byRoute: { 'POST /api/chat': 2 },
    });
  });

  it('treats a request without `stream` as streamed (Ollama default)', async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    // The client always sends `stream`; remove it on the way out to see the server default.
    const dropStream: typeof fetch = (input, init) => {
      const body = JSON.parse(String(init?.body));
      delete body.stream;
      return fetch(input, { ...init, body: JSON.stringify(body) });
    };
    const raw = new Ollama({ host: sim.origin, fetch: dropStream });
    const stream = await raw.chat({ model: 'mistral', messages, stream: true });
    let lines = 0;
    for await (const _ of stream) lines += 1;
    const whole = await ollama.chat({ model: 'mistral', messages });
    expect(lines).toBe(words(whole.message.content) + 1);
    expect(sim.served().streamed).toBe(1);
  });

  it('cuts the answer to options.num_predict words with done_reason length', async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    const res = await ollama.chat({ model: 'mistral', messages, options: { num_predict: 4 } });
    expect(res.message.content).toBe('Explain weighted load balancing');
    expect(res.eval_count).toBe(4);
    expect(res.done_reason).toBe('length');
  });

  it('lists its models with details and reports a version', async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    const list = await ollama.list();
    expect(list.models.map((m) => m.name)).toEqual(['llama3:latest', 'mistral']);
    expect(list.models.map((m) => m.model)).toEqual(['llama3:latest', 'mistral']);
    for (const m of list.models) {
      expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(m.size).toBeGreaterThan(0);
      expect(m.details.format).toBe('gguf');
      expect(m.details.families).toContain(m.details.family);
    }
    expect((await ollama.version()).version).toMatch(/^0\.\d+\.\d+$/);
    expect(sim.served().byRoute).toEqual({ 'GET /api/tags': 1, 'GET /api/version': 1 });
    expect(sim.served().chatCompletions).toBe(0);
  });

  it("gives Ollama's 404 for an unknown model and does not count it as an answer", async () => {
    const sim = await startOllama();
    const ollama = new Ollama({ host: sim.origin });
    const expected = { status_code: 404, error: 'model "phi3" not found, try pulling it first' };
    await expect(ollama.chat({ model: 'phi3', messages })).rejects.toMatchObject(expected);
    await expect(ollama.chat({ model: 'phi3', messages, stream: true })).rejects.toMatchObject(
      expected,
    );
    expect(sim.served()).toMatchObject({
      requests: 2,
      chatRequests: 2,
      chatCompletions: 0,
      streamed: 0,
      byModel: {},
      byStatus: { '404': 2 },
    });
  });
});

describe('simulated Ollama, OpenAI-compatible /v1 through the official openai client', () => {
  it('answers chat.completions.create with an Ollama-style chat.completion', async () => {
    const sim = await startOllama();
    const res = await openaiFor(sim).chat.completions.create({ model: 'mistral', messages });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-\d+$/);
    expect(res.system_fingerprint).toBe('fp_ollama');
    expect(res.model).toBe('mistral');
    const content = res.choices[0]?.message.content ?? '';
    expect(content.startsWith(`${TOPIC} (simulated answer from ollama-sim, model mistral): `)).toBe(
      true,
    );
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({
      prompt_tokens: PROMPT_WORDS,
      completion_tokens: words(content),
      total_tokens: PROMPT_WORDS + words(content),
    });
    expect(sim.served()).toMatchObject({
      chatCompletions: 1,
      byModel: { mistral: 1 },
      byRoute: { 'POST /v1/chat/completions': 1 },
    });
  });

  it('streams SSE chunks with the role first, a finish chunk and the usage chunk', async () => {
    const sim = await startOllama();
    const client = openaiFor(sim);
    const whole = await client.chat.completions.create({ model: 'llama3:latest', messages });
    const stream = await client.chat.completions.create({
      model: 'llama3:latest',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, content } = await drain(stream);
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.every((c) => c.system_fingerprint === 'fp_ollama')).toBe(true);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toEqual(whole.usage);
    expect(sim.served()).toMatchObject({
      chatCompletions: 2,
      streamed: 1,
      byModel: { 'llama3:latest': 2 },
      byRoute: { 'POST /v1/chat/completions': 2 },
    });
  });

  it('lists models owned by library and 404s an unknown model in the OpenAI error format', async () => {
    const sim = await startOllama();
    const client = openaiFor(sim);
    const page = await client.models.list();
    expect(page.data.map((m) => [m.id, m.object, m.owned_by])).toEqual([
      ['llama3:latest', 'model', 'library'],
      ['mistral', 'model', 'library'],
    ]);
    const err = await client.chat.completions.create({ model: 'phi3', messages }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.status).toBe(404);
    expect(err.error).toEqual({
      message: 'model "phi3" not found, try pulling it first',
      type: 'api_error',
      param: null,
      code: null,
    });
    expect(sim.served()).toMatchObject({ chatCompletions: 0, byModel: {} });
  });
});

describe('simulated vLLM through the official openai client', () => {
  it('answers a non-streamed chat.completion with word-counted usage', async () => {
    const sim = await startVllm();
    expect(sim.baseUrl).toBe(`${sim.origin}/v1`);
    const res = await openaiFor(sim).chat.completions.create({ model: 'llama-fp8', messages });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-[0-9a-f]{16,}$/);
    expect(res.model).toBe('llama-fp8');
    const content = res.choices[0]?.message.content ?? '';
    expect(content.startsWith(`${TOPIC} (simulated answer from vllm-sim, model llama-fp8): `)).toBe(
      true,
    );
    expect(res.choices[0]?.message.role).toBe('assistant');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage?.prompt_tokens).toBe(PROMPT_WORDS);
    expect(res.usage?.completion_tokens).toBe(words(content));
    expect(res.usage?.total_tokens).toBe(PROMPT_WORDS + words(content));
  });

  it('gives every answer its own id', async () => {
    const sim = await startVllm();
    const client = openaiFor(sim);
    const a = await client.chat.completions.create({ model: 'llama-fp8', messages });
    const b = await client.chat.completions.create({ model: 'llama-fp8', messages });
    expect(a.id).not.toBe(b.id);
  });

  it('cuts to max_tokens / max_completion_tokens words with finish_reason length', async () => {
    const sim = await startVllm();
    const client = openaiFor(sim);
    const a = await client.chat.completions.create({ model: 'llama-fp8', messages, max_tokens: 3 });
    expect(a.choices[0]?.message.content).toBe('Explain weighted load');
    expect(a.choices[0]?.finish_reason).toBe('length');
    expect(a.usage?.completion_tokens).toBe(3);
    const b = await client.chat.completions.create({
      model: 'llama-fp8',
      messages,
      max_completion_tokens: 6,
      stream: true,
    });
    const { chunks, content } = await drain(b);
    expect(content).toBe('Explain weighted load balancing briefly (simulated');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  it('streams the same content as the non-streamed answer, with the usage chunk last', async () => {
    const sim = await startVllm();
    const client = openaiFor(sim);
    const whole = await client.chat.completions.create({ model: 'llama-fp8', messages });
    const stream = await client.chat.completions.create({
      model: 'llama-fp8',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, content } = await drain(stream);
    const wholeContent = whole.choices[0]?.message.content ?? '';
    expect(content).toBe(wholeContent);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    // role chunk + one chunk per word + finish chunk + usage chunk
    expect(chunks.length).toBe(words(wholeContent) + 3);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual(whole.usage);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    const plain = await client.chat.completions.create({
      model: 'llama-fp8',
      messages,
      stream: true,
    });
    const drained = await drain(plain);
    expect(drained.chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(drained.content).toBe(wholeContent);
    expect(sim.served()).toMatchObject({
      requests: 3,
      chatCompletions: 3,
      streamed: 2,
      byModel: { 'llama-fp8': 3 },
      byRoute: { 'POST /v1/chat/completions': 3 },
      byStatus: { '200': 3 },
    });
  });

  it('lists models the way vLLM does', async () => {
    const sim = await startVllm({ models: ['llama-fp8', 'qwen-7b'] });
    const page = await openaiFor(sim).models.list();
    expect(page.data).toEqual([
      expect.objectContaining({
        id: 'llama-fp8',
        object: 'model',
        owned_by: 'vllm',
        root: 'llama-fp8',
        parent: null,
        max_model_len: 8192,
      }),
      expect.objectContaining({ id: 'qwen-7b', owned_by: 'vllm', root: 'qwen-7b' }),
    ]);
    expect(sim.served().byRoute).toEqual({ 'GET /v1/models': 1 });
  });

  it("gives vLLM's NotFound for an unknown model and does not count it as an answer", async () => {
    const sim = await startVllm();
    const client = openaiFor(sim);
    for (const stream of [false, true]) {
      const err = await client.chat.completions
        .create({ model: 'gpt-4o', messages, stream })
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect(err.status).toBe(404);
    }
    await client.chat.completions.create({ model: 'llama-fp8', messages });
    expect(sim.served()).toMatchObject({
      requests: 3,
      chatCompletions: 1,
      streamed: 0,
      byModel: { 'llama-fp8': 1 },
      byStatus: { '404': 2, '200': 1 },
    });
  });

  it('rejects missing or empty messages with 400', async () => {
    const sim = await startVllm();
    const err = await openaiFor(sim)
      .chat.completions.create({ model: 'llama-fp8', messages: [] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(sim.served()).toMatchObject({ chatCompletions: 0, byStatus: { '400': 1 } });
  });
});

describe('HTTP errors outside the clients (fetch)', () => {
  const post = (url: string, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it("answers malformed JSON with 400 in each server's error format", async () => {
    const ollama = await startOllama();
    const vllm = await startVllm();

    const native = await post(`${ollama.origin}/api/chat`, '{"model": "mistral", ');
    expect(native.status).toBe(400);
    expect(typeof ((await native.json()) as { error: unknown }).error).toBe('string');

    const compat = await post(`${ollama.origin}/v1/chat/completions`, '{nope');
    expect(compat.status).toBe(400);
    expect(await compat.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: null, code: null },
    });

    const v = await post(`${vllm.origin}/v1/chat/completions`, 'not json');
    expect(v.status).toBe(400);
    expect(await v.json()).toMatchObject({
      object: 'error',
      type: 'BadRequestError',
      code: 400,
    });
    expect(ollama.served().byStatus).toEqual({ '400': 2 });
    expect(vllm.served().byStatus).toEqual({ '400': 1 });
    expect(ollama.served().chatCompletions + vllm.served().chatCompletions).toBe(0);
  });

  it('answers a wrong method with 405 and an unknown route with 404', async () => {
    const ollama = await startOllama();
    const vllm = await startVllm();
    expect((await fetch(`${ollama.origin}/api/chat`)).status).toBe(405);
    expect((await fetch(`${vllm.origin}/v1/chat/completions`)).status).toBe(405);
    expect((await post(`${vllm.origin}/v1/models`, '{}')).status).toBe(405);
    expect((await fetch(`${ollama.origin}/api/nothing`)).status).toBe(404);
    expect((await fetch(`${vllm.origin}/v2/chat`)).status).toBe(404);
    expect(ollama.served().byStatus).toEqual({ '404': 1, '405': 1 });
    expect(vllm.served().byStatus).toEqual({ '404': 1, '405': 2 });
  });

  it('answers the routes no client covers: Ollama GET / and vLLM GET /health', async () => {
    const ollama = await startOllama();
    const vllm = await startVllm();
    const root = await fetch(`${ollama.origin}/`);
    expect(await root.text()).toBe('Ollama is running');
    const health = await fetch(`${vllm.origin}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');
    expect((await fetch(`${ollama.origin}/health`)).status).toBe(404);
  });
});

describe('latency, concurrency and lifecycle', () => {
  it('holds a non-streamed answer for latencyMs', async () => {
    const sim = await startVllm({ latencyMs: 200 });
    const t0 = performance.now();
    await openaiFor(sim).chat.completions.create({ model: 'llama-fp8', messages });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);

    const ollama = await startOllama({ latencyMs: 200 });
    const t1 = performance.now();
    const res = await new Ollama({ host: ollama.origin }).chat({ model: 'mistral', messages });
    expect(performance.now() - t1).toBeGreaterThanOrEqual(180);
    expect(res.total_duration).toBeGreaterThanOrEqual(180e6);
  });

  it('streams the first token after ttftMs and spreads the rest over latencyMs', async () => {
    const sim = await startVllm({ latencyMs: 400, ttftMs: 150 });
    const t0 = performance.now();
    const stream = await openaiFor(sim).chat.completions.create({
      model: 'llama-fp8',
      messages,
      stream: true,
    });
    const { chunks, arrivals } = await drain(stream, t0);
    const contentAt = arrivals.filter((_, i) => chunks[i]?.choices[0]?.delta.content);
    expect(contentAt[0]).toBeGreaterThanOrEqual(135);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(360);
    // Spread out, not all at once at the end.
    expect((contentAt.at(-1) ?? 0) - (contentAt[0] ?? 0)).toBeGreaterThanOrEqual(200);
    expect(sim.served().streamed).toBe(1);
  });

  it('varies latency within ±jitter', async () => {
    const sim = await startVllm({ latencyMs: 200, jitter: 0.5 });
    const client = openaiFor(sim);
    const times = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const t0 = performance.now();
        await client.chat.completions.create({ model: 'llama-fp8', messages });
        return performance.now() - t0;
      }),
    );
    for (const t of times) expect(t).toBeGreaterThanOrEqual(90);
    // Jitter spreads 8 draws over 100-300 ms; without it they would all take about 200 ms.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(40);
  });

  it('reports maxInFlight 4 for 4 concurrent answers with latency', async () => {
    const sim = await startOllama({ latencyMs: 200 });
    const client = openaiFor(sim);
    const ollama = new Ollama({ host: sim.origin });
    await Promise.all([
      client.chat.completions.create({ model: 'mistral', messages }),
      client.chat.completions.create({ model: 'mistral', messages, stream: true }).then(drain),
      ollama.chat({ model: 'llama3:latest', messages }),
      ollama.chat({ model: 'llama3:latest', messages, stream: true }).then(async (s) => {
        for await (const _ of s) {
          // drain
        }
      }),
    ]);
    expect(sim.served()).toMatchObject({
      maxInFlight: 4,
      chatRequests: 4,
      chatCompletions: 4,
      streamed: 2,
      byModel: { mistral: 2, 'llama3:latest': 2 },
      byRoute: { 'POST /v1/chat/completions': 2, 'POST /api/chat': 2 },
    });
    sim.reset();
    expect(sim.served()).toEqual({
      requests: 0,
      chatCompletions: 0,
      chatRequests: 0,
      byModel: {},
      byRoute: {},
      byStatus: {},
      streamed: 0,
      maxInFlight: 0,
      faults: {
        error: 0,
        hang: 0,
        malformed: 0,
        spike: 0,
        cut: 0,
        reset: 0,
        stall: 0,
        errorEvent: 0,
        slowFirstToken: 0,
      },
    });
  });

  it('stops a stream whose client went away and releases its slot', async () => {
    const sim = await startVllm({ latencyMs: 60_000, ttftMs: 50 });
    const stream = await openaiFor(sim).chat.completions.create({
      model: 'llama-fp8',
      messages,
      stream: true,
    });
    let first = '';
    for await (const chunk of stream) {
      first = chunk.choices[0]?.delta.content ?? '';
      if (first) break; // leaving the loop aborts the request
    }
    expect(first).toBe('Explain');
    // reset() sets maxInFlight to the number of chat requests still being handled.
    const midway = sim.served();
    sim.reset();
    expect(sim.served().maxInFlight).toBe(1);
    expect(midway).toMatchObject({ chatCompletions: 0, streamed: 0, byStatus: { '200': 1 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    sim.reset();
    expect(sim.served().maxInFlight).toBe(0);
    expect(sim.served().chatCompletions).toBe(0);
  });

  it('close() ends keep-alive and active connections and frees the port', {
    timeout: 15_000,
  }, async () => {
    const sim = await startVllm({ latencyMs: 10_000, ttftMs: 10 });
    const client = openaiFor(sim);
    await client.models.list(); // leaves an idle keep-alive connection
    const stream = await client.chat.completions.create({
      model: 'llama-fp8',
      messages,
      stream: true,
    });
    const reading = drain(stream).then(
      () => 'completed',
      () => 'cut off',
    );
    await sim.close();
    expect(await reading).toBe('cut off');
    await sim.close(); // idempotent

    const port = Number(new URL(sim.origin).port);
    const again = await start({ kind: 'openai', name: 'again', models: ['m'], port });
    expect(again.origin).toBe(sim.origin);
    const page = await openaiFor(again).models.list();
    expect(page.data.map((m) => m.id)).toEqual(['m']);
  });
});

describe('fault injection', () => {
  const NO_FAULTS = {
    error: 0,
    hang: 0,
    malformed: 0,
    spike: 0,
    cut: 0,
    reset: 0,
    stall: 0,
    errorEvent: 0,
    slowFirstToken: 0,
  };
  const chat = (client: OpenAI) => client.chat.completions.create({ model: 'llama-fp8', messages });
  const chatStream = (client: OpenAI) =>
    client.chat.completions.create({ model: 'llama-fp8', messages, stream: true });
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Resolves once `check` holds (the server sees a client leave a little after it left). */
  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  /** An openai client that also keeps the raw body of every response. */
  function capturing(sim: SimulatedProvider) {
    const bodies: string[] = [];
    const capture: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      bodies.push(await res.clone().text());
      return res;
    };
    return { client: openaiFor(sim, { fetch: capture }), bodies };
  }

  it('fails exactly requests 4 and 8 of 8 at errorRate 0.25, in the vLLM error format', async () => {
    const sim = await startVllm({ faults: { errorRate: 0.25 } });
    expect(sim.faults).toEqual({ errorRate: 0.25 });
    const { client, bodies } = capturing(sim);
    const failed: number[] = [];
    for (let n = 1; n <= 8; n++) {
      const err = await chat(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (err === undefined) continue;
      failed.push(n);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBeNull();
      expect(JSON.parse(bodies.at(-1) ?? '')).toEqual({
        object: 'error',
        message: expect.stringContaining('vllm-sim'),
        type: 'ServiceUnavailableError',
        param: null,
        code: 503,
      });
    }
    expect(failed).toEqual([4, 8]);
    expect(sim.served()).toMatchObject({
      requests: 8,
      chatCompletions: 6,
      byModel: { 'llama-fp8': 6 },
      byStatus: { '200': 6, '503': 2 },
      faults: { ...NO_FAULTS, error: 2 },
    });
  });

  it('sends retry-after: 1 with a 429, streamed or not, and leaves /v1/models and /health alone', async () => {
    const sim = await startVllm({ faults: { errorRate: 1, errorStatus: 429 } });
    const { client, bodies } = capturing(sim);
    for (const stream of [false, true]) {
      const err = await (stream ? chatStream(client) : chat(client)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      const apiError = err as InstanceType<typeof OpenAI.RateLimitError>;
      expect(apiError.status).toBe(429);
      expect(apiError.headers?.get('retry-after')).toBe('1');
      expect(JSON.parse(bodies.at(-1) ?? '')).toMatchObject({
        object: 'error',
        type: 'TooManyRequestsError',
        code: 429,
      });
    }
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['llama-fp8']);
    expect((await fetch(`${sim.origin}/health`)).status).toBe(200);
    expect(sim.served()).toMatchObject({
      chatCompletions: 0,
      byStatus: { '429': 2, '200': 2 },
      faults: { ...NO_FAULTS, error: 2 },
    });
  });

  it("answers Ollama's errors natively on /api/chat and OpenAI-style on /v1, one counter for both", async () => {
    const sim = await startOllama({ faults: { errorRate: 0.5, errorStatus: 500 } });
    const ollama = new Ollama({ host: sim.origin });
    const client = openaiFor(sim);
    // Requests 0 and 2 (0-based) pass, 1 and 3 fail, whichever route they take.
    await ollama.chat({ model: 'mistral', messages, stream: false });
    const native = await ollama.chat({ model: 'mistral', messages, stream: true }).catch((e) => e);
    expect(native).toMatchObject({
      name: 'ResponseError',
      status_code: 500,
      error: expect.stringContaining('ollama-sim'),
    });
    await client.chat.completions.create({ model: 'mistral', messages });
    const compat = await client.chat.completions
      .create({ model: 'mistral', messages })
      .catch((e) => e);
    expect(compat).toBeInstanceOf(OpenAI.InternalServerError);
    expect(compat.status).toBe(500);
    expect(compat.error).toEqual({
      message: expect.stringContaining('ollama-sim'),
      type: 'api_error',
      param: null,
      code: null,
    });
    expect((await ollama.list()).models).toHaveLength(2);
    expect(sim.served()).toMatchObject({
      chatCompletions: 2,
      byStatus: { '200': 3, '500': 2 },
      faults: { ...NO_FAULTS, error: 2 },
    });

    // The raw native body is {"error": "..."}.
    await sim.setFaults({ errorRate: 1, errorStatus: 503 });
    const raw = await post(`${sim.origin}/api/chat`, { model: 'mistral', messages });
    expect(raw.status).toBe(503);
    expect(await raw.json()).toEqual({ error: expect.stringContaining('server busy') });
  });

  it('never answers a hung request; the client gives up, close() still frees everything', {
    timeout: 15_000,
  }, async () => {
    const sim = await startVllm({ faults: { hangRate: 1 } });
    const controller = new AbortController();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 200);
    const err = await openaiFor(sim)
      .chat.completions.create({ model: 'llama-fp8', messages }, { signal: controller.signal })
      .catch((e) => e);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(sim.served()).toMatchObject({
      chatCompletions: 0,
      byStatus: {},
      maxInFlight: 1,
      faults: { ...NO_FAULTS, hang: 1 },
    });
    // The server releases the slot when the client leaves.
    await until(() => {
      sim.reset();
      return sim.served().maxInFlight === 0;
    });

    // Hung requests whose clients do not give up hold no timer, and are cut when the server closes.
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    const outcomes = Array.from({ length: 5 }, () =>
      post(`${sim.baseUrl}/chat/completions`, { model: 'llama-fp8', messages }).then(
        () => 'answered',
        () => 'cut off',
      ),
    );
    await until(() => sim.served().faults.hang === 5);
    // The client's fetch may add a timer of its own, but not one per request.
    expect(timers() - timersBefore).toBeLessThan(5);
    await sim.close();
    expect(await Promise.all(outcomes)).toEqual(Array(5).fill('cut off'));
    // The port is free again.
    const port = Number(new URL(sim.origin).port);
    const again = await start({ kind: 'openai', name: 'again', models: ['m'], port });
    expect(again.origin).toBe(sim.origin);
  });

  it('adds spikeMs to the hit requests, which still answer normally', async () => {
    const sim = await startOllama({ faults: { spikeRate: 0.5, spikeMs: 300 } });
    const ollama = new Ollama({ host: sim.origin });
    const times: number[] = [];
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const res = await ollama.chat({ model: 'mistral', messages, stream: false });
      times.push(performance.now() - t0);
      durations.push(res.total_duration);
      expect(res.done).toBe(true);
    }
    // Requests 1 and 3 (0-based) are hit.
    for (const i of [1, 3]) {
      expect(times[i]).toBeGreaterThanOrEqual(295);
      expect(durations[i]).toBeGreaterThanOrEqual(295e6);
    }
    expect(sim.served()).toMatchObject({
      chatCompletions: 4,
      byStatus: { '200': 4 },
      faults: { ...NO_FAULTS, spike: 2 },
    });

    // Streamed: the first token comes spikeMs later.
    const vllm = await startVllm({ faults: { spikeRate: 1, spikeMs: 250 } });
    const t0 = performance.now();
    const { chunks, arrivals, content } = await drain(await chatStream(openaiFor(vllm)), t0);
    const firstContent = chunks.findIndex((c) => c.choices[0]?.delta.content);
    expect(arrivals[firstContent]).toBeGreaterThanOrEqual(245);
    expect(content.startsWith(TOPIC)).toBe(true);
    expect(vllm.served()).toMatchObject({ streamed: 1, faults: { ...NO_FAULTS, spike: 1 } });
  });

  it('answers 200 with a body that is not JSON, so the clients fail on it', async () => {
    const sim = await startVllm({ faults: { malformedRate: 1 } });
    const client = openaiFor(sim, { logLevel: 'off' });
    await expect(chat(client)).rejects.toBeInstanceOf(SyntaxError);
    await expect(drain(await chatStream(client))).rejects.toBeInstanceOf(SyntaxError);

    const raw = await post(`${sim.baseUrl}/chat/completions`, { model: 'llama-fp8', messages });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('application/json');
    const text = await raw.text();
    expect(text.startsWith('{')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(sim.served()).toMatchObject({
      chatCompletions: 0,
      streamed: 0,
      byModel: {},
      byStatus: { '200': 3 },
      faults: { ...NO_FAULTS, malformed: 3 },
    });

    const ollamaSim = await startOllama({ faults: { malformedRate: 1 } });
    const ollama = new Ollama({ host: ollamaSim.origin });
    await expect(ollama.chat({ model: 'mistral', messages, stream: false })).rejects.toThrow();
    // The ollama client skips a line that is not JSON (with a warning), then misses the end.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stream = await ollama.chat({ model: 'mistral', messages, stream: true });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow('Did not receive done or success response in stream.');
    expect(warn).toHaveBeenCalledWith(
      'invalid json: ',
      expect.stringMatching(/^\{"model":"mistral"/),
    );
    warn.mockRestore();
    expect(ollamaSim.served()).toMatchObject({ chatCompletions: 0, faults: { malformed: 2 } });
  });

  it('applies hang, then error, then malformed, then spike when several hit one request', async () => {
    const sim = await startVllm({
      faults: { errorRate: 0.5, malformedRate: 1, spikeRate: 1, spikeMs: 0 },
    });
    const url = `${sim.baseUrl}/chat/completions`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(url, { model: 'llama-fp8', messages });
      statuses.push(res.status);
      const text = await res.text();
      if (res.status === 200) expect(() => JSON.parse(text)).toThrow(SyntaxError);
    }
    expect(statuses).toEqual([200, 503, 200, 503]);
    expect(sim.served().faults).toEqual({
      ...NO_FAULTS,
      error: 2,
      hang: 0,
      malformed: 2,
      spike: 0,
    });

    await sim.setFaults({ spikeRate: 1, spikeMs: 0, hangRate: 1, errorRate: 1 });
    const controller = new AbortController();
    const hung = post(`${url}`, { model: 'llama-fp8', messages });
    const aborted = fetch(url, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama-fp8', messages }),
      signal: controller.signal,
    }).catch((e) => e);
    await until(() => sim.served().faults.hang === 2);
    controller.abort();
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    expect(sim.served().faults).toEqual({
      ...NO_FAULTS,
      error: 2,
      hang: 2,
      malformed: 2,
      spike: 0,
    });

    // Invalid requests are hit too (faults come before validation); a spiked 404 comes later.
    await sim.setFaults({ spikeRate: 1, spikeMs: 200 });
    const t0 = performance.now();
    const missing = await post(url, { model: 'gpt-4o', messages });
    expect(missing.status).toBe(404);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(sim.served().faults).toEqual({
      ...NO_FAULTS,
      error: 2,
      hang: 2,
      malformed: 2,
      spike: 1,
    });
    await sim.close();
    await hung.catch(() => undefined);
  });

  it('restarts the request count and the fault counters on reset(), keeping the faults', async () => {
    const sim = await startVllm({ faults: { errorRate: 0.5 } });
    const client = openaiFor(sim);
    await chat(client); // request 0 passes
    await expect(chat(client)).rejects.toBeInstanceOf(OpenAI.InternalServerError); // request 1
    await chat(client); // request 2 passes
    sim.reset();
    expect(sim.served().faults).toEqual(NO_FAULTS);
    expect(sim.faults).toEqual({ errorRate: 0.5 });
    await chat(client); // request 0 again: passes (request 3 would fail)
    await expect(chat(client)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(sim.served()).toMatchObject({ chatCompletions: 1, faults: { ...NO_FAULTS, error: 1 } });
    // Turning faults off leaves the server healthy.
    await sim.setFaults({});
    await chat(client);
    expect(sim.faults).toEqual({});
  });

  it('refuses connections during an outage and listens on the same port afterwards', {
    timeout: 15_000,
  }, async () => {
    const sim = await startVllm({ latencyMs: 10_000 });
    const client = openaiFor(sim);
    await client.models.list(); // an idle keep-alive connection
    const slow = chat(client).then(
      () => 'answered',
      () => 'cut off',
    );
    await until(() => sim.served().requests === 2);
    await sim.setFaults({ outage: true });
    expect(sim.faults).toEqual({ outage: true });
    expect(await slow).toBe('cut off');

    const viaClient = await chat(client).catch((e) => e);
    expect(viaClient).toBeInstanceOf(OpenAI.APIConnectionError);
    const viaFetch = await fetch(`${sim.origin}/health`).catch((e) => e);
    expect(viaFetch).toBeInstanceOf(TypeError);
    expect(viaFetch.cause).toMatchObject({ code: 'ECONNREFUSED' });
    await sim.setFaults({ outage: true }); // no change, no error

    await sim.setFaults({});
    await sim.setFaults({ errorRate: 0 });
    expect((await fetch(`${sim.origin}/health`)).status).toBe(200);
    await sim.setFaults({ outage: false });
    expect((await client.models.list()).data).toHaveLength(1);
    // The answer cut by the outage sent no status.
    expect(sim.served().byStatus).toEqual({ '200': 3 });
  });

  it('can start in an outage and close while in one', async () => {
    const sim = await startOllama({ faults: { outage: true } });
    const port = Number(new URL(sim.origin).port);
    expect(port).toBeGreaterThan(0);
    const refused = await new Ollama({ host: sim.origin }).list().catch((e) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused.cause).toMatchObject({ code: 'ECONNREFUSED' });
    // Something else can even take the port meanwhile; the outage then cannot end.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    await expect(sim.setFaults({})).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((resolve) => squatter.close(resolve));
    await sim.setFaults({});
    const list = await new Ollama({ host: sim.origin }).list();
    expect(list.models).toHaveLength(2);
    await sim.setFaults({ outage: true });
    await sim.close();
    await sim.setFaults({}); // after close(): no listening again
    const after = await fetch(`${sim.origin}/`).catch((e) => e);
    expect(after).toBeInstanceOf(TypeError);
  });
});

describe("lb-demo's request ids", () => {
  it('records each chat request tagged with one, with its status, until taken', async () => {
    const sim = await startVllm({ faults: { errorRate: 0.5, errorStatus: 503 } });
    const call = (id?: string) =>
      fetch(`${sim.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(id ? { 'x-lb-demo-request-id': id } : {}),
        },
        body: JSON.stringify({ model: 'llama-fp8', messages }),
      }).then((r) => r.text());
    await call('a');
    await call('a');
    await call('b');
    const a = sim.takeAttempts('a');
    expect(a.map((x) => x.status)).toEqual([200, 503]);
    expect(a[0]!.atMs).toBeLessThanOrEqual(a[1]!.atMs);
    expect(sim.takeAttempts('a')).toEqual([]);
    sim.clearAttempts();
    expect(sim.takeAttempts('b')).toEqual([]);
    // Untagged requests are counted, not recorded.
    await call();
    expect(sim.served().chatRequests).toBe(4);
    expect(sim.takeAttempts('undefined')).toEqual([]);
  });
});
