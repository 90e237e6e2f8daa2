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

export function parseNonNegativeNumber(raw: string, input: string, max = Number.MAX_VALUE): number {
  const text = raw.trim();
  const value = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value))
    throw new UsageError(`${input}: expected a number, got ${quote(raw)}`);
  if (value < 0) throw new UsageError(`${input}: must not be negative, got ${text}`);
  if (value > max) throw new UsageError(`${input}: must be at most ${max}, got ${text}`);
  return value;
}

/** "0.25,0.75" or "7,3" -> numbers; normalisation happens in the config module. */
export function parseWeightList(raw: string, input: string): number[] {
  if (raw.trim() === '') throw new UsageError(`${input}: expected comma-separated weights, got ""`);
  const weights = raw
    .split(',')
    .map((part, i) => parseNonNegativeNumber(part, `${input} (weight ${i + 1})`));
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
  return url.href.replace(/\/+$/, '');
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

/** Best effort for text that is not a URL: hides "user:pass@" parts. */
function maskSecretsIn(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

function quote(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}
