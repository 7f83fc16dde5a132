/**
 * HTML built from tagged templates that escape every interpolated value unless it is already
 * `SafeHtml`. Scraped text (titles, quotes, page text, URLs) is hostile input: it only ever
 * reaches a page through `h`, so escaping cannot be forgotten at one call site.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

export type Html = SafeHtml | string | number | boolean | null | undefined | readonly Html[];

function render(value: Html): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `h\`<td>${text}</td>\``: values escaped, SafeHtml and arrays of either kept as they are. */
export function h(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Html) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup written in this codebase (never scraped text). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** A query string from a record of values, skipping empty ones. */
export function query(
  params: Readonly<Record<string, string | number | undefined | null>>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
