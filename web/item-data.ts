import { dateDistanceDays, matchScore } from '../pipeline/dedup.js';
import { type LogEntry, queryLog, undoStack } from '../pipeline/review.js';
import {
  agreementsInBlock,
  candidatesOf,
  partnerKey,
  type StoredAgreement,
  type StoredCandidate,
} from '../storage/agreements.js';
import { type Assignment, getAssignment } from '../storage/assignments.js';
import type { DB } from '../storage/database.js';
import { listReviewItems, type ReviewItem } from '../storage/review-items.js';
import type { User } from '../storage/users.js';

/** Everything the item page shows about one record, loaded in one place. */

export interface SourceView {
  readonly id: number;
  readonly url: string;
  readonly kind: string;
  readonly published: string | null;
  readonly fetchedAt: string | null;
  readonly sha256: string | null;
  readonly archiveUrl: string | null;
  /** Whether the snapshot body is in the store (so the sandboxed frame can show it). */
  readonly hasSnapshot: boolean;
  /** The parsed main text the evidence offsets index, when the page was crawled. */
  readonly text: string | null;
  /** What the extractor coded from this page. */
  readonly candidate: StoredCandidate | undefined;
}

export interface MatchProposal {
  readonly other: StoredAgreement;
  /** Dedup's match score, or null when the rules say they differ (shown as "near"). */
  readonly score: number | null;
}

export interface ItemData {
  readonly agreement: StoredAgreement;
  readonly sources: readonly SourceView[];
  readonly items: readonly ReviewItem[];
  readonly match: MatchProposal | undefined;
  readonly log: readonly LogEntry[];
  readonly assignment: Assignment | undefined;
  readonly undoTop: LogEntry | undefined;
}

async function sourceViews(db: DB, a: StoredAgreement): Promise<SourceView[]> {
  const rows = await db
    .selectFrom('agreement_sources')
    .selectAll()
    .where('agreement_id', '=', a.id)
    .orderBy('id')
    .execute();
  const candidates = await candidatesOf(db, a.id);
  const out: SourceView[] = [];
  for (const r of rows) {
    let snapshotId: number | null = null;
    if (r.snapshot_sha256 !== null) {
      const snaps = await db
        .selectFrom('snapshots')
        .select(['id', 'url', 'final_url'])
        .where('body_sha256', '=', r.snapshot_sha256)
        .orderBy('id', 'desc')
        .execute();
      snapshotId =
        (snaps.find((s) => s.url === r.url || s.final_url === r.url) ?? snaps[0])?.id ?? null;
    }
    const doc =
      snapshotId === null
        ? undefined
        : await db
            .selectFrom('documents')
            .select(['text'])
            .where('snapshot_id', '=', snapshotId)
            .executeTakeFirst();
    out.push({
      id: r.id,
      url: r.url,
      kind: r.source_kind,
      published: r.published,
      fetchedAt: r.fetched_at,
      sha256: r.snapshot_sha256,
      archiveUrl: r.archive_url,
      hasSnapshot: snapshotId !== null,
      text: doc?.text ?? null,
      candidate:
        candidates.find((c) => c.id === r.candidate_id) ?? candidates.find((c) => c.url === r.url),
    });
  }
  return out;
}

const DAY_MS = 86_400_000;
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The other canonical record this one most likely duplicates: same partner, date within a
 * month; the best dedup score wins, else the nearest date (a reviewer may still judge it one).
 */
export async function proposeMatch(db: DB, a: StoredAgreement): Promise<MatchProposal | undefined> {
  const d = a.record.date_signed;
  if (d === null) return undefined;
  const [from, to] =
    d.length === 10 ? [shift(d, -31), shift(d, 31)] : [d.slice(0, 4), `${d.slice(0, 4)}\uffff`];
  const block = (await agreementsInBlock(db, partnerKey(a.record), from, to)).filter(
    (o) => o.id !== a.id,
  );
  let best: MatchProposal | undefined;
  for (const other of block) {
    const score = matchScore(a.record, other.record, { windowDays: 31 });
    if (score !== null && (best?.score ?? -1) < score) best = { other, score };
  }
  if (best !== undefined) return best;
  const near = block.sort(
    (x, y) =>
      dateDistanceDays(d, x.record.date_signed) - dateDistanceDays(d, y.record.date_signed) ||
      x.id.localeCompare(y.id),
  )[0];
  return near === undefined ? undefined : { other: near, score: null };
}

export async function loadItem(db: DB, a: StoredAgreement, user: User): Promise<ItemData> {
  const [sources, items, match, log, assignment, stack] = await Promise.all([
    sourceViews(db, a),
    listReviewItems(db, { agreementId: a.id, status: 'any' }),
    proposeMatch(db, a),
    queryLog(db, { agreementId: a.id, order: 'desc', limit: 50 }),
    getAssignment(db, a.id, user.name),
    undoStack(db, user.name),
  ]);
  return { agreement: a, sources, items, match, log, assignment, undoTop: stack[0] };
}
