// A broken answer is a failure, never a success: a 200 stream without its finish_reason, one that
// carries an error event, one that goes silent, and a whole body cut midway. First from a fake
// gateway of the test's own (each kind of break alone, exactly), then through the real gateway
// from lb-demo's simulators, compared with what the simulators say they broke.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { fakeGateway, ROUTED, runCli } from './helpers.js';

const PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };
const FAST = { SIM_OLLAMA_LATENCY_MS: '20', SIM_VLLM_LATENCY_MS: '20' };
const SSE = { ...ROUTED, 'content-type': 'text/event-stream' };

interface Scenario {
  requests: number;
  succeeded: number;
  failed: number;
  failures: Record<string, number>;
  partial_answers: number;
  partial_output_tokens: number;
  targets: { name: string; picked: number; failed: number; answered: number }[];
}
interface Doc {
  scenarios: Scenario[];
  simulated_providers: {
    target: string;
    served_chat_completions: number;
    received_chat_requests: number;
    injected_faults: Record<string, number>;
  }[];
}

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'llama3',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  })}\n\n`;

const sim = (doc: Doc, target: string) => {
  const found = doc.simulated_providers.find((p) => p.target === target);
  if (!found) throw new Error(`no simulator ${target}`);
  return found;
};

/** Runs 4 weighted requests against a fake gateway answering each with `answer`. */
async function against(answer: (res: http.ServerResponse) => void, extra: string[] = []) {
  const fake = await fakeGateway((_req, res) => answer(res));
  try {
    const result = await runCli(
      ['--gateway', fake.url, '--scenario', 'weighted', '-n', '4', '--json', ...extra],
      PROVIDERS,
    );
    // 1 when no request succeeded (the any-success check), as here most of the time.
    expect([0, 1], result.stderr).toContain(result.code);
    return (JSON.parse(result.stdout) as Doc).scenarios[0] as Scenario;
  } finally {
    await fake.close();
  }
}

describe('from a gateway that passes broken answers on as 200s', () => {
  it('a whole stream with its finish_reason is a success (the reference)', async () => {
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.end(`${chunk('one ')}${chunk('two', 'stop')}data: [DONE]\n\n`);
      },
      ['--stream'],
    );
    expect(s).toMatchObject({ succeeded: 4, failed: 0, failures: {}, partial_answers: 0 });
  });

  it('[DONE] without a finish_reason ends a stream whole too', async () => {
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.write(chunk('one '));
        // The terminator split across two writes.
        setTimeout(() => res.end(`${chunk('two')}data: [DO`), 5);
      },
      ['--stream'],
    );
    expect(s.failures).toEqual({ 'truncated-stream': 4 });
    const whole = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.write(`${chunk('one ')}${chunk('two')}data: [DO`);
        setTimeout(() => res.end('NE]\n\n'), 5);
      },
      ['--stream'],
    );
    expect(whole).toMatchObject({ succeeded: 4, failures: {} });
  });

  it('a stream that ends cleanly without finish_reason or [DONE] is truncated-stream, with its tokens', async () => {
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.end(`${chunk('one ')}${chunk('two ')}${chunk('three')}`);
      },
      ['--stream'],
    );
    expect(s).toMatchObject({
      succeeded: 0,
      failed: 4,
      failures: { 'truncated-stream': 4 },
      partial_answers: 4,
      partial_output_tokens: 12,
    });
    expect(s.targets[0]).toMatchObject({ picked: 4, failed: 4, answered: 0 });
  });

  it('a stream reset midway is truncated-stream', async () => {
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.write(chunk('one '));
        setTimeout(() => res.socket?.resetAndDestroy(), 30);
      },
      ['--stream'],
    );
    expect(s).toMatchObject({ succeeded: 0, failures: { 'truncated-stream': 4 } });
  });

  it('an error event inside the 200 is stream-error', async () => {
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        const error = {
          error: { message: 'model crashed', type: 'InternalServerError', code: 500 },
        };
        res.end(`${chunk('one ')}data: ${JSON.stringify(error)}\n\ndata: [DONE]\n\n`);
      },
      ['--stream'],
    );
    expect(s).toMatchObject({
      succeeded: 0,
      failures: { 'stream-error': 4 },
      partial_answers: 4,
      partial_output_tokens: 4,
    });
  });

  it('a stream silent for longer than --stream-idle-timeout is stalled-stream, well before --timeout', async () => {
    const started = performance.now();
    const s = await against(
      (res) => {
        res.writeHead(200, SSE);
        res.write(chunk('one '));
      },
      ['--stream', '--stream-idle-timeout', '300', '--timeout', '20000'],
    );
    expect(s).toMatchObject({
      succeeded: 0,
      failures: { 'stalled-stream': 4 },
      partial_answers: 4,
    });
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('a whole body cut midway (clean end or reset) is truncated-body; a body that is not JSON stays invalid-response', async () => {
    const json = JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'llama3',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'a b c' }, finish_reason: 'stop' },
      ],
    });
    const cut = await against((res) => {
      res.writeHead(200, ROUTED);
      res.end(json.slice(0, json.length / 2));
    });
    expect(cut.failures).toEqual({ 'truncated-body': 4 });
    const reset = await against((res) => {
      res.writeHead(200, { ...ROUTED, 'content-length': String(json.length) });
      res.write(json.slice(0, json.length / 2));
      setTimeout(() => res.socket?.resetAndDestroy(), 30);
    });
    expect(reset.failures).toEqual({ 'truncated-body': 4 });
    const garbage = await against((res) => {
      res.writeHead(200, ROUTED);
      res.end('{"choices": [garbage');
    });
    expect(garbage.failures).toEqual({ 'invalid-response': 4 });
  });
});

describe('through the real gateway, from the simulators', () => {
  it('cut streams are never counted as successes: every cut the simulator made is a truncated-stream', async () => {
    const result = await runCli(
      [
        '--scenario',
        'distribution',
        '-n',
        '12',
        '--stream',
        '--json',
        '--fault',
        'vllm:cut_rate=0.5',
      ],
      FAST,
    );
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    const s = doc.scenarios[0] as Scenario;
    const vllm = doc.simulated_providers.find((p) => p.target === 'vllm');
    const cuts = (vllm?.injected_faults.cut ?? 0) + (vllm?.injected_faults.reset ?? 0);
    // The gateway passes both kinds of cut on as a 200 that ends cleanly.
    expect(s.failures).toEqual(cuts > 0 ? { 'truncated-stream': cuts } : {});
    expect(s.succeeded).toBe(
      doc.simulated_providers.reduce((n, p) => n + p.served_chat_completions, 0),
    );
    expect(s.succeeded + s.failed).toBe(12);
    expect(s.partial_answers).toBe(cuts);
  });

  it('error events and stalls through the gateway: what the client can still tell', async () => {
    const result = await runCli(
      [
        '--scenario',
        'weighted',
        '--weights',
        '0,1',
        '-n',
        '4',
        '--stream',
        '--stream-idle-timeout',
        '500',
        '--json',
        '--fault',
        'vllm:error_event_rate=0.5,stall_rate=0.25',
      ],
      FAST,
    );
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    const s = doc.scenarios[0] as Scenario;
    const vllm = doc.simulated_providers.find((p) => p.target === 'vllm');
    expect(vllm?.injected_faults).toEqual({ stall: 1, error_event: 1 });
    // vLLM's error event passes the gateway verbatim: the client sees it.
    expect(s.failures).toEqual({ 'stream-error': 1, 'stalled-stream': 1 });
    expect(s.succeeded).toBe(2);
  });

  it("Ollama's error event is dropped by the gateway's ollama transform: the client sees a truncation", async () => {
    const result = await runCli(
      ['--scenario', 'weighted', '--weights', '1,0', '-n', '2', '--stream', '--json'],
      { ...FAST, LB_FAULTS: 'ollama:error_event_rate=1' },
    );
    const doc = JSON.parse(result.stdout) as Doc;
    const s = doc.scenarios[0] as Scenario;
    expect(sim(doc, 'ollama').injected_faults).toEqual({ error_event: 2 });
    expect(s.failures).toEqual({ 'truncated-stream': 2 });
    expect(s.partial_answers).toBe(2);
  });
});
