// Markup for the HTML page. Every string goes through `html`, which escapes it unless it is
// already markup; SVG elements are built by `svg`. Pure.

/** Markup known to be safe. Anything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly text: string) {}
}

export type Part = Html | string | number | null | undefined | false | readonly Part[];

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export function raw(text: string): Html {
  return new Html(text);
}

export function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('\n');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(typeof part === 'number' ? String(part) : (part as string));
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For text and for attribute values (always written in double quotes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * An SVG element. Coordinates are rounded to 2 decimals so the markup stays short; data-*
 * attributes keep the document's figures as they are.
 */
export function svg(
  tag: string,
  attributes: Record<string, string | number>,
  content?: string,
): Html {
  const list = Object.entries(attributes)
    .map(([name, value]) => {
      const text =
        typeof value === 'string' ? value : name.startsWith('data-') ? String(value) : n(value);
      return ` ${name}="${escapeHtml(text)}"`;
    })
    .join('');
  return content === undefined
    ? raw(`<${tag}${list}/>`)
    : raw(`<${tag}${list}>${escapeHtml(content)}</${tag}>`);
}

export function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A table in a wrapper that scrolls sideways on a narrow screen instead of widening the page. */
export function table(
  className: string,
  head: Html,
  rows: readonly Html[],
  caption?: string,
): Html {
  // A note above the wrapper rather than a <caption>, which would scroll away with the table.
  return html`${caption ? html`<p class="table-note">${caption}</p>` : ''}<div class="table-wrap"><table class="${className}">
<thead>${head}</thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/**
 * A generous estimate of the width of text in px at `size`, measured on DejaVu Sans Bold (wider
 * than the usual system fonts).
 */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const c of text) {
    if ('WMmw@%…'.includes(c)) em += 1.1;
    else if ("iljtfrI.,:;!|' ".includes(c)) em += 0.45;
    else if (c >= 'A' && c <= 'Z') em += 0.8;
    else em += 0.72;
  }
  return em * size;
}

/** The text, shortened with an ellipsis if it would be wider than `room`. */
export function fitText(text: string, size: number, room: number): string {
  if (textWidth(text, size) <= room) return text;
  const chars = Array.from(text.slice(0, 200));
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, size) > room) chars.pop();
  return `${chars.join('')}…`;
}
