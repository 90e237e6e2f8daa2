// A gateway that costs (almost) nothing: answers POST .../chat/completions at once with a prebuilt
// chat completion and the Portkey routing headers (targets 0, 1, 0, 1, ...), streamed as SSE when
// the body asks for "stream":true. It runs in a process of its own, so that the harness under test
// (lb-demo or autocannon) is the only thing that can limit the rate. Prints {"url","pid"} on stdout;
// on SIGTERM prints {"served","cpuUs"} on stderr and exits.
//
//   tsx bench/fake-gateway.ts [--spin <µs of CPU per request>]
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { spin: { type: 'string', default: '0' } } });
const spinMs = Number(values.spin) / 1000;

const completion = JSON.stringify({
  id: 'chatcmpl-fake',
  object: 'chat.completion',
  created: 1764133200,
  model: 'llama3',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'AI is the simulation of human intelligence.' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 },
});
const BODY = Buffer.from(completion);
const chunk = (delta: object, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1764133200, model: 'llama3', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const WORDS = ['AI', ' is', ' the', ' simulation', ' of', ' human', ' intelligence', '.'];
const STREAM = Buffer.from(
  `${WORDS.map((w) => chunk({ content: w })).join('')}data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1764133200, model: 'llama3', choices: [], usage: { prompt_tokens: 4, completion_tokens: WORDS.length, total_tokens: 12 } })}\n\ndata: [DONE]\n\n`,
);
const STREAM_MARK = Buffer.from('"stream":true');
const PATHS = ['config.targets[0]', 'config.targets[1]'];

let served = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.end('ok');
      return;
    }
    if (spinMs > 0) {
      const end = performance.now() + spinMs;
      while (performance.now() < end);
    }
    const path = PATHS[served++ & 1] as string;
    const routing = {
      'x-portkey-last-used-option-index': path,
      'x-portkey-provider': 'openai',
      'x-portkey-retry-attempt-count': '0',
    };
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    if (body.includes(STREAM_MARK)) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...routing });
      res.end(STREAM);
    } else {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': BODY.length,
        ...routing,
      });
      res.end(BODY);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${port}/v1`, pid: process.pid })}\n`,
  );
});
const stop = () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`${JSON.stringify({ served, cpuUs: cpu.user + cpu.system })}\n`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
