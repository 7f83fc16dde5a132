import { DOC_TYPES, type DocType } from '../schemas/codes.js';
import raw from './data/doc-types.json' with { type: 'json' };
import { guard, KeywordMatcher, type Match } from './matcher.js';
import type { PreparedText } from './text.js';

interface DocTermRow {
  readonly term: string;
  readonly type: string;
  readonly rejectIfPreceded?: string;
  readonly rejectIfFollowed?: string;
}

interface DocTypesFile {
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

/** Whether a term only says "documents" (合作文件, documents) without naming a kind. */
export function isGeneric(type: DocType): boolean {
  return type === 'unspecified';
}
