// Text from users and from the network, made safe to show on one line of a message.

const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Zero-width and bidirectional-override characters: text that looks like other text. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** Whether the text holds characters that change how it looks without being seen. */
export function hasInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control, zero-width and bidi characters escaped (a newline as \n): the text stays on one line
 * and cannot clear a screen, set a title or pass for other text.
 */
export function printable(text: string): string {
  return text.replace(
    CONTROL,
    (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Runs of whitespace (newlines too) folded to one space, then made printable. */
export function oneLine(text: string): string {
  return printable(text.replace(/\s+/g, ' ').trim());
}

/** A raw value quoted for a message, shortened past 60 characters. */
export function quote(raw: string): string {
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
