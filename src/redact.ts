// Keeps secrets out of everything lb-demo writes: reports, JSON, files and error lines.
import { maskSecret } from './validate.js';

/** Shorter values are not treated as secrets: masking them would garble ordinary text. */
const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/** Replaces every occurrence of each secret (and of its URL-encoded form) by a masked hint. */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = new Map<string, string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    const masked = maskSecret(secret);
    forms.set(secret, masked);
    forms.set(encodeURIComponent(secret), masked);
  }
  if (forms.size === 0) return (text) => text;
  // Longest first, so that a secret containing another is replaced whole.
  const pattern = new RegExp(
    [...forms.keys()]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, (found) => forms.get(found) ?? '***');
}
