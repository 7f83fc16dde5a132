import { ConflictError } from '../core/errors.js';
import type { DB } from './database.js';

/**
 * Review items: what a reviewer must decide about a canonical record beyond approving it. The
 * dedup stage files a `conflict` when a report's value of a field differs from the record's
 * (an approved value is never overwritten: the item shows both), and a `source_changed` when a
 * page an approved record cites changed since it was reviewed.
 */

export type ReviewItemKind = 'conflict' | 'extractor_disagreement' | 'source_changed';

/**
 * `open` until decided; `resolved` or `dismissed` by a reviewer; `superseded` when the dedup
 * stage itself replaced it (a pending record's merged value changed under it).
 */
export type ReviewItemStatus = 'open' | 'resolved' | 'dismissed' | 'superseded';

export interface ConflictDetails {
  readonly field: string;
  readonly canonical: unknown;
  readonly candidate: unknown;
  /** The page that says otherwise (`import:FILE` for an imported dataset). */
  readonly candidate_url: string | null;
}

export interface ReviewItem {
  readonly id: number;
  readonly agreementId: string;
  readonly kind: ReviewItemKind;
  readonly field: string | null;
  readonly details: Record<string, unknown>;
  readonly status: ReviewItemStatus;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
}

export interface NewReviewItem {
  readonly agreementId: string;
  readonly kind: ReviewItemKind;
  readonly field?: string | null;
  readonly details: Record<string, unknown>;
}

type Row = {
  id: number;
  agreement_id: string;
  kind: string;
  field: string | null;
  details: string;
  status: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
};

function toItem(r: Row): ReviewItem {
  return {
    id: r.id,
    agreementId: r.agreement_id,
    kind: r.kind as ReviewItemKind,
    field: r.field,
    details: JSON.parse(r.details) as Record<string, unknown>,
    status: r.status as ReviewItemStatus,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
  };
}

/** Key-order-independent JSON, so that equal values compare equal as text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * Files an item unless an open one of the same kind already says the same about the record's
 * field (so a re-crawl of the same pages files nothing new). Returns the new item's id, or
 * null when it was already open.
 */
export async function addReviewItem(trx: DB, item: NewReviewItem): Promise<number | null> {
  const details = canonicalJson(item.details);
  const field = item.field ?? null;
  const open = await trx
    .selectFrom('review_items')
    .select(['id', 'details'])
    .where('agreement_id', '=', item.agreementId)
    .where('kind', '=', item.kind)
    .where('status', '=', 'open')
    .where((eb) => (field === null ? eb('field', 'is', null) : eb('field', '=', field)))
    .execute();
  if (open.some((r) => canonicalJson(JSON.parse(r.details)) === details)) return null;
  const row = await trx
    .insertInto('review_items')
    .values({
      agreement_id: item.agreementId,
      kind: item.kind,
      field,
      details,
      status: 'open',
      created_at: new Date().toISOString(),
      resolved_at: null,
      resolved_by: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Files one `conflict` item per field unless the same one is open already; returns how many
 * were new. Reads the record's open conflicts once, not once per field.
 */
export async function addConflicts(
  trx: DB,
  agreementId: string,
  conflicts: readonly { field: string; canonical: unknown; candidate: unknown }[],
  candidateUrl: string | null,
): Promise<number> {
  if (conflicts.length === 0) return 0;
  const open = await trx
    .selectFrom('review_items')
    .select('details')
    .where('agreement_id', '=', agreementId)
    .where('kind', '=', 'conflict')
    .where('status', '=', 'open')
    .execute();
  const seen = new Set(open.map((r) => canonicalJson(JSON.parse(r.details))));
  const now = new Date().toISOString();
  let added = 0;
  for (const c of conflicts) {
    const details: ConflictDetails = {
      field: c.field,
      canonical: c.canonical,
      candidate: c.candidate,
      candidate_url: candidateUrl,
    };
    const text = canonicalJson(details);
    if (seen.has(text)) continue;
    seen.add(text);
    await trx
      .insertInto('review_items')
      .values({
        agreement_id: agreementId,
        kind: 'conflict',
        field: c.field,
        details: text,
        status: 'open',
        created_at: now,
        resolved_at: null,
        resolved_by: null,
      })
      .execute();
    added++;
  }
  return added;
}

export interface ListReviewItemsOptions {
  readonly agreementId?: string;
  /** @default 'open' */
  readonly status?: ReviewItemStatus | 'any';
  readonly kind?: ReviewItemKind;
}

export async function listReviewItems(
  db: DB,
  options: ListReviewItemsOptions = {},
): Promise<ReviewItem[]> {
  let q = db.selectFrom('review_items').selectAll();
  const status = options.status ?? 'open';
  if (status !== 'any') q = q.where('status', '=', status);
  if (options.agreementId !== undefined) q = q.where('agreement_id', '=', options.agreementId);
  if (options.kind !== undefined) q = q.where('kind', '=', options.kind);
  const rows = await q.orderBy('id').execute();
  return rows.map(toItem);
}

/** Open items per agreement, for queue badges. */
export async function openItemCounts(
  db: DB,
  agreementIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < agreementIds.length; i += 500) {
    const rows = await db
      .selectFrom('review_items')
      .select(['agreement_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'open')
      .where('agreement_id', 'in', agreementIds.slice(i, i + 500))
      .groupBy('agreement_id')
      .execute();
    for (const r of rows) out.set(r.agreement_id, Number(r.n));
  }
  return out;
}

/**
 * Closes an open item. A ConflictError when it is no longer open (someone else decided it).
 */
export async function closeReviewItem(
  trx: DB,
  id: number,
  outcome: { status: Exclude<ReviewItemStatus, 'open'>; by: string },
): Promise<void> {
  const result = await trx
    .updateTable('review_items')
    .set({ status: outcome.status, resolved_at: new Date().toISOString(), resolved_by: outcome.by })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    throw new ConflictError(`Review item ${id} is not open any more; reload and try again`);
  }
}

/**
 * Marks the open conflict items of a record that no longer hold (their `canonical` value is
 * not the record's value any more) as superseded by `by`; returns how many.
 */
export async function supersedeConflicts(
  trx: DB,
  agreementId: string,
  stillOpen: (details: ConflictDetails) => boolean,
  by: string,
): Promise<number> {
  const open = await listReviewItems(trx, { agreementId, kind: 'conflict' });
  let n = 0;
  for (const item of open) {
    if (stillOpen(item.details as unknown as ConflictDetails)) continue;
    await closeReviewItem(trx, item.id, { status: 'superseded', by });
    n++;
  }
  return n;
}

export { canonicalJson };
