import type { CodedAgreement } from '../../schemas/agreement.js';
import { isVagueDocType } from './score.js';
import { personKey } from './text.js';

/** One field on which a report disagrees with its canonical record (CSV column names). */
export interface FieldConflict {
  readonly field: string;
  readonly canonical: unknown;
  readonly candidate: unknown;
}

export interface ConflictOptions {
  /**
   * Also report fields the canonical record leaves empty (or less precise) and the report
   * fills in: for a reviewed record nothing is filled in silently. @default false
   */
  readonly gaps?: boolean;
}

const isLatin = (s: string) => /^[\x20-\x7e\u00c0-\u024f]+$/.test(s);

/** Dates disagree unless one is the other or a prefix of it (2016-11 covers 2016-11-22). */
function datesDisagree(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) !== b.slice(0, n);
}

/**
 * The coded fields on which `candidate` says something else than `canonical`. Only informative
 * values count: an unknown, vague or missing value never conflicts. Titles, agency names and
 * document-type terms are wording, not coding, and differ between sources as a rule, so they
 * are compared only as gaps.
 */
export function fieldConflicts(
  canonical: CodedAgreement,
  candidate: CodedAgreement,
  options: ConflictOptions = {},
): FieldConflict[] {
  const out: FieldConflict[] = [];
  const add = (field: string, a: unknown, b: unknown) =>
    out.push({ field, canonical: a, candidate: b });
  const gaps = options.gaps === true;

  const cd = canonical.date_signed;
  const nd = candidate.date_signed;
  if (cd !== null && nd !== null) {
    if (datesDisagree(cd, nd) || (gaps && nd.length > cd.length)) add('date_signed', cd, nd);
  } else if (gaps && cd === null && nd !== null) add('date_signed', cd, nd);

  if (
    canonical.doc_type !== candidate.doc_type &&
    !isVagueDocType(candidate.doc_type) &&
    (gaps || !isVagueDocType(canonical.doc_type))
  ) {
    add('doc_type', canonical.doc_type, candidate.doc_type);
  }
  if (canonical.scope !== candidate.scope) add('scope', canonical.scope, candidate.scope);
  const cc = [...canonical.counterpart_countries].sort().join(';');
  const nc = [...candidate.counterpart_countries].sort().join(';');
  if (cc !== nc)
    add('counterpart_countries', canonical.counterpart_countries, candidate.counterpart_countries);
  if (canonical.forum !== candidate.forum) add('forum', canonical.forum, candidate.forum);
  if (
    candidate.region !== null &&
    canonical.region !== candidate.region &&
    (gaps || canonical.region !== null)
  ) {
    add('region', canonical.region, candidate.region);
  }
  if (
    candidate.counterpart_agency_type !== 'unknown' &&
    canonical.counterpart_agency_type !== candidate.counterpart_agency_type &&
    (gaps || canonical.counterpart_agency_type !== 'unknown')
  ) {
    add(
      'counterpart_agency_type',
      canonical.counterpart_agency_type,
      candidate.counterpart_agency_type,
    );
  }
  if (canonical.cn_signing_body !== candidate.cn_signing_body) {
    add('cn_signing_body', canonical.cn_signing_body, candidate.cn_signing_body);
  }

  const cs = canonical.cn_signatory;
  const ns = candidate.cn_signatory;
  if (ns.title !== 'unknown' && cs.title !== ns.title && (gaps || cs.title !== 'unknown')) {
    add('cn_signatory_title', cs.title, ns.title);
  }
  for (const key of ['name_zh', 'name_en'] as const) {
    const a = personKey(cs[key]);
    const b = personKey(ns[key]);
    if (b !== null && a !== b && (gaps || a !== null)) add(`cn_signatory_${key}`, cs[key], ns[key]);
  }
  if (
    candidate.cn_signatory_ministerial !== null &&
    canonical.cn_signatory_ministerial !== candidate.cn_signatory_ministerial &&
    (gaps || canonical.cn_signatory_ministerial !== null)
  ) {
    add(
      'cn_signatory_ministerial',
      canonical.cn_signatory_ministerial,
      candidate.cn_signatory_ministerial,
    );
  }
  const cp = canonical.counterpart_signatory;
  const np = candidate.counterpart_signatory;
  if (np.rank !== 'unknown' && cp.rank !== np.rank && (gaps || cp.rank !== 'unknown')) {
    add('counterpart_signatory_rank', cp.rank, np.rank);
  }
  const cpName = personKey(cp.name);
  const npName = personKey(np.name);
  // 苏林 and To Lam are one person: names in different scripts are not compared.
  if (npName !== null && cpName !== npName) {
    if (cpName === null ? gaps : isLatin(cpName) === isLatin(npName)) {
      add('counterpart_signatory_name', cp.name, np.name);
    }
  }

  const known = new Set(canonical.topics);
  const extra = candidate.topics.filter((t) => t !== 'generic' && !known.has(t));
  if (extra.length > 0) add('topics', canonical.topics, candidate.topics);

  if (gaps) {
    for (const key of ['title_zh', 'title_en', 'counterpart_agency'] as const) {
      if (canonical[key] === null && candidate[key] !== null) add(key, null, candidate[key]);
    }
  }
  return out;
}

/** The value of a conflict's field (a CSV column name) in a record. */
export function fieldValue(record: CodedAgreement, field: string): unknown {
  switch (field) {
    case 'cn_signatory_title':
      return record.cn_signatory.title;
    case 'cn_signatory_name_zh':
      return record.cn_signatory.name_zh;
    case 'cn_signatory_name_en':
      return record.cn_signatory.name_en;
    case 'counterpart_signatory_rank':
      return record.counterpart_signatory.rank;
    case 'counterpart_signatory_name':
      return record.counterpart_signatory.name;
    default:
      return field in record ? record[field as keyof CodedAgreement] : undefined;
  }
}
