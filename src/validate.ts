// Parsers for raw strings from flags, .env and files. Each throws a UsageError naming the input.
import { UsageError } from './errors.js';

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

/**
 * Largest weight accepted. Weights are relative, so this limits nothing a split needs; it keeps
 * their sum finite (two weights of 1e308 would add up to Infinity and normalise to 0).
 */
export const MAX_WEIGHT = 1_000_000;

/** "0.25,0.75" or "7,3" -> numbers; normalisation happens in the config module. */
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
    throw new UsageError(`${input}: not a valid URL: ${quote(maskSecretsIn(raw))}`);
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

/**
 * Checks that a value sent in an HTTP header (an API key, or a model name inside the gateway's
 * config header) can be: no control characters, nothing beyond Latin-1. fetch would refuse it on
 * every request, and its error would quote the value. The value itself is never shown.
 */
export function checkHeaderSafe(value: string, input: string): string {
  const bad = [...value].findIndex((ch) => !/^[\x20-\x7e\xa0-\xff]$/.test(ch));
  if (bad >= 0) {
    throw new UsageError(
      `${input}: character ${bad + 1} cannot be sent in an HTTP header (a control character or one beyond Latin-1)`,
    );
  }
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text from the user shown in a one-line message: control characters escaped (a newline as \n). */
export function printable(text: string): string {
  return text.replace(
    CONTROL,
    (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Shows a long secret's shape without revealing it ("sk-…9f3a"); a short one (a password, say)
 * would be half shown that way, so it becomes "****".
 */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return '****';
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

/** A URL with any user name or password replaced. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = url.username ? '***' : '';
    url.password = url.password ? '***' : '';
    return url.href;
  } catch {
    return maskSecretsIn(raw);
  }
}

/**
 * Best effort for text that is not a URL: hides "user:pass@" parts, from the first "//" to the
 * last "@" (a password that breaks the URL may itself hold a "/", "@" or space).
 */
function maskSecretsIn(text: string): string {
  return text.replace(/\/\/[\s\S]*@/, '//***@');
}

function quote(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}

/** A value from a file, as an error message names it: "an array", 'the string "25%"', "number 3". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
