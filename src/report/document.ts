// Reading a saved results document back: checked against its schema, field by field.
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseJsonText } from '../io/files.js';
import { maskUrl } from '../io/redact.js';
import { describeValue } from '../io/text.js';
import { type ResultsDocument, ResultsDocumentSchema } from './schema.js';

export type * from './schema.js';

/**
 * A saved document, checked field by field: a wrong file ends with one line naming the file and
 * the field ("<source>: not an lb-demo results document: scenarios[0].test.p_value must be a
 * number, got null"), not with a broken page.
 */
export function parseResultsDocument(text: string, source: string): ResultsDocument {
  const data = parseJsonText(text, source);
  const parsed = ResultsDocumentSchema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  throw new UsageError(`${source}: not an lb-demo results document: ${describeIssue(issue)}`);
}

const EXPECTED: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const where =
    issue.path.reduce<string>(
      (text, key) =>
        typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
      '',
    ) || 'the document';
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined
        ? `${where} is missing`
        : `${where} must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(input)}`;
    case 'invalid_value': {
      const values = issue.values.map(String);
      const choices =
        values.length === 2
          ? values.map((v) => JSON.stringify(v)).join(' or ')
          : `one of ${values.join(', ')}`;
      return `${where} must be ${choices}, got ${describeValue(input)}`;
    }
    case 'too_small':
    case 'too_big':
      return Array.isArray(input)
        ? `${where} must hold ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)} numbers, not ${input.length}`
        : `${where} ${issue.message}`;
    default:
      return `${where} ${issue.message}`;
  }
}

/** The document with credentials in any of its strings masked (URLs with and without scheme). */
export function maskDocument(document: ResultsDocument): ResultsDocument {
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return maskUrl(value);
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    }
    return value;
  };
  return mask(document) as ResultsDocument;
}
