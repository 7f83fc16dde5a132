import { NonRetryableError, UserError } from '../core/errors.js';
import {
  appendReview,
  getAgreement,
  type StoredAgreement,
  updateAgreement,
} from '../storage/agreements.js';
import type { DB } from '../storage/database.js';

/**
 * Review decisions. Each changes the record and appends to the audit log in one transaction;
 * `expectedVersion` makes two reviewers' concurrent decisions conflict instead of overwrite.
 */

export interface Decision {
  readonly id: string;
  readonly reviewer: string;
  readonly note?: string | null;
  readonly expectedVersion?: number;
}

async function requireAgreement(db: DB, id: string): Promise<StoredAgreement> {
  const a = await getAgreement(db, id);
  if (a === undefined) throw new UserError(`No agreement ${id}`);
  if (a.mergedInto !== null) throw new UserError(`Agreement ${id} was merged into ${a.mergedInto}`);
  return a;
}

async function decide(
  db: DB,
  d: Decision,
  status: 'approved' | 'rejected',
): Promise<StoredAgreement> {
  if (d.reviewer.trim() === '') throw new UserError('A reviewer name is required');
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, d.id);
    if (a.status === status) throw new UserError(`Agreement ${d.id} is already ${status}`);
    if (a.status !== 'pending') {
      throw new UserError(`Agreement ${d.id} is ${a.status}; an admin must reopen it first`);
    }
    await updateAgreement(
      trx,
      d.id,
      { status, reviewer: d.reviewer, reviewedAt: new Date().toISOString(), note: d.note ?? null },
      d.expectedVersion ?? a.version,
    );
    await appendReview(trx, {
      agreementId: d.id,
      action: status === 'approved' ? 'approve' : 'reject',
      reviewer: d.reviewer,
      note: d.note ?? null,
      details: { from: a.status, to: status, version: a.version },
    });
  });
  const after = await getAgreement(db, d.id);
  if (after === undefined) throw new NonRetryableError('INTERNAL', `Agreement ${d.id} vanished`);
  return after;
}

export function approve(db: DB, d: Decision): Promise<StoredAgreement> {
  return decide(db, d, 'approved');
}

export function reject(db: DB, d: Decision): Promise<StoredAgreement> {
  if (d.note === undefined || d.note === null || d.note.trim() === '') {
    throw new UserError('A rejection needs a reason (--reason)');
  }
  return decide(db, d, 'rejected');
}
