import type { Redis } from 'ioredis';
import type { TypedEmitter } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Stage } from '../../schemas/crawl-job.js';
import type { DB } from '../../storage/database.js';
import { toJobRecord } from '../../storage/jobs.js';
import { bullJobId } from './bullmq-jobs.js';
import { recordFailure } from './bullmq-worker.js';
import type { NewJob, QueueEvents } from './types.js';

/**
 * The database side of a crawl on BullMQ: whether it is finished, what it did, and the sweep
 * that keeps the queues and the jobs table in agreement.
 */

const OPEN = ['queued', 'running'] as const;

export async function openJobs(db: DB, crawlId: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('crawl_id', '=', crawlId)
    .where('state', 'in', OPEN)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks a crawl done when it has jobs and none is open; true when it did. A crawl without
 * jobs is left alone: its jobs may be about to be added.
 */
export async function finishCrawl(db: DB, crawlId: number): Promise<boolean> {
  const counts = await db
    .selectFrom('jobs')
    .select((eb) => [
      eb.fn.countAll<number>().as('all'),
      eb.fn.count<number>('id').filterWhere('state', 'in', OPEN).as('open'),
    ])
    .where('crawl_id', '=', crawlId)
    .executeTakeFirstOrThrow();
  if (Number(counts.all) === 0 || Number(counts.open) > 0) return false;
  const r = await db
    .updateTable('crawls')
    .set({ status: 'done', finished_at: new Date().toISOString() })
    .where('id', '=', crawlId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A crawl's totals from the jobs table, whichever processes did the work. */
export async function crawlSummary(db: DB, crawlId: number) {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => [
      'state',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('attempts').as('attempts'),
    ])
    .where('crawl_id', '=', crawlId)
    .groupBy('state')
    .execute();
  const of = (state: string) => rows.find((r) => r.state === state);
  const n = (state: string) => Number(of(state)?.n ?? 0);
  const attempts = (state: string) => Number(of(state)?.attempts ?? 0);
  return {
    done: n('done'),
    failed: n('failed'),
    skipped: n('skipped'),
    // Attempts before the last of each finished job were retries.
    retried:
      attempts('done') + attempts('failed') - n('failed') + attempts('skipped') - n('skipped'),
  };
}

/**
 * While other processes do the work, the jobs they finish are read back from the database
 * and announced as events, so a progress bar on the waiting terminal moves.
 */
export function remoteProgress(
  db: DB,
  crawlId: number,
  events: TypedEmitter<QueueEvents>,
): () => Promise<void> {
  let since = new Date(0).toISOString();
  const seen = new Set<number>();
  return async () => {
    const rows = await db
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
        'attempts',
        'state',
        'last_error',
        'updated_at',
      ])
      .where('crawl_id', '=', crawlId)
      .where('state', 'in', ['done', 'failed', 'skipped'])
      .where('updated_at', '>=', since)
      .orderBy('updated_at')
      .limit(2000)
      .execute();
    for (const r of rows) {
      since = r.updated_at;
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      const job = toJobRecord(r);
      events.emit('job:start', job);
      if (r.state === 'done') {
        events.emit('job:done', { job, durationMs: 0 });
      } else {
        const event = { job, durationMs: 0, reason: r.last_error ?? r.state };
        events.emit(r.state === 'failed' ? 'job:failed' : 'job:skipped', event);
      }
    }
  };
}

export interface SweepContext {
  readonly db: DB;
  readonly redis: Redis;
  /** The Redis key of a BullMQ job's hash. */
  jobKey(stage: Stage, jobId: string): string;
  dispatch(crawlId: number, jobs: readonly NewJob[]): Promise<void>;
  readonly logger: Logger;
}

/**
 * Compares up to `limit` open jobs of the crawl, from id `cursor` on, with their queues: a job
 * no queue holds (lost with a Redis that died between writes, or a worker that died between
 * commit and queueing) is queued again; a job BullMQ gave up on (a worker kept dying on it) is
 * recorded as failed with BullMQ's reason. Returns where the next sweep goes on (0: from the
 * start again).
 */
export async function sweepCrawl(
  ctx: SweepContext,
  crawlId: number,
  cursor: number,
  limit: number,
): Promise<number> {
  let from = cursor;
  let left = limit;
  while (left > 0) {
    const rows = await ctx.db
      .selectFrom('jobs')
      .select(['id', 'stage', 'key', 'source_id', 'url', 'host', 'not_before', 'attempts'])
      .where('crawl_id', '=', crawlId)
      .where('state', 'in', OPEN)
      .where('id', '>', from)
      .orderBy('id')
      .limit(Math.min(left, 500))
      .execute();
    if (rows.length === 0) return 0;
    from = rows[rows.length - 1]?.id ?? from;
    left -= rows.length;
    const pipeline = ctx.redis.pipeline();
    for (const r of rows) {
      const stage = r.stage as Stage;
      pipeline.hmget(
        ctx.jobKey(stage, bullJobId(crawlId, stage, r.key)),
        'timestamp',
        'finishedOn',
        'failedReason',
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    const lost: NewJob[] = [];
    for (const [i, r] of rows.entries()) {
      const [err, value] = replies[i] ?? [null, null];
      if (err !== null) throw err;
      // Every job hash has a timestamp; only finished ones a finishedOn. A failedReason
      // without finishedOn is an attempt BullMQ is still retrying.
      const [timestamp, finishedOn, failedReason] = (value as (string | null)[] | null) ?? [];
      if (timestamp === null || timestamp === undefined) {
        lost.push({
          stage: r.stage as Stage,
          key: r.key,
          sourceId: r.source_id,
          url: r.url,
          host: r.host,
          notBefore: Number(r.not_before),
        });
      } else if (finishedOn != null && failedReason != null) {
        await recordFailure(ctx.db, r.id, r.attempts + 1, failedReason, null);
      }
    }
    if (lost.length > 0) {
      ctx.logger.info({ crawlId, jobs: lost.length }, 're-queueing jobs no queue holds');
      await ctx.dispatch(crawlId, lost);
    }
    if (rows.length < 500) return 0;
  }
  return from;
}
