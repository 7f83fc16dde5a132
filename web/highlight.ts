import type { Evidence } from '../schemas/agreement.js';
import { h, type SafeHtml } from './html.js';

/** Where a quote sits in a text: the extractor's offsets when they hold, else a search. */
export function locateQuote(text: string, e: Evidence): [number, number] | null {
  if (e.quote === '') return null;
  if (
    e.start !== undefined &&
    e.end !== undefined &&
    e.end <= text.length &&
    text.slice(e.start, e.end) === e.quote
  )
    return [e.start, e.end];
  const at = text.indexOf(e.quote);
  if (at >= 0) return [at, at + e.quote.length];
  // Quotes are often whitespace-normalised copies of the text: match ignoring whitespace runs.
  const chars = [...e.quote.replace(/\s+/g, '')].slice(0, 400);
  if (chars.length === 0) return null;
  const pattern = chars.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*');
  const m = new RegExp(pattern, 'u').exec(text);
  return m === null ? null : [m.index, m.index + m[0].length];
}

export interface Highlighted {
  readonly html: SafeHtml;
  /** Evidence whose quote could not be found in the text. */
  readonly missing: readonly Evidence[];
}

/**
 * The text with each evidence quote in a <mark> naming its fields. Overlapping quotes are cut
 * at every boundary so each piece lists all the fields that cover it.
 */
export function highlight(text: string, evidence: readonly Evidence[]): Highlighted {
  const spans: { start: number; end: number; field: string }[] = [];
  const missing: Evidence[] = [];
  for (const e of evidence) {
    const at = locateQuote(text, e);
    if (at === null) missing.push(e);
    else spans.push({ start: at[0], end: at[1], field: e.field });
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort(
    (a, b) => a - b,
  );
  const parts: SafeHtml[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i] as number;
    const to = cuts[i + 1] as number;
    const piece = text.slice(from, to);
    const covering = spans.filter((s) => s.start <= from && s.end >= to);
    if (covering.length === 0) {
      parts.push(h`${piece}`);
      continue;
    }
    const fields = [...new Set(covering.map((s) => s.field))];
    const ending = [...new Set(covering.filter((s) => s.end === to).map((s) => s.field))];
    parts.push(
      h`<mark data-fields="${fields.join(' ')}" title="${fields.join(', ')}">${piece}${ending.length > 0 ? h`<sup>${ending.join(' ')}</sup>` : ''}</mark>`,
    );
  }
  return { html: h`${parts}`, missing };
}
