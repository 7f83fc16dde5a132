import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type { CodedAgreement } from '../schemas/agreement.js';
import { TOPICS } from '../schemas/codes.js';
import { appendReview, listAgreements } from '../storage/agreements.js';
import {
  type Assignment,
  createAssignments,
  getAssignment,
  listAssignments,
  saveAssignmentResult,
} from '../storage/assignments.js';
import type { DB } from '../storage/database.js';
import { getUserByName } from '../storage/users.js';
import { applyChanges, diffRecords, requireAgreement, requireReviewer } from './review-ops.js';

/**
 * Agreement between reviewers: an admin sends a sample of records to two reviewers, each codes
 * them on their own (the canonical record is not touched), and Cohen's kappa per coded field
 * says how reliably the coding scheme is applied. Disagreements are listed for adjudication.
 */

export interface AssignSampleOptions {
  /** How many records to sample. */
  readonly sample: number;
  /** Exactly two reviewer names (accounts must exist). */
  readonly reviewers: readonly string[];
  readonly assignedBy: string;
  /** Seed for a reproducible sample. @default random */
  readonly seed?: number;
}

/** mulberry32: a small seeded generator, so a documented seed reproduces a sample. */
function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface AssignedSample {
  readonly batch: string;
  readonly agreementIds: string[];
}

/** Samples pending records not yet assigned to either reviewer and assigns them to both. */
export async function assignSample(db: DB, o: AssignSampleOptions): Promise<AssignedSample> {
  if (!Number.isInteger(o.sample) || o.sample <= 0)
    throw new UserError(`--sample expects a positive integer, got \`${o.sample}\``);
  const reviewers = [...new Set(o.reviewers.map((r) => r.trim()).filter((r) => r !== ''))];
  if (reviewers.length !== 2)
    throw new UserError(
      `--reviewers expects two different names A,B, got \`${o.reviewers.join(',')}\``,
    );
  for (const r of reviewers)
    if ((await getUserByName(db, r)) === undefined)
      throw new UserError(`No user ${r}; create it with \`pactwatch review add-user ${r}\``);
  const taken = new Set(
    (await listAssignments(db))
      .filter((a) => reviewers.includes(a.reviewer))
      .map((a) => a.agreementId),
  );
  const pool = (await listAgreements(db, { status: 'pending' }))
    .map((a) => a.id)
    .filter((id) => !taken.has(id));
  const random = o.seed === undefined ? Math.random : seededRandom(o.seed);
  // Fisher-Yates over the pool, stopping once the sample is drawn.
  const n = Math.min(o.sample, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  const ids = pool.slice(0, n).sort();
  const batch = `S-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  await db.transaction().execute(async (trx) => {
    await createAssignments(trx, { batch, agreementIds: ids, reviewers, assignedBy: o.assignedBy });
    for (const id of ids)
      await appendReview(trx, {
        agreementId: id,
        action: 'assign',
        reviewer: o.assignedBy,
        note: null,
        details: { batch, reviewers },
      });
  });
  return { batch, agreementIds: ids };
}

export interface DoubleReview {
  readonly id: string;
  readonly reviewer: string;
  readonly decision: 'approve' | 'reject';
  /** The reviewer's corrections to the record as they see it. */
  readonly changes?: Readonly<Record<string, unknown>>;
  readonly note?: string | null;
}

/** Saves one reviewer's independent coding of an assigned record (the record itself stays). */
export async function submitDoubleReview(db: DB, r: DoubleReview): Promise<Assignment> {
  requireReviewer(r.reviewer);
  if (r.decision === 'reject' && (r.note ?? '').trim() === '')
    throw new UserError('A rejection needs a reason');
  await db.transaction().execute(async (trx) => {
    const a = await requireAgreement(trx, r.id);
    const assigned = await getAssignment(trx, r.id, r.reviewer);
    if (assigned === undefined)
      throw new UserError(`${r.id} is not assigned to ${r.reviewer} for double review`);
    const record = applyChanges(a.record, r.changes ?? {});
    await saveAssignmentResult(trx, r.id, r.reviewer, {
      decision: r.decision,
      record,
      note: r.note ?? null,
    });
    await appendReview(trx, {
      agreementId: r.id,
      action: 'double_review',
      reviewer: r.reviewer,
      note: r.note ?? null,
      details: {
        batch: assigned.batch,
        decision: r.decision,
        changes: diffRecords(a.record, record),
      },
    });
  });
  const saved = await getAssignment(db, r.id, r.reviewer);
  if (saved === undefined) throw new UserError(`Assignment of ${r.id} vanished`);
  return saved;
}

/** A coded field as a category label, so any field can be compared the same way. */
interface KappaField {
  readonly field: string;
  /** Compare only when both reviewers accepted the record (coding a rejected one is moot). */
  readonly codedOnly: boolean;
  readonly value: (a: Assignment & { record: CodedAgreement }) => string;
}

const label = (v: unknown) => (v === null || v === undefined ? '∅' : String(v));

export const KAPPA_FIELDS: readonly KappaField[] = [
  { field: 'decision', codedOnly: false, value: (a) => label(a.decision) },
  ...(
    [
      'doc_type',
      'scope',
      'forum',
      'region',
      'counterpart_agency_type',
      'cn_signing_body',
      'cn_signatory_ministerial',
      'date_signed',
      'year',
    ] as const
  ).map((f) => ({
    field: f,
    codedOnly: true,
    value: (a: { record: CodedAgreement }) => label(a.record[f]),
  })),
  {
    field: 'counterpart_countries',
    codedOnly: true,
    value: (a) => [...a.record.counterpart_countries].sort().join('+') || '∅',
  },
  { field: 'cn_signatory.title', codedOnly: true, value: (a) => a.record.cn_signatory.title },
  {
    field: 'counterpart_signatory.rank',
    codedOnly: true,
    value: (a) => a.record.counterpart_signatory.rank,
  },
  // Topics are not exclusive: each is its own yes/no judgement.
  ...TOPICS.map((t) => ({
    field: `topics.${t}`,
    codedOnly: true,
    value: (a: { record: CodedAgreement }) => (a.record.topics.includes(t) ? 'yes' : 'no'),
  })),
];

export interface KappaResult {
  readonly n: number;
  /** Share of items both coded alike. */
  readonly observed: number;
  /** Agreement expected by chance from each reviewer's own label frequencies. */
  readonly expected: number;
  /** null when undefined: both used one and the same label throughout (nothing to tell apart). */
  readonly kappa: number | null;
}

/** Cohen's kappa over pairs of labels (rater 1, rater 2). */
export function cohensKappa(pairs: readonly (readonly [string, string])[]): KappaResult {
  const n = pairs.length;
  if (n === 0) return { n, observed: 0, expected: 0, kappa: null };
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    first.set(x, (first.get(x) ?? 0) + 1);
    second.set(y, (second.get(y) ?? 0) + 1);
  }
  const observed = agree / n;
  let expected = 0;
  for (const [k, c] of first) expected += (c / n) * ((second.get(k) ?? 0) / n);
  const kappa = expected >= 1 ? null : (observed - expected) / (1 - expected);
  return { n, observed, expected, kappa };
}

export interface FieldAgreement extends KappaResult {
  readonly field: string;
}

export interface Disagreement {
  readonly agreementId: string;
  readonly field: string;
  /** Reviewer name to that reviewer's label. */
  readonly values: Readonly<Record<string, string>>;
}

export interface PairReport {
  /** The two reviewers, sorted: rater 1 and rater 2 of the kappa. */
  readonly reviewers: readonly [string, string];
  /** Records both have coded. */
  readonly items: number;
  readonly fields: readonly FieldAgreement[];
  readonly disagreements: readonly Disagreement[];
}

/**
 * Per pair of reviewers (kappa compares two fixed raters), per field: agreement over the
 * records both coded, and every disagreement for an admin to adjudicate.
 */
export async function reviewerAgreement(db: DB): Promise<PairReport[]> {
  const done = (await listAssignments(db, { decided: true })).filter(
    (a): a is Assignment & { record: CodedAgreement } => a.record !== null,
  );
  const byItem = new Map<string, (Assignment & { record: CodedAgreement })[]>();
  for (const a of done) byItem.set(a.agreementId, [...(byItem.get(a.agreementId) ?? []), a]);
  const byPair = new Map<
    string,
    [Assignment & { record: CodedAgreement }, Assignment & { record: CodedAgreement }][]
  >();
  for (const list of byItem.values()) {
    if (list.length !== 2) continue;
    const [x, y] = [...list].sort((p, q) => p.reviewer.localeCompare(q.reviewer)) as [
      Assignment & { record: CodedAgreement },
      Assignment & { record: CodedAgreement },
    ];
    const key = `${x.reviewer}\u0000${y.reviewer}`;
    byPair.set(key, [...(byPair.get(key) ?? []), [x, y]]);
  }
  const reports: PairReport[] = [];
  for (const [key, items] of [...byPair].sort(([p], [q]) => p.localeCompare(q))) {
    const [r1, r2] = key.split('\u0000') as [string, string];
    const fields: FieldAgreement[] = [];
    const disagreements: Disagreement[] = [];
    for (const f of KAPPA_FIELDS) {
      const pairs: [string, string][] = [];
      for (const [x, y] of items) {
        if (f.codedOnly && (x.decision !== 'approve' || y.decision !== 'approve')) continue;
        const vx = f.value(x);
        const vy = f.value(y);
        pairs.push([vx, vy]);
        if (vx !== vy)
          disagreements.push({
            agreementId: x.agreementId,
            field: f.field,
            values: { [r1]: vx, [r2]: vy },
          });
      }
      fields.push({ field: f.field, ...cohensKappa(pairs) });
    }
    disagreements.sort((p, q) => p.agreementId.localeCompare(q.agreementId));
    reports.push({ reviewers: [r1, r2], items: items.length, fields, disagreements });
  }
  return reports;
}
