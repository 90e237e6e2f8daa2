// Which chat requests an injected fault hits. The settings were checked at the edge
// (src/settings/faults.ts); here they only get their defaults.
import type { FaultSettings } from '../../model/input.js';
import type { ActiveFaults } from './state.js';

export function activeFaults(faults: FaultSettings): ActiveFaults {
  const active = {
    errorRate: faults.errorRate ?? 0,
    errorStatus: faults.errorStatus ?? 503,
    hangRate: faults.hangRate ?? 0,
    spikeRate: faults.spikeRate ?? 0,
    spikeMs: faults.spikeMs ?? 1000,
    malformedRate: faults.malformedRate ?? 0,
    outage: faults.outage ?? false,
    cutRate: faults.cutRate ?? 0,
    stallRate: faults.stallRate ?? 0,
    errorEventRate: faults.errorEventRate ?? 0,
    ttftMs: faults.ttftMs,
    failFirst: faults.failFirst ?? 0,
    retryAfterS: faults.retryAfterS,
  };
  const rates = [
    active.errorRate,
    active.hangRate,
    active.spikeRate,
    active.malformedRate,
    active.cutRate,
    active.stallRate,
    active.errorEventRate,
    active.failFirst,
  ];
  return { ...active, anyRate: rates.some((rate) => rate > 0) || active.ttftMs !== undefined };
}

/**
 * Whether a fault with this rate hits the i-th request (0-based): floor((i+1)·r) > floor(i·r), so
 * exactly floor(n·r) of n requests, evenly spread. The tiny relative margin keeps products like
 * 3 × 0.1 = 0.30000000000000004 (or just below an integer) from moving a hit to the next request.
 */
export function hits(i: number, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const margin = 1 + 1e-12;
  return Math.floor((i + 1) * rate * margin) > Math.floor(i * rate * margin);
}

/** A copy of fault settings without the keys that are undefined. */
export function settingsCopy(settings: FaultSettings): FaultSettings {
  const copy: FaultSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) (copy as Record<string, unknown>)[key] = value;
  }
  return copy;
}
