// Results documents in a stream of text, as `kubectl logs` of a Job's pods gives them: each
// document pretty-printed by --json, one after another, with other lines (a pod's stderr, a
// log line, a document cut short when its pod was killed) in between. Pure.

export interface FoundDocument {
  /** 1-based line where it starts. */
  line: number;
  text: string;
}

export interface FoundDocuments {
  documents: FoundDocument[];
  /** 1-based lines where an object started that never closed: cut short, skipped. */
  cutShort: number[];
  skippedLines: number;
}

/**
 * Every JSON object that starts at the beginning of a line and ends where its braces balance
 * (strings and escapes read as JSON reads them). A pretty-printed document's own lines are
 * indented, so a line that starts with "{" while an object is still open starts a new one: the
 * open one was cut short and is skipped. Lines outside any object are skipped and counted.
 */
export function findDocuments(text: string): FoundDocuments {
  const documents: FoundDocument[] = [];
  const cutShort: number[] = [];
  const lines = text.split('\n');
  let skippedLines = 0;
  let i = 0;
  while (i < lines.length) {
    if (!(lines[i] ?? '').startsWith('{')) {
      if ((lines[i] ?? '').trim() !== '') skippedLines += 1;
      i += 1;
      continue;
    }
    const start = i;
    const end = closingLine(lines, start);
    if (end === undefined) {
      cutShort.push(start + 1);
      // Resume at the next line that starts an object, or at the end.
      i = start + 1;
      while (i < lines.length && !(lines[i] ?? '').startsWith('{')) i += 1;
      skippedLines += i - start;
      continue;
    }
    documents.push({ line: start + 1, text: lines.slice(start, end + 1).join('\n') });
    i = end + 1;
  }
  return { documents, cutShort, skippedLines };
}

/** The line where the object opened at `start` closes; undefined when it never does. */
function closingLine(lines: readonly string[], start: number): number | undefined {
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (i > start && line.startsWith('{')) return undefined;
    // A JSON string never spans lines: each line starts outside one.
    let inString = false;
    let escaped = false;
    for (const ch of line) {
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth += 1;
      else if (ch === '}' || ch === ']') depth -= 1;
    }
    if (depth === 0) return i;
  }
  return undefined;
}
