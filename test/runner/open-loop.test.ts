// The open loop's sender on its own, with launches that cost CPU: however far behind it falls, it
// yields to the event loop after at most BURST launches, never sends before an arrival's time,
// and accounts for every arrival. Counts and order only; no timing is asserted.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BURST, openLoop } from '../../src/runner/open-loop.js';

/** Burns `ms` of CPU: a launch as costly as the SDK's on a slow machine, or worse. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('openLoop', () => {
  it('yields after at most BURST launches when behind, and never launches early', async () => {
    // An event-loop turn counter: a setImmediate chain advances it once per turn.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const perTurn = new Map<number, number>();
    let early = 0;
    const counts = await openLoop(
      {
        rate: 20_000,
        seed: 5,
        requests: 400,
        deadline: Number.POSITIVE_INFINITY,
        maxInFlight: 1e9,
      },
      {
        inFlight: () => 0,
        launch: (dueMs) => {
          if (dueMs > performance.now()) early += 1;
          perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
          spin(0.2);
        },
        stopped: () => false,
      },
    );
    ticking = false;
    expect(early).toBe(0);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(BURST);
    expect(counts).toMatchObject({ scheduled: 400, sent: 400, droppedAtCap: 0, droppedBehind: 0 });
    // 400 launches of 0.2 ms against arrivals 0.05 ms apart: most leave late, and are counted.
    expect(counts.late).toBeGreaterThan(0);
  });

  it('counts arrivals past the window as dropped behind, and each one exactly once', async () => {
    const start = performance.now();
    let sent = 0;
    const counts = await openLoop(
      // Already 2 s past the end of a window that closes in 50 ms: everything left is too late.
      { rate: 1_000, seed: 9, deadline: start - 2_000 + 50, maxInFlight: 1e9 },
      {
        inFlight: () => 0,
        launch: () => {
          sent += 1;
        },
        stopped: () => false,
      },
    );
    expect(counts.scheduled).toBe(counts.sent + counts.droppedAtCap + counts.droppedBehind);
    expect(counts.sent).toBe(sent);
    expect(counts.sent).toBe(0);
  });

  it('stops scheduling once stopped, and drops at the cap without launching', async () => {
    let inFlight = 0;
    const counts = await openLoop(
      { rate: 5_000, seed: 2, requests: 50, deadline: Number.POSITIVE_INFINITY, maxInFlight: 10 },
      {
        inFlight: () => inFlight,
        launch: () => {
          inFlight += 1;
        },
        stopped: () => false,
      },
    );
    expect(counts).toMatchObject({ scheduled: 50, sent: 10, droppedAtCap: 40, peakInFlight: 10 });
    let calls = 0;
    const stopped = await openLoop(
      { rate: 5_000, seed: 2, requests: 50, deadline: Number.POSITIVE_INFINITY, maxInFlight: 10 },
      {
        inFlight: () => 0,
        launch: () => {
          calls += 1;
        },
        stopped: () => calls >= 7,
      },
    );
    expect(stopped.sent).toBe(7);
    expect(stopped.scheduled).toBe(7);
  });
});
