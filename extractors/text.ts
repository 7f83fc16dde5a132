/// <reference path="./opencc-dicts.d.ts" />
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';
import HKVariantsRevPhrases from 'opencc-js/dict/HKVariantsRevPhrases';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import TSPhrases from 'opencc-js/dict/TSPhrases';
import TWPhrasesRev from 'opencc-js/dict/TWPhrasesRev';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';
import TWVariantsRevPhrases from 'opencc-js/dict/TWVariantsRevPhrases';

/**
 * The text every field extractor reads. `text` and `lower` have exactly the length of the input,
 * character for character, so an offset found in either is an offset into `input.text` and
 * evidence quotes can be cut from the original.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Sentence extends Span {
  readonly index: number;
  readonly paragraph: number;
}

export interface Ymd {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

export interface PreparedText {
  /** The input as given: evidence quotes are cut from it. */
  readonly raw: string;
  /** Simplified script, half-width ASCII; same length as `raw`. */
  readonly text: string;
  /** `text` lower-cased; same length as `raw`. */
  readonly lower: string;
  readonly url: string | null;
  readonly published: Ymd | null;
  readonly paragraphs: readonly Span[];
  readonly sentences: readonly Sentence[];
  /** The page title (first line) when the text starts with one. */
  readonly headline: Span | null;
  /** Every 《…》 span, brackets included. */
  readonly titles: readonly Span[];
}

/** Characters that exist only in Traditional script and are common in police news. */
const TRADITIONAL_HINT =
  /[們這個會與關於國發簽協議備錄華區經說對時為來後過還進動將應當際達雙務護邊長門問題實現總統處見義參資訊務聯]/g;
// Converting Simplified text is harmless (it maps to itself), so a low bar only costs time.
const TRADITIONAL_MIN_HITS = 2;
const TRADITIONAL_SAMPLE = 4000;

interface PhraseRule {
  readonly from: string;
  readonly to: string;
}

interface TraditionalTables {
  /** Code unit -> Simplified code unit (identity where nothing changes). */
  readonly chars: Uint16Array;
  /** Phrases whose Simplified form differs from the character-by-character one, by first unit. */
  readonly phrases: Map<number, PhraseRule[]>;
}

let tables: TraditionalTables | undefined;

function entries(dict: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of dict.split('|')) {
    const [from, to] = entry.split(' ');
    if (from !== undefined && to !== undefined && from.length > 0) out.push([from, to]);
  }
  return out;
}

/**
 * Traditional-to-Simplified tables built on first use from OpenCC's own dictionaries, the same
 * chain OpenCC runs for Taiwan and Hong Kong text (regional phrases and variants to standard
 * Traditional, then standard Traditional to Simplified). Only rules that keep the length are
 * taken, so every offset into the converted text is an offset into the original: phrases such
 * as 瞭解→了解, 網路→网络, 寮國→老挝 and 宏都拉斯→洪都拉斯 convert as OpenCC converts them, and the few
 * length-changing ones (澳洲→澳大利亚) are aliases in the gazetteer instead. Building takes a few
 * milliseconds once per process; converting is one table look-up per character.
 */
function traditionalTables(): TraditionalTables {
  if (tables !== undefined) return tables;
  const variant = new Map<string, string>();
  for (const [from, to] of [...entries(TWVariantsRev), ...entries(HKVariantsRev)]) {
    if (from.length === 1 && to.length === 1) variant.set(from, to);
  }
  const chars = new Uint16Array(0x10000);
  for (let c = 0; c < chars.length; c += 1) chars[c] = c;
  const simplified = new Map<string, string>();
  for (const [from, to] of entries(TSCharacters)) {
    if (from.length === 1 && to.length === 1) simplified.set(from, to);
  }
  const charOf = (c: string): string => {
    const standard = variant.get(c) ?? c;
    return simplified.get(standard) ?? standard;
  };
  for (const c of new Set([...variant.keys(), ...simplified.keys()])) {
    chars[c.charCodeAt(0)] = charOf(c).charCodeAt(0);
  }
  const byChar = (text: string): string => {
    let out = '';
    for (const c of text) out += charOf(c);
    return out;
  };
  // Standard Traditional phrases (stage 2) first, so that regional phrases (stage 1) can be
  // finished with them.
  const stage2 = new Map<string, string>();
  for (const [from, to] of entries(TSPhrases)) if (from.length === to.length) stage2.set(from, to);
  const finish = (text: string): string => stage2.get(text) ?? byChar(text);
  const phrases = new Map<number, PhraseRule[]>();
  const add = (from: string, to: string): void => {
    if (to === byChar(from)) return;
    const key = from.charCodeAt(0);
    const bucket = phrases.get(key) ?? [];
    if (!bucket.some((p) => p.from === from)) bucket.push({ from, to });
    phrases.set(key, bucket);
  };
  for (const dict of [TWPhrasesRev, TWVariantsRevPhrases, HKVariantsRevPhrases]) {
    for (const [from, to] of entries(dict)) {
      if (from.length === to.length && from.length > 1) add(from, finish(to));
    }
  }
  for (const [from, to] of stage2) if (from.length > 1) add(from, to);
  for (const bucket of phrases.values()) bucket.sort((a, b) => b.from.length - a.from.length);
  tables = { chars, phrases };
  return tables;
}

function toSimplified(text: string): string {
  const { chars, phrases } = traditionalTables();
  const codes = new Array<number>(text.length);
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const bucket = phrases.get(c);
    let rule: PhraseRule | undefined;
    if (bucket !== undefined) rule = bucket.find((p) => text.startsWith(p.from, i));
    if (rule === undefined) {
      codes[i] = chars[c] ?? c;
      i += 1;
      continue;
    }
    for (let k = 0; k < rule.to.length; k += 1) codes[i + k] = rule.to.charCodeAt(k);
    i += rule.to.length;
  }
  let out = '';
  const CHUNK = 8192;
  for (let k = 0; k < codes.length; k += CHUNK) {
    out += String.fromCharCode(...codes.slice(k, k + CHUNK));
  }
  return out;
}

// Digits, Latin letters and a few signs only: Chinese punctuation (，；：！？) stays as it is,
// since clause and sentence rules read it.
const FULLWIDTH = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF08\uFF09\uFF0D\uFF0E\uFF0F\u3000]/g;

function halfWidth(text: string): string {
  if (!FULLWIDTH.test(text)) return text;
  FULLWIDTH.lastIndex = 0;
  return text.replace(FULLWIDTH, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

function looksTraditional(text: string): boolean {
  const sample = text.length > TRADITIONAL_SAMPLE ? text.slice(0, TRADITIONAL_SAMPLE) : text;
  const hits = sample.match(TRADITIONAL_HINT);
  return hits !== null && hits.length >= TRADITIONAL_MIN_HITS;
}

/**
 * Same-length normalisation: Traditional to Simplified (only when the page looks Traditional),
 * the typographic apostrophe to the plain one, and full-width digits and letters to half-width.
 */
export function normalise(raw: string): string {
  let text = raw;
  if (looksTraditional(text)) text = toSimplified(text);
  // A typographic apostrophe (People’s, China’s) reads as the plain one every rule is written with.
  if (text.includes('’')) text = text.replaceAll('’', "'");
  return halfWidth(text);
}

function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'st',
  'no',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'vs',
  'etc',
  'gen',
  'lt',
  'col',
  'gov',
  'rep',
  'sen',
  'prof',
  'jr',
  'sr',
  'inc',
  'ltd',
  'co',
  'corp',
]);

const CLOSERS = new Set(['”', '’', '"', "'", ')', '」', '』', '】']);

function isUpperOrDigit(c: string | undefined): boolean {
  return c !== undefined && /[A-Z0-9“"'(\u4e00-\u9fff]/.test(c);
}

/** Whether a '.' at `i` ends a sentence (not an abbreviation, decimal or initial). */
function periodEnds(text: string, i: number): boolean {
  const next = text[i + 1];
  if (next !== undefined && next !== ' ' && next !== '\n' && next !== '\t') return false;
  let j = i + 1;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j += 1;
  if (j < text.length && text[j] !== '\n' && !isUpperOrDigit(text[j])) return false;
  let k = i - 1;
  while (k >= 0 && /[A-Za-z]/.test(text[k] ?? '')) k -= 1;
  const word = text.slice(k + 1, i);
  if (word.length === 1) return false; // an initial or U.S.-style abbreviation
  return !ABBREVIATIONS.has(word.toLowerCase());
}

/** The last words of a document's name: a quoted name ending in one is a title too. */
const DOCUMENT_ENDING =
  /(?:协议|协定|议定书|备忘录|纪要|声明|宣言|意向书|换文|安排|计划|规划|方案|清单|交接书|证书|文件|纲要|公报|条约)书?$/;

/**
 * 《…》 spans, and 「…」 / “…” spans whose text ends in a document word: Taiwan and Hong Kong
 * papers quote document names instead of putting them in 《》.
 */
function findTitles(text: string): Span[] {
  const titles: Span[] = [];
  const re = /《[^《》\n]{1,300}》|「[^「」\n]{2,300}」|“[^“”\n]{2,300}”/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const quoted = m[0][0] !== '《';
    const inner = m[0].slice(1, -1);
    if (quoted && (!/[\u4e00-\u9fff]/.test(inner) || !DOCUMENT_ENDING.test(inner))) continue;
    titles.push({ start: m.index, end: m.index + m[0].length });
  }
  return titles;
}

const BOUNDARY = /[。！？!?\n\r]|\.(?=[\s]|$)/g;

function segment(
  text: string,
  titles: readonly Span[],
): {
  paragraphs: Span[];
  sentences: Sentence[];
} {
  const paragraphs: Span[] = [];
  const sentences: Sentence[] = [];
  let sentStart = 0;
  let paraStart = 0;
  let titleIdx = 0;
  const pushSentence = (end: number): void => {
    let s = sentStart;
    while (s < end && isSpaceCode(text.charCodeAt(s))) s += 1;
    if (end > s) {
      sentences.push({ start: s, end, index: sentences.length, paragraph: paragraphs.length });
    }
    sentStart = end;
  };
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(text); m !== null; m = BOUNDARY.exec(text)) {
    const i = m.index;
    const c = m[0];
    if (c === '\n' || c === '\r') {
      pushSentence(i);
      sentStart = i + 1;
      if (i > paraStart) paragraphs.push({ start: paraStart, end: i });
      paraStart = i + 1;
      continue;
    }
    while (titleIdx < titles.length && (titles[titleIdx]?.end ?? 0) <= i) titleIdx += 1;
    if (titleIdx < titles.length && (titles[titleIdx]?.start ?? Infinity) <= i) continue;
    if (c === '.' && !periodEnds(text, i)) continue;
    let end = i + 1;
    while (end < text.length && CLOSERS.has(text[end] ?? '')) end += 1;
    pushSentence(end);
    BOUNDARY.lastIndex = end;
  }
  pushSentence(text.length);
  if (text.length > paraStart) paragraphs.push({ start: paraStart, end: text.length });
  return { paragraphs, sentences };
}

function isSpaceCode(code: number): boolean {
  return (
    code === 32 || code === 9 || code === 10 || code === 13 || code === 0x3000 || code === 0xa0
  );
}

const HEADLINE_MAX_CHARS = 160;

/** The years CodedAgreement accepts. */
const MIN_YEAR = 1949;
const MAX_YEAR = 2100;

export function parseYmd(value: string | null | undefined): Ymd | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/.exec(value);
  if (m === null) return null;
  const ymd = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  // Outside the scheme's year range a page date is a parsing accident, not a reference.
  const plausible = ymd.y >= MIN_YEAR && ymd.y <= MAX_YEAR;
  return plausible && isValidYmd(ymd.y, ymd.m, ymd.d) ? ymd : null;
}

export function isValidYmd(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || m < 1 || m > 12 || d < 1 || d > 31) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function prepare(raw: string, url: string | null, published: string | null): PreparedText {
  const text = normalise(raw);
  const titles = findTitles(text);
  const { paragraphs, sentences } = segment(text, titles);
  const first = paragraphs.find((p) => text.slice(p.start, p.end).trim().length > 0);
  const headline =
    first !== undefined && paragraphs.length > 1 && first.end - first.start <= HEADLINE_MAX_CHARS
      ? first
      : null;
  return {
    raw,
    text,
    lower: lowerSameLength(text),
    url,
    published: parseYmd(published),
    paragraphs,
    sentences,
    headline,
    titles,
  };
}

const regionsOfDoc = new WeakMap<PreparedText, readonly Span[]>();

/**
 * The parts of the page the field extractors read (the signing reports and their readouts).
 * Page-wide scans (countries, officials, agencies, topics) run over these only, so a 50 KB page
 * of navigation and other news costs what its one report costs.
 */
export function setRegions(doc: PreparedText, spans: readonly Span[]): void {
  const sorted = [...spans]
    .map((s) => ({ start: Math.max(0, s.start), end: Math.min(doc.text.length, s.end) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && s.start <= last.end) {
      merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    } else merged.push(s);
  }
  regionsOfDoc.set(doc, merged);
}

/** The regions set for the page, else the whole page. */
export function regionsOf(doc: PreparedText): readonly Span[] {
  return regionsOfDoc.get(doc) ?? [{ start: 0, end: doc.text.length }];
}

/** The items of `sorted` (by start) that lie inside `[from, to)`, by binary search. */
export function inRange<T extends Span>(sorted: readonly T[], from: number, to: number): T[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid]?.start ?? 0) < from) lo = mid + 1;
    else hi = mid;
  }
  const out: T[] = [];
  for (let i = lo; i < sorted.length; i += 1) {
    const item = sorted[i];
    if (item === undefined || item.start >= to) break;
    if (item.end <= to) out.push(item);
  }
  return out;
}

/** Index of the sentence that contains `pos` (or the last one before it). */
export function sentenceIndexAt(doc: PreparedText, pos: number): number {
  const s = doc.sentences;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((s[mid]?.start ?? 0) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function overlapsTitle(doc: PreparedText, start: number, end: number): boolean {
  for (const t of doc.titles) {
    if (t.start < end && start < t.end) return true;
    if (t.start >= end) break;
  }
  return false;
}

const CLAUSE_END = new Set([...'，,；;。\n'].map((c) => c.charCodeAt(0)));
/** A colon ends the clause before it (双方表示：…) but not the one after it. */
const CLAUSE_START = new Set([...CLAUSE_END, '：'.charCodeAt(0), ':'.charCodeAt(0)]);
/** How far a clause is searched for in each direction; no real clause is longer. */
const CLAUSE_MAX_CHARS = 400;

/** The clause around `pos`: bounded by Chinese/English commas and sentence ends. */
export function clauseAround(doc: PreparedText, pos: number, within: Span): Span {
  const text = doc.text;
  const lo = Math.max(within.start, pos - CLAUSE_MAX_CHARS);
  const hi = Math.min(within.end, pos + CLAUSE_MAX_CHARS);
  let start = pos;
  while (start > lo && !CLAUSE_START.has(text.charCodeAt(start - 1))) start -= 1;
  let end = pos;
  while (end < hi && !CLAUSE_END.has(text.charCodeAt(end))) end += 1;
  return { start, end };
}
