import type { DocType } from '../schemas/codes.js';
import { classifyTitle, type DocTermMatch, findDocTerms } from './doctype.js';
import {
  clauseAround,
  overlapsTitle,
  type PreparedText,
  type Sentence,
  type Span,
  sentenceIndexAt,
} from './text.js';
import type { DocMention, SigningEvent } from './types.js';

/**
 * Signing events: sentences where a signing verb governs a document (签署了《…》, signed a
 * memorandum of understanding), minus plans (将签署, will sign), negations and background
 * (根据2015年签署的…, under the MoU signed in 2015), split into one mention per document.
 * Whether the parties are MPS and a foreign counterpart is checked by the caller.
 */

/**
 * Cheap test on the raw page before any normalisation or segmentation: most crawled pages fail
 * it. It reads both scripts (簽) and full-width letters are rare enough to ignore here.
 */
export const MAY_REPORT_SIGNING =
  /签|簽|缔结|締結|互换|互換|交换|交換|sign|inked|inks\b|\bink\b|conclud/i;

const VERB =
  /(见证(?:了)?(?:双方)?(?:代表)?(?:共同)?)?(签署|签订|签约|签字|草签|签下|缔结|订立)|(?:互换|交换)(?:了)?(?=[^，。]{0,16}(?:换文|照会|批准书|文本))|\b(witness(?:ed|es|ing)?\s+the\s+)?(sign(?:ed|s|ing)?|inked|inks|ink|concluded)\b/gi;

const FUTURE_ZH =
  /(将|拟|计划|准备|即将|有望|预计|希望|愿|愿意|期待|同意|商定|争取|尽快|早日|下一步|将要|有待)[^，。；]{0,8}$/;
const NEGATION_ZH = /(未|没有|尚未|不)\s*$/;
const FUTURE_EN =
  /\b(will|would|shall|to|could|may|might|plans?|planned|expected|set|going|intends?|ready|willing|hopes?|aims?|agreed|agree|are|is)\s+(?:(?:to|be|also|soon|jointly|formally)\s+){0,3}$/;
const NEGATION_EN = /\b(not|never|yet to|failed to)\s+(?:be\s+)?$/;
const BACKGROUND_BEFORE_ZH =
  /根据|依据|按照|回顾|总结|落实|执行|曾|此前|先后|历年|累计|迄今|至今|近年来|多年来|以往|过去/;
const BACKGROUND_AFTER_ZH = /^[了的]?[^，。]{0,40}?(以来|基础上|框架下|框架内|生效|周年)/;
const CUMULATIVE_ZH =
  /已(?:经)?[^，。]{0,12}?(?:\d+|[两三四五六七八九十百]+)(?:余|多)?(?:份|项|个)/;
const ATTRIBUTIVE_FRESH = /此次|本次|今天|今日|这次|会上|会后|当天|刚刚|当日|双方/;
const BACKGROUND_BEFORE_EN =
  /\b(since|pursuant to|in line with|according to|implement\w*|based on|previously)\b[^.;]{0,40}$|\bhad\s+$/i;
const BACKGROUND_AFTER_EN =
  /^\s+(in\s+(19|20)\d{2}|last\s+(year|month)|previously|earlier|years ago|more than|over \d|nearly)/i;
const CUMULATIVE_EN =
  /\b(have|has|had)\s+signed\s+(more than|over|nearly|about|some|a total of|\d+)/i;

const CEREMONY = /^(?:了)?\s*(?:仪式|ceremony)|^\s*ceremony/i;

interface Verb extends Span {
  readonly witnessed: boolean;
}

function clauseText(doc: PreparedText, span: Span): string {
  // Titles are masked so 落实 or 以来 inside a document's name does not make it background.
  let text = doc.text.slice(span.start, span.end);
  for (const t of doc.titles) {
    if (t.end <= span.start || t.start >= span.end) continue;
    const s = Math.max(0, t.start - span.start);
    const e = Math.min(text.length, t.end - span.start);
    text = text.slice(0, s) + '＿'.repeat(e - s) + text.slice(e);
  }
  return text;
}

function isActiveVerb(
  doc: PreparedText,
  sentence: Sentence,
  verb: Span,
  english: boolean,
): boolean {
  const text = doc.text;
  const clause = clauseAround(doc, verb.start, sentence);
  const before = clauseText(doc, { start: clause.start, end: verb.start });
  const after = text.slice(verb.end, Math.min(sentence.end, verb.end + 60));
  if (english) {
    const lowerBefore = doc.lower.slice(Math.max(sentence.start, verb.start - 60), verb.start);
    if (NEGATION_EN.test(lowerBefore)) return false;
    const word = doc.lower.slice(verb.start, verb.end);
    if (FUTURE_EN.test(lowerBefore) && !/^(signed|inked|concluded)$/.test(word)) return false;
    if (/\b(will|would|shall)\s+be\s+$/.test(lowerBefore)) return false;
    if (BACKGROUND_BEFORE_EN.test(lowerBefore)) return false;
    if (BACKGROUND_AFTER_EN.test(after)) return false;
    if (CUMULATIVE_EN.test(text.slice(Math.max(sentence.start, verb.start - 12), verb.end + 30))) {
      return false;
    }
    return true;
  }
  const past = /^[了过]/.test(after);
  if (NEGATION_ZH.test(before)) return false;
  if (!past && FUTURE_ZH.test(before)) return false;
  if (BACKGROUND_BEFORE_ZH.test(before)) return false;
  if (BACKGROUND_AFTER_ZH.test(clauseText(doc, { start: verb.end, end: clause.end }))) return false;
  if (CUMULATIVE_ZH.test(clauseText(doc, clause))) return false;
  // 签署的《…》 is a relative clause: a fresh signing only with 此次 / 会上 … before it.
  if (after.startsWith('的') && !ATTRIBUTIVE_FRESH.test(before)) return false;
  return true;
}

/** Active signing verbs of the whole page, grouped by sentence index (one pass over the text). */
function findVerbs(doc: PreparedText): Map<number, Verb[]> {
  const bySentence = new Map<number, Verb[]>();
  VERB.lastIndex = 0;
  for (let m = VERB.exec(doc.text); m !== null; m = VERB.exec(doc.text)) {
    const start = m.index;
    const end = start + m[0].length;
    // Titles are documents, not verbs: 《…签署…》 says nothing about this page.
    if (overlapsTitle(doc, start, end)) continue;
    const index = sentenceIndexAt(doc, start);
    const sentence = doc.sentences[index];
    if (sentence === undefined || end > sentence.end) continue;
    const english = m[4] !== undefined;
    if (!isActiveVerb(doc, sentence, { start, end }, english)) continue;
    const list = bySentence.get(index) ?? [];
    list.push({ start, end, witnessed: m[1] !== undefined || m[3] !== undefined });
    bySentence.set(index, list);
  }
  return bySentence;
}

const TITLE_SKIP_BEFORE = /(根据|依据|按照|落实|贯彻|执行|援引|基于|延续|对照|关于)\s*$/;
const TITLE_SKIP_AFTER = /^\s*(精神|规定|要求|框架|基础上|以来|有关规定)/;
const UMBRELLA_BEFORE = /等[^，。；、《》]{0,6}$|including\s*$|such as\s*$/i;
const QUANTITY_ZH = /(\d+|[两二三四五六七八九十])\s*(?:份|项|个)[^，。；《》]{0,4}$/;
const QUANTITY_EN = /\b(two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?:[\w-]+\s+){0,2}$/i;
const EN_REFERENCE_BEFORE =
  /\b(implement\w*|under|pursuant to|in line with|according to|based on|framework of|since|existing|previous)\b[^.;]{0,25}$/i;
const EN_NUMBERS: Readonly<Record<string, number>> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
const CN_SMALL: Readonly<Record<string, number>> = {
  两: 2,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
};
const MAX_QUANTITY = 10;

function quantityOf(doc: PreparedText, term: Span, english: boolean): number {
  const before = doc.text.slice(Math.max(0, term.start - 24), term.start);
  const m = (english ? QUANTITY_EN : QUANTITY_ZH).exec(before);
  if (m === null) return 1;
  const word = (m[1] ?? '').toLowerCase();
  const n = /^\d+$/.test(word) ? Number(word) : (EN_NUMBERS[word] ?? CN_SMALL[word] ?? 1);
  return Math.max(1, Math.min(MAX_QUANTITY, n));
}

const EN_TITLE_CONNECTORS = new Set([
  'of',
  'on',
  'in',
  'and',
  'the',
  'for',
  'between',
  'to',
  'against',
  "People's",
  'Republic',
]);

/** A capitalised run around an English document term ("Memorandum of Understanding on …"). */
function englishTitle(doc: PreparedText, term: Span, sentence: Sentence): Span | null {
  const text = doc.text;
  // Quoted: “…memorandum…”.
  const open = Math.max(text.lastIndexOf('“', term.start), text.lastIndexOf('"', term.start - 1));
  if (open >= sentence.start && term.start - open < 160) {
    const closeCurly = text.indexOf('”', term.end);
    const closeStraight = text.indexOf('"', term.end);
    const close = [closeCurly, closeStraight].filter((i) => i !== -1 && i <= sentence.end);
    const end = close.length > 0 ? Math.min(...close) : -1;
    if (end !== -1 && end - open < 300) return { start: open + 1, end };
  }
  if (!/[A-Z]/.test(text[term.start] ?? '')) return null;
  const tokens = /[A-Za-z'’-]+/y;
  let end = term.end;
  let lastCapEnd = term.end;
  let extra = 0;
  for (;;) {
    const space = /^[ ]+/.exec(text.slice(end, end + 3));
    if (space === null) break;
    tokens.lastIndex = end + space[0].length;
    const w = tokens.exec(text);
    if (w === null) break;
    const word = w[0];
    if (/^[A-Z]/.test(word)) {
      lastCapEnd = tokens.lastIndex;
      extra += 1;
    } else if (!EN_TITLE_CONNECTORS.has(word)) break;
    end = tokens.lastIndex;
    if (end - term.start > 260) break;
  }
  return extra >= 1 ? { start: term.start, end: lastCapEnd } : null;
}

/** The phrase that says what a bare document is about (关于打击…的谅解备忘录, MoU on …). */
function describes(
  doc: PreparedText,
  term: Span,
  sentence: Sentence,
  english: boolean,
  floor: number,
  ceiling: number,
): Span {
  const text = doc.text;
  if (english) {
    // Up to the next document named in the sentence, the end of the clause, or 160 characters.
    const stop = /[.;]|\bwhich\b|\bwhile\b|\bfollowing\b/g;
    stop.lastIndex = term.end;
    const m = stop.exec(text);
    const end = Math.min(
      m === null ? sentence.end : m.index,
      ceiling,
      sentence.end,
      term.end + 160,
    );
    return { start: term.start, end: Math.max(term.end, end) };
  }
  // Back to the clause start, but not into the document named before this one.
  let start = term.start;
  const lo = Math.max(sentence.start, floor);
  while (start > lo && !/[，,。；、》\n了]/.test(text[start - 1] ?? '')) start -= 1;
  return { start: Math.max(start, term.start - 60), end: term.end };
}

function mention(
  doc: PreparedText,
  type: DocType,
  term: DocTermMatch | null,
  titleZh: Span | null,
  titleEn: Span | null,
  describe: Span,
): DocMention {
  return {
    type,
    term: term === null ? null : doc.raw.slice(term.start, term.end),
    termSpan: term === null ? null : { start: term.start, end: term.end },
    titleZh: titleZh === null ? null : doc.raw.slice(titleZh.start, titleZh.end).trim(),
    titleZhSpan: titleZh,
    titleEn: titleEn === null ? null : doc.raw.slice(titleEn.start, titleEn.end).trim(),
    titleEnSpan: titleEn,
    describes: describe,
  };
}

/** 根据…协议, 落实…备忘录: a term in a clause of its own that only refers to a document. */
function inBackgroundClause(
  doc: PreparedText,
  term: Span,
  sentence: Sentence,
  verbs: readonly Verb[],
): boolean {
  const clause = clauseAround(doc, term.start, sentence);
  if (verbs.some((v) => v.start >= clause.start && v.end <= clause.end)) return false;
  return BACKGROUND_BEFORE_ZH.test(clauseText(doc, { start: clause.start, end: term.start }));
}

/** The documents a sentence names, one mention per document. */
function documentsIn(doc: PreparedText, sentence: Sentence, verbs: readonly Verb[]): DocMention[] {
  const text = doc.text;
  const titled: DocMention[] = [];
  const titlesHere = doc.titles.filter((t) => t.start >= sentence.start && t.end <= sentence.end);
  for (const t of titlesHere) {
    const inner = { start: t.start + 1, end: t.end - 1 };
    if (TITLE_SKIP_BEFORE.test(text.slice(Math.max(sentence.start, t.start - 8), t.start)))
      continue;
    if (TITLE_SKIP_AFTER.test(text.slice(t.end, t.end + 8))) continue;
    const term = classifyTitle(doc, inner.start, inner.end);
    if (term === undefined) {
      // A title without a document word counts only right after the verb (签署了《…》).
      const nearVerb = verbs.some((v) => /^[了的]?\s*$/.test(text.slice(v.end, t.start)));
      if (!nearVerb) continue;
      titled.push(mention(doc, 'other', null, inner, null, inner));
      continue;
    }
    titled.push(mention(doc, term.value, term, inner, null, inner));
  }
  const bare: { m: DocMention; qty: number; generic: boolean }[] = [];
  const terms = findDocTerms(doc, sentence.start, sentence.end);
  for (const [index, term] of terms.entries()) {
    const ceiling = terms[index + 1]?.start ?? sentence.end;
    if (titlesHere.some((t) => t.start <= term.start && term.end <= t.end)) continue;
    const english = /[a-z]/i.test(term.term);
    const before = text.slice(Math.max(sentence.start, term.start - 30), term.start);
    if (english && EN_REFERENCE_BEFORE.test(before)) continue;
    if (!english && inBackgroundClause(doc, term, sentence, verbs)) continue;
    const generic = term.value === 'unspecified';
    if (UMBRELLA_BEFORE.test(before) && (titled.length > 0 || bare.length > 0)) continue;
    const titleEn = english ? englishTitle(doc, term, sentence) : null;
    const floor = Math.max(
      bare.at(-1)?.m.termSpan?.end ?? 0,
      ...titlesHere.filter((t) => t.end <= term.start).map((t) => t.end),
    );
    const describe = titleEn ?? describes(doc, term, sentence, english, floor, ceiling);
    bare.push({
      m: mention(doc, term.value, term, null, titleEn, describe),
      qty: quantityOf(doc, term, english),
      generic,
    });
  }
  const specific = bare.filter((b) => !b.generic);
  const out: DocMention[] = [...titled];
  const seenTypes = new Set(titled.map((d) => d.type));
  for (const b of specific) {
    // The same untitled kind twice in one sentence is one document said twice (MoU … (MoU)),
    // unless a number says otherwise.
    if (seenTypes.has(b.m.type) && b.qty === 1) continue;
    seenTypes.add(b.m.type);
    for (let i = 0; i < b.qty; i += 1) out.push(b.m);
  }
  if (out.length === 0) {
    const generic = bare.find((b) => b.generic);
    if (generic !== undefined) {
      for (let i = 0; i < generic.qty; i += 1) out.push(generic.m);
    } else {
      // A signing ceremony with no document named still reports a signing.
      const ceremony = verbs.find((v) => CEREMONY.test(text.slice(v.end, v.end + 12)));
      if (ceremony !== undefined) out.push(mention(doc, 'unspecified', null, null, null, ceremony));
    }
  }
  return out;
}

const FOLLOW_UP =
  /^(其中|包括|分别是|分别为|具体|这些|上述|即|these|they|the documents|including|among them)/i;

const PUBLIC_SECURITY =
  /公安|警察|警务|警方|警用|执法安全|执法合作|移民管理|出入境管理|边防|禁毒|反恐|刑侦|刑警|治安|打击犯罪|public security|police|law enforcement|law-enforcement|\bMPS\b|interpol|narcotics control commission|immigration administration|combat(?:ing)? crime/i;
const OTHER_MINISTRY =
  /商务部|教育部|科技部|科学技术部|文化和旅游部|文化部|旅游局|卫生健康委|卫生部|农业农村部|农业部|交通运输部|生态环境部|自然资源部|工业和信息化部|财政部|人民银行|海关总署|发展改革委|民航局|最高人民法院|最高人民检察院|国防部|中央军委|水利部|住房和城乡建设部|市场监督管理总局|体育总局|广电总局|Ministry of Commerce|Ministry of Education|Ministry of Science|Ministry of Culture|Ministry of Agriculture|Ministry of Transport|Ministry of National Defense|People's Bank/i;

const CONTEXT_CHARS = 1500;

/** A dated paragraph opens a news item (9月24日，…; BEIJING, Nov. 23 …; 2016年11月22日…). */
const LEAD_DATE =
  /\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年\s*\d{1,2}\s*月|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b/;

/**
 * The readout that leads up to a signing sentence: back through earlier paragraphs to the dated
 * paragraph that opens the item (at most CONTEXT_CHARS), so that other items on a long page do
 * not lend it their countries, officials or topics.
 */
function contextBefore(doc: PreparedText, sentence: Sentence): Span {
  const own = doc.paragraphs[sentence.paragraph];
  let start = own?.start ?? sentence.start;
  const opensHere = own !== undefined && LEAD_DATE.test(doc.text.slice(own.start, sentence.start));
  for (let p = sentence.paragraph - 1; p >= 0 && !opensHere; p -= 1) {
    const para = doc.paragraphs[p];
    if (para === undefined || sentence.start - para.start > CONTEXT_CHARS) break;
    start = para.start;
    if (LEAD_DATE.test(doc.text.slice(para.start, para.end))) break;
  }
  return { start: Math.min(start, sentence.start), end: sentence.start };
}

const FOLLOWING_SENTENCES = 2;

/** The sentences right after `sentence` in its paragraph. */
export function followingSentences(doc: PreparedText, sentence: Sentence): Span {
  let end = sentence.end;
  for (let i = sentence.index + 1; i <= sentence.index + FOLLOWING_SENTENCES; i += 1) {
    const next = doc.sentences[i];
    if (next === undefined || next.paragraph !== sentence.paragraph) break;
    end = next.end;
  }
  return { start: sentence.end, end };
}

/** Lists of links that follow an article on news sites; their headlines report other items. */
const RELATED_LINKS =
  /^[ \t【[]*(?:相关链接|相关新闻|相关阅读|相关报道|相关稿件|延伸阅读|推荐阅读|热点推荐|往期回顾|Related (?:News|Stories|Articles|Links)|Read more|See also)\s*[】\]]?\s*[:：]?\s*$/im;

function articleEnd(doc: PreparedText): number {
  const m = RELATED_LINKS.exec(doc.text);
  return m === null ? doc.text.length : m.index;
}

export interface SigningOptions {
  /** Names of MPS officials found in a span count as a public-security party. */
  readonly hasMpsOfficial: (doc: PreparedText, span: Span) => boolean;
}

/**
 * Signing events on the page: each sentence with an active signing verb and at least one
 * document, whose parties include a Chinese public-security body (in the sentence, a title,
 * or the text leading up to it when no other Chinese ministry is named as the signer).
 */
export function findSigningEvents(doc: PreparedText, options: SigningOptions): SigningEvent[] {
  const events: SigningEvent[] = [];
  const sentences = doc.sentences;
  const end = articleEnd(doc);
  for (const [i, verbs] of findVerbs(doc)) {
    const sentence = sentences[i];
    if (sentence === undefined || sentence.start >= end) continue;
    let docs = documentsIn(doc, sentence, verbs);
    const next = sentences[i + 1];
    if (
      docs.length > 0 &&
      docs.every((d) => d.type === 'unspecified') &&
      next !== undefined &&
      next.paragraph === sentence.paragraph &&
      FOLLOW_UP.test(doc.text.slice(next.start, next.end).trim())
    ) {
      const listed = documentsIn(doc, next, [
        { start: next.start, end: next.start, witnessed: false },
      ]);
      if (listed.some((d) => d.type !== 'unspecified'))
        docs = listed.filter((d) => d.type !== 'unspecified');
    }
    if (docs.length === 0) continue;
    const verb = verbs[0];
    if (verb === undefined) continue;
    const sentenceText = doc.text.slice(sentence.start, sentence.end);
    const context = contextBefore(doc, sentence);
    const headline = doc.headline;
    const contextText =
      (headline !== null && headline.end <= context.start
        ? doc.text.slice(headline.start, headline.end)
        : '') + doc.text.slice(context.start, context.end);
    const psInSentence =
      PUBLIC_SECURITY.test(sentenceText) || options.hasMpsOfficial(doc, sentence);
    // Readouts name the public-security party before the signing (Chinese) or just after it
    // ("… signed the document on behalf of China").
    const after = followingSentences(doc, sentence);
    const psInContext =
      PUBLIC_SECURITY.test(contextText) ||
      PUBLIC_SECURITY.test(doc.text.slice(after.start, after.end)) ||
      options.hasMpsOfficial(doc, after) ||
      options.hasMpsOfficial(doc, context) ||
      (headline !== null && options.hasMpsOfficial(doc, headline));
    if (!psInSentence && (OTHER_MINISTRY.test(sentenceText) || !psInContext)) continue;
    events.push({
      sentence,
      verb,
      witnessed: verbs.some((v) => v.witnessed),
      docs,
      context,
      inHeadline:
        headline !== null && sentence.start >= headline.start && sentence.end <= headline.end,
      publicSecurityInSentence: psInSentence,
    });
  }
  return events;
}
