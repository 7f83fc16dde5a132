import { AGREEMENT_COLUMNS as COLUMNS, type StoredAgreement, toAgreement } from './agreements.js';
import type { DB } from './database.js';

/**
 * The queries of the dedup stage: which live records a new report could belong to, and what
 * a re-crawled page fed before.
 */

const DAY_MS = 86_400_000;
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Live records of a partner whose date may fall within [firstDay, lastDay] (days since the
 * epoch): full dates in the range, and month or year dates that cover part of it (a stored
 * `2016-11` sorts before `2016-11-01` as text, so a range alone would miss it).
 */
export async function blockAgreements(
  db: DB,
  partner: string,
  firstDay: number,
  lastDay: number,
): Promise<StoredAgreement[]> {
  const prefixes = new Set<string>();
  for (let day = firstDay; day <= lastDay; day++) {
    const d = iso(day);
    prefixes.add(d.slice(0, 4));
    prefixes.add(d.slice(0, 7));
  }
  const rows = await db
    .selectFrom('agreements')
    .select(COLUMNS)
    .where('partner_key', '=', partner)
    .where('merged_into', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('date_signed', '>=', iso(firstDay)), eb('date_signed', '<=', iso(lastDay))]),
        eb('date_signed', 'in', [...prefixes]),
      ]),
    )
    .execute();
  return rows.map(toAgreement);
}

export async function agreementsById(db: DB, ids: readonly string[]): Promise<StoredAgreement[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('agreements').select(COLUMNS).where('id', 'in', ids).execute();
  return rows.map(toAgreement);
}

/** Agreements (as stored, possibly merged away) that cite this page as a source. */
export async function agreementIdsCiting(db: DB, url: string): Promise<string[]> {
  const rows = await db
    .selectFrom('agreement_sources')
    .select('agreement_id')
    .distinct()
    .where('url', '=', url)
    .execute();
  return rows.map((r) => r.agreement_id);
}

/** Agreements that the other reports of one snapshot (one page read once) were attached to. */
export async function siblingAgreementIds(
  db: DB,
  snapshotId: number,
  candidateId: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('candidates')
    .select('agreement_id')
    .where('snapshot_id', '=', snapshotId)
    .where('id', '!=', candidateId)
    .where('agreement_id', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.agreement_id === null ? [] : [r.agreement_id]));
}

/** The source row of a page on an agreement, if the agreement cites it already. */
export async function sourceRowFor(
  db: DB,
  agreementId: string,
  url: string,
): Promise<{ id: number; snapshot_sha256: string | null } | undefined> {
  return db
    .selectFrom('agreement_sources')
    .select(['id', 'snapshot_sha256'])
    .where('agreement_id', '=', agreementId)
    .where('url', '=', url)
    .orderBy('id')
    .executeTakeFirst();
}

export async function refreshSourceRow(
  trx: DB,
  id: number,
  values: {
    candidateId: number;
    published: string | null;
    fetchedAt: string | null;
    snapshotSha256: string | null;
  },
): Promise<void> {
  await trx
    .updateTable('agreement_sources')
    .set({
      candidate_id: values.candidateId,
      ...(values.published === null ? {} : { published: values.published }),
      ...(values.fetchedAt === null ? {} : { fetched_at: values.fetchedAt }),
      ...(values.snapshotSha256 === null ? {} : { snapshot_sha256: values.snapshotSha256 }),
    })
    .where('id', '=', id)
    .execute();
}

/** Whether a reviewer has touched the record (any review-log entry: edit, reopen, merge...). */
export async function hasReviewEntries(db: DB, agreementId: string): Promise<boolean> {
  const row = await db
    .selectFrom('review_log')
    .select('id')
    .where('agreement_id', '=', agreementId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
