import type { Evidence } from '../schemas/agreement.js';
import { type PreparedText, type Span, sentenceIndexAt } from './text.js';

/**
 * Evidence quotes: the key words that decided a field, widened to the surrounding sentence as
 * far as `maxChars` allows, cut from the original input so that
 * `input.text.slice(start, end) === quote`.
 */

/** Characters of context around the key words, shared between both sides. */
const CONTEXT_CHARS = 60;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function quote(doc: PreparedText, field: string, key: Span, maxChars: number): Evidence {
  const raw = doc.raw;
  let start = key.start;
  let end = Math.min(key.end, key.start + maxChars);
  const sentence = doc.sentences[sentenceIndexAt(doc, key.start)];
  const lo = sentence !== undefined && sentence.start <= key.start ? sentence.start : key.start;
  const hi = sentence !== undefined && sentence.end >= end ? sentence.end : end;
  const budget = Math.max(0, Math.min(maxChars - (end - start), CONTEXT_CHARS));
  // Widen towards the start first (Chinese readouts put who and when before the verb), then
  // give what the sentence end leaves unused back to the start.
  const right = Math.min(hi - end, budget - Math.min(start - lo, Math.ceil(budget * 0.6)));
  const left = Math.min(start - lo, budget - right);
  start -= left;
  end += right;
  while (start < end && /\s/.test(raw[start] ?? '')) start += 1;
  while (end > start && /\s/.test(raw[end - 1] ?? '')) end -= 1;
  if (start > 0 && isLowSurrogate(raw.charCodeAt(start))) start += 1;
  if (end < raw.length && isLowSurrogate(raw.charCodeAt(end))) end -= 1;
  return { field, source_url: doc.url, quote: raw.slice(start, end), start, end };
}
