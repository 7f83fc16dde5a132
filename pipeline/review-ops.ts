import { ConflictError, UserError } from '../core/errors.js';
import { CodedAgreement } from '../schemas/agreement.js';
import type { SourceKind } from '../schemas/codes.js';
import { getAgreement, type StoredAgreement } from '../storage/agreements.js';
import type { DB } from '../storage/database.js';

/**
 * Building blocks shared by the review actions (pipeline/review.ts): loading a record that may
 * be decided, the optimistic-concurrency check with a message a reviewer can act on, field-level
 * diffs, and moving sources between records.
 */

/** An action the caller's role does not allow (a reviewer reopening a record). */
export class PermissionError extends UserError {}

/** The review columns of a record, as kept in the log so that an undo can put them back. */
export interface ReviewState {
  readonly status: StoredAgreement['status'];
  readonly reviewer: string | null;
  readonly reviewed_at: string | null;
  readonly note: string | null;
}

export const stateOf = (a: StoredAgreement): ReviewState => ({
  status: a.status,
  reviewer: a.reviewer,
  reviewed_at: a.reviewedAt,
  note: a.note,
});

export async function loadAgreement(db: DB, id: string): Promise<StoredAgreement> {
  const a = await getAgreement(db, id);
  if (a === undefined) throw new UserError(`No agreement ${id}`);
  return a;
}

/** A record that can still be acted on: it exists and was not merged into another. */
export async function requireAgreement(db: DB, id: string): Promise<StoredAgreement> {
  const a = await loadAgreement(db, id);
  if (a.mergedInto !== null) throw new UserError(`Agreement ${id} was merged into ${a.mergedInto}`);
  return a;
}

/**
 * Refuses to act on a record that changed since the caller loaded it, naming who changed it
 * and how, so the second of two reviewers knows what happened instead of overwriting it.
 */
export async function requireVersion(
  db: DB,
  a: StoredAgreement,
  expectedVersion: number | undefined,
): Promise<void> {
  if (expectedVersion === undefined || a.version === expectedVersion) return;
  const last = await db
    .selectFrom('review_log')
    .select(['action', 'reviewer', 'at'])
    .where('agreement_id', '=', a.id)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const what =
    last === undefined
      ? 'was updated by the pipeline'
      : `was changed (${last.action}) by ${last.reviewer} at ${last.at.slice(0, 19).replace('T', ' ')} UTC`;
  throw new ConflictError(
    `Conflict: ${a.id} ${what} after you opened it (version ${expectedVersion}, now ${a.version}). It is now ${a.status}; reload to see the current record before deciding.`,
  );
}

export function requirePending(a: StoredAgreement): void {
  if (a.status !== 'pending')
    throw new UserError(`Agreement ${a.id} is ${a.status}; an admin must reopen it first`);
}

export function requireReviewer(name: string): string {
  if (name.trim() === '') throw new UserError('A reviewer name is required');
  return name;
}

export interface FieldChange {
  /** Top-level field, or `parent.child` for the signatory objects. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-level differences between two codings; objects one level deep, arrays as a whole. */
export function diffRecords(before: CodedAgreement, after: CodedAgreement): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of Object.keys(CodedAgreement.shape) as (keyof CodedAgreement)[]) {
    const b: unknown = before[key];
    const a: unknown = after[key];
    if (same(b, a)) continue;
    if (isPlainObject(b) && isPlainObject(a)) {
      for (const sub of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (!same(b[sub], a[sub]))
          changes.push({ field: `${key}.${sub}`, before: b[sub] ?? null, after: a[sub] ?? null });
      }
    } else {
      changes.push({ field: key, before: b, after: a });
    }
  }
  return changes;
}

const CODED_KEYS = new Set(Object.keys(CodedAgreement.shape));

/**
 * Applies a partial coding to a record and validates the result with the zod schema. Signatory
 * objects may be given in part. A changed `date_signed` brings `year` along unless it is given.
 */
export function applyChanges(
  record: CodedAgreement,
  changes: Readonly<Record<string, unknown>>,
): CodedAgreement {
  const unknown = Object.keys(changes).filter((k) => !CODED_KEYS.has(k));
  if (unknown.length > 0)
    throw new UserError(
      `Unknown field ${unknown.join(', ')}; fields: ${[...CODED_KEYS].join(', ')}`,
    );
  const next: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(changes)) {
    const current: unknown = next[key];
    next[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  const date = next['date_signed'];
  if (!('year' in changes) && typeof date === 'string' && date !== record.date_signed)
    next['year'] = Number(date.slice(0, 4));
  const parsed = CodedAgreement.safeParse(next);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`);
    throw new UserError(`Invalid value: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Lower is more authoritative (the same order dedup merges reports in). */
export const KIND_ORDER: Record<SourceKind, number> = {
  mps: 0,
  mfa: 1,
  embassy: 2,
  'foreign-gov': 3,
  news: 4,
};

/** Row ids moved from one record to another, kept in the log so an undo can move them back. */
export interface MovedRows {
  readonly sources: number[];
  readonly candidates: number[];
  readonly items: number[];
}

/**
 * Moves a record's sources, their candidates and its open review items to another record;
 * with `urls`, only the sources with those URLs (and the candidates read from them).
 */
export async function moveRows(
  trx: DB,
  from: string,
  to: string,
  urls?: ReadonlySet<string>,
): Promise<MovedRows> {
  const sources = (
    await trx
      .selectFrom('agreement_sources')
      .select(['id', 'url'])
      .where('agreement_id', '=', from)
      .execute()
  ).filter((s) => urls === undefined || urls.has(s.url));
  const candidates = (
    await trx
      .selectFrom('candidates')
      .select(['id', 'url'])
      .where('agreement_id', '=', from)
      .execute()
  ).filter((c) => urls === undefined || urls.has(c.url));
  // Conflicts between sources make no sense once the sources are split apart: they stay put.
  const items =
    urls === undefined
      ? await trx
          .selectFrom('review_items')
          .select('id')
          .where('agreement_id', '=', from)
          .where('status', '=', 'open')
          .execute()
      : [];
  const moved: MovedRows = {
    sources: sources.map((s) => s.id),
    candidates: candidates.map((c) => c.id),
    items: items.map((i) => i.id),
  };
  await moveBack(trx, moved, to);
  return moved;
}

/** Points the given rows at `to` (the inverse of a move is a move of the same ids). */
export async function moveBack(trx: DB, rows: MovedRows, to: string): Promise<void> {
  if (rows.sources.length > 0)
    await trx
      .updateTable('agreement_sources')
      .set({ agreement_id: to })
      .where('id', 'in', rows.sources)
      .execute();
  if (rows.candidates.length > 0)
    await trx
      .updateTable('candidates')
      .set({ agreement_id: to })
      .where('id', 'in', rows.candidates)
      .execute();
  if (rows.items.length > 0)
    await trx
      .updateTable('review_items')
      .set({ agreement_id: to })
      .where('id', 'in', rows.items)
      .execute();
}

export function asMovedRows(value: unknown): MovedRows {
  const v = isPlainObject(value) ? value : {};
  const ids = (x: unknown) => (Array.isArray(x) ? x.filter((n) => typeof n === 'number') : []);
  return { sources: ids(v['sources']), candidates: ids(v['candidates']), items: ids(v['items']) };
}

/**
 * What a merge adds to the survivor: it keeps its own coding, fills only fields it does not
 * know from the merged record, and gains that record's evidence.
 */
export function absorb(survivor: CodedAgreement, merged: CodedAgreement): CodedAgreement {
  const out: CodedAgreement = { ...survivor };
  const fill = <K extends keyof CodedAgreement>(
    key: K,
    unknown: (v: CodedAgreement[K]) => boolean,
  ) => {
    if (unknown(out[key]) && !unknown(merged[key])) out[key] = merged[key];
  };
  fill('title_zh', (v) => v === null);
  fill('title_en', (v) => v === null);
  fill('date_signed', (v) => v === null);
  fill('year', (v) => v === null);
  fill('doc_type_term', (v) => v === null);
  fill('region', (v) => v === null);
  fill('counterpart_agency', (v) => v === null);
  fill('counterpart_agency_type', (v) => v === 'unknown');
  fill('cn_signatory_ministerial', (v) => v === null);
  fill('cn_signatory', (v) => v.title === 'unknown');
  fill('counterpart_signatory', (v) => v.rank === 'unknown');
  fill('topics', (v) => v.length === 1 && v[0] === 'generic');
  const seen = new Set(
    survivor.evidence.map((e) => `${e.field}\u0000${e.source_url}\u0000${e.quote}`),
  );
  out.evidence = [
    ...survivor.evidence,
    ...merged.evidence.filter((e) => !seen.has(`${e.field}\u0000${e.source_url}\u0000${e.quote}`)),
  ];
  out.confidence = Math.max(survivor.confidence, merged.confidence);
  return out;
}
