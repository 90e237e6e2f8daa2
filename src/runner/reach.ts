// Is the gateway there? Before a run (a network error ends it before it starts), and during one
// (connection failures in a row: has it gone away?).
import { RunError } from '../errors.js';
import type { GatewayConnection } from '../model/input.js';
import type { RequestRecord } from '../model/request.js';

/** Any HTTP answer within `timeoutMs` means the gateway is there; otherwise, why not. */
export async function probeGateway(
  gateway: GatewayConnection,
  timeoutMs: number,
): Promise<string | null> {
  // A plain timer, not AbortSignal.timeout(): that one does not keep Node alive, and a fetch
  // to a server that accepts and never answers would leave nothing to wait for.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(new URL('/', gateway.url), {
      signal: controller.signal,
      ...(gateway.authorization ? { headers: { authorization: gateway.authorization } } : {}),
    });
    await response.body?.cancel();
    return null;
  } catch (error) {
    if (timedOut) return `no answer within ${timeoutMs / 1000} s`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReachable(gateway: GatewayConnection): Promise<void> {
  const why = await probeGateway(gateway, 5_000);
  if (why !== null) throw new RunError(`cannot reach the gateway at ${gateway.url} (${why})`);
}

/** Connection failures in a row after which the gateway is asked whether it is still there. */
const FAILURES_BEFORE_PROBE = 3;

export interface GatewayWatch {
  /** Aborted, with the reason in words, once the gateway is known to be gone. */
  signal: AbortSignal;
  /** Sees every record as it completes. */
  observe(record: RequestRecord): void;
  /** While the gateway is being probed, the probe: new requests wait for it. */
  hold(): Promise<unknown> | undefined;
  /** Known gone by other means (a worker thread's own watch): aborts the signal with `why`. */
  stop(why: string): void;
}

/**
 * Watches a run for a gateway that went away: after a few connection failures in a row (refused
 * or reset, no answer at all), one probe; if that fails too, the gateway is gone. `gone` is the
 * embedded gateway's own signal, aborted when its process exits.
 */
export function watchGateway(gateway: GatewayConnection, gone?: AbortSignal): GatewayWatch {
  const controller = new AbortController();
  const stop = (why: string) => {
    if (!controller.signal.aborted) controller.abort(why);
  };
  if (gone) {
    if (gone.aborted) stop(String(gone.reason));
    else gone.addEventListener('abort', () => stop(String(gone.reason)), { once: true });
  }
  let inARow = 0;
  let probe: Promise<unknown> | undefined;
  return {
    signal: controller.signal,
    observe(record) {
      if (record.error?.cause !== 'connection') {
        inARow = 0;
        return;
      }
      inARow += 1;
      if (inARow < FAILURES_BEFORE_PROBE || probe) return;
      probe = probeGateway(gateway, 2_000).then((why) => {
        probe = undefined;
        if (why === null) inARow = 0;
        else stop(`${inARow} requests in a row could not reach it, nor could a probe (${why})`);
      });
    },
    hold: () => probe,
    stop,
  };
}
