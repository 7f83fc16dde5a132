import { DOC_TYPES, type DocType } from '../schemas/codes.js';
import raw from './data/doc-types.json' with { type: 'json' };
import { guard, KeywordMatcher, type Match } from './matcher.js';
import type { PreparedText, Span } from './text.js';

interface DocTermRow {
  readonly term: string;
  readonly type: string;
  readonly rejectIfPreceded?: string;
  readonly rejectIfFollowed?: string;
}

interface DocTypesFile {
  readonly codedTerms: readonly string[];
  readonly zh: readonly DocTermRow[];
  readonly en: readonly DocTermRow[];
}

const data: DocTypesFile = raw;

function asDocType(value: string): DocType {
  const found = DOC_TYPES.find((t) => t === value);
  if (found === undefined) {
    throw new TypeError(`Expected a doc type from DOC_TYPES in doc-types.json, got \`${value}\``);
  }
  return found;
}

// One case-insensitive matcher for both scripts: lower-casing leaves Chinese untouched, and
// scanning the text once is cheaper than scanning it per language.
const MATCHER = new KeywordMatcher<DocType>(
  [...data.zh, ...data.en].map((row) => ({
    term: row.term,
    value: asDocType(row.type),
    rejectIfPreceded: guard(row.rejectIfPreceded),
    rejectIfFollowed: guard(row.rejectIfFollowed),
  })),
  { caseInsensitive: true },
);

export type DocTermMatch = Match<DocType>;

/** Document terms in `[from, to)` of the prepared text (leftmost-longest). */
export function findDocTerms(doc: PreparedText, from: number, to: number): DocTermMatch[] {
  return MATCHER.find(doc.lower, from, to);
}

/**
 * The document type a title names: the term that ends last wins, so
 * 《关于落实〈…协定〉的行动计划》 is an action plan, not an accord.
 */
export function classifyTitle(
  doc: PreparedText,
  start: number,
  end: number,
): DocTermMatch | undefined {
  let best: DocTermMatch | undefined;
  for (const m of MATCHER.find(doc.lower, start, end)) {
    if (best === undefined || m.end >= best.end) best = m;
  }
  return best;
}

const CODED_TERMS: ReadonlySet<string> = new Set(data.codedTerms);

/**
 * The part of a matched term that a record codes as `doc_type_term`: the longest word of
 * DESIGN.md's doc_type list that the term ends in (合作协议 -> 协议, 合作协定 stays), else the
 * whole term (合作备忘录, memorandum of understanding). Read on the Simplified text, so the span
 * cuts the page's own script (合作協議 -> 協議).
 */
export function codedTermSpan(doc: PreparedText, term: Span): Span {
  const word = doc.lower.slice(term.start, term.end);
  if (CODED_TERMS.has(word)) return term;
  for (let k = 1; k < word.length; k += 1) {
    if (CODED_TERMS.has(word.slice(k))) return { start: term.start + k, end: term.end };
  }
  return term;
}
