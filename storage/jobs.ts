import { sql } from 'kysely';
import type { Stage } from '../schemas/crawl-job.js';
import type { DB } from './database.js';

/** A job to add. `key` makes it idempotent within a crawl: the same (stage, key) is added once. */
export interface NewJob {
  readonly stage: Stage;
  readonly key: string;
  readonly sourceId: string;
  readonly url?: string | null;
  readonly host?: string | null;
  readonly depth?: number;
  readonly pageType?: 'start' | 'list' | 'article' | null;
  readonly payload?: Record<string, unknown>;
  readonly notBefore?: number;
}

export interface JobRecord {
  readonly id: number;
  readonly crawlId: number;
  readonly stage: Stage;
  readonly key: string;
  readonly sourceId: string;
  readonly url: string | null;
  readonly host: string | null;
  readonly depth: number;
  readonly pageType: 'start' | 'list' | 'article' | null;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
}

const nowIso = () => new Date().toISOString();

/** Inserts jobs, skipping any (crawl, stage, key) already present. Returns how many were new. */
export async function insertJobs(
  db: DB,
  crawlId: number,
  jobs: readonly NewJob[],
): Promise<number> {
  if (jobs.length === 0) return 0;
  const now = nowIso();
  let added = 0;
  // Chunked to stay below SQLite's bound-parameter limit.
  for (let i = 0; i < jobs.length; i += 500) {
    const rows = jobs.slice(i, i + 500).map((j) => ({
      crawl_id: crawlId,
      stage: j.stage,
      key: j.key,
      source_id: j.sourceId,
      url: j.url ?? null,
      host: j.host ?? null,
      depth: j.depth ?? 0,
      page_type: j.pageType ?? null,
      payload: JSON.stringify(j.payload ?? {}),
      state: 'queued',
      attempts: 0,
      not_before: j.notBefore ?? 0,
      last_error: null,
      http_status: null,
      created_at: now,
      updated_at: now,
    }));
    const result = await db
      .insertInto('jobs')
      .values(rows)
      .onConflict((oc) => oc.columns(['crawl_id', 'stage', 'key']).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  return added;
}

export async function countJobs(
  db: DB,
  crawlId: number,
  sourceId: string,
  stage: Stage,
): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('crawl_id', '=', crawlId)
    .where('source_id', '=', sourceId)
    .where('stage', '=', stage)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of `keys` already have a job of `stage` in the crawl. */
export async function existingKeys(
  db: DB,
  crawlId: number,
  stage: Stage,
  keys: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select('key')
      .where('crawl_id', '=', crawlId)
      .where('stage', '=', stage)
      .where('key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.key);
  }
  return found;
}

function toRecord(row: {
  id: number;
  crawl_id: number;
  stage: string;
  key: string;
  source_id: string;
  url: string | null;
  host: string | null;
  depth: number;
  page_type: string | null;
  payload: string;
  attempts: number;
}): JobRecord {
  return {
    id: row.id,
    crawlId: row.crawl_id,
    stage: row.stage as Stage,
    key: row.key,
    sourceId: row.source_id,
    url: row.url,
    host: row.host,
    depth: row.depth,
    pageType: row.page_type as JobRecord['pageType'],
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    attempts: row.attempts,
  };
}

/**
 * Claims up to `limit` ready jobs of a crawl (queued and due), marking them running in the same
 * transaction so no other claimer takes them. Jobs in `exclude` are already held in memory.
 */
export async function claimJobs(
  db: DB,
  crawlId: number,
  limit: number,
  now: number,
  skipHosts: ReadonlySet<string> = new Set(),
): Promise<JobRecord[]> {
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('jobs')
      .select([
        'id',
        'crawl_id',
        'stage',
        'key',
        'source_id',
        'url',
        'host',
        'depth',
        'page_type',
        'payload',
        'attempts',
      ])
      .where('crawl_id', '=', crawlId)
      .where('state', '=', 'queued')
      .where('not_before', '<=', now);
    if (skipHosts.size > 0) {
      q = q.where((eb) => eb.or([eb('host', 'is', null), eb('host', 'not in', [...skipHosts])]));
    }
    // Later stages first: finishing pages already fetched keeps memory flat and results early.
    const rows = await q
      .orderBy(
        sql`case stage when 'dedup' then 0 when 'extract' then 1 when 'parse' then 2 else 3 end`,
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    await trx
      .updateTable('jobs')
      .set({ state: 'running', updated_at: nowIso() })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map(toRecord);
  });
}

export async function markDone(
  db: DB,
  jobId: number,
  httpStatus: number | null = null,
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: 'done', updated_at: nowIso(), http_status: httpStatus, last_error: null })
    .where('id', '=', jobId)
    .execute();
}

export async function markRetry(
  db: DB,
  jobId: number,
  attempts: number,
  notBefore: number,
  reason: string,
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts,
      not_before: notBefore,
      last_error: reason,
      updated_at: nowIso(),
    })
    .where('id', '=', jobId)
    .execute();
}

export async function markFailed(
  db: DB,
  jobId: number,
  attempts: number,
  reason: string,
  httpStatus: number | null,
  state: 'failed' | 'skipped' = 'failed',
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state, attempts, last_error: reason, http_status: httpStatus, updated_at: nowIso() })
    .where('id', '=', jobId)
    .execute();
}

/** After a crash, jobs left running were in flight: hand them back to the queue. */
export async function requeueRunning(db: DB, crawlId: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'queued', updated_at: nowIso() })
    .where('crawl_id', '=', crawlId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Earliest `not_before` of a queued job, or null when nothing is queued. */
export async function nextDue(db: DB, crawlId: number): Promise<number | null> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.min<number>('not_before').as('t'))
    .where('crawl_id', '=', crawlId)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
}

export interface StageCounts {
  readonly stage: string;
  readonly state: string;
  readonly n: number;
}

export async function jobCounts(db: DB, crawlId: number): Promise<StageCounts[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['stage', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('crawl_id', '=', crawlId)
    .groupBy(['stage', 'state'])
    .execute();
  return rows.map((r) => ({ stage: r.stage, state: r.state, n: Number(r.n) }));
}
