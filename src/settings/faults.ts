// Fault specs for the simulated providers, from --fault, LB_FAULTS or a targets file's "faults".
import { UsageError } from '../errors.js';
import { printable } from '../io/text.js';
import type { FaultSettings } from '../model/input.js';
import { parseNonNegativeNumber } from './values.js';

/** The spec's words, as in a targets file, and the fields they set. */
const RATES = {
  error_rate: 'errorRate',
  hang_rate: 'hangRate',
  spike_rate: 'spikeRate',
  malformed_rate: 'malformedRate',
  cut_rate: 'cutRate',
  stall_rate: 'stallRate',
  error_event_rate: 'errorEventRate',
} as const;
const FAULT_KEYS = [
  ...Object.keys(RATES),
  'error_status',
  'fail_first',
  'retry_after',
  'spike_ms',
  'ttft_ms',
  'outage',
] as const;
const ERROR_STATUSES = [429, 500, 502, 503, 504];
/** The most calls of a request fail_first can fail; the gateway's retries are counted in ones. */
const MAX_FAIL_FIRST = 100;
/** The longest Retry-After, in seconds (the gateway gives up on one of 60 s or more). */
const MAX_RETRY_AFTER_S = 3600;

/** Validates a targets file's `faults` object, e.g. {"error_rate": 0.2, "error_status": 503}. */
export function parseFaultObject(data: unknown, input: string): FaultSettings {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(
      `${input}: expected an object such as {"error_rate": 0.2, "error_status": 503}`,
    );
  }
  const faults: FaultSettings = {};
  for (const [key, value] of Object.entries(data)) {
    setFault(faults, key, value, input);
  }
  return faults;
}

/**
 * "vllm:error_rate=0.2,error_status=429" or "ollama:outage" -> target name and faults. Several
 * specs go in LB_FAULTS separated by ";".
 */
export function parseFaultSpec(
  spec: string,
  input: string,
): { target: string; faults: FaultSettings } {
  const colon = spec.indexOf(':');
  const target = spec.slice(0, colon).trim();
  if (colon < 1 || target === '') {
    throw new UsageError(
      `${input}: expected TARGET:FAULT[,FAULT...] such as vllm:error_rate=0.2,error_status=503, got ${JSON.stringify(spec)}`,
    );
  }
  const faults: FaultSettings = {};
  for (const part of spec.slice(colon + 1).split(',')) {
    // Split at the first "=" only: in "error_rate=0.1=0.2" the value is "0.1=0.2", not 0.1.
    const equals = part.indexOf('=');
    const key = (equals < 0 ? part : part.slice(0, equals)).trim();
    if (key === '') continue;
    const value = equals < 0 ? true : part.slice(equals + 1).trim();
    setFault(faults, key, value, `${input} (${printable(target)})`);
  }
  if (Object.keys(faults).length === 0) {
    throw new UsageError(
      `${input}: no fault given for ${JSON.stringify(target)} (use ${FAULT_KEYS.join(', ')})`,
    );
  }
  return { target, faults };
}

function setFault(faults: FaultSettings, key: string, value: unknown, input: string): void {
  const where = `${input}: ${key}`;
  if (key in RATES) {
    faults[RATES[key as keyof typeof RATES]] = parseNonNegativeNumber(String(value), where, 1);
  } else if (key === 'error_status') {
    // A plain whole number: Number() would also read "0x1f4" as 500.
    const status = /^\d+$/.test(String(value).trim()) ? Number(value) : Number.NaN;
    if (!ERROR_STATUSES.includes(status)) {
      throw new UsageError(
        `${where}: expected one of ${ERROR_STATUSES.join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    faults.errorStatus = status;
  } else if (key === 'spike_ms') {
    faults.spikeMs = parseNonNegativeNumber(String(value), where, 600_000);
  } else if (key === 'ttft_ms') {
    faults.ttftMs = parseNonNegativeNumber(String(value), where, 600_000);
  } else if (key === 'fail_first') {
    faults.failFirst = wholeNumber(value, where, MAX_FAIL_FIRST);
  } else if (key === 'retry_after') {
    faults.retryAfterS =
      String(value).trim() === 'none' ? null : wholeNumber(value, where, MAX_RETRY_AFTER_S, 'none');
  } else if (key === 'outage') {
    if (value !== true && value !== false && value !== 'true' && value !== 'false') {
      throw new UsageError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
    }
    faults.outage = value === true || value === 'true';
  } else {
    throw new UsageError(
      `${input}: unknown fault ${JSON.stringify(key)} (use ${FAULT_KEYS.join(', ')})`,
    );
  }
}

/** A plain whole number from 0 to max (or the word `alternative`, when the caller takes one). */
function wholeNumber(value: unknown, where: string, max: number, alternative?: string): number {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n <= max)) {
    const or = alternative ? ` or ${alternative}` : '';
    throw new UsageError(
      `${where}: expected a whole number from 0 to ${max}${or}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** The inverse of the parsers: "error_rate=0.2,error_status=503", or "" for none. */
export function formatFaults(faults: FaultSettings): string {
  const parts: string[] = [];
  for (const [word, field] of Object.entries(RATES)) {
    const rate = faults[field];
    if (rate) parts.push(`${word}=${rate}`);
  }
  if (faults.failFirst) parts.push(`fail_first=${faults.failFirst}`);
  const errors = Boolean(faults.errorRate || faults.failFirst);
  if (errors && faults.errorStatus) parts.push(`error_status=${faults.errorStatus}`);
  if (errors && faults.retryAfterS !== undefined) {
    parts.push(`retry_after=${faults.retryAfterS ?? 'none'}`);
  }
  if (faults.spikeRate && faults.spikeMs !== undefined) parts.push(`spike_ms=${faults.spikeMs}`);
  if (faults.ttftMs !== undefined) parts.push(`ttft_ms=${faults.ttftMs}`);
  if (faults.outage) parts.push('outage');
  return parts.join(',');
}
