// Files that carry results: the --out JSON and the HTML report, written whole or not at all.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { renderHtmlReport } from './report/html.js';
import { parseResultsDocument } from './report/results-document.js';

/** Writes the whole file or nothing: a reader (or a Ctrl-C) never leaves half a document. */
export function writeFileAtomically(path: string, text: string, input: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${input} ${path}: cannot write the file (${code})`);
  }
}

/** `lb-demo report results.json -o report.html`: the page of a run saved earlier. */
export function renderReportFile(resultsPath: string, htmlPath: string): void {
  let text: string;
  try {
    text = readFileSync(resultsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${resultsPath}: cannot read the results (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`,
    );
  }
  let document: ReturnType<typeof parseResultsDocument>;
  try {
    document = parseResultsDocument(text, resultsPath);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  writeFileAtomically(htmlPath, renderHtmlReport(document), '--output');
}
