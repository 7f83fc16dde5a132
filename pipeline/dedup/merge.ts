import type { CodedAgreement, Evidence } from '../../schemas/agreement.js';
import type { SourceKind, Topic } from '../../schemas/codes.js';
import { isVagueDocType } from './score.js';

/** Lower is more authoritative: MPS's own words win over a news readout. */
export const SOURCE_PRIORITY: Readonly<Record<SourceKind, number>> = {
  mps: 0,
  mfa: 1,
  embassy: 2,
  'foreign-gov': 3,
  news: 4,
};

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
  return {
    title_zh: firstNonNull(reports.map((r) => r.title_zh)),
    title_en: firstNonNull(reports.map((r) => r.title_en)),
    date_signed: date,
    year: date === null ? first.year : Number(date.slice(0, 4)),
    doc_type: informative(
      (r) => r.doc_type,
      (t) => !isVagueDocType(t),
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
    cn_signatory: informative(
      (r) => r.cn_signatory,
      (s) => s.title !== 'unknown',
    ),
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
