// Results documents in a stream of text, as `kubectl logs` of a Job's pods gives them: each
// document pretty-printed by --json, one after another, with other lines (a pod's stderr, a
// log line) in between. Pure.

export interface FoundDocument {
  /** 1-based line where it starts. */
  line: number;
  text: string;
}

/**
 * Every JSON object that starts at the beginning of a line and ends where its braces balance
 * (strings and escapes read as JSON reads them). Lines outside any object are skipped and
 * counted.
 */
export function findDocuments(text: string): { documents: FoundDocument[]; skippedLines: number } {
  const documents: FoundDocument[] = [];
  const lines = text.split('\n');
  let skippedLines = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (!line.startsWith('{')) {
      if (line.trim() !== '') skippedLines += 1;
      i += 1;
      continue;
    }
    const start = i;
    let depth = 0;
    let inString = false;
    let escaped = false;
    let end = -1;
    for (; i < lines.length && end < 0; i++) {
      for (const ch of lines[i] ?? '') {
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth += 1;
        else if (ch === '}' || ch === ']') depth -= 1;
      }
      if (depth === 0) end = i;
    }
    if (end < 0) {
      // Cut short (a pod killed mid-write): not a document.
      skippedLines += i - start;
      break;
    }
    documents.push({ line: start + 1, text: lines.slice(start, end + 1).join('\n') });
  }
  return { documents, skippedLines };
}
