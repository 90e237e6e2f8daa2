// The page's only style sheet, inline: system fonts, phone widths, print.
export const STYLES = `
:root { color-scheme: light; }
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0 auto; max-width: 62rem; padding: 1rem;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1b1f24; background: #fff;
}
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
p, li, dd, figcaption { overflow-wrap: anywhere; }
a { color: #0b57a4; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem 1rem; margin: .5rem 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.notice { border: 2px solid #9a6700; background: #fff8c5; padding: .5rem .75rem; margin: .75rem 0; }
.notice p { margin: .25rem 0; }
.notice ul { margin: .25rem 0; padding-left: 1.25rem; }
.note, figcaption, .table-note { color: #57606a; font-size: .875rem; }
.table-note { margin: .5rem 0 0; }
.hint { border-left: 4px solid #9a6700; padding-left: .5rem; }
.verdict { padding: .4rem .6rem; border-left: 6px solid; }
.verdict.consistent { border-color: #1a7f37; background: #f0fff4; }
.verdict.inconclusive { border-color: #9a6700; background: #fff8c5; }
.verdict.differs { border-color: #b3261e; background: #fff1f0; }
.config-tree, .config-tree ul { list-style: none; padding-left: 1.2rem; border-left: 1px solid #d0d7de; }
.config-tree li { margin: .3rem 0; }
.config-tree .shares { font-variant-numeric: tabular-nums; }
.config-tree .verdict { display: inline-block; margin-left: .4rem; padding: .1rem .4rem; }
.muted { color: #57606a; }
tr.fail td { background: #fff1f0; }
.checks-outcome.pass { color: #116329; }
.checks-outcome.fail { color: #a40e26; }
.check-list { list-style: none; padding: 0; }
.check { margin: .3rem 0; }
.badge { display: inline-block; min-width: 3.2em; text-align: center; font-weight: 700; font-size: .8rem; padding: 0 .3rem; border: 1px solid; border-radius: 3px; }
.check.pass .badge { color: #116329; background: #dafbe1; }
.check.fail .badge { color: #a40e26; background: #ffebe9; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .2rem .5rem; border-bottom: 1px solid #d0d7de; text-align: right; white-space: nowrap; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
th.text, td.text { text-align: left; }
tr.all td { font-weight: 600; }
td.url, .url { overflow-wrap: anywhere; }
figure { margin: .5rem 0 1rem; }
.chart { display: block; width: 100%; height: auto; max-width: 32rem; }
.chart text { font-size: 12px; fill: #1b1f24; }
.chart .name { font-size: 13px; font-weight: 700; }
.chart .name, .chart .ci { paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
.chart .row-label, .chart .tick, .chart .axis-title { fill: #57606a; }
.chart .bin-count { font-size: 11px; }
.chart .axis-title { font-size: 11px; }
.chart .axis, .chart .tick-mark { stroke: #57606a; stroke-width: 1; }
.chart .grid { stroke: #d0d7de; stroke-width: 1; stroke-dasharray: 3 3; }
.bar.expected { fill: #d0d7de; stroke: #57606a; stroke-width: 1; }
.bar.observed { fill: #4a86c8; stroke: #1f4e79; stroke-width: 1; }
.ci95 { stroke: #111; stroke-width: 2; fill: none; }
.bin { fill: #3572b0; }
.histograms { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 0 1.5rem; }
.histograms figure { margin: 0 0 1rem; }
.no-data { color: #57606a; font-style: italic; }
footer { margin-top: 2rem; color: #57606a; font-size: .8rem; border-top: 1px solid #d0d7de; }
@media (max-width: 30rem) {
  body { padding: .75rem; font-size: 14px; }
  .facts { column-gap: .75rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; color: #000; background: #fff; }
  a { color: inherit; text-decoration: none; }
  .table-wrap { overflow: visible; }
  .verdict.consistent, .verdict.differs, .verdict.inconclusive, .notice, th { background: #fff; }
  .scenario { break-before: page; }
  figure, .chart-block, .histograms, table, .verdict, .check { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .chart { max-width: 16cm; }
}
`;
