import { setTimeout as sleep } from 'node:timers/promises';
import { CronExpressionParser } from 'cron-parser';
import { reasonOf, UserError } from '../core/errors.js';
import { hostOf, urlKey } from '../crawlers/url.js';
import { SourceDefinition } from '../schemas/source.js';
import type { DB } from '../storage/database.js';
import { insertJobs } from '../storage/jobs.js';
import type { App } from './app.js';
import { runCrawl } from './crawl.js';
import type { BullmqQueue } from './queue/bullmq.js';
import { SCHEDULE_QUEUE, type ScheduleJobData } from './queue/bullmq-jobs.js';
import type { NewJob } from './queue/types.js';
import { loadBundledSources, saveSources } from './sources.js';

/**
 * Scheduled crawls. A schedule is a source and a cron expression, stored in the database (the
 * source of truth in both modes):
 * - embedded: a long-running `pactwatch worker` fires due schedules itself (`runSchedules`),
 *   each a whole crawl in that process; a missed firing (worker down) runs once on start.
 * - distributed: each schedule is mirrored into a BullMQ job scheduler on the `schedule`
 *   queue; a fired job starts the crawl (`fireSchedule`) and the workers do the work. If the
 *   previous crawl of the source is still open, the firing resumes it instead of piling up.
 */

export interface Schedule {
  readonly id: number;
  readonly sourceId: string;
  readonly cron: string;
  readonly timezone: string;
  readonly maxPages: number | null;
  readonly createdAt: string;
  /** Epoch ms of the next firing after now. */
  readonly nextRunAt: number;
  readonly lastFiredAt: number | null;
  readonly lastCrawlId: number | null;
  readonly lastStatus: string | null;
}

/** The BullMQ job scheduler id of a schedule. */
export const schedulerId = (id: number) => `schedule-${id}`;

/** The time zone this machine reads clock times in (what `schedule add` defaults to). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Next firing strictly after `after`, in epoch ms; a bad expression or zone is a user mistake. */
export function nextFiring(cron: string, timezone: string, after: number): number {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new UserError(`Unknown time zone \`${timezone}\` (use an IANA name like Europe/Berlin)`);
  }
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(after) })
      .next()
      .getTime();
  } catch (err) {
    throw new UserError(
      `Invalid cron expression \`${cron}\`: ${err instanceof Error ? err.message : String(err)} (five fields "min hour day month weekday", or six with seconds first)`,
    );
  }
}

type ScheduleRow = {
  id: number;
  source_id: string;
  cron: string;
  timezone: string;
  max_pages: number | null;
  created_at: string;
  next_run_at: number;
  last_fired_at: number | null;
  last_crawl_id: number | null;
  last_status: string | null;
};

function toSchedule(r: ScheduleRow, now: number): Schedule {
  return {
    id: r.id,
    sourceId: r.source_id,
    cron: r.cron,
    timezone: r.timezone,
    maxPages: r.max_pages,
    createdAt: r.created_at,
    nextRunAt: nextFiring(r.cron, r.timezone, now),
    lastFiredAt: r.last_fired_at === null ? null : Number(r.last_fired_at),
    lastCrawlId: r.last_crawl_id,
    lastStatus: r.last_status,
  };
}

export async function listSchedules(db: DB, now = Date.now()): Promise<Schedule[]> {
  const rows = await db.selectFrom('schedules').selectAll().orderBy('id').execute();
  return rows.map((r) => toSchedule(r, now));
}

async function mirror(queue: BullmqQueue, s: Pick<Schedule, 'id' | 'cron' | 'timezone'>) {
  const data: ScheduleJobData = { scheduleId: s.id };
  await queue.queue(SCHEDULE_QUEUE).upsertJobScheduler(
    schedulerId(s.id),
    { pattern: s.cron, tz: s.timezone },
    {
      name: 'crawl',
      data,
      opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    },
  );
}

export interface AddScheduleOptions {
  /** The source to crawl; its definition is saved so any worker can run it. */
  readonly source: SourceDefinition;
  readonly cron: string;
  /** @default this machine's time zone */
  readonly timezone?: string;
  /** Overrides the source's max pages for these crawls. */
  readonly maxPages?: number;
  readonly now?: number;
}

export async function addSchedule(app: App, options: AddScheduleOptions): Promise<Schedule> {
  const now = options.now ?? Date.now();
  const timezone = options.timezone ?? localTimeZone();
  const next = nextFiring(options.cron, timezone, now);
  const existing = await app.db
    .selectFrom('schedules')
    .select('id')
    .where('source_id', '=', options.source.id)
    .where('cron', '=', options.cron)
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new UserError(
      `${options.source.id} is already scheduled at \`${options.cron}\` (schedule ${existing.id})`,
    );
  }
  await saveSources(app.db, [options.source]);
  const row = await app.db
    .insertInto('schedules')
    .values({
      source_id: options.source.id,
      cron: options.cron,
      timezone,
      max_pages: options.maxPages ?? null,
      created_at: new Date(now).toISOString(),
      next_run_at: next,
      last_fired_at: null,
      last_crawl_id: null,
      last_status: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const queue = app.createDistributedQueue();
  if (queue !== undefined) {
    await untilRedisAnswers(app, mirror(queue, { id: row.id, cron: row.cron, timezone }));
  }
  return toSchedule(row, now);
}

export async function removeSchedule(app: App, id: number): Promise<void> {
  const r = await app.db.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new UserError(`No schedule ${id}`);
  const queue = app.createDistributedQueue();
  if (queue !== undefined) {
    await untilRedisAnswers(app, queue.queue(SCHEDULE_QUEUE).removeJobScheduler(schedulerId(id)));
  }
}

/**
 * The database is the source of truth for schedules: when Redis does not answer, the change
 * stands and the workers' periodic sync brings BullMQ in line. Waiting longer would only hold
 * the command.
 */
async function untilRedisAnswers(app: App, work: Promise<unknown>, timeoutMs = 3000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([work.then(() => 'ok' as const), timeout]).finally(() =>
    clearTimeout(timer),
  );
  if (outcome === 'timeout') {
    app.logger.warn('Redis did not answer: saved; running workers apply it within a minute');
  }
}

/**
 * Makes BullMQ's job schedulers match the database: creates missing ones (after a Redis loss,
 * or schedules added without REDIS_URL) and removes those of deleted schedules.
 */
export async function syncSchedules(db: DB, queue: BullmqQueue): Promise<void> {
  const schedules = await db.selectFrom('schedules').select(['id', 'cron', 'timezone']).execute();
  const wanted = new Set(schedules.map((s) => schedulerId(s.id)));
  const q = queue.queue(SCHEDULE_QUEUE);
  for (const s of await q.getJobSchedulers(0, -1)) {
    if (!wanted.has(s.key)) await q.removeJobScheduler(s.key);
  }
  for (const s of schedules) await mirror(queue, s);
}

/** The definition a scheduled crawl runs: as last saved (by `crawl` or `schedule add`). */
async function sourceFor(db: DB, id: string): Promise<SourceDefinition | undefined> {
  const row = await db
    .selectFrom('sources')
    .select('definition')
    .where('id', '=', id)
    .executeTakeFirst();
  if (row !== undefined) return SourceDefinition.parse(JSON.parse(row.definition));
  return loadBundledSources().find((s) => s.id === id);
}

function withMaxPages(source: SourceDefinition, maxPages: number | null): SourceDefinition {
  return maxPages === null
    ? source
    : { ...source, limits: { ...source.limits, max_pages: maxPages } };
}

function startJobs(source: SourceDefinition): NewJob[] {
  return [...source.start_urls, ...(source.sitemaps ?? [])].map((url) => ({
    stage: 'fetch' as const,
    key: urlKey(url),
    sourceId: source.id,
    url: urlKey(url),
    host: hostOf(url),
    depth: 0,
    pageType: 'start' as const,
  }));
}

async function setStatus(db: DB, id: number, status: string, crawlId?: number) {
  await db
    .updateTable('schedules')
    .set({ last_status: status, ...(crawlId === undefined ? {} : { last_crawl_id: crawlId }) })
    .where('id', '=', id)
    .execute();
}

/**
 * Distributed mode: starts the crawl of one firing and returns its id, or null when there was
 * nothing to start. Claiming the firing and creating the crawl with its start jobs are one
 * transaction, so a firing delivered twice (or a worker killed halfway) starts exactly one.
 */
export async function fireSchedule(
  app: App,
  queue: BullmqQueue,
  scheduleId: number,
  firedAt: number,
): Promise<number | null> {
  const logger = app.logger.child({ component: 'schedule', scheduleId });
  const schedule = await app.db
    .selectFrom('schedules')
    .selectAll()
    .where('id', '=', scheduleId)
    .executeTakeFirst();
  if (schedule === undefined) {
    await queue.queue(SCHEDULE_QUEUE).removeJobScheduler(schedulerId(scheduleId));
    return null;
  }
  const found = await sourceFor(app.db, schedule.source_id);
  const source = found === undefined ? undefined : withMaxPages(found, schedule.max_pages);
  const started = await app.db.transaction().execute(async (trx) => {
    const claim = await trx
      .updateTable('schedules')
      .set({ last_fired_at: firedAt })
      .where('id', '=', scheduleId)
      .where((eb) => eb.or([eb('last_fired_at', 'is', null), eb('last_fired_at', '<', firedAt)]))
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) === 0) return { kind: 'duplicate' as const };
    if (source === undefined) return { kind: 'no-source' as const };
    const key = JSON.stringify([source.id]);
    const open = await trx
      .selectFrom('crawls')
      .select('id')
      .where('status', '=', 'running')
      .where('source_ids', '=', key)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (open !== undefined) return { kind: 'resumed' as const, crawlId: open.id };
    const crawl = await trx
      .insertInto('crawls')
      .values({
        started_at: new Date().toISOString(),
        finished_at: null,
        status: 'running',
        source_ids: key,
        options: JSON.stringify({ maxPages: schedule.max_pages, since: null, scheduleId }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertJobs(trx, crawl.id, startJobs(source));
    return { kind: 'started' as const, crawlId: crawl.id };
  });
  switch (started.kind) {
    case 'duplicate':
      return null;
    case 'no-source':
      logger.warn({ sourceId: schedule.source_id }, 'scheduled source is no longer defined');
      await setStatus(app.db, scheduleId, `failed: source ${schedule.source_id} is not defined`);
      return null;
    case 'resumed':
      logger.info({ crawlId: started.crawlId }, 'previous crawl still open: resuming it');
      // Tracking it makes the sweep queue whatever of it no queue holds.
      await queue.enqueue(started.crawlId, []);
      await setStatus(app.db, scheduleId, `resumed crawl #${started.crawlId}`, started.crawlId);
      return started.crawlId;
    case 'started':
      if (source !== undefined) await queue.enqueue(started.crawlId, startJobs(source));
      logger.info({ crawlId: started.crawlId }, 'scheduled crawl started');
      await setStatus(app.db, scheduleId, `started crawl #${started.crawlId}`, started.crawlId);
      return started.crawlId;
  }
}

export interface RunSchedulesOptions {
  readonly signal: AbortSignal;
  /** Longest sleep between looks at the table (new schedules appear within this). @default 30000 */
  readonly pollMs?: number;
  /** Called after each scheduled crawl. */
  readonly onCrawl?: (scheduleId: number, crawlId: number | null) => void;
}

/**
 * Embedded mode: fires due schedules in this process until `signal` aborts. Each firing is
 * claimed by moving `next_run_at` forward first (compare-and-set), so two workers on one
 * database never run the same firing; the crawl itself resumes like `pactwatch crawl`.
 */
export async function runSchedules(app: App, options: RunSchedulesOptions): Promise<void> {
  const pollMs = options.pollMs ?? 30_000;
  const logger = app.logger.child({ component: 'schedule' });
  while (!options.signal.aborted) {
    const now = Date.now();
    const due = await app.db
      .selectFrom('schedules')
      .selectAll()
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .execute();
    for (const s of due) {
      if (options.signal.aborted) break;
      const claim = await app.db
        .updateTable('schedules')
        .set({ next_run_at: nextFiring(s.cron, s.timezone, now), last_fired_at: s.next_run_at })
        .where('id', '=', s.id)
        .where('next_run_at', '=', s.next_run_at)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) === 0) continue;
      const found = await sourceFor(app.db, s.source_id);
      if (found === undefined) {
        await setStatus(app.db, s.id, `failed: source ${s.source_id} is not defined`);
        continue;
      }
      logger.info({ scheduleId: s.id, sourceId: s.source_id }, 'scheduled crawl starting');
      try {
        const report = await runCrawl(app, {
          sources: [withMaxPages(found, s.max_pages)],
          signal: options.signal,
        });
        const fetched = report.sources.reduce((n, r) => n + r.pagesFetched, 0);
        await setStatus(
          app.db,
          s.id,
          `crawl #${report.crawlId}${report.summary.aborted ? ' interrupted' : ''}: ${fetched} pages fetched, ${report.summary.failed} failed`,
          report.crawlId,
        );
        options.onCrawl?.(s.id, report.crawlId);
      } catch (err) {
        logger.error({ scheduleId: s.id, err: reasonOf(err) }, 'scheduled crawl failed');
        await setStatus(app.db, s.id, `failed: ${reasonOf(err)}`);
        options.onCrawl?.(s.id, null);
      }
    }
    const next = await app.db
      .selectFrom('schedules')
      .select((eb) => eb.fn.min<number>('next_run_at').as('t'))
      .executeTakeFirst();
    const waitMs =
      next?.t === null || next?.t === undefined
        ? pollMs
        : Math.min(Math.max(Number(next.t) - Date.now(), 50), pollMs);
    await sleep(waitMs, undefined, { signal: options.signal }).catch(() => {});
  }
}

/** Lines for `pactwatch status`: each schedule with its next firing and what it last did. */
export async function scheduleStatusLines(db: DB): Promise<string[]> {
  const schedules = await listSchedules(db);
  if (schedules.length === 0) return [];
  return [
    'schedules:',
    ...schedules.map(
      (s) =>
        `  #${s.id} ${s.sourceId} \`${s.cron}\` (${s.timezone}) next ${new Date(s.nextRunAt).toISOString().slice(0, 16).replace('T', ' ')} UTC; last: ${s.lastStatus ?? 'never run'}`,
    ),
  ];
}
