import type { CodedAgreement, Evidence } from '../schemas/agreement.js';
import type { DocType, SourceKind, Topic } from '../schemas/codes.js';
import {
  addAgreementSource,
  agreementsInBlock,
  candidatesOf,
  insertAgreement,
  linkCandidate,
  partnerKey,
  type StoredAgreement,
  type StoredCandidate,
  sourcesOf,
  updateAgreement,
} from '../storage/agreements.js';
import type { DB } from '../storage/database.js';

export interface DedupOptions {
  /** Reports of one signing may be dated up to this many days apart. @default 3 */
  readonly windowDays?: number;
  /** Below this title similarity (0..1), two titled documents in the same script differ. @default 0.4 */
  readonly minTitleSimilarity?: number;
}

export const DEDUP_DEFAULTS = { windowDays: 3, minTitleSimilarity: 0.4 } as const;

/** Lower is more authoritative: MPS's own words win over a news readout. */
const SOURCE_PRIORITY: Record<SourceKind, number> = {
  mps: 0,
  mfa: 1,
  embassy: 2,
  'foreign-gov': 3,
  news: 4,
};

const DAY_MS = 86_400_000;

/** Days between two partial dates; 0 when one is a prefix of the other (2016-11 vs 2016-11-22). */
export function dateDistanceDays(a: string | null, b: string | null): number {
  if (a === null || b === null) return Number.POSITIVE_INFINITY;
  if (a.length === 10 && b.length === 10) {
    return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY_MS;
  }
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n) ? 0 : Number.POSITIVE_INFINITY;
}

const VAGUE_DOC_TYPES: ReadonlySet<DocType> = new Set(['unspecified', 'other']);

export function docTypesCompatible(a: DocType, b: DocType): boolean {
  return a === b || VAGUE_DOC_TYPES.has(a) || VAGUE_DOC_TYPES.has(b);
}

/**
 * Words that every title shares and that therefore say nothing about which document it is,
 * including the document-type terms (compared separately through `doc_type`).
 */
const TITLE_NOISE =
  /中华人民共和国|中国|公安部|政府|关于|之间|合作|谅解备忘录|备忘录|协定书|协定|协议书|协议|会议纪要|会谈纪要|纪要|联合声明|意向书|换文|安排|计划|行动方案|成果清单|交接书|memorandum of understanding|memorandum|agreement|protocol|minutes|joint statement|letter of intent|\b(?:cooperation|between|the|of|on|and|in)\b|的|和|与|[\s《》"“”'‘’（）()、，,.:：;；\-—]/gi;

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < s.length; i++) out.add(s.slice(i, i + 2));
  return out;
}

/** Dice coefficient over character bigrams of the titles with boilerplate removed. */
export function titleSimilarity(a: string, b: string): number {
  const x = bigrams(a.replace(TITLE_NOISE, '').toLowerCase());
  const y = bigrams(b.replace(TITLE_NOISE, '').toLowerCase());
  if (x.size === 0 || y.size === 0) return 1;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

/**
 * How well a candidate matches a canonical record, 0..1, or null when they cannot be the same
 * signing: other partner, dates too far apart, incompatible document types, or titles in the
 * same language that clearly name different documents.
 */
export function matchScore(
  candidate: CodedAgreement,
  canonical: CodedAgreement,
  options: DedupOptions = {},
): number | null {
  const windowDays = options.windowDays ?? DEDUP_DEFAULTS.windowDays;
  const minTitle = options.minTitleSimilarity ?? DEDUP_DEFAULTS.minTitleSimilarity;
  if (partnerKey(candidate) !== partnerKey(canonical)) return null;
  const days = dateDistanceDays(candidate.date_signed, canonical.date_signed);
  if (days > windowDays) return null;
  if (!docTypesCompatible(candidate.doc_type, canonical.doc_type)) return null;
  let titleScore = 0.5;
  for (const key of ['title_zh', 'title_en'] as const) {
    const a = candidate[key];
    const b = canonical[key];
    if (a !== null && b !== null) {
      const sim = titleSimilarity(a, b);
      if (sim < minTitle) return null;
      titleScore = Math.max(titleScore, sim);
    }
  }
  const dateScore = 1 - days / (windowDays + 1);
  const typeScore = candidate.doc_type === canonical.doc_type ? 1 : 0.5;
  return 0.4 * dateScore + 0.3 * typeScore + 0.3 * titleScore;
}

function firstNonNull<T>(values: readonly (T | null)[]): T | null {
  for (const v of values) if (v !== null) return v;
  return null;
}

/** The most precise date: a full date over a month over a year, the authoritative source first. */
function mostPreciseDate(dates: readonly (string | null)[]): string | null {
  let best: string | null = null;
  for (const d of dates) if (d !== null && (best === null || d.length > best.length)) best = d;
  return best;
}

/**
 * Merges what several sources say about one signing into one record. `reports` are ordered by
 * source authority; each field takes the first informative value, topics are the union.
 */
export function mergeRecords(reports: readonly CodedAgreement[]): CodedAgreement {
  const [first] = reports;
  if (first === undefined) throw new TypeError('Expected at least one record to merge');
  const informative = <T>(pick: (r: CodedAgreement) => T, isKnown: (v: T) => boolean): T => {
    for (const r of reports) {
      const v = pick(r);
      if (isKnown(v)) return v;
    }
    return pick(first);
  };
  const date = mostPreciseDate(reports.map((r) => r.date_signed));
  const topics = new Set<Topic>();
  for (const r of reports) for (const t of r.topics) if (t !== 'generic') topics.add(t);
  const evidence: Evidence[] = [];
  const seen = new Set<string>();
  for (const r of reports) {
    for (const e of r.evidence) {
      const k = `${e.field}\u0000${e.source_url}\u0000${e.quote}`;
      if (!seen.has(k)) {
        seen.add(k);
        evidence.push(e);
      }
    }
  }
  const signatory = informative(
    (r) => r.cn_signatory,
    (s) => s.title !== 'unknown',
  );
  return {
    title_zh: firstNonNull(reports.map((r) => r.title_zh)),
    title_en: firstNonNull(reports.map((r) => r.title_en)),
    date_signed: date,
    year: date === null ? first.year : Number(date.slice(0, 4)),
    doc_type: informative(
      (r) => r.doc_type,
      (t) => !VAGUE_DOC_TYPES.has(t),
    ),
    doc_type_term: informative(
      (r) => r.doc_type_term,
      (t) => t !== null,
    ),
    scope: first.scope,
    counterpart_countries: first.counterpart_countries,
    forum: first.forum,
    region: informative(
      (r) => r.region,
      (v) => v !== null,
    ),
    counterpart_agency: informative(
      (r) => r.counterpart_agency,
      (v) => v !== null,
    ),
    counterpart_agency_type: informative(
      (r) => r.counterpart_agency_type,
      (v) => v !== 'unknown',
    ),
    cn_signing_body: first.cn_signing_body,
    cn_signatory: signatory,
    cn_signatory_ministerial: informative(
      (r) => r.cn_signatory_ministerial,
      (v) => v !== null,
    ),
    counterpart_signatory: informative(
      (r) => r.counterpart_signatory,
      (s) => s.rank !== 'unknown',
    ),
    topics: topics.size === 0 ? ['generic'] : [...topics],
    is_renewal: false,
    evidence,
    confidence: Math.min(
      1,
      Math.max(...reports.map((r) => r.confidence)) + 0.05 * (reports.length - 1),
    ),
  };
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The date range a candidate's block covers. Partial dates block on their whole month/year. */
function blockRange(date: string, windowDays: number): [string, string] {
  if (date.length === 10) return [shiftDate(date, -windowDays), shiftDate(date, windowDays)];
  // A partial date matches any date it is a prefix of; '\uffff' sorts after every digit.
  return [date.slice(0, 4), `${date.slice(0, 4)}\uffff`];
}

export interface DedupResult {
  readonly agreementId: string;
  readonly created: boolean;
}

/**
 * Attaches one candidate to the canonical record of the same signing, or creates one.
 * Pending records are re-merged from all their reports; approved ones gain the source but keep
 * their reviewed values (a reviewer's decision is never overwritten silently).
 */
export async function dedupCandidate(
  trx: DB,
  candidate: StoredCandidate,
  fetchedAt: string | null,
  snapshotSha256: string | null,
  options: DedupOptions = {},
): Promise<DedupResult> {
  if (candidate.agreementId !== null) return { agreementId: candidate.agreementId, created: false };
  const windowDays = options.windowDays ?? DEDUP_DEFAULTS.windowDays;
  const record = candidate.record;
  let best: { agreement: StoredAgreement; score: number } | undefined;
  if (record.date_signed !== null) {
    const [from, to] = blockRange(record.date_signed, windowDays);
    const block = await agreementsInBlock(trx, partnerKey(record), from, to);
    const sources = await sourcesOf(
      trx,
      block.map((a) => a.id),
    );
    for (const agreement of block) {
      // Two documents of one announcement are two agreements, never one.
      const sameUrl = (sources.get(agreement.id) ?? []).some((s) => s.url === candidate.url);
      if (sameUrl) continue;
      const score = matchScore(record, agreement.record, options);
      if (score !== null && (best === undefined || score > best.score)) best = { agreement, score };
    }
  }

  const source = {
    candidateId: candidate.id,
    url: candidate.url,
    source_kind: candidate.sourceKind,
    published: candidate.published,
    fetched_at: fetchedAt,
    snapshot_sha256: snapshotSha256,
    archive_url: null,
  };

  if (best === undefined) {
    const agreementId = await insertAgreement(trx, { record, status: 'pending' });
    await addAgreementSource(trx, agreementId, source);
    await linkCandidate(trx, candidate.id, agreementId);
    return { agreementId, created: true };
  }

  const agreementId = best.agreement.id;
  await addAgreementSource(trx, agreementId, source);
  await linkCandidate(trx, candidate.id, agreementId);
  if (best.agreement.status === 'pending') {
    const reports = [...(await candidatesOf(trx, agreementId))].sort(
      (a, b) => SOURCE_PRIORITY[a.sourceKind] - SOURCE_PRIORITY[b.sourceKind] || a.id - b.id,
    );
    await updateAgreement(trx, agreementId, { record: mergeRecords(reports.map((r) => r.record)) });
  }
  return { agreementId, created: false };
}
