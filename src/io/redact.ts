// Keeps secrets out of everything lb-demo writes: reports, JSON, files and error lines.

/** Shorter values are not treated as secrets: masking them would garble ordinary text. */
const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/** Replaces every occurrence of each secret (and of its encoded forms) by a masked hint. */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = new Map<string, string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    const masked = maskSecret(secret);
    // As written, URL-encoded, escaped inside a JSON string (a quote or backslash in a key), and
    // with its whitespace folded the way one-line error messages fold it.
    for (const form of [
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      secret.replace(/\s+/g, ' '),
    ]) {
      if (form.length >= MIN_SECRET_LENGTH) forms.set(form, masked);
    }
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
    return maskCredentialsIn(raw);
  }
}

/**
 * Best effort for text that is not a URL: hides "user:pass@" parts, from the first "//" to the
 * last "@" (a password that breaks the URL may itself hold a "/", "@" or space).
 */
export function maskCredentialsIn(text: string): string {
  return text.replace(/\/\/[\s\S]*@/, '//***@');
}
