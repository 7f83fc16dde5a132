import * as OpenCC from 'opencc-js/t2cn';

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
  /[們這個會與關於國發簽協議備錄華區經說對時為來後過還進動將應當際達雙務護邊長門問題實現總統處見義參資訊警務聯]/g;
const TRADITIONAL_MIN_HITS = 4;
const TRADITIONAL_SAMPLE = 4000;

// Built once: the dictionary load is the expensive part of OpenCC.
const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

const FULLWIDTH = /[\uFF01-\uFF5E\u3000]/g;

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
 * Same-length normalisation: Traditional to Simplified (only when the page looks Traditional,
 * since conversion costs about 10 ms per 50 KB) and full-width ASCII to half-width.
 */
export function normalise(raw: string): string {
  let text = raw;
  if (looksTraditional(text)) {
    const converted = toSimplified(text);
    // OpenCC's t2cn is character-for-character for nearly all text; when a phrase rule changes
    // the length, offsets would break, so keep the original script.
    if (converted.length === text.length) text = converted;
  }
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

function findTitles(text: string): Span[] {
  const titles: Span[] = [];
  const re = /《[^《》\n]{1,300}》/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    titles.push({ start: m.index, end: m.index + m[0].length });
  }
  return titles;
}

function segment(
  text: string,
  titles: readonly Span[],
): {
  paragraphs: Span[];
  sentences: Sentence[];
} {
  const paragraphs: Span[] = [];
  const sentences: Sentence[] = [];
  let titleIdx = 0;
  let paraStart = 0;
  let sentStart = 0;
  const pushSentence = (end: number): void => {
    let s = sentStart;
    while (s < end && /\s/.test(text[s] ?? '')) s += 1;
    if (end > s) {
      sentences.push({
        start: s,
        end,
        index: sentences.length,
        paragraph: paragraphs.length,
      });
    }
    sentStart = end;
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    while (titleIdx < titles.length && (titles[titleIdx]?.end ?? 0) <= i) titleIdx += 1;
    const inTitle = titleIdx < titles.length && (titles[titleIdx]?.start ?? Infinity) <= i;
    if (c === '\n' || c === '\r') {
      pushSentence(i);
      sentStart = i + 1;
      if (i > paraStart) paragraphs.push({ start: paraStart, end: i });
      paraStart = i + 1;
      continue;
    }
    if (inTitle) continue;
    // Semicolons do not end a sentence: lists of signed documents run across them.
    if (c === '。' || c === '！' || c === '？' || c === '!' || c === '?') {
      let end = i + 1;
      while (end < text.length && CLOSERS.has(text[end] ?? '')) end += 1;
      pushSentence(end);
      i = end - 1;
    } else if (c === '.' && periodEnds(text, i)) {
      let end = i + 1;
      while (end < text.length && CLOSERS.has(text[end] ?? '')) end += 1;
      pushSentence(end);
      i = end - 1;
    }
  }
  pushSentence(text.length);
  if (text.length > paraStart) paragraphs.push({ start: paraStart, end: text.length });
  return { paragraphs, sentences };
}

const HEADLINE_MAX_CHARS = 160;

export function parseYmd(value: string | null | undefined): Ymd | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (m === null) return null;
  const ymd = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  return isValidYmd(ymd.y, ymd.m, ymd.d) ? ymd : null;
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

export function titleAt(doc: PreparedText, pos: number): Span | undefined {
  for (const t of doc.titles) {
    if (t.start <= pos && pos < t.end) return t;
    if (t.start > pos) break;
  }
  return undefined;
}

export function overlapsTitle(doc: PreparedText, start: number, end: number): boolean {
  for (const t of doc.titles) {
    if (t.start < end && start < t.end) return true;
    if (t.start >= end) break;
  }
  return false;
}

/** The clause around `pos`: bounded by Chinese/English commas and sentence ends. */
export function clauseAround(doc: PreparedText, pos: number, within: Span): Span {
  const text = doc.text;
  let start = pos;
  while (start > within.start && !/[，,；;：:。\n]/.test(text[start - 1] ?? '')) start -= 1;
  let end = pos;
  while (end < within.end && !/[，,；;。\n]/.test(text[end] ?? '')) end += 1;
  return { start, end };
}
