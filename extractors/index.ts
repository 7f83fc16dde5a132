import type { CodedAgreement, Evidence, ExtractionResult } from '../schemas/agreement.js';
import { TOPICS } from '../schemas/codes.js';
import type { ExtractInput } from '../schemas/document.js';
import { type CounterpartSide, resolveCounterpartSide } from './counterparts.js';
import { type Parties, resolveParties } from './countries.js';
import {
  collectDocDates,
  type DateResolution,
  type DocDates,
  resolveSigningDate,
  writesYear,
} from './dates.js';
import { quote } from './evidence.js';
import { type CnSide, hasMpsOfficial, resolveCnSide } from './signatories.js';
import { findSigningEvents, MAY_REPORT_SIGNING } from './signing.js';
import { type PreparedText, prepare, type Span, setRegions } from './text.js';
import { topicsFor } from './topics.js';
import type { DocMention, SigningEvent } from './types.js';

export type { ExtractionResult } from '../schemas/agreement.js';
export type { ExtractInput } from '../schemas/document.js';

export interface ExtractOptions {
  /**
   * Longest evidence quote, in characters.
   * @default 120
   */
  readonly maxEvidenceChars?: number;
}

export const DEFAULT_EXTRACT_OPTIONS: Readonly<Required<ExtractOptions>> = Object.freeze({
  maxEvidenceChars: 120,
});

const MIN_EVIDENCE_CHARS = 8;

function resolveOptions(options: ExtractOptions | undefined): Required<ExtractOptions> {
  const merged = { ...DEFAULT_EXTRACT_OPTIONS, ...options };
  const max = merged.maxEvidenceChars;
  if (!Number.isInteger(max) || max < MIN_EVIDENCE_CHARS) {
    throw new TypeError(
      `Expected \`maxEvidenceChars\` to be an integer >= ${MIN_EVIDENCE_CHARS}, got \`${String(max)}\``,
    );
  }
  return merged;
}

const TOPIC_ORDER: readonly CodedAgreement['topics'][number][] = [...TOPICS];

/**
 * A signing dated in its own sentence this long before the page is background the page recalls
 * (first signed in April 2017), not the news it reports.
 */
const STALE_SIGNING_DAYS = 180;
const DAY_MS = 86_400_000;

function isStale(doc: PreparedText, date: DateResolution): boolean {
  if (date.source !== 'sentence' || date.value === null || doc.published === null) return false;
  if (!writesYear(date)) return false;
  const [y, m = 1, d = 1] = date.value.split('-').map(Number);
  const p = doc.published;
  const days = (Date.UTC(p.y, p.m - 1, p.d) - Date.UTC(y ?? p.y, m - 1, d)) / DAY_MS;
  return days > STALE_SIGNING_DAYS;
}

/** Sentences after a signing that may still describe it (who signed, what it is about). */
const READ_AHEAD_SENTENCES = 4;
/** Characters around an event that country and title rules look at (segment cuts, clauses). */
const REGION_MARGIN_CHARS = 120;

/** What the field extractors read: each event's readout, sentence and the sentences after it. */
function regionsFor(doc: PreparedText, events: readonly SigningEvent[]): Span[] {
  const spans: Span[] = [];
  if (doc.headline !== null) spans.push(doc.headline);
  for (const e of events) {
    const after = doc.sentences[e.sentence.index + READ_AHEAD_SENTENCES] ?? doc.sentences.at(-1);
    spans.push({
      start: Math.min(e.context.start, e.sentence.start) - REGION_MARGIN_CHARS,
      end: Math.max(e.sentence.end, after?.end ?? e.sentence.end) + REGION_MARGIN_CHARS,
    });
  }
  return spans;
}

const NOTHING: ExtractionResult = Object.freeze({ is_signing: false, agreements: [] });

/** How far back from the first signing sentence dates are collected. */
const DATE_LOOKBACK_CHARS = 3000;

interface Draft {
  readonly record: CodedAgreement;
  readonly event: number;
  /** A headline summarises the body: it is the same document as the body's report of it. */
  readonly inHeadline: boolean;
  readonly describes: string;
  readonly dateSource: DateResolution['source'];
}

/** How much a date source adds to confidence: a date written by the signing counts most. */
const DATE_WEIGHT: Readonly<Record<DateResolution['source'], number>> = {
  sentence: 0.15,
  context: 0.12,
  weekday: 0.12,
  relative: 0.12,
  dateline: 0.1,
  published: 0.02,
  none: 0,
};

/**
 * 0..1, higher when the signing verb, a document term, a date and a counterpart were all found
 * close together; a page date standing in for the signing date or a headline-only report
 * lowers it.
 */
function confidence(
  event: SigningEvent,
  document: DocMention,
  date: DateResolution,
  parties: Parties,
  cn: CnSide,
): number {
  let c = 0.3;
  c += document.type === 'unspecified' ? 0.05 : 0.15;
  if (document.titleZh !== null || document.titleEn !== null) c += 0.05;
  c += DATE_WEIGHT[date.source];
  c += parties.basis === 'title' ? 0.15 : parties.basis === 'sentence' ? 0.13 : 0.07;
  if (cn.signatory.name_zh !== null || cn.signatory.name_en !== null) c += 0.07;
  if (event.publicSecurityInSentence) c += 0.05;
  if (event.inHeadline) c -= 0.05;
  return Math.round(Math.max(0.05, Math.min(0.97, c)) * 100) / 100;
}

function buildRecord(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
  parties: Parties,
  date: DateResolution,
  maxChars: number,
): CodedAgreement {
  const cn = resolveCnSide(doc, event, document, date.value);
  const cp: CounterpartSide = resolveCounterpartSide(doc, event, document, parties);
  const topics = topicsFor(doc, event, document);
  const evidence: Evidence[] = [];
  const add = (field: string, span: Span | null): void => {
    if (span !== null) evidence.push(quote(doc, field, span, maxChars));
  };
  // Every field gets a quote; one that fell back to a default quotes the signing sentence, which
  // is where a reviewer checks that nothing better was written.
  const sentence = event.sentence;
  add('is_signing', event.verb);
  add('doc_type', document.termSpan ?? document.titleZhSpan ?? document.titleEnSpan ?? event.verb);
  add('doc_type_term', document.termSpan ?? sentence);
  add('title_zh', document.titleZhSpan ?? sentence);
  add('title_en', document.titleEnSpan ?? sentence);
  add('date_signed', date.span ?? sentence);
  add('year', date.span ?? sentence);
  for (const m of parties.countryMentions) add('counterpart_countries', m);
  if (parties.countryMentions.length === 0) add('counterpart_countries', sentence);
  add('scope', parties.forumMention ?? parties.countryMentions[0] ?? sentence);
  add('region', parties.countryMentions[0] ?? sentence);
  add('forum', parties.forumMention ?? sentence);
  add('cn_signatory', cn.span ?? sentence);
  add('cn_signatory_ministerial', cn.span ?? sentence);
  add('cn_signing_body', document.titleZhSpan ?? cn.span ?? sentence);
  add('counterpart_signatory', cp.signatorySpan ?? sentence);
  add('counterpart_agency', cp.agencySpan ?? sentence);
  add('counterpart_agency_type', cp.agencySpan ?? sentence);
  for (const hit of topics.hits) add('topics', hit);
  if (topics.hits.length === 0)
    add('topics', document.titleZhSpan ?? document.titleEnSpan ?? sentence);
  return {
    title_zh: document.titleZh,
    title_en: document.titleEn,
    date_signed: date.value,
    year: date.year,
    doc_type: document.type,
    doc_type_term: document.term,
    scope: parties.scope,
    counterpart_countries: [...parties.countries],
    forum: parties.forum,
    region: parties.region,
    counterpart_agency: cp.agency,
    counterpart_agency_type: cp.agencyType,
    cn_signing_body: cn.body,
    cn_signatory: cn.signatory,
    cn_signatory_ministerial: cn.ministerial,
    counterpart_signatory: cp.signatory,
    topics: topics.topics,
    is_renewal: false,
    evidence,
    confidence: confidence(event, document, date, parties, cn),
  };
}

function partiesKey(r: CodedAgreement): string {
  return `${[...r.counterpart_countries].sort().join(',')}|${r.forum ?? ''}`;
}

const WEAK_DATES: ReadonlySet<DateResolution['source']> = new Set([
  'published',
  'none',
  'dateline',
]);

function sameDocument(a: Draft, b: Draft): boolean {
  const ra = a.record;
  const rb = b.record;
  if (a.event === b.event || ra.doc_type !== rb.doc_type) return false;
  if (partiesKey(ra) !== partiesKey(rb)) return false;
  if (a.inHeadline || b.inHeadline) return true;
  const titleA = ra.title_zh ?? ra.title_en;
  const titleB = rb.title_zh ?? rb.title_en;
  if (titleA !== null && titleB !== null && titleA !== titleB) return false;
  const datesAgree =
    ra.date_signed === rb.date_signed ||
    WEAK_DATES.has(a.dateSource) ||
    WEAK_DATES.has(b.dateSource);
  if (!datesAgree) return false;
  if (titleA !== null && titleB !== null) return true;
  if (titleA !== null || titleB !== null) {
    // A titled document and an untitled one: the same when the untitled one says nothing the
    // titled one does not (同日，公安部刑事侦查局…签署了关于追逃追赃的备忘录 is another one).
    const [titled, bare] = titleA !== null ? [ra, rb] : [rb, ra];
    if (titled.cn_signing_body !== bare.cn_signing_body) return false;
    return bare.topics[0] === 'generic' || bare.topics.every((t) => titled.topics.includes(t));
  }
  // Two untitled MoUs on different subjects in two sentences are two documents.
  const generic = (r: CodedAgreement): boolean => r.topics[0] === 'generic';
  return (
    a.describes === b.describes ||
    generic(ra) ||
    generic(rb) ||
    ra.topics.some((t) => rb.topics.includes(t))
  );
}

function better(a: Draft, b: Draft): Draft {
  const score = (d: Draft): number =>
    (d.inHeadline ? -1 : 0) +
    (d.record.title_zh !== null || d.record.title_en !== null ? 2 : 0) +
    (WEAK_DATES.has(d.dateSource) ? 0 : 1) +
    d.record.confidence;
  return score(b) > score(a) ? b : a;
}

/** A headline that names the topic (中沙签署反恐合作协议) adds it to the body's generic report. */
function mergedTopics(a: CodedAgreement, b: CodedAgreement): CodedAgreement['topics'] {
  const named = new Set<string>([...a.topics, ...b.topics].filter((t) => t !== 'generic'));
  if (named.size === 0) return ['generic'];
  return TOPIC_ORDER.filter((t) => named.has(t));
}

/**
 * A headline's untitled document that the body reports as another kind ("… sign police
 * cooperation agreement" over a body that signed a memorandum of understanding) is that body
 * document, when the body reports exactly one with these partners: headlines name documents
 * loosely. It takes the body document's type, so the two merge.
 */
function asBodyDocument(d: Draft, drafts: readonly Draft[]): Draft {
  const r = d.record;
  if (!d.inHeadline || r.title_zh !== null || r.title_en !== null) return d;
  const body = drafts.filter((b) => !b.inHeadline && partiesKey(b.record) === partiesKey(r));
  const only = body[0];
  if (body.length !== 1 || only === undefined || only.record.doc_type === r.doc_type) return d;
  return { ...d, record: { ...r, doc_type: only.record.doc_type } };
}

/** One record per document: the headline and the body often report the same signing. */
function merge(drafts: readonly Draft[]): CodedAgreement[] {
  const specific = drafts.filter((d) => d.record.doc_type !== 'unspecified');
  const kept = drafts
    .filter(
      (d) =>
        d.record.doc_type !== 'unspecified' ||
        !specific.some((s) => s.event !== d.event && partiesKey(s.record) === partiesKey(d.record)),
    )
    .map((d) => asBodyDocument(d, drafts));
  const out: Draft[] = [];
  for (const d of kept) {
    const i = out.findIndex((o) => sameDocument(o, d));
    const existing = i === -1 ? undefined : out[i];
    if (existing === undefined) {
      out.push(d);
      continue;
    }
    const winner = better(existing, d);
    const loser = winner === existing ? d : existing;
    const seen = new Set(winner.record.evidence.map((e) => `${e.field}:${e.start}`));
    const extra = loser.record.evidence.filter((e) => !seen.has(`${e.field}:${e.start}`));
    out[i] = {
      ...winner,
      record: {
        ...winner.record,
        topics: mergedTopics(winner.record, loser.record),
        evidence: [...winner.record.evidence, ...extra],
        confidence: Math.min(0.97, Math.max(winner.record.confidence, loser.record.confidence)),
      },
    };
  }
  return out.map((d) => d.record);
}

/**
 * Reads one document and returns whether it reports a signing between MPS (or another Chinese
 * public-security body) and a foreign counterpart, with one coded record per document signed.
 * Pure and synchronous.
 */
export function extract(input: ExtractInput, options?: ExtractOptions): ExtractionResult {
  const { maxEvidenceChars } = resolveOptions(options);
  if (typeof input.text !== 'string') {
    throw new TypeError(`Expected \`text\` to be a string, got \`${typeof input.text}\``);
  }
  if (!MAY_REPORT_SIGNING.test(input.text)) return NOTHING;
  const doc = prepare(input.text, input.url ?? null, input.published ?? null);
  const events = findSigningEvents(doc, { hasMpsOfficial });
  if (events.length === 0) return NOTHING;
  setRegions(doc, regionsFor(doc, events));
  const first = events[0]?.sentence.start ?? 0;
  const last = events.at(-1)?.sentence.end ?? doc.text.length;
  const dates: DocDates = collectDocDates(doc, Math.max(0, first - DATE_LOOKBACK_CHARS), last);
  const drafts: Draft[] = [];
  events.forEach((event, index) => {
    const eventParties = resolveParties(doc, event, null);
    const date = resolveSigningDate(doc, event.sentence, event.verb.start, dates);
    if (isStale(doc, date)) return;
    for (const document of event.docs) {
      const titled = document.titleZhSpan !== null || document.titleEnSpan !== null;
      const parties = titled ? resolveParties(doc, event, document) : eventParties;
      if (parties.countries.length === 0 && parties.forum === null) continue;
      const record = buildRecord(doc, event, document, parties, date, maxEvidenceChars);
      drafts.push({
        record,
        event: index,
        inHeadline: event.inHeadline,
        describes: doc.text.slice(document.describes.start, document.describes.end),
        dateSource: date.source,
      });
    }
  });
  const agreements = merge(drafts);
  return { is_signing: agreements.length > 0, agreements };
}
