// Keeps secrets out of everything lb-demo writes. Structured values (URLs, keys) are masked by
// field where they are built; free text that came from the network or the user (a provider's
// error message echoing a key) is masked for each secret and its common encodings.

/** Shorter secrets cannot be told from ordinary text; they are not searched for. */
const MIN_SECRET_LENGTH = 3;
/** Secrets shorter than this are only masked as whole tokens, never inside a longer word. */
const MIN_SUBSTRING_LENGTH = 8;
/** Secrets at least this long are also masked in everything written: they cannot garble it. */
const MIN_NET_LENGTH = 16;

export interface Redactor {
  /** Masks every secret, in its common encodings, in free text from the network or the user. */
  text(text: string): string;
  /** Masks the long secrets only: a last net over everything written, harmless to JSON. */
  net(text: string): string;
}

/**
 * `vocabulary` holds lb-demo's own words for this run (target names, providers, models): a
 * short secret equal to one of them (Ollama's documented placeholder key is "ollama") hides
 * nothing, so it is not masked where it names a target.
 */
export function createRedactor(
  secrets: readonly (string | undefined)[],
  vocabulary: readonly string[] = [],
): Redactor {
  const words = new Set(vocabulary.map((w) => w.toLowerCase()));
  const wanted = secrets.filter(
    (s): s is string =>
      typeof s === 'string' && s.length >= MIN_SECRET_LENGTH && !words.has(s.toLowerCase()),
  );
  return {
    text: replacer(wanted),
    net: replacer(wanted.filter((s) => s.length >= MIN_NET_LENGTH)),
  };
}

/** One pass over the text for every form of every secret, longest first. */
function replacer(secrets: readonly string[]): (text: string) => string {
  const forms = new Map<string, string>();
  for (const secret of secrets) {
    const masked = maskSecret(secret);
    for (const form of encodings(secret)) {
      if (form.length >= MIN_SECRET_LENGTH && !forms.has(form)) forms.set(form, masked);
    }
  }
  if (forms.size === 0) return (text) => text;
  const pattern = new RegExp(
    [...forms.keys()]
      .sort((a, b) => b.length - a.length)
      .map((form) => {
        const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // A short secret inside a longer word is that word, not the secret.
        return form.length < MIN_SUBSTRING_LENGTH
          ? `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`
          : escaped;
      })
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, (found) => forms.get(found) ?? '****');
}

/**
 * The forms a secret is echoed in: as written, upper- and lower-case, URL-encoded, escaped in a
 * JSON string, with whitespace folded as one-line messages fold it, hex, and base64.
 */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  return [
    secret,
    secret.toUpperCase(),
    secret.toLowerCase(),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/\s+/g, ' '),
    hex,
    hex.toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ];
}

/**
 * Shows a long secret's shape without revealing it ("sk-…9f3a"); a short one (a password, say)
 * would be half shown that way, so it becomes "****".
 */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return '****';
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

/** A URL with any user name or password replaced; text that is no URL, as maskCredentialsIn. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return maskCredentialsIn(raw);
    if (!url.username && !url.password) return raw;
    url.username = url.username ? '***' : '';
    url.password = url.password ? '***' : '';
    return url.href;
  } catch {
    return maskCredentialsIn(raw);
  }
}

/**
 * Best effort for text: hides "user:pass@" parts, with a scheme (from the first "//" to the last
 * "@": a password that breaks the URL may itself hold a "/", "@" or space) or without one
 * ("alice:secret@gateway:8787").
 */
export function maskCredentialsIn(text: string): string {
  return text
    .replace(/\/\/[\s\S]*@/, '//***@')
    .replace(/(^|[\s"'(<=,])[^\s/:@"'<>]+:[^\s@"'<>/]*@(?=[^\s@])/g, '$1***:***@');
}

/**
 * The password of a URL as given, whether or not it has a scheme, both as written (perhaps
 * percent-encoded) and decoded; [] when there is none.
 */
export function urlPasswords(raw: string | undefined): string[] {
  if (!raw) return [];
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^\s/:@]*:([^\s@/]*)@/i.exec(raw.trim());
  const written = match?.[1];
  if (!written) return [];
  let decoded = written;
  try {
    decoded = decodeURIComponent(written);
  } catch {
    // a stray "%": the password as written is all there is
  }
  return [...new Set([written, decoded])];
}
