import type { CodedAgreement, Evidence, ExtractionResult } from '../schemas/agreement.js';
import type { ExtractInput } from '../schemas/document.js';
import { type Parties, resolveParties } from './countries.js';
import {
  collectDocDates,
  type DateResolution,
  type DocDates,
  resolveSigningDate,
} from './dates.js';
import { quote } from './evidence.js';
import {
  type CnSide,
  type CounterpartSide,
  hasMpsOfficial,
  resolveCnSide,
  resolveCounterpartSide,
} from './signatories.js';
import { findSigningEvents, MAY_REPORT_SIGNING } from './signing.js';
import { type PreparedText, prepare, type Span } from './text.js';
import { topicsIn } from './topics.js';
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

const NOTHING: ExtractionResult = Object.freeze({ is_signing: false, agreements: [] });

/** How far back from the first signing sentence dates are collected. */
const DATE_LOOKBACK_CHARS = 3000;

/** Sentences right after the signing that describe the document (该备忘录…, The MoU …). */
const REFERS_BACK =
  /^(该|此|这|这些|上述|双方同意|双方将|根据(?:该)?(?:协议|协定|备忘录)|按照(?:该)?(?:协议|协定|备忘录)|The (?:MoU|memorandum|agreement|document|minutes|plan|deal)s?\b|Under the (?:MoU|memorandum|agreement|deal)\b|It\b|They\b)/;

/** The sentence right after the signing when it describes the document just signed. */
function referringBack(doc: PreparedText, event: SigningEvent): Span[] {
  const next = doc.sentences[event.sentence.index + 1];
  return next !== undefined && REFERS_BACK.test(doc.text.slice(next.start, next.end)) ? [next] : [];
}

interface Draft {
  readonly record: CodedAgreement;
  readonly event: number;
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

function topicSpans(doc: PreparedText, event: SigningEvent, document: DocMention): Span[] {
  const s = event.sentence;
  const spans: Span[] = [];
  if (doc.headline !== null && doc.headline.end <= event.context.start) spans.push(doc.headline);
  spans.push(event.context);
  // Other documents' titles in the sentence describe those documents, not this one.
  let cursor = s.start;
  for (const other of event.docs) {
    const t = other.titleZhSpan;
    if (other === document || t === null || t.start < cursor) continue;
    spans.push({ start: cursor, end: t.start - 1 });
    cursor = t.end + 1;
  }
  spans.push({ start: cursor, end: s.end });
  spans.push(...referringBack(doc, event));
  return spans;
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
  // Topics come from what names the document (its title, or the phrase around a bare term such
  // as "MoU on combating drug trafficking") and the sentence that goes on to describe it; a
  // document that names no topic takes them from the readout of the meeting.
  const follow = referringBack(doc, event);
  const naming = document.titleZhSpan ?? document.titleEnSpan ?? document.describes;
  let topics = topicsIn(doc, [naming, ...follow]);
  if (topics.topics[0] === 'generic') topics = topicsIn(doc, topicSpans(doc, event, document));
  const evidence: Evidence[] = [];
  const add = (field: string, span: Span | null): void => {
    if (span !== null) evidence.push(quote(doc, field, span, maxChars));
  };
  add('is_signing', event.verb);
  add('doc_type', document.termSpan ?? document.titleZhSpan ?? document.titleEnSpan ?? event.verb);
  add('title_zh', document.titleZhSpan);
  add('title_en', document.titleEnSpan);
  add('date_signed', date.span);
  for (const m of parties.countryMentions) add('counterpart_countries', m);
  add('forum', parties.forumMention);
  add('cn_signatory', cn.span);
  add('counterpart_signatory', cp.signatorySpan);
  add('counterpart_agency', cp.agencySpan);
  for (const hit of topics.hits) add('topics', hit);
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
  const titleA = ra.title_zh ?? ra.title_en;
  const titleB = rb.title_zh ?? rb.title_en;
  if (titleA !== null && titleB !== null && titleA !== titleB) return false;
  const datesAgree =
    ra.date_signed === rb.date_signed ||
    WEAK_DATES.has(a.dateSource) ||
    WEAK_DATES.has(b.dateSource);
  if (!datesAgree) return false;
  if (titleA !== null || titleB !== null) return true;
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
    (d.record.title_zh !== null || d.record.title_en !== null ? 2 : 0) +
    (WEAK_DATES.has(d.dateSource) ? 0 : 1) +
    d.record.confidence;
  return score(b) > score(a) ? b : a;
}

/** One record per document: the headline and the body often report the same signing. */
function merge(drafts: readonly Draft[]): CodedAgreement[] {
  const specific = drafts.filter((d) => d.record.doc_type !== 'unspecified');
  const kept = drafts.filter(
    (d) =>
      d.record.doc_type !== 'unspecified' ||
      !specific.some((s) => s.event !== d.event && partiesKey(s.record) === partiesKey(d.record)),
  );
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
  const first = events[0]?.sentence.start ?? 0;
  const last = events.at(-1)?.sentence.end ?? doc.text.length;
  const dates: DocDates = collectDocDates(doc, Math.max(0, first - DATE_LOOKBACK_CHARS), last);
  const drafts: Draft[] = [];
  events.forEach((event, index) => {
    const eventParties = resolveParties(doc, event, null);
    const date = resolveSigningDate(doc, event.sentence, event.verb.start, dates);
    for (const document of event.docs) {
      const titled = document.titleZhSpan !== null || document.titleEnSpan !== null;
      const parties = titled ? resolveParties(doc, event, document) : eventParties;
      if (parties.countries.length === 0 && parties.forum === null) continue;
      const record = buildRecord(doc, event, document, parties, date, maxEvidenceChars);
      drafts.push({
        record,
        event: index,
        describes: doc.text.slice(document.describes.start, document.describes.end),
        dateSource: date.source,
      });
    }
  });
  const agreements = merge(drafts);
  return { is_signing: agreements.length > 0, agreements };
}
