// What the report says of an open loop's schedule, in words: the text report and the HTML page
// print the same sentences.
import { count, duration, percent } from './format.js';
import type { ScenarioEntry } from './schema.js';

type OpenLoop = NonNullable<ScenarioEntry['open_loop']>;

/** Late arrivals above this share of those sent earn a warning, as dropped ones always do. */
const LATE_WARNING_SHARE = 0.01;

/**
 * Two sentences: what became of the arrivals, and how late they left. "4,514 arrivals scheduled at
 * 1,500/s: 967 sent (167 more than 10 ms late), 3,547 dropped (...); at most 256 in flight."
 */
export function openLoopSummary(o: OpenLoop, ratePerS: number | null): [string, string] {
  const dropped =
    o.dropped === 0
      ? 'none dropped'
      : `${count(o.dropped)} dropped (${count(o.dropped_at_max_in_flight)} at --max-in-flight ${count(o.max_in_flight)}, ${count(o.dropped_behind_schedule)} too far behind)`;
  const lag = o.schedule_lag_ms;
  return [
    `${count(o.scheduled)} arrivals scheduled${ratePerS === null ? '' : ` at ${count(ratePerS)}/s`}: ${count(o.sent)} sent (${count(o.late)} more than ${o.late_threshold_ms} ms late), ${dropped}; at most ${count(o.peak_in_flight)} in flight.`,
    `${lag ? `Sent ${duration(lag.p50)} after their scheduled time at the median, ${duration(lag.p99)} at p99, ${duration(lag.max)} at worst; l` : 'L'}atency counts from each request's scheduled time.`,
  ];
}

/** A warning when the schedule was not kept; null when it was. */
export function openLoopWarning(o: OpenLoop, ratePerS: number | null): string | null {
  const late = o.sent > 0 && o.late / o.sent > LATE_WARNING_SHARE;
  if (o.dropped === 0 && !late) return null;
  const asked = ratePerS === null ? 'the rate asked for' : `--rate ${count(ratePerS)}`;
  const why: string[] = [];
  if (o.dropped_at_max_in_flight > 0) {
    why.push(
      `${percent(o.dropped_at_max_in_flight / o.scheduled)} of arrivals found ${count(o.max_in_flight)} requests already in flight (the --max-in-flight cap) and were dropped: the gateway answered slower than they arrived`,
    );
  }
  if (o.dropped_behind_schedule > 0 || late) {
    why.push(
      `the sender fell behind its schedule (${count(o.late)} late, ${count(o.dropped_behind_schedule)} dropped at the end): this machine could not send that fast`,
    );
  }
  return `Warning: ${asked} was not kept: ${why.join('; ')}. These figures describe an overloaded system, not its steady state.`;
}
