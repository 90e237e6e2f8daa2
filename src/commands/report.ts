// `lb-demo report results.json -o report.html`: the page of a run saved earlier.
import { readTextFile, writeFileAtomically } from '../io/files.js';
import { printable } from '../io/text.js';
import { parseResultsDocument } from '../report/document.js';
import { renderHtmlReport } from '../report/html/page.js';

/** `flag` names the option that gave htmlPath, for messages: --out, or the old --output. */
export function renderReportFile(resultsPath: string, htmlPath: string, flag = '--out'): void {
  const shown = printable(resultsPath);
  const text = readTextFile(resultsPath, shown) ?? '';
  writeFileAtomically(htmlPath, renderHtmlReport(parseResultsDocument(text, shown)), flag);
}
