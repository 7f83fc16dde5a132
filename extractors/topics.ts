import { TOPICS, type Topic } from '../schemas/codes.js';
import { agencySpans } from './counterparts.js';
import raw from './data/topics.json' with { type: 'json' };
import { findDocTerms } from './doctype.js';
import { guard, KeywordMatcher, type Match } from './matcher.js';
import { followingSentences } from './signing.js';
import { inRange, type PreparedText, regionsOf, type Span, sentenceIndexAt } from './text.js';
import type { DocMention, SigningEvent } from './types.js';

/**
 * Topics, coded from keyword lists in both scripts (data/topics.json). Callers pass only the
 * spans that describe the signing (title, signing sentence, the readout of the meeting), as
 * the researchers coded from titles and official descriptions, not from every sentence.
 */

type TopicCode = (typeof TOPICS)[number];

type TermRow = string | { readonly term: string; readonly rejectIfPreceded?: string };

interface TopicsFile {
  readonly topics: Readonly<
    Record<string, { readonly zh: readonly TermRow[]; readonly en: readonly TermRow[] }>
  >;
}

const data: TopicsFile = raw;

function asTopic(value: string): TopicCode {
  const t = TOPICS.find((x) => x === value);
  if (t === undefined)
    throw new TypeError(`Expected a topic from TOPICS in topics.json, got \`${value}\``);
  return t;
}

function buildMatcher(): KeywordMatcher<readonly TopicCode[]> {
  // A term listed under several topics (赌诈, 网络恐怖) counts for each of them.
  const byTerm = new Map<string, { topics: TopicCode[]; rejectIfPreceded: string | undefined }>();
  for (const [code, lists] of Object.entries(data.topics)) {
    const topic = asTopic(code);
    for (const row of [...lists.zh, ...lists.en]) {
      const term = (typeof row === 'string' ? row : row.term).toLowerCase();
      const rejectIfPreceded = typeof row === 'string' ? undefined : row.rejectIfPreceded;
      const entry = byTerm.get(term);
      if (entry === undefined) byTerm.set(term, { topics: [topic], rejectIfPreceded });
      else if (!entry.topics.includes(topic)) entry.topics.push(topic);
    }
  }
  return new KeywordMatcher(
    [...byTerm].map(([term, v]) => ({
      term,
      value: v.topics,
      rejectIfPreceded: guard(v.rejectIfPreceded),
    })),
    { caseInsensitive: true },
  );
}

const MATCHER = buildMatcher();

export interface TopicHit extends Span {
  readonly topic: TopicCode;
}

export interface TopicResult {
  readonly topics: Topic[];
  /** The first hit per topic, for evidence. */
  readonly hits: readonly TopicHit[];
}

const pageCache = new WeakMap<PreparedText, Match<readonly TopicCode[]>[]>();

/** Every topic term on the page, found once; spans are read from it. */
function pageMatches(doc: PreparedText): Match<readonly TopicCode[]>[] {
  let all = pageCache.get(doc);
  if (all === undefined) {
    all = regionsOf(doc).flatMap((r) => MATCHER.find(doc.lower, r.start, r.end));
    pageCache.set(doc, all);
  }
  return all;
}

/** `span` minus the masked ranges (警察培训 minus the agency 警察 still says 培训). */
function without(span: Span, masked: readonly Span[]): Span[] {
  let parts: Span[] = [span];
  for (const m of masked) {
    if (m.end <= span.start || m.start >= span.end) continue;
    parts = parts.flatMap((p) =>
      m.end <= p.start || m.start >= p.end
        ? [p]
        : [
            { start: p.start, end: Math.max(p.start, m.start) },
            { start: Math.min(p.end, m.end), end: p.end },
          ].filter((x) => x.end > x.start),
    );
  }
  return parts;
}

/** Topics named in `spans` (in TOPICS order), or `['generic']` when none is. */
export function topicsIn(
  doc: PreparedText,
  spans: readonly Span[],
  masked: readonly Span[] = [],
): TopicResult {
  const first = new Map<TopicCode, TopicHit>();
  const page = pageMatches(doc);
  const hits: Match<readonly TopicCode[]>[] = [];
  for (const span of spans) {
    for (const m of inRange(page, span.start, span.end)) {
      // An agency name hides the topic words inside it (移民 in 移民与人口部), not a topic term
      // that contains it (joint police patrols, 警察培训).
      const hidden = masked.filter(
        (x) =>
          x.start < m.end &&
          m.start < x.end &&
          !(m.start <= x.start && x.end <= m.end && m.end - m.start > x.end - x.start),
      );
      if (hidden.length === 0) hits.push(m);
      // 警察培训 minus the agency 警察 still says 培训.
      else
        for (const part of without(m, hidden))
          hits.push(...MATCHER.find(doc.lower, part.start, part.end));
    }
  }
  for (const m of hits) {
    for (const topic of m.value) {
      if (!first.has(topic)) first.set(topic, { start: m.start, end: m.end, topic });
    }
  }
  const topics: Topic[] = TOPICS.filter((t) => first.has(t));
  return {
    topics: topics.length === 0 ? ['generic'] : topics,
    hits: TOPICS.flatMap((t) => {
      const hit = first.get(t);
      return hit === undefined ? [] : [hit];
    }),
  };
}

/** Documents that record a whole meeting: their topics are the meeting's. */
const MEETING_RECORDS: ReadonlySet<string> = new Set([
  'meeting_minutes',
  'joint_statement',
  'outcomes_list',
]);

const DOC_WORD_ZH =
  '(?:协议|协定|议定书|备忘录|纪要|声明|清单|计划|安排|意向书|方案|换文|交接书|证书|文件)';
const DOC_WORD_EN =
  '(?:MoUs?|MOUs?|memorand\\w*|agreements?|protocols?|plans?|minutes|statements?|letters?|arrangements?|deals?|pacts?|certificates?|lists?|documents?|accords?|programmes?|programs?)';
/** "Khalid said the MoU would allow …": someone's words about the document just signed. */
const SAID_THE_DOC = `[A-Z][\\w'’.-]*(?:\\s+[A-Z][\\w'’.-]*){0,3}\\s+(?:said|says|noted|added|stressed|explained)\\s+(?:that\\s+)?the\\s+(?:new\\s+)?${DOC_WORD_EN}\\b`;
/** Sentences right after the signing that describe the document just signed. */
const REFERS_BACK = new RegExp(
  `^(?:该|此|这|这些|上述|双方同意|双方将|双方商定|双方一致同意|会议商定|会议决定|根据[^，。]{0,12}?${DOC_WORD_ZH}|按照(?:该)?${DOC_WORD_ZH}|${DOC_WORD_ZH}(?:涵盖|包括|涉及|规定|明确)|The\\s+(?:(?:two|new|renewed|joint|bilateral|cooperation|security|police)\\s+){0,2}${DOC_WORD_EN}\\b|Under\\s+the\\s+(?:\\w+\\s+)?${DOC_WORD_EN}\\b|${SAID_THE_DOC}|It\\b|They\\b|(?:The\\s+two|Both)\\s+(?:sides|ministers|ministries|parties)\\s+(?:also\\s+)?agreed\\b)`,
);
/**
 * The document named again a few sentences on (根据该备忘录…, Under the MoU …, The joint statement
 * commits …): it still describes the document, even after sentences about something else.
 */
const NAMES_IT_AGAIN = new RegExp(
  `^(?:(?:据|根据|按照|依据|依照)?(?:该|此|上述|这份|这一)(?:份)?[\\u4e00-\\u9fa5]{0,4}?${DOC_WORD_ZH}|(?:根据|按照|依据|依照)[\\u4e00-\\u9fa5]{0,4}?${DOC_WORD_ZH}[，,]|(?:Under|Through|With)\\s+the\\s+(?:(?:new|joint|bilateral|\\w+)\\s+){0,2}${DOC_WORD_EN}\\b|${SAID_THE_DOC}|The\\s+(?:(?:new|renewed|joint|bilateral|cooperation|security|police)\\s+){0,2}${DOC_WORD_EN}\\s+(?!was\\b|were\\b|had\\b))`,
  'i',
);
/** What supplies handed over are for (此次移交的物资…将用于…, the equipment will help …). */
const SUPPLIES_FOR =
  /(?:物资|装备|设备|器材|车辆)[^。]{0,60}?(?:用于|用来|有助于|帮助|支持|提升|服务于)|\b(?:equipment|supplies|materials|vehicles|items)\b[^.]{0,80}?\b(?:will (?:be used|help|support|boost|enhance|strengthen)|to (?:support|help|boost|enhance|strengthen)|for (?:use in|the fight against|combating))/i;
/** How far after the signing a sentence that names the document again is still read. */
const NAMED_AGAIN_SENTENCES = 6;
/**
 * Sentences that only say who signed, who attended, or when the document was first signed: the
 * sentence after them may still say what the document is about.
 */
const PASSING =
  /\bwas\s+signed\b|由[^。]{0,40}(?:签署|签字)|出席|attended|\bwitness(?:ed|es)\b|见证|\bfirst\s+signed\b|签字仪式|signing ceremony/i;
const SIGNED_WORD = /签署|签订|签字|\bsigned\b|\binked\b/i;

/** A sentence that reports another signing (not "the MoU was signed by", 该备忘录由…签署). */
function signsAnother(text: string): boolean {
  return (
    SIGNED_WORD.test(text) &&
    MENTIONS_DOCUMENT.test(text) &&
    !/\bwas\s+signed\b|\bwere\s+signed\b|\b(?:signed|inked)\s+(?:the|this|that|it)\b|由[^。]{0,40}(?:签署|签字)|签署了?(?:该|此|上述)|^(?:该|此|上述|这份|这一)|^The\s/i.test(
      text,
    )
  );
}
const MENTIONS_DOCUMENT = new RegExp(`${DOC_WORD_ZH}|\\b${DOC_WORD_EN}\\b`, 'i');
const A_NEW_ITEM = /^(?:\d{1,2}月\d{1,2}日|[A-Z]{3,}[A-Z ,]*\(|[A-Z][a-z]+,\s+\w+\.?\s+\d{1,2})/;

/**
 * The sentences after the signing that refer back to the document (该备忘录…, The MoU …): right
 * after it, or a few sentences on when they name it again; for a handover, those that say what
 * the supplies are for.
 */
export function referringBack(
  doc: PreparedText,
  event: SigningEvent,
  document?: DocMention,
): Span[] {
  const out: Span[] = [];
  let adjacent = true;
  const last = event.sentence.index + NAMED_AGAIN_SENTENCES;
  for (let i = event.sentence.index + 1; i <= last; i += 1) {
    const next = doc.sentences[i];
    if (next === undefined) break;
    const text = doc.text.slice(next.start, next.end);
    if (A_NEW_ITEM.test(text)) break;
    // Another document signed next: what follows describes that one.
    if (signsAnother(text)) break;
    const passing = PASSING.test(text);
    if (adjacent && REFERS_BACK.test(text) && !passing) {
      if (namesThisKind(doc, next, event, document)) out.push(next);
      continue;
    }
    if (!passing && !MENTIONS_DOCUMENT.test(text)) adjacent = false;
    if (passing) continue;
    if (NAMES_IT_AGAIN.test(text) && namesThisKind(doc, next, event, document)) out.push(next);
    else if (document !== undefined && aboutSupplies(doc, document) && SUPPLIES_FOR.test(text)) {
      out.push(next);
    }
  }
  return out;
}

const SUPPLY_WORDS = /物资|装备|设备|器材|equipment|supplies|materials/i;

/** Whether another document was signed before this one in the same readout or sentence. */
function afterAnotherSigning(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
): boolean {
  const earlierDoc = event.docs.some(
    (d) => d !== document && d.type !== 'supply_handover' && d.verb.start <= document.verb.start,
  );
  if (earlierDoc) return true;
  const from = Math.min(event.context.start, event.sentence.start);
  return SIGNED_WORD.test(doc.text.slice(from, event.sentence.start));
}

/** Sentences of the readout and the signing sentence that say what the supplies are for. */
function suppliesFor(doc: PreparedText, event: SigningEvent): Span[] {
  const out: Span[] = [];
  const from = Math.min(event.context.start, event.sentence.start);
  for (let i = sentenceIndexAt(doc, from); i <= event.sentence.index; i += 1) {
    const x = doc.sentences[i];
    if (x === undefined || x.end <= from) continue;
    if (SUPPLIES_FOR.test(doc.text.slice(x.start, x.end))) out.push(x);
  }
  return out;
}

/** A handover, or a document named for supplies (援助警用物资的换文, notes on police equipment). */
function aboutSupplies(doc: PreparedText, document: DocMention): boolean {
  if (document.type === 'supply_handover') return true;
  const named = document.titleZhSpan ?? document.titleEnSpan ?? document.describes;
  return SUPPLY_WORDS.test(doc.text.slice(named.start, named.end));
}

/** "Under the MoU" on a page that also signed a plan describes the MoU, not the plan. */
function namesThisKind(
  doc: PreparedText,
  sentence: Span,
  event: SigningEvent,
  document: DocMention | undefined,
): boolean {
  if (document === undefined) return true;
  const kinds = new Set(event.docs.map((d) => d.type));
  if (kinds.size < 2) return true;
  const named = findDocTerms(doc, sentence.start, Math.min(sentence.end, sentence.start + 40))[0];
  return named === undefined || named.value === document.type;
}

/** What names a document: its title after 关于 (the parties' names are not its subject). */
function namingSpan(doc: PreparedText, document: DocMention): Span {
  const title = document.titleZhSpan ?? document.titleEnSpan;
  if (title === null) return document.describes;
  const about = doc.text.slice(title.start, title.end).lastIndexOf('关于');
  return about === -1 ? title : { start: title.start + about, end: title.end };
}

/**
 * Topics of one document, as the researchers coded them: from what names it (its title, or the
 * phrase around a bare term) and the sentences that go on to describe it; a record of a whole
 * meeting (minutes, joint statement, outcome list) also takes the meeting's readout; a document
 * that names no topic takes the readout before the signing, else the one after it. A handover
 * of supplies is capacity building, plus what the readout says the supplies are for.
 */
export function topicsFor(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
): TopicResult {
  const naming = namingSpan(doc, document);
  const record = MEETING_RECORDS.has(document.type);
  const masked = agencySpans(doc, naming.start, naming.end);
  // Minutes of the 打击犯罪合作部长级会议 are not about crime because the meeting is named so.
  if (record)
    masked.push(
      ...meetingNames(doc, Math.min(naming.start, event.context.start), event.sentence.end),
    );
  const follow = referringBack(doc, event, document);
  const own = topicsIn(doc, [naming, ...follow], masked);
  const readout = (): TopicResult => {
    const spans = readoutSpans(doc, event, document);
    // Agency names (移民部, Ministry of Law and Order) and the document's own title are no readout.
    const hidden = [
      ...masked,
      ...spans.flatMap((x) => agencySpans(doc, x.start, x.end)),
      ...(record ? spans.flatMap((x) => meetingNames(doc, x.start, x.end)) : []),
    ];
    const title = document.titleZhSpan ?? document.titleEnSpan;
    if (title !== null) hidden.push(title);
    return topicsIn(doc, spans, hidden);
  };
  const subject = hasSubject(doc, document);
  if (document.type === 'supply_handover') {
    // Supplies are capacity building, and what the readout says they are for (这批装备将用于…).
    // The readout of a handover ceremony is about the supplies; the readout of talks that signed
    // another document first is about that document, not about the supplies handed over after it.
    const readoutOf = afterAnotherSigning(doc, event, document)
      ? topicsIn(doc, suppliesFor(doc, event), masked)
      : readout();
    return union(union(own, readoutOf), capacity(naming));
  }
  if (MEETING_RECORDS.has(document.type) && !(subject && own.topics[0] !== 'generic')) {
    return union(own, readout());
  }
  if (own.topics[0] !== 'generic') return own;
  const before = readout();
  if (before.topics[0] !== 'generic') return before;
  // The readout after it, less the sentences about another document signed with it.
  const after = followingSentences(doc, event.sentence);
  // A sentence that only says who signed ("The agreement was signed by …") does not use up the
  // readout: the one after it is read too.
  let end = after.end;
  let passing = 0;
  for (let i = event.sentence.index + 1; i < doc.sentences.length; i += 1) {
    const x = doc.sentences[i];
    if (x === undefined || x.start >= after.end) break;
    if (PASSING.test(doc.text.slice(x.start, x.end))) passing += 1;
  }
  const lastIndex = sentenceIndexAt(doc, Math.max(event.sentence.end, after.end - 1));
  for (let k = 1; k <= passing; k += 1) {
    const x = doc.sentences[lastIndex + k];
    if (x === undefined || A_NEW_ITEM.test(doc.text.slice(x.start, x.end))) break;
    end = x.end;
  }
  const spans: Span[] = [];
  for (let i = event.sentence.index + 1; i < doc.sentences.length; i += 1) {
    const x = doc.sentences[i];
    if (x === undefined || x.start >= end) break;
    const text = doc.text.slice(x.start, x.end);
    // The readout after a signing ends where the next signing is reported (随后，…签署了交接证书).
    if (signsAnother(text)) break;
    const refers = REFERS_BACK.test(text) || NAMES_IT_AGAIN.test(text);
    if (!refers || namesThisKind(doc, x, event, document)) spans.push(x);
  }
  return topicsIn(doc, spans, masked);
}

const MEETING_WORD =
  /(?:部长级会议|部长会议|会议|会晤|对话)(?!纪要)?|\b(?:conference|meeting|dialogue)\b/gi;
/** Where a meeting's name starts: after the verb that hosts it or a clause boundary. */
const NAME_START = /.*(?:[，。；、\n《“]|举行|召开|主持|出席|参加|在)/s;

/** Names of meetings (中越两国公安部打击犯罪合作第七次部长级会议, conference on crime prevention). */
function meetingNames(doc: PreparedText, from: number, to: number): Span[] {
  const out: Span[] = [];
  const text = doc.text;
  MEETING_WORD.lastIndex = from;
  for (let m = MEETING_WORD.exec(text); m !== null && m.index < to; m = MEETING_WORD.exec(text)) {
    if (/[a-z]/i.test(m[0])) {
      // "conference on crime prevention and control between …"
      const rest = /^\s+on\s+[^,.;]*?(?=\s+between\b|\s+in\b|[,.;]|$)/.exec(
        text.slice(m.index + m[0].length, m.index + m[0].length + 120),
      );
      if (rest !== null) out.push({ start: m.index, end: m.index + m[0].length + rest[0].length });
      continue;
    }
    const back = text.slice(Math.max(from, m.index - 40), m.index);
    const head = NAME_START.exec(back);
    const start = m.index - back.length + (head === null ? 0 : head[0].length);
    out.push({ start, end: m.index + m[0].length });
  }
  return out;
}

/** 《关于…的联合声明》, a joint statement on …: the record says what it is about. */
function hasSubject(doc: PreparedText, document: DocMention): boolean {
  const title = document.titleZhSpan;
  if (title !== null) return doc.text.slice(title.start, title.end).includes('关于');
  const term = document.termSpan;
  if (term === null) return false;
  return /^\s+(?:on|about|concerning|regarding)\s/i.test(doc.text.slice(term.end, term.end + 14));
}

function capacity(span: Span): TopicResult {
  return { topics: ['capacity_building'], hits: [{ ...span, topic: 'capacity_building' }] };
}

function union(a: TopicResult, b: TopicResult): TopicResult {
  const hits = new Map<TopicCode, TopicHit>();
  for (const h of [...a.hits, ...b.hits]) if (!hits.has(h.topic)) hits.set(h.topic, h);
  const topics: Topic[] = TOPICS.filter((t) => hits.has(t));
  return {
    topics: topics.length === 0 ? ['generic'] : topics,
    hits: TOPICS.flatMap((t) => {
      const h = hits.get(t);
      return h === undefined ? [] : [h];
    }),
  };
}

/** The readout of the meeting: headline, the text before the signing, the signing sentence
 * without the other documents' names, and the sentences that refer back to it. */
function readoutSpans(doc: PreparedText, event: SigningEvent, document: DocMention): Span[] {
  const s = event.sentence;
  const spans: Span[] = [];
  if (doc.headline !== null && doc.headline.end <= event.context.start) spans.push(doc.headline);
  spans.push(event.context);
  const others = event.docs
    .filter((d) => d !== document && d.describes !== document.describes)
    .map((d) => d.titleZhSpan ?? d.titleEnSpan ?? d.describes)
    .filter((x) => x.start >= s.start && x.end <= s.end)
    .sort((a, b) => a.start - b.start);
  let cursor = s.start;
  for (const o of others) {
    if (o.start < cursor) continue;
    spans.push({ start: cursor, end: o.start });
    cursor = o.end;
  }
  spans.push({ start: cursor, end: s.end });
  spans.push(...referringBack(doc, event, document));
  return spans;
}
