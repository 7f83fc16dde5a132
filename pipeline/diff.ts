import type { Agreement } from '../schemas/agreement.js';
import { DOC_TYPES, TOPICS } from '../schemas/codes.js';
import { partnerKey } from '../storage/agreements.js';
import { type Dataset, flatRecord } from './dataset.js';

/**
 * What changed between two sets of export records: records added, removed and changed (with
 * each changed field before and after), and counts by year, country, topic and document type.
 * Records are matched by `id`, or, when the two sets share no ids (a dataset pactwatch did not
 * make), by the agreement's identity: partner, date and document type.
 */

export type MatchBy = 'id' | 'key';

export interface DiffOptions {
  /** How records are paired. `auto`: by id when the sets share one, else by key. @default 'auto' */
  readonly match?: 'auto' | MatchBy;
  /** Fields left out of the comparison. @default [] */
  readonly ignoreFields?: readonly string[];
}

export const DIFF_DEFAULTS: Required<DiffOptions> = { match: 'auto', ignoreFields: [] };

export interface RecordRef {
  readonly id: string;
  readonly date: string | null;
  readonly partner: string;
  readonly doc_type: string;
  readonly title: string | null;
}

export interface FieldChange {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

export interface ChangedRecord {
  readonly before: RecordRef;
  readonly after: RecordRef;
  readonly changes: readonly FieldChange[];
}

export interface CountRow {
  readonly value: string;
  readonly a: number;
  readonly b: number;
  readonly delta: number;
}

export const SUMMARY_DIMENSIONS = ['year', 'country', 'topic', 'doc_type'] as const;
export type SummaryDimension = (typeof SUMMARY_DIMENSIONS)[number];

export interface DatasetDiff {
  readonly a: { readonly label: string; readonly kind: string; readonly records: number };
  readonly b: { readonly label: string; readonly kind: string; readonly records: number };
  readonly matchedBy: MatchBy;
  readonly fields: readonly string[];
  readonly added: readonly RecordRef[];
  readonly removed: readonly RecordRef[];
  readonly changed: readonly ChangedRecord[];
  readonly unchanged: number;
  readonly summary: Readonly<Record<SummaryDimension, readonly CountRow[]>>;
}

export function refOf(r: Agreement): RecordRef {
  return {
    id: r.id,
    date: r.date_signed ?? (r.year === null ? null : String(r.year)),
    partner: r.forum ?? (r.counterpart_countries.join('+') || '?'),
    doc_type: r.doc_type,
    title: r.title_zh ?? r.title_en,
  };
}

/** Keys that pair records across sets; repeated keys get `#2`, `#3` in order. */
function keyed(records: readonly Agreement[], by: MatchBy): Map<string, Agreement> {
  const out = new Map<string, Agreement>();
  for (const r of records) {
    const base =
      by === 'id' ? r.id : `${partnerKey(r)}|${r.date_signed ?? r.year ?? '?'}|${r.doc_type}`;
    let key = base;
    for (let n = 2; out.has(key); n++) key = `${base}#${n}`;
    out.set(key, r);
  }
  return out;
}

function chooseMatch(a: Dataset, b: Dataset, match: DiffOptions['match']): MatchBy {
  if (match === 'id' || match === 'key') return match;
  const ids = new Set(a.records.map((r) => r.id));
  return b.records.some((r) => ids.has(r.id)) ? 'id' : 'key';
}

function comparedFields(a: Dataset, b: Dataset, by: MatchBy, ignore: readonly string[]): string[] {
  const both = [...a.fields].filter((f) => b.fields.has(f));
  const skip = new Set(ignore);
  if (by === 'key') skip.add('id');
  // Full source lists make the flattened URL list redundant.
  if (both.includes('sources')) skip.add('source_urls');
  return both.filter((f) => !skip.has(f));
}

function valuesOf(r: Agreement, dim: SummaryDimension): string[] {
  switch (dim) {
    case 'year':
      return [r.year === null ? 'unknown' : String(r.year)];
    case 'country':
      return r.counterpart_countries;
    case 'topic':
      return r.topics;
    case 'doc_type':
      return [r.doc_type];
  }
}

const ORDER: Partial<Record<SummaryDimension, readonly string[]>> = {
  topic: [...TOPICS, 'generic'],
  doc_type: DOC_TYPES,
};

export function countBy(records: readonly Agreement[], dim: SummaryDimension): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records)
    for (const v of new Set(valuesOf(r, dim))) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function summarize(
  a: readonly Agreement[],
  b: readonly Agreement[],
  dim: SummaryDimension,
): CountRow[] {
  const ca = countBy(a, dim);
  const cb = countBy(b, dim);
  const order = ORDER[dim];
  const values = [...new Set([...ca.keys(), ...cb.keys()])].sort((x, y) =>
    order === undefined ? x.localeCompare(y) : order.indexOf(x) - order.indexOf(y),
  );
  return values.map((value) => {
    const na = ca.get(value) ?? 0;
    const nb = cb.get(value) ?? 0;
    return { value, a: na, b: nb, delta: nb - na };
  });
}

export function diffDatasets(a: Dataset, b: Dataset, options: DiffOptions = {}): DatasetDiff {
  const match = options.match ?? DIFF_DEFAULTS.match;
  if (!['auto', 'id', 'key'].includes(match))
    throw new TypeError(`Expected \`match\` to be auto, id or key, got \`${String(match)}\``);
  const by = chooseMatch(a, b, match);
  const fields = comparedFields(a, b, by, options.ignoreFields ?? DIFF_DEFAULTS.ignoreFields);
  const left = keyed(a.records, by);
  const right = keyed(b.records, by);
  const added: RecordRef[] = [];
  const removed: RecordRef[] = [];
  const changed: ChangedRecord[] = [];
  let unchanged = 0;
  for (const [key, before] of left) {
    const after = right.get(key);
    if (after === undefined) {
      removed.push(refOf(before));
      continue;
    }
    const fa = flatRecord(before);
    const fb = flatRecord(after);
    const changes = fields
      .filter((f) => fa[f] !== fb[f])
      .map((field) => ({ field, before: fa[field] ?? '', after: fb[field] ?? '' }));
    if (changes.length === 0) unchanged++;
    else changed.push({ before: refOf(before), after: refOf(after), changes });
  }
  for (const [key, after] of right) if (!left.has(key)) added.push(refOf(after));
  const summary = Object.fromEntries(
    SUMMARY_DIMENSIONS.map((dim) => [dim, summarize(a.records, b.records, dim)]),
  ) as Record<SummaryDimension, CountRow[]>;
  return {
    a: { label: a.label, kind: a.kind, records: a.records.length },
    b: { label: b.label, kind: b.kind, records: b.records.length },
    matchedBy: by,
    fields,
    added,
    removed,
    changed,
    unchanged,
    summary,
  };
}
