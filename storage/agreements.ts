import { sql } from 'kysely';
import { ConflictError } from '../core/errors.js';
import type { AgreementSource, CodedAgreement } from '../schemas/agreement.js';
import type { ReviewStatus, SourceKind } from '../schemas/codes.js';
import type { DB } from './database.js';

export interface StoredAgreement {
  readonly id: string;
  readonly record: CodedAgreement;
  readonly status: ReviewStatus;
  readonly reviewer: string | null;
  readonly reviewedAt: string | null;
  readonly note: string | null;
  readonly version: number;
  readonly mergedInto: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StoredCandidate {
  readonly id: number;
  readonly snapshotId: number;
  readonly sourceId: string;
  readonly sourceKind: SourceKind;
  readonly url: string;
  readonly published: string | null;
  readonly ordinal: number;
  readonly record: CodedAgreement;
  readonly agreementId: string | null;
}

const nowIso = () => new Date().toISOString();

/** The dedup blocking key of a record: its forum, or its sorted counterpart countries. */
export function partnerKey(
  record: Pick<CodedAgreement, 'forum' | 'counterpart_countries'>,
): string {
  if (record.forum !== null) return `forum:${record.forum}`;
  if (record.counterpart_countries.length === 0) return 'unknown';
  return [...record.counterpart_countries].sort().join('+');
}

type AgreementRow = {
  id: string;
  record: string;
  status: string;
  reviewer: string | null;
  reviewed_at: string | null;
  note: string | null;
  version: number;
  merged_into: string | null;
  created_at: string;
  updated_at: string;
};

/** An `agreements` row (selected with AGREEMENT_COLUMNS) as a StoredAgreement. */
export function toAgreement(row: AgreementRow): StoredAgreement {
  return {
    id: row.id,
    record: JSON.parse(row.record) as CodedAgreement,
    status: row.status as ReviewStatus,
    reviewer: row.reviewer,
    reviewedAt: row.reviewed_at,
    note: row.note,
    version: row.version,
    mergedInto: row.merged_into,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export const AGREEMENT_COLUMNS = [
  'id',
  'record',
  'status',
  'reviewer',
  'reviewed_at',
  'note',
  'version',
  'merged_into',
  'created_at',
  'updated_at',
] as const;

/**
 * Ids are `PW-` and a number from a counter that only grows, so an id is never reused, even
 * after its record is merged away or rejected.
 */
export async function nextAgreementId(trx: DB): Promise<string> {
  await trx
    .insertInto('counters')
    .values({ name: 'agreement', value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
    .execute();
  const row = await trx
    .selectFrom('counters')
    .select('value')
    .where('name', '=', 'agreement')
    .executeTakeFirstOrThrow();
  return `PW-${String(row.value).padStart(6, '0')}`;
}

export interface NewAgreement {
  readonly record: CodedAgreement;
  readonly status: ReviewStatus;
  readonly id?: string;
  readonly reviewer?: string | null;
  readonly note?: string | null;
}

export async function insertAgreement(trx: DB, agreement: NewAgreement): Promise<string> {
  const id = agreement.id ?? (await nextAgreementId(trx));
  const now = nowIso();
  await trx
    .insertInto('agreements')
    .values({
      id,
      record: JSON.stringify(agreement.record),
      partner_key: partnerKey(agreement.record),
      date_signed: agreement.record.date_signed,
      doc_type: agreement.record.doc_type,
      status: agreement.status,
      reviewer: agreement.reviewer ?? null,
      reviewed_at: agreement.status === 'pending' ? null : now,
      note: agreement.note ?? null,
      version: 1,
      merged_into: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export interface AgreementPatch {
  readonly record?: CodedAgreement;
  readonly status?: ReviewStatus;
  readonly reviewer?: string | null;
  readonly reviewedAt?: string | null;
  readonly note?: string | null;
  readonly mergedInto?: string | null;
}

/**
 * Updates one agreement. With `expectedVersion`, the update applies only if nobody changed the
 * record since the caller read it; otherwise a ConflictError tells the caller to reload.
 */
export async function updateAgreement(
  trx: DB,
  id: string,
  patch: AgreementPatch,
  expectedVersion?: number,
): Promise<void> {
  let q = trx
    .updateTable('agreements')
    .set((eb) => ({
      version: eb('version', '+', 1),
      updated_at: nowIso(),
      ...(patch.record === undefined
        ? {}
        : {
            record: JSON.stringify(patch.record),
            partner_key: partnerKey(patch.record),
            date_signed: patch.record.date_signed,
            doc_type: patch.record.doc_type,
          }),
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.reviewer === undefined ? {} : { reviewer: patch.reviewer }),
      ...(patch.reviewedAt === undefined ? {} : { reviewed_at: patch.reviewedAt }),
      ...(patch.note === undefined ? {} : { note: patch.note }),
      ...(patch.mergedInto === undefined ? {} : { merged_into: patch.mergedInto }),
    }))
    .where('id', '=', id);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  const result = await q.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    throw new ConflictError(
      `Agreement ${id} was changed by someone else since you loaded it; reload and try again`,
    );
  }
}

export async function getAgreement(db: DB, id: string): Promise<StoredAgreement | undefined> {
  const row = await db
    .selectFrom('agreements')
    .select(AGREEMENT_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toAgreement(row);
}

export interface ListAgreementsOptions {
  /** @default 'any' */
  readonly status?: ReviewStatus | 'any';
  /** Include records merged into another. @default false */
  readonly includeMerged?: boolean;
}

export async function listAgreements(
  db: DB,
  options: ListAgreementsOptions = {},
): Promise<StoredAgreement[]> {
  let q = db.selectFrom('agreements').select(AGREEMENT_COLUMNS);
  if (options.status !== undefined && options.status !== 'any')
    q = q.where('status', '=', options.status);
  if (options.includeMerged !== true) q = q.where('merged_into', 'is', null);
  const rows = await q.orderBy('date_signed').orderBy('id').execute();
  return rows.map(toAgreement);
}

/** Agreements with the partner key whose date falls in [from, to] (ISO strings compare). */
export async function agreementsInBlock(
  db: DB,
  key: string,
  from: string,
  to: string,
): Promise<StoredAgreement[]> {
  const rows = await db
    .selectFrom('agreements')
    .select(AGREEMENT_COLUMNS)
    .where('partner_key', '=', key)
    .where('merged_into', 'is', null)
    .where('date_signed', '>=', from)
    .where('date_signed', '<=', to)
    .execute();
  return rows.map(toAgreement);
}

export interface SourceRow extends AgreementSource {
  readonly candidateId: number | null;
}

export async function addAgreementSource(
  trx: DB,
  agreementId: string,
  source: SourceRow,
): Promise<void> {
  await trx
    .insertInto('agreement_sources')
    .values({
      agreement_id: agreementId,
      candidate_id: source.candidateId,
      url: source.url,
      source_kind: source.source_kind,
      published: source.published,
      fetched_at: source.fetched_at,
      snapshot_sha256: source.snapshot_sha256,
      archive_url: source.archive_url,
    })
    .execute();
}

/** The sources of each agreement, oldest first. */
export async function sourcesOf(db: DB, ids: readonly string[]): Promise<Map<string, SourceRow[]>> {
  const out = new Map<string, SourceRow[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('agreement_sources')
      .selectAll()
      .where('agreement_id', 'in', ids.slice(i, i + 500))
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.agreement_id) ?? [];
      list.push({
        candidateId: r.candidate_id,
        url: r.url,
        source_kind: r.source_kind as SourceKind,
        published: r.published,
        fetched_at: r.fetched_at,
        snapshot_sha256: r.snapshot_sha256,
        archive_url: r.archive_url,
      });
      out.set(r.agreement_id, list);
    }
  }
  return out;
}

export interface NewCandidate {
  readonly snapshotId: number;
  readonly sourceId: string;
  readonly sourceKind: SourceKind;
  readonly url: string;
  readonly published: string | null;
  readonly ordinal: number;
  readonly record: CodedAgreement;
}

export async function insertCandidates(
  trx: DB,
  candidates: readonly NewCandidate[],
): Promise<void> {
  if (candidates.length === 0) return;
  const now = nowIso();
  await trx
    .insertInto('candidates')
    .values(
      candidates.map((c) => ({
        snapshot_id: c.snapshotId,
        source_id: c.sourceId,
        source_kind: c.sourceKind,
        url: c.url,
        published: c.published,
        ordinal: c.ordinal,
        record: JSON.stringify(c.record),
        agreement_id: null,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['snapshot_id', 'ordinal']).doNothing())
    .execute();
}

type CandidateRow = {
  id: number;
  snapshot_id: number;
  source_id: string;
  source_kind: string;
  url: string;
  published: string | null;
  ordinal: number;
  record: string;
  agreement_id: string | null;
};

function toCandidate(r: CandidateRow): StoredCandidate {
  return {
    id: r.id,
    snapshotId: r.snapshot_id,
    sourceId: r.source_id,
    sourceKind: r.source_kind as SourceKind,
    url: r.url,
    published: r.published,
    ordinal: r.ordinal,
    record: JSON.parse(r.record) as CodedAgreement,
    agreementId: r.agreement_id,
  };
}

const CANDIDATE_COLUMNS = [
  'id',
  'snapshot_id',
  'source_id',
  'source_kind',
  'url',
  'published',
  'ordinal',
  'record',
  'agreement_id',
] as const;

export async function getCandidate(
  db: DB,
  snapshotId: number,
  ordinal: number,
): Promise<StoredCandidate | undefined> {
  const r = await db
    .selectFrom('candidates')
    .select(CANDIDATE_COLUMNS)
    .where('snapshot_id', '=', snapshotId)
    .where('ordinal', '=', ordinal)
    .executeTakeFirst();
  return r === undefined ? undefined : toCandidate(r);
}

export async function candidatesOf(db: DB, agreementId: string): Promise<StoredCandidate[]> {
  const rows = await db
    .selectFrom('candidates')
    .select(CANDIDATE_COLUMNS)
    .where('agreement_id', '=', agreementId)
    .orderBy('id')
    .execute();
  return rows.map(toCandidate);
}

export async function linkCandidate(
  trx: DB,
  candidateId: number,
  agreementId: string,
): Promise<void> {
  await trx
    .updateTable('candidates')
    .set({ agreement_id: agreementId })
    .where('id', '=', candidateId)
    .execute();
}

export interface ReviewEntry {
  readonly agreementId: string;
  readonly action:
    | 'approve'
    | 'reject'
    | 'edit'
    | 'merge'
    | 'split'
    | 'reopen'
    | 'import'
    | 'undo'
    | 'assign'
    | 'double_review'
    | 'resolve';
  readonly reviewer: string;
  readonly note?: string | null;
  readonly details?: Record<string, unknown>;
}

/** Appends to the review log; the database refuses updates and deletes of it. */
export async function appendReview(trx: DB, entry: ReviewEntry): Promise<void> {
  await trx
    .insertInto('review_log')
    .values({
      agreement_id: entry.agreementId,
      action: entry.action,
      reviewer: entry.reviewer,
      at: nowIso(),
      note: entry.note ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export async function reviewLog(db: DB, agreementId?: string) {
  let q = db.selectFrom('review_log').selectAll();
  if (agreementId !== undefined) q = q.where('agreement_id', '=', agreementId);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}
