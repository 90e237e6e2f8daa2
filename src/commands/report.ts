// `lb-demo report results.json -o report.html`: the page of a run saved earlier.

import { UsageError } from '../errors.js';
import { readTextFile, sameFile, writeFileSafely } from '../io/files.js';
import { printable } from '../io/text.js';
import { maskDocument, parseResultsDocument } from '../report/document.js';
import { renderHtmlReport } from '../report/html/page.js';

/** `flag` names the option that gave htmlPath, for messages: --out, or the old --output. */
export function renderReportFile(resultsPath: string, htmlPath: string, flag = '--out'): void {
  const shown = printable(resultsPath);
  if (sameFile(resultsPath, htmlPath)) {
    throw new UsageError(`${flag} ${printable(htmlPath)}: is the results file itself`);
  }
  const text = readTextFile(resultsPath, shown) ?? '';
  // A saved document may hold credentials (an older lb-demo, or a hand-made file): never shown.
  const document = maskDocument(parseResultsDocument(text, shown));
  writeFileSafely(htmlPath, renderHtmlReport(document), flag);
}
