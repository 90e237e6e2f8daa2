// The fetch the Portkey SDK is handed: undici's dispatcher API (Pool.request) behind the small part
// of the WHATWG fetch interface the SDK uses. The SDK still builds every request, checks the
// status, raises its errors and parses the JSON or the SSE stream; only the transport under it
// changes. Node 20's own fetch cost ~360 µs of CPU per request here (Request, Response and Headers
// objects, web streams made transferable one by one, abort signals, headers and body written
// apart), against ~50 µs for Pool.request: see docs/load.md, "How requests are sent".
import { type Dispatcher, Pool } from 'undici';

type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * The part of WHATWG Headers the SDK reads: get, has, entries, forEach. Names are lower case.
 * `get` and `has` see every header; `entries` lists only the x-portkey-* ones: the SDK copies what
 * it lists into a Proxy twice per response (client.responseHeaders, and getHeaders(), which keeps
 * only x-portkey-* anyway), and lb-demo reads neither copy (each request's own headers come from
 * its slot, see transport.ts). Listing the rest cost ~5 µs a request for nothing.
 */
export class ResponseHeaders {
  constructor(readonly raw: RawHeaders) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (const name in this.raw) {
      if (!name.startsWith('x-portkey-')) continue;
      const value = this.get(name);
      if (value !== null) out.push([name, value]);
    }
    return out;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }
}

/** The part of a WHATWG Response the SDK reads; `body` is a Node stream, which it iterates. */
export class PoolResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText = '';
  readonly headers: ResponseHeaders;
  /** Not readonly: a streamed request's transport may watch the bytes on their way. */
  body: Dispatcher.ResponseData['body'];
  constructor(
    data: Dispatcher.ResponseData,
    readonly url: string,
  ) {
    this.status = data.statusCode;
    this.ok = data.statusCode >= 200 && data.statusCode < 300;
    this.headers = new ResponseHeaders(data.headers as RawHeaders);
    this.body = data.body;
  }
  json(): Promise<unknown> {
    return this.body.json();
  }
  text(): Promise<string> {
    return this.body.text();
  }
}

/**
 * Gives up on one request: undici closes its socket, so that a connection of the pool is not held
 * by a request lb-demo has already reported as a timeout. The least of an AbortSignal undici
 * accepts (an AbortController per request cost a few µs of CPU for nothing, as none fires).
 */
export class RequestCancel {
  aborted = false;
  readonly reason = undefined;
  private listener: (() => void) | undefined;
  addEventListener(_: 'abort', listener: () => void): void {
    this.listener = listener;
  }
  removeEventListener(): void {
    this.listener = undefined;
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.listener?.();
  }
}

/** fetch(url, init) as the SDK calls it: a string URL, plain-object headers, a string body. */
export type SdkFetch = (
  url: string,
  init: RequestInit,
  cancel?: RequestCancel,
) => Promise<PoolResponse>;

export interface PoolFetch {
  fetch: SdkFetch;
  /** Closes every connection, including those of requests still hanging. */
  close(): Promise<void>;
}

export interface PoolFetchOptions {
  /** Sockets to the gateway at most: requests beyond wait in the pool. */
  connections: number;
  /**
   * The SDK cannot cancel a request: these close a socket whose answer stalls (no headers, or
   * no body data, for this long). The caller reports the request as a timeout at the same limit.
   */
  timeoutMs: number;
}

/** One pool of keep-alive connections per origin (the SDK calls only the gateway's). */
export function createPoolFetch(options: PoolFetchOptions): PoolFetch {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connections,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    async fetch(url, init, cancel) {
      const at = url.indexOf('/', url.indexOf('//') + 2);
      const origin = at === -1 ? url : url.slice(0, at);
      try {
        const data = await poolFor(origin).request({
          path: at === -1 ? '/' : url.slice(at),
          method: (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
          headers: init.headers as Record<string, string>,
          body: typeof init.body === 'string' ? init.body : null,
          ...(cancel ? { signal: cancel } : {}),
        });
        return new PoolResponse(data, url);
      } catch (error) {
        // As fetch fails: a TypeError whose cause is the network error (classify.ts reads codes).
        throw new TypeError('fetch failed', { cause: error });
      }
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.destroy()));
    },
  };
}
