import type { CodedAgreement } from '../schemas/agreement.js';
import type { DB } from './database.js';

/** One reviewer's independent coding of one record in a double-review sample. */
export interface Assignment {
  readonly id: number;
  readonly batch: string;
  readonly agreementId: string;
  readonly reviewer: string;
  readonly assignedBy: string;
  readonly createdAt: string;
  readonly decision: 'approve' | 'reject' | null;
  readonly record: CodedAgreement | null;
  readonly note: string | null;
  readonly decidedAt: string | null;
}

type Row = {
  id: number;
  batch: string;
  agreement_id: string;
  reviewer: string;
  assigned_by: string;
  created_at: string;
  decision: string | null;
  record: string | null;
  note: string | null;
  decided_at: string | null;
};

const toAssignment = (r: Row): Assignment => ({
  id: r.id,
  batch: r.batch,
  agreementId: r.agreement_id,
  reviewer: r.reviewer,
  assignedBy: r.assigned_by,
  createdAt: r.created_at,
  decision: r.decision as Assignment['decision'],
  record: r.record === null ? null : (JSON.parse(r.record) as CodedAgreement),
  note: r.note,
  decidedAt: r.decided_at,
});

export interface NewAssignments {
  readonly batch: string;
  readonly agreementIds: readonly string[];
  readonly reviewers: readonly string[];
  readonly assignedBy: string;
}

/** Assigns every record to every reviewer; a pair assigned before is left as it was. */
export async function createAssignments(db: DB, a: NewAssignments): Promise<number> {
  const now = new Date().toISOString();
  let created = 0;
  for (const agreementId of a.agreementIds) {
    for (const reviewer of a.reviewers) {
      const r = await db
        .insertInto('review_assignments')
        .values({
          batch: a.batch,
          agreement_id: agreementId,
          reviewer,
          assigned_by: a.assignedBy,
          created_at: now,
          decision: null,
          record: null,
          note: null,
          decided_at: null,
        })
        .onConflict((oc) => oc.columns(['agreement_id', 'reviewer']).doNothing())
        .executeTakeFirst();
      created += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
  }
  return created;
}

export async function getAssignment(
  db: DB,
  agreementId: string,
  reviewer: string,
): Promise<Assignment | undefined> {
  const r = await db
    .selectFrom('review_assignments')
    .selectAll()
    .where('agreement_id', '=', agreementId)
    .where('reviewer', '=', reviewer)
    .executeTakeFirst();
  return r === undefined ? undefined : toAssignment(r);
}

export interface AssignmentFilter {
  readonly reviewer?: string;
  readonly agreementId?: string;
  /** true: only coded ones; false: only open ones. */
  readonly decided?: boolean;
}

export async function listAssignments(db: DB, f: AssignmentFilter = {}): Promise<Assignment[]> {
  let q = db.selectFrom('review_assignments').selectAll();
  if (f.reviewer !== undefined) q = q.where('reviewer', '=', f.reviewer);
  if (f.agreementId !== undefined) q = q.where('agreement_id', '=', f.agreementId);
  if (f.decided === true) q = q.where('decision', 'is not', null);
  if (f.decided === false) q = q.where('decision', 'is', null);
  const rows = await q.orderBy('agreement_id').orderBy('reviewer').execute();
  return rows.map(toAssignment);
}

export interface AssignmentResult {
  readonly decision: 'approve' | 'reject';
  readonly record: CodedAgreement;
  readonly note: string | null;
}

/** Records a reviewer's coding; returns false when no such assignment exists. */
export async function saveAssignmentResult(
  db: DB,
  agreementId: string,
  reviewer: string,
  result: AssignmentResult,
): Promise<boolean> {
  const r = await db
    .updateTable('review_assignments')
    .set({
      decision: result.decision,
      record: JSON.stringify(result.record),
      note: result.note,
      decided_at: new Date().toISOString(),
    })
    .where('agreement_id', '=', agreementId)
    .where('reviewer', '=', reviewer)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
