import { stringify } from 'csv-stringify/sync';
import { Agreement, type CodedAgreement } from '../schemas/agreement.js';
import type { ReviewStatus } from '../schemas/codes.js';
import { listAgreements, type StoredAgreement, sourcesOf } from '../storage/agreements.js';
import type { DB } from '../storage/database.js';

/**
 * Turns stored agreements into export records (DESIGN.md): the one shape that `export`,
 * releases and later diffs share.
 */

/** The partners of a record for renewal counting: each counterpart country, or its forum. */
function partnersOf(record: CodedAgreement): string[] {
  if (record.forum !== null) return [`forum:${record.forum}`];
  return record.counterpart_countries;
}

/**
 * Marks `is_renewal`: a record is a renewal when one of its partners already has an agreement
 * signed on an earlier date in the same set. Derived at export time from the set itself, so
 * it is always consistent with what is published.
 */
export function markRenewals<T extends { record: CodedAgreement }>(items: readonly T[]): T[] {
  const first = new Map<string, string>();
  for (const { record } of items) {
    if (record.date_signed === null) continue;
    for (const p of partnersOf(record)) {
      const seen = first.get(p);
      if (seen === undefined || record.date_signed < seen) first.set(p, record.date_signed);
    }
  }
  return items.map((item) => {
    const d = item.record.date_signed;
    const renewal =
      d !== null &&
      partnersOf(item.record).some((p) => {
        const earliest = first.get(p);
        // Compare at the precision of the coarser date: 2016 is not "earlier" than 2016-05.
        if (earliest === undefined) return false;
        const n = Math.min(earliest.length, d.length);
        return earliest.slice(0, n) < d.slice(0, n);
      });
    return { ...item, record: { ...item.record, is_renewal: renewal } };
  });
}

export async function loadExportRecords(
  db: DB,
  status: ReviewStatus | 'any',
): Promise<Agreement[]> {
  const stored = markRenewals(await listAgreements(db, { status }));
  const sources = await sourcesOf(
    db,
    stored.map((a) => a.id),
  );
  return stored.map((a) => toExportRecord(a, sources.get(a.id) ?? []));
}

export function toExportRecord(
  a: StoredAgreement,
  sources: readonly {
    url: string;
    source_kind: string;
    published: string | null;
    fetched_at: string | null;
    snapshot_sha256: string | null;
    archive_url: string | null;
  }[],
): Agreement {
  return Agreement.parse({
    id: a.id,
    ...a.record,
    sources: sources.map((s) => ({
      url: s.url,
      source_kind: s.source_kind,
      published: s.published,
      fetched_at: s.fetched_at,
      snapshot_sha256: s.snapshot_sha256,
      archive_url: s.archive_url,
    })),
    review: { status: a.status, reviewer: a.reviewer, reviewed_at: a.reviewedAt, note: a.note },
  });
}

/** CSV columns: nested fields flattened, lists joined with `;`, evidence as JSON. */
export const CSV_COLUMNS = [
  'id',
  'title_zh',
  'title_en',
  'date_signed',
  'year',
  'doc_type',
  'doc_type_term',
  'scope',
  'counterpart_countries',
  'forum',
  'region',
  'counterpart_agency',
  'counterpart_agency_type',
  'cn_signing_body',
  'cn_signatory_name_zh',
  'cn_signatory_name_en',
  'cn_signatory_title',
  'cn_signatory_ministerial',
  'counterpart_signatory_name',
  'counterpart_signatory_rank',
  'topics',
  'is_renewal',
  'source_urls',
  'evidence',
  'confidence',
  'review_status',
  'review_reviewer',
  'review_reviewed_at',
  'review_note',
] as const;

export function toCsvRow(r: Agreement): Record<(typeof CSV_COLUMNS)[number], string> {
  const s = (v: string | number | boolean | null) => (v === null ? '' : String(v));
  return {
    id: r.id,
    title_zh: s(r.title_zh),
    title_en: s(r.title_en),
    date_signed: s(r.date_signed),
    year: s(r.year),
    doc_type: r.doc_type,
    doc_type_term: s(r.doc_type_term),
    scope: r.scope,
    counterpart_countries: r.counterpart_countries.join(';'),
    forum: s(r.forum),
    region: s(r.region),
    counterpart_agency: s(r.counterpart_agency),
    counterpart_agency_type: r.counterpart_agency_type,
    cn_signing_body: r.cn_signing_body,
    cn_signatory_name_zh: s(r.cn_signatory.name_zh),
    cn_signatory_name_en: s(r.cn_signatory.name_en),
    cn_signatory_title: r.cn_signatory.title,
    cn_signatory_ministerial: s(r.cn_signatory_ministerial),
    counterpart_signatory_name: s(r.counterpart_signatory.name),
    counterpart_signatory_rank: r.counterpart_signatory.rank,
    topics: r.topics.join(';'),
    is_renewal: String(r.is_renewal),
    source_urls: r.sources.map((x) => x.url).join(';'),
    evidence: JSON.stringify(r.evidence),
    confidence: r.confidence.toFixed(3),
    review_status: r.review.status,
    review_reviewer: s(r.review.reviewer),
    review_reviewed_at: s(r.review.reviewed_at),
    review_note: s(r.review.note),
  };
}

export function toCsv(records: readonly Agreement[]): string {
  return stringify(records.map(toCsvRow), { header: true, columns: [...CSV_COLUMNS] });
}

export function toJson(records: readonly Agreement[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}
