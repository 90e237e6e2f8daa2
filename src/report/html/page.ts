// The shareable report: one self-contained HTML page rendered from the results document.
// Inline CSS and inline SVG, no script, no font, no fetch; the page's own Content Security
// Policy forbids any request. Pure: a document in, a string out; the same document always gives
// the same page.

import { checkName, count, formatP, percent } from '../format.js';
import type { ResultsDocument } from '../schema.js';
import { type Html, html, raw, table } from './markup.js';
import { checksOf, label, scenarioSection } from './sections.js';
import { STYLES } from './styles.js';

type SimulatedProvider = ResultsDocument['simulated_providers'][number];

export function renderHtmlReport(doc: ResultsDocument): string {
  const labels = doc.scenarios.map(label);
  const title = `lb-demo report: ${labels.join(', ') || 'no scenario'}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="lb-demo ${doc.lb_demo}">
<title>${title}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
${header(doc)}
<main>
${summarySection(doc)}
${checksSection(doc)}
${doc.scenarios.map((scenario, i) => scenarioSection(scenario, i))}
</main>
<footer>
<p>Rendered by lb-demo from the results document of a run of lb-demo ${doc.lb_demo}. This page is self-contained: no script, no external style, font or image.</p>
</footer>
</body>
</html>
`;
  return page.text;
}

// ---------------------------------------------------------------------------------------------
// Page sections.

function header(doc: ResultsDocument): Html {
  const embedded = doc.embedded_gateway;
  return html`<header>
<h1>Portkey AI Gateway load balancing</h1>
<dl class="facts">
<dt>lb-demo</dt><dd>${doc.lb_demo}</dd>
<dt>Gateway</dt><dd><span class="url">${doc.gateway}</span></dd>
<dt>Embedded gateway</dt><dd class="embedded">${
    embedded
      ? `yes: ${embedded.package} ${embedded.version}, started by lb-demo on this machine (loopback only)`
      : 'no: a gateway that was already running'
  }</dd>
<dt>Providers</dt><dd class="providers">${
    doc.simulated_providers.length > 0
      ? 'SIMULATED by lb-demo (see below)'
      : 'real: none was simulated by lb-demo'
  }</dd>
${
  doc.merged
    ? html`<dt>Shards</dt><dd class="merged">run ${doc.merged.run_id}: ${count(doc.merged.complete.length)} of ${count(doc.merged.shards)} shards complete, merged by lb-demo merge; percentiles within ${percent(doc.merged.percentile_max_relative_error)} of the exact ones</dd>`
    : ''
}
</dl>
${simulatedNotice(doc.simulated_providers)}
${
  doc.interrupted
    ? html`<p class="notice interrupted"><strong>Interrupted:</strong> the run was stopped early; the figures cover the requests that completed.</p>`
    : ''
}
</header>`;
}

function simulatedNotice(simulated: readonly SimulatedProvider[]): Html | '' {
  if (simulated.length === 0) return '';
  const items = simulated.map(
    (s) =>
      html`<li data-target="${s.target}"><strong>${s.target}</strong>: ${s.kind}-compatible simulator, about ${s.latency_ms} ms per answer${
        s.faults ? html`, faults injected: <code>${s.faults}</code>` : ''
      }; it counted ${count(s.served_chat_completions)} chat completions over the whole run</li>`,
  );
  return html`<div class="notice simulated">
<p><strong>Providers were SIMULATED on this machine.</strong> Their answers and latencies are made up (the simulated latencies are below); the routing decisions are the real gateway's.</p>
<ul>${items}</ul>
</div>`;
}

function summarySection(doc: ResultsDocument): Html {
  if (doc.scenarios.length === 0) {
    return html`<section class="summary"><h2>Summary</h2><p>The document holds no scenario: the run ended before the first one completed.</p></section>`;
  }
  const rows = doc.scenarios.map((s, i) => {
    const checks = checksOf(doc, s);
    const failed = checks.filter((c) => !c.passed).length;
    return html`<tr>
<td class="text"><a href="#scenario-${i + 1}">${label(s)}</a></td>
<td>${count(s.requests)}</td>
<td>${percent(s.success_rate)}</td>
<td class="text">${s.test.outcome}${s.test.outcome === 'inconclusive' ? '' : ` (${formatP(s.test.p_value)})`}</td>
<td class="text">${
      checks.length === 0
        ? 'none'
        : failed === 0
          ? `${checks.length} passed`
          : `${failed} of ${checks.length} FAILED`
    }</td>
</tr>`;
  });
  return html`<section class="summary">
<h2>Summary</h2>
${table(
  'summary-table',
  html`<tr><th class="text">Scenario</th><th>Requests</th><th>Success</th><th class="text">Split against the weights</th><th class="text">Checks</th></tr>`,
  rows,
)}
</section>`;
}

function checksSection(doc: ResultsDocument): Html {
  if (doc.checks.length === 0) {
    return html`<section class="checks"><h2>Checks</h2><p>No check was asked for (--fail-on-skew, --min-success-rate, --max-p99).</p></section>`;
  }
  const failed = doc.checks.filter((c) => !c.passed).length;
  const outcome =
    failed === 0
      ? `All ${doc.checks.length} checks passed.`
      : `${failed} of ${doc.checks.length} checks FAILED: the run exited with status 1.`;
  const items = doc.checks.map(
    (c) =>
      html`<li class="check ${c.passed ? 'pass' : 'fail'}" data-check="${c.check}" data-scenario="${c.scenario}"><span class="badge">${c.passed ? 'PASS' : 'FAIL'}</span> <code>${checkName(c.check)}</code> ${c.message}</li>`,
  );
  return html`<section class="checks">
<h2>Checks</h2>
<p class="checks-outcome ${doc.checks_passed === false ? 'fail' : 'pass'}"><strong>${outcome}</strong></p>
<ul class="check-list">${items}</ul>
</section>`;
}
