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

/**
 * Claim order: later stages first. Finishing pages already fetched keeps memory flat and gives
 * results early; fetches come last.
 */
export const STAGE_PRIORITY: Readonly<Record<Stage, number>> = {
  dedup: 0,
  extract: 1,
  parse: 2,
  fetch: 3,
};

const nowIso = () => new Date().toISOString();

/**
 * `state = 'queued'` as a literal, not a parameter: the claim and due indexes hold only queued
 * jobs (partial indexes), and a planner uses a partial index only when it can see the value.
 */
const QUEUED = sql.lit('queued');

/** Rows per INSERT: 17 columns x 1000 rows stays below SQLite's 32766 bound parameters. */
const INSERT_CHUNK = 1000;

/** Inserts jobs, skipping any (crawl, stage, key) already present. Returns how many were new. */
export async function insertJobs(
  db: DB,
  crawlId: number,
  jobs: readonly NewJob[],
): Promise<number> {
  if (jobs.length === 0) return 0;
  const now = nowIso();
  let added = 0;
  for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
    const rows = jobs.slice(i, i + INSERT_CHUNK).map((j) => ({
      crawl_id: crawlId,
      stage: j.stage,
      key: j.key,
      source_id: j.sourceId,
      url: j.url ?? null,
      host: j.host ?? null,
      depth: j.depth ?? 0,
      page_type: j.pageType ?? null,
      payload: j.payload === undefined ? '{}' : JSON.stringify(j.payload),
      state: 'queued',
      attempts: 0,
      not_before: j.notBefore ?? 0,
      priority: STAGE_PRIORITY[j.stage],
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

interface JobRow {
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
  priority: number;
}

const JOB_COLUMNS = [
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
  'priority',
] as const;

/**
 * A `jobs` row as the JobRecord a stage handler gets; without `payload` (a listing that did not
 * select it) the payload is empty.
 */
export function toJobRecord(
  row: Omit<JobRow, 'payload' | 'priority'> & { readonly payload?: string },
): JobRecord {
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
    payload:
      row.payload === undefined || row.payload === '{}'
        ? {}
        : (JSON.parse(row.payload) as Record<string, unknown>),
    attempts: row.attempts,
  };
}

const byClaimOrder = (a: JobRow, b: JobRow) => a.priority - b.priority || a.id - b.id;

/**
 * Marks the selected jobs running and returns them, in one statement: no other claimer can
 * take the same job, and no explicit transaction is held open.
 */
async function claimWhere(
  db: DB,
  select: (q: ReturnType<typeof readyJobs>) => ReturnType<typeof readyJobs>,
  crawlId: number,
  now: number,
): Promise<JobRecord[]> {
  const rows = await db
    .updateTable('jobs')
    .set({ state: 'running', updated_at: nowIso() })
    .where('id', 'in', select(readyJobs(db, crawlId, now)).select('id'))
    .returning(JOB_COLUMNS)
    .execute();
  return rows.sort(byClaimOrder).map(toJobRecord);
}

function readyJobs(db: DB, crawlId: number, now: number) {
  return (
    db
      .selectFrom('jobs')
      .where('crawl_id', '=', crawlId)
      .where('state', '=', QUEUED)
      // Unary plus keeps the planner off the (crawl, state, not_before) index: walking the
      // claim index in priority order and stopping at `limit` beats sorting every due job.
      .where(sql<number>`+not_before`, '<=', now)
  );
}

/** Claims up to `limit` ready jobs that belong to no host (parse, extract, dedup), by priority. */
export function claimUnhosted(
  db: DB,
  crawlId: number,
  limit: number,
  now: number,
): Promise<JobRecord[]> {
  return claimWhere(
    db,
    (q) => q.where('host', 'is', null).orderBy('priority').orderBy('id').limit(limit),
    crawlId,
    now,
  );
}

/** Claims up to `limit` ready jobs of one host, oldest first. */
export function claimForHost(
  db: DB,
  crawlId: number,
  host: string,
  limit: number,
  now: number,
): Promise<JobRecord[]> {
  return claimWhere(
    db,
    (q) => q.where('host', '=', host).orderBy('priority').orderBy('id').limit(limit),
    crawlId,
    now,
  );
}

/** Hosts with queued jobs in the crawl (one index walk; called once per run). */
export async function queuedHosts(db: DB, crawlId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('host')
    .distinct()
    .where('crawl_id', '=', crawlId)
    .where('state', '=', QUEUED)
    .where('host', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.host === null ? [] : [r.host]));
}

/**
 * Earliest `not_before` of a host's queued jobs (of the unhosted ones for `null`), or null when
 * none is queued.
 */
export async function nextDueForHost(
  db: DB,
  crawlId: number,
  host: string | null,
): Promise<number | null> {
  const row = await db
    .selectFrom('jobs')
    // `+`: scan this host's queued jobs (claim index) rather than every queued job in due order.
    .select(sql<number | null>`min(+not_before)`.as('t'))
    .where('crawl_id', '=', crawlId)
    .where('state', '=', QUEUED)
    .where('host', host === null ? 'is' : '=', host)
    .executeTakeFirst();
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
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
    .where('state', '=', QUEUED)
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
