// Parsers for raw strings from flags, .env and files. Each throws a UsageError naming the input.
import { UsageError } from '../errors.js';
import { maskCredentialsIn, maskUrl } from '../io/redact.js';
import { quote } from '../io/text.js';

export function parseCount(raw: string, input: string, max = 1_000_000): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`${input}: expected a whole number from 1 to ${max}, got ${quote(raw)}`);
  }
  const value = Number(text);
  if (value < 1 || value > max) {
    throw new UsageError(`${input}: expected a whole number from 1 to ${max}, got ${text}`);
  }
  return value;
}

/** Plain decimal notation: 12, 0.5, .5, 1e3. Not hex, binary or octal (Number() takes those). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function parseNonNegativeNumber(raw: string, input: string, max = Number.MAX_VALUE): number {
  const text = raw.trim();
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value))
    throw new UsageError(`${input}: expected a number, got ${quote(raw)}`);
  if (value < 0) throw new UsageError(`${input}: must not be negative, got ${text}`);
  if (value > max) throw new UsageError(`${input}: must be at most ${max}, got ${text}`);
  return value;
}

export function parsePositiveNumber(raw: string, input: string, max?: number): number {
  const value = parseNonNegativeNumber(raw, input, max);
  if (value === 0) throw new UsageError(`${input}: must be greater than 0, got ${raw.trim()}`);
  return value;
}

/**
 * Largest weight accepted. Weights are relative, so this limits nothing a split needs; it keeps
 * their sum finite (two weights of 1e308 would add up to Infinity and normalise to 0).
 */
export const MAX_WEIGHT = 1_000_000;

/** "0.25,0.75" or "7,3" -> raw numbers, at least one of them above 0. */
export function parseWeightList(raw: string, input: string): number[] {
  if (raw.trim() === '') throw new UsageError(`${input}: expected comma-separated weights, got ""`);
  const weights = raw
    .split(',')
    .map((part, i) => parseNonNegativeNumber(part, `${input} (weight ${i + 1})`, MAX_WEIGHT));
  if (weights.every((w) => w === 0)) {
    throw new UsageError(`${input}: all weights are zero, so the gateway could pick no target`);
  }
  return weights;
}

/** Accepts an http(s) URL and returns it without a trailing slash. */
export function checkHttpUrl(raw: string, input: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${input}: not a valid URL: ${quote(maskCredentialsIn(raw))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${input}: expected an http:// or https:// URL, got ${quote(maskUrl(url.href))}`,
    );
  }
  if (url.port === '0') {
    throw new UsageError(
      `${input}: port 0 cannot be connected to, got ${quote(maskUrl(url.href))}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** Longest key or model name accepted: gateways refuse far shorter headers anyway. */
const MAX_HEADER_VALUE = 8192;

/**
 * Checks that a value sent in an HTTP header (an API key, or a model name inside the gateway's
 * config header) can be: no control characters, nothing beyond Latin-1. fetch would refuse it on
 * every request, and its error would quote the value. The value itself is never shown.
 */
export function checkHeaderSafe(value: string, input: string): string {
  if (value.length > MAX_HEADER_VALUE) {
    throw new UsageError(
      `${input}: ${value.length} characters long; at most ${MAX_HEADER_VALUE} fit in an HTTP header`,
    );
  }
  const bad = [...value].findIndex((ch) => !/^[\x20-\x7e\xa0-\xff]$/.test(ch));
  if (bad >= 0) {
    throw new UsageError(
      `${input}: character ${bad + 1} cannot be sent in an HTTP header (a control character or one beyond Latin-1)`,
    );
  }
  return value;
}

/** A variable that is unset, empty or blank means unset. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
