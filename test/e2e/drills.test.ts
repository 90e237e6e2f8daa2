// The drills on the real gateway, and what every request cost: lb-demo's figures against what the
// simulators themselves logged (calls received, faults injected, answers served).
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const FAST = { SIM_OLLAMA_LATENCY_MS: '20', SIM_VLLM_LATENCY_MS: '20' };

interface Latency {
  p50: number;
  max: number;
}
interface Scenario {
  variant: string | null;
  requests: number;
  succeeded: number;
  failed: number;
  fallbacks: number;
  retries: number;
  retries_exhausted: number;
  failures: Record<string, number>;
  failure_statuses: Record<string, number>;
  partial_answers: number;
  latency_ms: Latency | null;
  ttft_ms: Latency | null;
  load: { stream: boolean };
  gateway_config: { retry: { use_retry_after_header: boolean } | null };
  provider_calls: { total: number; per_request: number; source: string; unknown_requests: number };
  fault_outcomes: {
    fault: string;
    requests: number;
    succeeded: number;
    broken_answers: number;
    errors: number;
  }[];
  retry_schedule: {
    requests_retried: number;
    gaps: { retry: number; count: number; mean_ms: number; sd_ms: number; min_ms: number }[];
    retry_after_asked: number;
    retry_after_honoured: number;
    retry_time_ms: Latency | null;
  } | null;
  targets: { name: string; provider_calls: number; answered: number }[];
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

async function drill(name: string, args: string[]): Promise<Doc> {
  const result = await runCli(['--scenario', name, '--json', ...args], FAST, {
    timeoutMs: 120_000,
  });
  // 0 even where every request fails by design (retries that run out): that is the drill.
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Doc;
}

const sim = (doc: Doc, target: string) => {
  const found = doc.simulated_providers.find((p) => p.target === target);
  if (!found) throw new Error(`no simulator ${target}`);
  return found;
};
const outcome = (s: Scenario | undefined, fault: string) =>
  s?.fault_outcomes.find((o) => o.fault === fault) ?? {
    requests: 0,
    succeeded: 0,
    broken_answers: 0,
    errors: 0,
  };

describe('stream-failover', () => {
  it('streamed: every cut the simulator made reached the client as a broken 200, no fallback; not streamed: a gateway error, no fallback either', async () => {
    const doc = await drill('stream-failover', ['-n', '10']);
    const [streamed, plain] = doc.scenarios;
    expect([streamed?.variant, plain?.variant]).toEqual(['streamed', 'not streamed']);
    expect([streamed?.load.stream, plain?.load.stream]).toEqual([true, false]);
    const ollama = sim(doc, 'ollama');
    // cut_rate=0.5: exactly 10 of the 20 calls, alternately a clean end and a reset.
    expect(ollama.injected_faults).toEqual({ cut: 5, reset: 5 });
    const cuts = (s: Scenario | undefined) =>
      outcome(s, 'cut').requests + outcome(s, 'reset').requests;
    expect(cuts(streamed) + cuts(plain)).toBe(10);
    // Streamed: the gateway passed every cut on as a 200 that ended without its terminator.
    expect(streamed?.failures).toEqual({ 'truncated-stream': cuts(streamed) });
    expect(streamed?.partial_answers).toBe(cuts(streamed));
    expect(
      outcome(streamed, 'cut').broken_answers + outcome(streamed, 'reset').broken_answers,
    ).toBe(cuts(streamed));
    expect(streamed?.fallbacks).toBe(0);
    // Not streamed: a cut body is a gateway exception (500), which stops the fallback too.
    expect(plain?.failures).toEqual({ 'gateway-error': cuts(plain) });
    expect(plain?.fallbacks).toBe(0);
    // Cost: one call per request, all to the first target, as its simulator counted.
    for (const s of [streamed, plain]) {
      expect(s?.provider_calls).toMatchObject({ total: 10, per_request: 1, source: 'simulators' });
    }
    expect(ollama.received_chat_requests).toBe(20);
    expect(sim(doc, 'vllm').received_chat_requests).toBe(0);
    expect(ollama.served_chat_completions).toBe(
      (streamed?.succeeded ?? 0) + (plain?.succeeded ?? 0),
    );
  });
});

describe('slow-first-token', () => {
  it('streamed: request_timeout never fires, the first token comes after it; not streamed: 408, then the fallback', async () => {
    const doc = await drill('slow-first-token', ['-n', '3']);
    const [streamed, plain] = doc.scenarios;
    expect(streamed).toMatchObject({ succeeded: 3, failures: {}, fallbacks: 0 });
    expect(streamed?.ttft_ms?.p50).toBeGreaterThanOrEqual(2_400);
    expect(streamed?.provider_calls.total).toBe(3);
    expect(outcome(streamed, 'slow-first-token')).toMatchObject({ requests: 3, succeeded: 3 });
    expect(plain).toMatchObject({ succeeded: 3, failures: {}, fallbacks: 3 });
    expect(plain?.latency_ms?.p50).toBeGreaterThanOrEqual(1_000);
    expect(plain?.latency_ms?.max).toBeLessThan(2_400);
    expect(plain?.provider_calls).toMatchObject({ total: 6, per_request: 2 });
    // The simulators agree: ollama was called 6 times, answered the 3 streams; vllm the 3 others.
    expect(sim(doc, 'ollama').received_chat_requests).toBe(6);
    expect(sim(doc, 'vllm').served_chat_completions).toBe(3);
  });
});

describe('retry-schedule', () => {
  it('measures the gaps between the calls the simulator received: 1 s then 2 s, Retry-After ignored', async () => {
    const doc = await drill('retry-schedule', ['-n', '2']);
    expect(doc.scenarios.map((s) => s.variant)).toEqual([
      '503, no Retry-After',
      '429, Retry-After 3 s',
      '429, Retry-After 3 s, use_retry_after_header',
      '429 until retries run out',
      '429 until retries run out, use_retry_after_header',
    ]);
    let calls = 0;
    for (const s of doc.scenarios) {
      const r = s.retry_schedule;
      expect(r?.requests_retried, s.variant ?? '').toBe(2);
      const [first, second] = r?.gaps ?? [];
      // The gateway's async-retry: 1 s, then 2 s (a few ms of timers and loopback on top).
      expect(first?.count).toBe(2);
      expect(first?.min_ms).toBeGreaterThanOrEqual(990);
      expect(first?.mean_ms).toBeLessThan(1_300);
      expect(second?.min_ms).toBeGreaterThanOrEqual(1_990);
      expect(second?.mean_ms).toBeLessThan(2_300);
      expect(s.provider_calls.total).toBe(6);
      calls += s.provider_calls.total;
      if (s.variant?.startsWith('429')) {
        // Retry-After: 3 asked after each 429; no retry waited that long.
        expect([r?.retry_after_asked, r?.retry_after_honoured]).toEqual([4, 0]);
      }
    }
    const [, , withFlag, ranOut, ranOutWithFlag] = doc.scenarios;
    expect(withFlag?.gateway_config.retry?.use_retry_after_header).toBe(true);
    expect(withFlag?.succeeded).toBe(2);
    // Retries that ran out count as all their attempts: 3 calls a request.
    expect(ranOut).toMatchObject({ succeeded: 0, retries_exhausted: 2, retries: 4 });
    expect(ranOut?.failure_statuses).toEqual({ 429: 2 });
    // With use_retry_after_header, the last 429 reaches the client as the gateway's own 500.
    expect(ranOutWithFlag).toMatchObject({ succeeded: 0, failure_statuses: { 500: 2 } });
    expect(sim(doc, 'vllm').received_chat_requests).toBe(calls);
    expect(sim(doc, 'ollama').received_chat_requests).toBe(0);
  }, 150_000);
});

describe('what a request cost', () => {
  it('the retry scenario: provider calls per target equal the calls each simulator received', async () => {
    const result = await runCli(['--scenario', 'retry', '-n', '20', '--json'], FAST);
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as Doc;
    const [without, withRetry] = doc.scenarios;
    expect(without?.provider_calls.per_request).toBe(1);
    expect(withRetry?.provider_calls.total).toBe(20 + (withRetry?.retries ?? 0));
    for (const name of ['ollama', 'vllm']) {
      const received = doc.scenarios.reduce(
        (n, s) => n + (s.targets.find((t) => t.name === name)?.provider_calls ?? 0),
        0,
      );
      expect(received, name).toBe(sim(doc, name).received_chat_requests);
    }
  });
});
