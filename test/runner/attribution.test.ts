// One SDK client serves every request in flight, so each record must take its routing headers from
// its own response, never a neighbour's. A fake gateway answers each request in a way only that
// request could produce (its provider, its target, its retry count, its failure), after a random
// delay, and fails every 7th with a 503 whose body comes later than its headers: then every
// record is checked against what its own request was answered.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetSpec } from '../../src/model/input.js';
import type { RequestRecord } from '../../src/model/request.js';
import { runScenario } from '../../src/runner/loop.js';
import { planScenario } from '../../src/scenarios.js';
import { listenOnLoopback } from '../e2e/helpers.js';

const ID_HEADER = 'x-lb-demo-request-id';
const REQUESTS = 1_500;

/** What request `seq` is answered: a target and retry count from a hash, a 503 every 7th. */
function answerFor(seq: number) {
  const hash = Math.imul(seq + 1, 2654435761) >>> 0;
  return { target: hash % 3, retries: seq % 3, fails: seq % 7 === 3, provider: `p${seq}` };
}

const later = (ms: number, then: () => void) => setTimeout(then, ms);
const jitter = () => Math.random() * 6;

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
  const seq = Number(/-(\d+)$/.exec(String(req.headers[ID_HEADER]))?.[1]);
  const a = answerFor(seq);
  const headers = {
    'x-portkey-last-used-option-index': `config.targets[${a.target}]`,
    'x-portkey-provider': a.provider,
    'x-portkey-retry-attempt-count': String(a.retries),
  };
  later(jitter(), () => {
    if (a.fails) {
      // Headers now, the error body later: the SDK reads the body after an await.
      res.writeHead(503, { 'content-type': 'application/json', ...headers });
      res.flushHeaders();
      later(5 + jitter() * 2, () => res.end(`{"error":{"message":"overloaded ${seq}"}}`));
      return;
    }
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
      const chunk = (content: string) =>
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
      res.write(chunk(`answer ${seq}`));
      later(jitter(), () => {
        res.write(chunk(' more'));
        res.end('data: [DONE]\n\n');
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(
      JSON.stringify({
        id: `c${seq}`,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: `answer ${seq}` } }],
        usage: { completion_tokens: 2 },
      }),
    );
  });
}

let url = '';
let close: () => Promise<void> = async () => {};
const seen: http.IncomingHttpHeaders[] = [];
beforeAll(async () => {
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => answer(req, res, body));
  });
  const listening = await listenOnLoopback(server);
  url = `http://127.0.0.1:${listening.port}/v1`;
  close = listening.close;
});
afterAll(() => close());

const target = (name: string): TargetSpec => ({
  name,
  provider: 'openai',
  customHost: `http://${name}.invalid/v1`,
  model: 'm',
});

async function run(stream: boolean): Promise<RequestRecord[]> {
  const [plan] = planScenario('distribution', [target('a'), target('b'), target('c')], {
    requests: REQUESTS,
  });
  const records: RequestRecord[] = [];
  await runScenario(
    plan!,
    { url },
    {
      concurrency: 64,
      requests: REQUESTS,
      stream,
      timeoutMs: 30_000,
      tag: { header: ID_HEADER, prefix: 'r' },
    },
    { onRecord: (record) => records.push(record) },
  );
  return records;
}

describe.each([
  ['plain', false],
  ['streamed', true],
])('per-request attribution with one client, 64 in flight, jittered answers (%s)', (_, stream) => {
  it('credits every record with its own answer: target, provider, retries and failure', async () => {
    const records = await run(stream);
    expect(records).toHaveLength(REQUESTS);
    const wrong = records.filter((record) => {
      const a = answerFor(record.seq);
      return (
        record.requestId !== `r-${record.seq}` ||
        record.provider !== a.provider ||
        record.pickedIndex !== a.target ||
        record.retries !== a.retries ||
        record.ok === a.fails ||
        (a.fails
          ? record.error?.cause !== 'provider-error' || record.error.status !== 503
          : !record.snippet?.startsWith(`answer ${record.seq}`))
      );
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(new Set(records.map((r) => r.seq)).size).toBe(REQUESTS);
  });
});

describe('what each request carries', () => {
  it("the SDK's own headers, the config and the tag, on every request", async () => {
    seen.length = 0;
    await run(false);
    expect(seen).toHaveLength(REQUESTS);
    for (const headers of [seen[0], seen.at(-1)]) {
      expect(headers).toMatchObject({
        'content-type': 'application/json',
        'x-portkey-package-version': expect.stringMatching(/^portkey-/),
        'x-portkey-runtime': 'node',
        'x-portkey-runtime-version': process.version,
        'x-portkey-config': expect.stringContaining('"loadbalance"'),
        'x-portkey-forward-headers': ID_HEADER,
        [ID_HEADER]: expect.stringMatching(/^r-\d+$/),
      });
    }
  });
});
