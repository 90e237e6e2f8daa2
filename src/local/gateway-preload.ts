// What runs inside the embedded gateway's process before the gateway's own code (node --import).
// Plain JavaScript in a string: it is loaded in the child, never here.

/** The header each request to the embedded gateway carries (the SDK's `lbDemoToken` option). */
export const TOKEN_HEADER = 'x-portkey-lb-demo-token';

/** Hands the child its token; the preload takes it out of the gateway's environment. */
export const TOKEN_ENV = 'LB_DEMO_GATEWAY_TOKEN';

/**
 * The gateway's server listens on every interface and would forward requests anywhere a config
 * says. The preload:
 * - pins it to 127.0.0.1 and reports the port it got over IPC;
 * - ends it when the parent goes away (the IPC channel closes however lb-demo dies);
 * - answers 403 to any request or upgrade without this run's token, so that no other local
 *   process, nor a web page in a browser, can use it as a relay to loopback ports;
 * - copies upstream answers into Responses whose headers the gateway may change.
 */
export const GATEWAY_PRELOAD = `
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    args[0] = { ...first, host: '127.0.0.1' };
  } else {
    const callback = typeof args.at(-1) === 'function' ? args.at(-1) : undefined;
    args = callback ? [first ?? 0, '127.0.0.1', callback] : [first ?? 0, '127.0.0.1'];
  }
  this.once('listening', () => process.send?.({ listening: this.address().port }));
  return listen.apply(this, args);
};
process.on('disconnect', () => process.exit(0));

const token = process.env[${JSON.stringify(TOKEN_ENV)}];
delete process.env[${JSON.stringify(TOKEN_ENV)}];
if (token) {
  const expected = Buffer.from(token);
  const allowed = (req) => {
    const given = Buffer.from(String(req.headers[${JSON.stringify(TOKEN_HEADER)}] ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const refusal = JSON.stringify({
    error: { message: 'this gateway serves only the lb-demo run that started it', type: 'forbidden' },
  });
  // Every HTTP server's events pass here before the gateway's listeners see them.
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === 'request' && !allowed(args[0])) {
      args[1].writeHead(403, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(refusal),
        connection: 'close',
      });
      args[1].end(refusal);
      return true;
    }
    if (event === 'upgrade' && !allowed(args[0])) {
      args[1].end('HTTP/1.1 403 Forbidden\\r\\nconnection: close\\r\\ncontent-length: 0\\r\\n\\r\\n');
      return true;
    }
    return emit.call(this, event, ...args);
  };
}

// A fetch() answer's headers are immutable, and the gateway appends its x-portkey-* headers to
// the Response it builds from one; @hono/node-server 1.14.2 and later (before 2.0.12) hand that
// Response's headers back as they are, and every stream then fails with "TypeError: immutable".
// A copy has headers of its own. Taken before @hono/node-server replaces the global Response.
const upstreamFetch = globalThis.fetch;
const PlainResponse = globalThis.Response;
globalThis.fetch = async (...args) => {
  const answer = await upstreamFetch(...args);
  return new PlainResponse(answer.body, answer);
};
`;
