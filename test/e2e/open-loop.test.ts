// The open loop's accounting, exact, against a fake gateway of the test's own: every arrival the
// schedule held is sent or dropped, the cap on requests in flight holds, and what was sent is what
// the gateway received. Nothing here depends on how fast the machine is.
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { exponentialGaps } from '../../src/runner/arrivals.js';
import { completion, type Fake, fakeGateway, ROUTED, runCli } from './helpers.js';

const PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };

interface OpenLoop {
  scheduled: number;
  sent: number;
  dropped: number;
  dropped_at_max_in_flight: number;
  dropped_behind_schedule: number;
  late: number;
  schedule_lag_ms: { count: number; min: number } | null;
  max_in_flight: number;
  peak_in_flight: number;
}
interface Scenario {
  requests: number;
  succeeded: number;
  failed: number;
  failures: Record<string, number>;
  load: { mode: string; workers: number };
  open_loop: OpenLoop | null;
  latency_ms: { count: number; min: number } | null;
  targets: { picked: number }[];
}

let fake: Fake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Answers every chat at once, routed to target 0. */
const answering = (_: http.IncomingMessage, res: http.ServerResponse, f: Fake) => {
  res.writeHead(200, ROUTED);
  res.end(completion(f.chats));
};
/** Never answers: a request stays in flight until lb-demo's --timeout. */
const hanging = () => {};

/** The run's scenario; `noneAnswered`: every request timed out, which fails any-success. */
async function run(args: string[], noneAnswered = false): Promise<Scenario> {
  if (!fake) throw new Error('no fake gateway');
  const result = await runCli(
    ['--gateway', fake.url, '--scenario', 'distribution', '--json', ...args],
    PROVIDERS,
    { timeoutMs: 55_000 },
  );
  expect(result.stderr).toEqual(
    noneAnswered ? expect.stringMatching(/^lb-demo: FAIL any-success .*timeout/) : '',
  );
  expect(result.code).toBe(noneAnswered ? 1 : 0);
  const [s] = JSON.parse(result.stdout).scenarios as Scenario[];
  if (!s) throw new Error('no scenario in the document');
  return s;
}

/** The arrivals lb-demo's seeded schedule holds within `seconds` (the first one at 0). */
function arrivalsWithin(rate: number, seconds: number, seed = 1): number {
  const gap = exponentialGaps(rate, seed);
  let n = 0;
  for (let t = 0; t < seconds * 1000; t += gap()) n += 1;
  return n;
}

describe('open loop accounting', () => {
  it('sends every arrival of its schedule, and the gateway receives exactly those', async () => {
    fake = await fakeGateway(answering);
    const s = await run(['--rate', '150', '--duration', '2']);
    const o = s.open_loop!;
    expect(s.load.mode).toBe('open-loop');
    expect(o.scheduled).toBe(arrivalsWithin(150, 2));
    expect(o.sent + o.dropped).toBe(o.scheduled);
    expect(o.dropped).toBe(o.dropped_at_max_in_flight + o.dropped_behind_schedule);
    expect(s.requests).toBe(o.sent);
    expect(fake.chats).toBe(o.sent);
    expect(o.late).toBeLessThanOrEqual(o.sent);
    expect(o.schedule_lag_ms?.count).toBe(o.sent);
    expect(o.schedule_lag_ms?.min).toBeGreaterThanOrEqual(0);
  });

  it('drops, and counts, every arrival that finds --max-in-flight requests out', async () => {
    fake = await fakeGateway(hanging);
    // 40 arrivals in about 0.2 s; none is answered before the 3 s timeout, so exactly 6 go out.
    const s = await run(
      ['--rate', '200', '--requests', '40', '--max-in-flight', '6', '--timeout', '3000'],
      true,
    );
    const o = s.open_loop!;
    expect(o).toMatchObject({
      scheduled: 40,
      sent: 6,
      dropped: 34,
      dropped_at_max_in_flight: 34,
      dropped_behind_schedule: 0,
      max_in_flight: 6,
      peak_in_flight: 6,
    });
    expect(fake.chats).toBe(6);
    expect(s.requests).toBe(6);
    expect(s.failures).toEqual({ timeout: 6 });
  });

  it('splits the cap and the rate across --workers, and the counts still add up exactly', async () => {
    fake = await fakeGateway(hanging);
    const s = await run(
      [
        ...['--rate', '200', '--requests', '40', '--max-in-flight', '6'],
        ...['--timeout', '3000', '--workers', '2'],
      ],
      true,
    );
    expect(s.load.workers).toBe(2);
    expect(s.open_loop).toMatchObject({
      scheduled: 40,
      sent: 6,
      dropped_at_max_in_flight: 34,
      max_in_flight: 6,
    });
    expect(fake.chats).toBe(6);
  });

  it('has no open_loop figures in a closed loop', async () => {
    fake = await fakeGateway(answering);
    const s = await run(['--requests', '10', '--concurrency', '2']);
    expect(s.open_loop).toBeNull();
  });
});

describe('--workers: the parts add up to the whole', () => {
  it('counts every request once, as the gateway received them, closed loop', async () => {
    const targets: number[] = [0, 0];
    fake = await fakeGateway((_, res, f) => {
      const target = f.chats % 3 === 0 ? 1 : 0;
      targets[target] = (targets[target] ?? 0) + 1;
      res.writeHead(200, {
        ...ROUTED,
        'x-portkey-last-used-option-index': `config.targets[${target}]`,
      });
      res.end(completion(f.chats));
    });
    const s = await run(['--requests', '600', '--concurrency', '8', '--workers', '3']);
    expect(s.load.workers).toBe(3);
    expect(s.requests).toBe(600);
    expect(fake.chats).toBe(600);
    expect(s.succeeded).toBe(600);
    expect(s.latency_ms?.count).toBe(600);
    expect(s.targets.map((t) => t.picked)).toEqual(targets);
  });
});

describe('--timeout frees the connection', () => {
  it('a hung request, once reported as a timeout, does not hold up the next one', async () => {
    // One connection (concurrency 1): the first request hangs, the others are answered at once.
    fake = await fakeGateway((req, res, f) => {
      if (f.chats === 1) return;
      answering(req, res, f);
    });
    const s = await run(['--requests', '4', '--concurrency', '1', '--timeout', '300']);
    expect(s.failures).toEqual({ timeout: 1 });
    expect(s.succeeded).toBe(3);
    expect(fake.chats).toBe(4);
  });
});
