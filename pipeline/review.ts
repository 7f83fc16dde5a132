import { ConflictError, NonRetryableError, UserError } from '../core/errors.js';
import type { CodedAgreement } from '../schemas/agreement.js';
import { recordMerge, recordSplit } from '../storage/agreement-history.js';
import {
  appendReview,
  candidatesOf,
  getAgreement,
  insertAgreement,
  nextAgreementId,
  type StoredAgreement,
  updateAgreement,
} from '../storage/agreements.js';
import type { DB } from '../storage/database.js';
import { closeReviewItem, listReviewItems } from '../storage/review-items.js';
import type { Role } from '../storage/users.js';
import { mergeRecords } from './dedup.js';
import {
  absorb,
  applyChanges,
  asMovedRows,
  diffRecords,
  type FieldChange,
  KIND_ORDER,
  loadAgreement,
  moveBack,
  moveRows,
  PermissionError,
  type ReviewState,
  requireAgreement,
  requirePending,
  requireReviewer,
  requireVersion,
  stateOf,
} from './review-ops.js';

export { type FieldChange, PermissionError } from './review-ops.js';

/**
 * Review decisions. Each changes the record(s) and appends to the audit log in one transaction;
 * `expectedVersion` makes two reviewers' concurrent decisions conflict instead of overwrite.
 * Every log entry keeps what an undo needs to put the record back (the state before, the
 * version after, the ids of moved rows), so undo is exact and refuses when someone acted since.
 */

export interface Decision {
  readonly id: string;
  readonly reviewer: string;
  readonly note?: string | null;
  /** The version the reviewer saw; a different current version is a conflict. */
  readonly expectedVersion?: number;
  /** @default 'reviewer' */
  readonly role?: Role;
}

/** Actions a reviewer can undo (their last ten of these). */
export const UNDOABLE_ACTIONS = ['approve', 'reject', 'edit', 'merge', 'split', 'reopen'] as const;
export const UNDO_DEPTH = 10;

async function reread(db: DB, id: string): Promise<StoredAgreement> {
  const a = await getAgreement(db, id);
  if (a === undefined) throw new NonRetryableError('INTERNAL', `Agreement ${id} vanished`);
  return a;
}

async function decide(
  db: DB,
  d: Decision,
  status: 'approved' | 'rejected',
): Promise<StoredAgreement> {
  requireReviewer(d.reviewer);
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, d.id);
    await requireVersion(trx, a, d.expectedVersion);
    if (a.status === status) throw new UserError(`Agreement ${d.id} is already ${status}`);
    requirePending(a);
    await updateAgreement(
      trx,
      d.id,
      { status, reviewer: d.reviewer, reviewedAt: new Date().toISOString(), note: d.note ?? null },
      a.version,
    );
    await appendReview(trx, {
      agreementId: d.id,
      action: status === 'approved' ? 'approve' : 'reject',
      reviewer: d.reviewer,
      note: d.note ?? null,
      details: {
        from: a.status,
        to: status,
        before: stateOf(a),
        version: a.version,
        version_after: a.version + 1,
      },
    });
  });
  return reread(db, d.id);
}

export function approve(db: DB, d: Decision): Promise<StoredAgreement> {
  return decide(db, d, 'approved');
}

export async function reject(db: DB, d: Decision): Promise<StoredAgreement> {
  if (d.note === undefined || d.note === null || d.note.trim() === '') {
    throw new UserError('A rejection needs a reason (--reason)');
  }
  return decide(db, d, 'rejected');
}

export interface EditRequest extends Decision {
  /** Coded fields to change (any subset; signatory objects may be partial). */
  readonly changes: Readonly<Record<string, unknown>>;
}

/** Changes coded fields of a pending record; the log keeps each field's before and after. */
export async function edit(db: DB, e: EditRequest): Promise<StoredAgreement> {
  requireReviewer(e.reviewer);
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, e.id);
    await requireVersion(trx, a, e.expectedVersion);
    requirePending(a);
    const record = applyChanges(a.record, e.changes);
    const changes = diffRecords(a.record, record);
    if (changes.length === 0) throw new UserError(`Nothing to change in ${e.id}`);
    await updateAgreement(trx, e.id, { record }, a.version);
    await appendReview(trx, {
      agreementId: e.id,
      action: 'edit',
      reviewer: e.reviewer,
      note: e.note ?? null,
      details: {
        changes,
        before_record: a.record,
        version: a.version,
        version_after: a.version + 1,
      },
    });
  });
  return reread(db, e.id);
}

/** Puts an approved or rejected record back in the queue. Admins only. */
export async function reopen(db: DB, d: Decision): Promise<StoredAgreement> {
  requireReviewer(d.reviewer);
  if (d.role !== 'admin') throw new PermissionError('Only an admin may reopen a decided record');
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, d.id);
    await requireVersion(trx, a, d.expectedVersion);
    if (a.status === 'pending') throw new UserError(`Agreement ${d.id} is already pending`);
    await updateAgreement(
      trx,
      d.id,
      { status: 'pending', reviewer: null, reviewedAt: null, note: d.note ?? null },
      a.version,
    );
    await appendReview(trx, {
      agreementId: d.id,
      action: 'reopen',
      reviewer: d.reviewer,
      note: d.note ?? null,
      details: {
        from: a.status,
        to: 'pending',
        before: stateOf(a),
        version: a.version,
        version_after: a.version + 1,
      },
    });
  });
  return reread(db, d.id);
}

export interface MergeRequest {
  /** The record that stays (keeps its id, status and coding). */
  readonly survivor: string;
  /** The record merged away: its sources move over and it points at the survivor. */
  readonly merged: string;
  readonly reviewer: string;
  readonly note?: string | null;
  readonly expectedVersions?: { readonly survivor?: number; readonly merged?: number };
}

/** Two records that are one signing become one; the merged id keeps pointing at the survivor. */
export async function merge(db: DB, m: MergeRequest): Promise<StoredAgreement> {
  requireReviewer(m.reviewer);
  if (m.survivor === m.merged) throw new UserError(`Cannot merge ${m.survivor} into itself`);
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, m.survivor);
    const b = await requireAgreement(trx, m.merged);
    await requireVersion(trx, a, m.expectedVersions?.survivor);
    await requireVersion(trx, b, m.expectedVersions?.merged);
    // Capture what moves (row ids, records merged into b earlier, b's aliases) before the
    // history bookkeeping moves it, so that an undo can hand exactly that back.
    const moved = await moveRows(trx, b.id, a.id);
    const repointed = (
      await trx.selectFrom('agreements').select('id').where('merged_into', '=', b.id).execute()
    ).map((r) => r.id);
    const aliases = (
      await trx
        .selectFrom('agreement_aliases')
        .select('alias')
        .where('agreement_id', '=', b.id)
        .execute()
    ).map((r) => r.alias);
    const record = absorb(a.record, b.record);
    await updateAgreement(trx, a.id, { record }, a.version);
    await recordMerge(trx, b.id, a.id, { actor: m.reviewer, note: m.note ?? null });
    const common = { survivor: a.id, merged: b.id };
    await appendReview(trx, {
      agreementId: a.id,
      action: 'merge',
      reviewer: m.reviewer,
      note: m.note ?? null,
      details: {
        ...common,
        moved,
        repointed,
        aliases,
        changes: diffRecords(a.record, record),
        before_record: a.record,
        version: a.version,
        version_after: a.version + 1,
        other_version_after: b.version + 1,
      },
    });
    await appendReview(trx, {
      agreementId: b.id,
      action: 'merge',
      reviewer: m.reviewer,
      note: m.note ?? null,
      details: { ...common, primary: false, version: b.version, version_after: b.version + 1 },
    });
  });
  return reread(db, m.survivor);
}

export interface SettleRequest extends Decision {
  /** The open review item (a conflict between the record and a source). */
  readonly itemId: number;
  /** keep: the record's value stands; take: the source's value replaces it. */
  readonly choice: 'keep' | 'take';
}

/**
 * Settles a review item: keeps the record's value (the item is dismissed) or takes the
 * source's value (an edit of that field, logged with before and after). One transaction.
 */
export async function settleReviewItem(db: DB, r: SettleRequest): Promise<StoredAgreement> {
  requireReviewer(r.reviewer);
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, r.id);
    await requireVersion(trx, a, r.expectedVersion);
    const item = (await listReviewItems(trx, { agreementId: a.id, status: 'any' })).find(
      (i) => i.id === r.itemId,
    );
    if (item === undefined) throw new UserError(`${a.id} has no review item ${r.itemId}`);
    let changes: FieldChange[] = [];
    if (r.choice === 'take') {
      requirePending(a);
      if (item.field === null || !('candidate' in item.details))
        throw new UserError(`Review item ${item.id} carries no value to take`);
      const [head, sub] = item.field.split('.') as [string, string | undefined];
      const value = item.details['candidate'];
      const record = applyChanges(a.record, {
        [head]: sub === undefined ? value : { [sub]: value },
      });
      changes = diffRecords(a.record, record);
      await updateAgreement(trx, a.id, { record }, a.version);
    }
    await closeReviewItem(trx, item.id, {
      status: r.choice === 'take' ? 'resolved' : 'dismissed',
      by: r.reviewer,
    });
    await appendReview(trx, {
      agreementId: a.id,
      action: 'resolve',
      reviewer: r.reviewer,
      note: r.note ?? null,
      details: { review_item: item.id, field: item.field, choice: r.choice, changes },
    });
  });
  return reread(db, r.id);
}

export interface SplitRequest extends Decision {
  /** URLs of the sources that report another signing; they move to a new record. */
  readonly sourceUrls: readonly string[];
}

export interface SplitResult {
  readonly original: StoredAgreement;
  readonly created: StoredAgreement;
}

/**
 * Moves some sources (and the candidates read from them) to a new pending record with a new id.
 * The new record is coded from its own candidates; the original keeps its coding minus the
 * evidence quoted from the moved sources.
 */
export async function split(db: DB, s: SplitRequest): Promise<SplitResult> {
  requireReviewer(s.reviewer);
  const urls = new Set(s.sourceUrls);
  if (urls.size === 0) throw new UserError('Name the sources to split off (--sources URL...)');
  let newId = '';
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, s.id);
    await requireVersion(trx, a, s.expectedVersion);
    const rows = await trx
      .selectFrom('agreement_sources')
      .select(['id', 'url'])
      .where('agreement_id', '=', a.id)
      .execute();
    const known = new Set(rows.map((r) => r.url));
    const missing = [...urls].filter((u) => !known.has(u));
    if (missing.length > 0)
      throw new UserError(
        `${a.id} has no source ${missing.join(', ')}; its sources: ${[...known].join(', ')}`,
      );
    if (rows.every((r) => urls.has(r.url)))
      throw new UserError(`A split must leave ${a.id} at least one of its sources`);

    const moving = (await candidatesOf(trx, a.id))
      .filter((c) => urls.has(c.url))
      .sort((x, y) => KIND_ORDER[x.sourceKind] - KIND_ORDER[y.sourceKind] || x.id - y.id);
    const fromMoved = (e: CodedAgreement['evidence'][number]) =>
      e.source_url !== null && urls.has(e.source_url);
    const newRecord: CodedAgreement =
      moving.length > 0
        ? mergeRecords(moving.map((c) => c.record))
        : { ...a.record, evidence: a.record.evidence.filter(fromMoved) };
    newId = await nextAgreementId(trx);
    await insertAgreement(trx, { id: newId, record: newRecord, status: 'pending' });
    const moved = await moveRows(trx, a.id, newId, urls);
    await recordSplit(trx, a.id, [newId], { actor: s.reviewer, note: s.note ?? null });
    const kept: CodedAgreement = {
      ...a.record,
      evidence: a.record.evidence.filter((e) => !fromMoved(e)),
    };
    await updateAgreement(trx, a.id, { record: kept }, a.version);
    const common = { original: a.id, created: newId, source_urls: [...urls] };
    await appendReview(trx, {
      agreementId: a.id,
      action: 'split',
      reviewer: s.reviewer,
      note: s.note ?? null,
      details: {
        ...common,
        moved,
        changes: diffRecords(a.record, kept),
        before_record: a.record,
        version: a.version,
        version_after: a.version + 1,
        other_version_after: 1,
      },
    });
    await appendReview(trx, {
      agreementId: newId,
      action: 'split',
      reviewer: s.reviewer,
      note: s.note ?? null,
      details: { ...common, primary: false, version: 0, version_after: 1 },
    });
  });
  return { original: await reread(db, s.id), created: await reread(db, newId) };
}

export interface LogEntry {
  readonly id: number;
  readonly agreement_id: string;
  readonly action: string;
  readonly reviewer: string;
  readonly at: string;
  readonly note: string | null;
  readonly details: Record<string, unknown>;
}

const parseEntry = (r: Omit<LogEntry, 'details'> & { details: string }): LogEntry => ({
  ...r,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

/**
 * The reviewer's undo stack: their most recent decisions not yet undone, newest first, at most
 * ten. (The secondary log entry of a merge or split is part of its primary entry.)
 */
export async function undoStack(db: DB, reviewer: string): Promise<LogEntry[]> {
  const rows = await db
    .selectFrom('review_log')
    .selectAll()
    .where('reviewer', '=', reviewer)
    .where('action', 'in', [...UNDOABLE_ACTIONS, 'undo'])
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  const entries = rows.map(parseEntry);
  const undone = new Set(
    entries.filter((e) => e.action === 'undo').map((e) => Number(e.details['undoes'])),
  );
  return entries
    .filter((e) => e.action !== 'undo' && e.details['primary'] !== false && !undone.has(e.id))
    .slice(0, UNDO_DEPTH);
}

export interface UndoResult {
  readonly undone: LogEntry;
  readonly agreement: StoredAgreement;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function versionAfter(entry: LogEntry, key = 'version_after'): number {
  const v = entry.details[key];
  if (typeof v !== 'number')
    throw new UserError(`Log entry #${entry.id} (${entry.action}) cannot be undone`);
  return v;
}

function stillAsLeft(a: StoredAgreement, entry: LogEntry, key = 'version_after'): void {
  if (a.version !== versionAfter(entry, key))
    throw new ConflictError(
      `Cannot undo your ${entry.action} of ${a.id}: it was changed since (version ${versionAfter(entry, key)}, now ${a.version})`,
    );
}

/**
 * Undoes the reviewer's most recent decision that is still undoable. The undo is itself a logged
 * action; it refuses (conflict) when someone changed the record after that decision.
 */
export async function undo(db: DB, reviewer: string): Promise<UndoResult> {
  requireReviewer(reviewer);
  const stack = await undoStack(db, reviewer);
  if (stack.length === 0) throw new UserError(`Nothing to undo for ${reviewer}`);
  // Decisions on different records are independent: one that someone else has acted on since
  // can no longer be undone, but does not block undoing the ones before it.
  let entry: LogEntry | undefined;
  for (const candidate of stack) {
    if (await stillUndoable(db, candidate)) {
      entry = candidate;
      break;
    }
  }
  if (entry === undefined) {
    const last = stack[0] as LogEntry;
    throw new ConflictError(
      `Cannot undo: your last decisions (latest: ${last.action} of ${last.agreement_id}) were acted on by someone else since`,
    );
  }
  return undoEntry(db, reviewer, entry);
}

/** Whether the records a logged decision touched are still as the decision left them. */
async function stillUndoable(db: DB, entry: LogEntry): Promise<boolean> {
  const same = async (id: unknown, key: string) => {
    const a = await getAgreement(db, String(id));
    return a !== undefined && a.version === entry.details[key];
  };
  if (!(await same(entry.agreement_id, 'version_after'))) return false;
  if (entry.action === 'merge') return same(entry.details['merged'], 'other_version_after');
  if (entry.action === 'split') return same(entry.details['created'], 'other_version_after');
  return true;
}

async function undoEntry(db: DB, reviewer: string, entry: LogEntry): Promise<UndoResult> {
  let shown = entry.agreement_id;
  await db.transaction().execute(async (trx) => {
    const a = await loadAgreement(trx, entry.agreement_id);
    stillAsLeft(a, entry);
    const log = (agreementId: string, extra: Record<string, unknown> = {}) =>
      appendReview(trx, {
        agreementId,
        action: 'undo',
        reviewer,
        note: null,
        details: { undoes: entry.id, undone_action: entry.action, ...extra },
      });
    const d = entry.details;
    switch (entry.action) {
      case 'approve':
      case 'reject':
      case 'reopen': {
        const before = d['before'] as ReviewState;
        await updateAgreement(
          trx,
          a.id,
          {
            status: before.status,
            reviewer: before.reviewer,
            reviewedAt: before.reviewed_at,
            note: before.note,
          },
          a.version,
        );
        await log(a.id, { restored: before, version_after: a.version + 1 });
        break;
      }
      case 'edit': {
        const record = d['before_record'] as CodedAgreement;
        await updateAgreement(trx, a.id, { record }, a.version);
        await log(a.id, { changes: diffRecords(a.record, record), version_after: a.version + 1 });
        break;
      }
      case 'merge': {
        const b = await loadAgreement(trx, String(d['merged']));
        stillAsLeft(b, entry, 'other_version_after');
        await moveBack(trx, asMovedRows(d['moved']), b.id);
        const repointed = strings(d['repointed']);
        if (repointed.length > 0)
          await trx
            .updateTable('agreements')
            .set({ merged_into: b.id })
            .where('id', 'in', repointed)
            .execute();
        const aliases = strings(d['aliases']);
        if (aliases.length > 0)
          await trx
            .updateTable('agreement_aliases')
            .set({ agreement_id: b.id })
            .where('alias', 'in', aliases)
            .execute();
        const record = d['before_record'] as CodedAgreement;
        await updateAgreement(trx, a.id, { record }, a.version);
        await updateAgreement(trx, b.id, { mergedInto: null }, b.version);
        // In the id history an undone merge is b split off a again.
        await recordSplit(trx, a.id, [b.id], { actor: reviewer, note: `undo of log #${entry.id}` });
        await log(a.id, { version_after: a.version + 1 });
        await log(b.id, { primary: false, version_after: b.version + 1 });
        break;
      }
      case 'split': {
        const created = await loadAgreement(trx, String(d['created']));
        stillAsLeft(created, entry, 'other_version_after');
        const record = d['before_record'] as CodedAgreement;
        await updateAgreement(trx, a.id, { record }, a.version);
        // The split-off id is never reused: merged back, it keeps leading to this record.
        await recordMerge(trx, created.id, a.id, {
          actor: reviewer,
          note: `undo of log #${entry.id}`,
        });
        await log(a.id, { version_after: a.version + 1 });
        await log(created.id, { primary: false, version_after: created.version + 1 });
        break;
      }
      default:
        throw new UserError(`Log entry #${entry.id} (${entry.action}) cannot be undone`);
    }
    shown = a.id;
  });
  return { undone: entry, agreement: await reread(db, shown) };
}

export interface LogQuery {
  readonly agreementId?: string;
  readonly reviewer?: string;
  readonly action?: string;
  /** Entries with an id below this (paging newest first). */
  readonly beforeId?: number;
  /** @default all */
  readonly limit?: number;
  /** @default 'asc' */
  readonly order?: 'asc' | 'desc';
}

/** The audit log, filtered; the same rows the log page shows and `review log` exports. */
export async function queryLog(db: DB, q: LogQuery = {}): Promise<LogEntry[]> {
  let s = db.selectFrom('review_log').selectAll();
  if (q.agreementId !== undefined) s = s.where('agreement_id', '=', q.agreementId);
  if (q.reviewer !== undefined) s = s.where('reviewer', '=', q.reviewer);
  if (q.action !== undefined) s = s.where('action', '=', q.action);
  if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
  s = s.orderBy('id', q.order ?? 'asc');
  if (q.limit !== undefined) s = s.limit(q.limit);
  return (await s.execute()).map(parseEntry);
}
