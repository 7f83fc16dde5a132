import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FatalError, PipelineError, reasonOf } from '../../core/errors.js';
import { TypedEmitter } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { Stage } from '../../schemas/crawl-job.js';
import type { DB } from '../../storage/database.js';
import { insertJobs } from '../../storage/jobs.js';
import type { Dialect } from '../../storage/migrations/index.js';
import {
  crawlSummary,
  finishCrawl,
  openJobs,
  remoteProgress,
  sweepCrawl,
} from './bullmq-crawls.js';
import {
  type BullJobData,
  type CrawlRuntime,
  type SCHEDULE_QUEUE,
  toBullJob,
} from './bullmq-jobs.js';
import { StageWorkers } from './bullmq-worker.js';
import { HostLeases } from './host-lease.js';
import type { NewJob, QueueBackend, QueueEvents, RunOptions, RunSummary } from './types.js';

export type { CrawlRuntime } from './bullmq-jobs.js';

export interface BullmqQueueOptions {
  readonly db: DB;
  readonly dialect: Dialect;
  readonly logger: Logger;
  /** Redis connection string (`REDIS_URL`). */
  readonly redisUrl: string;
  /** Prefix of every Redis key (queues, host leases); one per deployment. @default 'pactwatch' */
  readonly prefix?: string;
  /**
   * Builds the stage code of a crawl this process did not start, from the database. Without
   * it, this process only works on the crawl it runs.
   */
  readonly runtimeFor?: (crawlId: number, queue: BullmqQueue) => Promise<CrawlRuntime | null>;
  /**
   * Fetch jobs at once in this process's own workers while `run()` waits for a crawl. 0: this
   * process enqueues and waits, `pactwatch worker` processes do the work.
   * @default 0
   */
  readonly concurrency?: number;
  /** Parse and extract jobs at once per process (CPU-bound). @default 2 */
  readonly cpuConcurrency?: number;
  /**
   * How long a job (and its host lease) stays claimed by a worker that stopped answering;
   * a killed worker's jobs are back on the queue after at most twice this.
   * @default 30000
   */
  readonly lockMs?: number;
  /** Times a job may be recovered from a dead worker before it is failed. @default 5 */
  readonly stallLimit?: number;
  /** How often a waiting `run()` checks whether its crawl is finished. @default 500 */
  readonly pollMs?: number;
  /** How often lost jobs are looked for and finished crawls closed. @default 5000 */
  readonly sweepIntervalMs?: number;
  /** Open jobs of a crawl compared with the queues per sweep. @default 500 */
  readonly sweepBatch?: number;
  /** In-flight jobs get this long to finish on shutdown before they are handed back. @default 10000 */
  readonly shutdownGraceMs?: number;
  /** Attempts for a job whose host keeps answering 429. @default 12 */
  readonly rateLimitedAttempts?: number;
  /** A crawl's stage code is dropped after this long unused. @default 120000 */
  readonly runtimeIdleMs?: number;
}

export const BULLMQ_QUEUE_DEFAULTS = {
  prefix: 'pactwatch',
  concurrency: 0,
  cpuConcurrency: 2,
  lockMs: 30_000,
  stallLimit: 5,
  pollMs: 500,
  sweepIntervalMs: 5000,
  sweepBatch: 500,
  shutdownGraceMs: 10_000,
  rateLimitedAttempts: 12,
  runtimeIdleMs: 120_000,
} as const;

type Resolved = Required<Omit<BullmqQueueOptions, 'runtimeFor'>>;

function checkInt(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got \`${value}\``,
    );
  }
  return value;
}

export interface WorkOptions {
  /** Fetch jobs at once in this process; 0 serves only schedules and maintenance. */
  readonly concurrency: number;
  /** Stops the workers: in-flight jobs get `shutdownGraceMs` to finish, then are handed back. */
  readonly signal: AbortSignal;
  /** Stops at once: in-flight jobs are handed back to their queues now (a second Ctrl-C). */
  readonly force?: AbortSignal;
  /** Starts the crawl of a fired schedule. */
  readonly onSchedule?: (scheduleId: number, firedAt: number) => Promise<void>;
  /** Called once the workers are connected and taking jobs. */
  readonly onReady?: () => void;
}

interface CachedRuntime {
  readonly runtime: Promise<CrawlRuntime | null>;
  lastUsed: number;
}

/**
 * The distributed backend: BullMQ queues on Redis deliver jobs to any number of worker
 * processes; the jobs table (PostgreSQL, or SQLite on one machine) stays the source of truth
 * for every job's state, attempts and results.
 *
 * - `enqueue` writes jobs to the database, then adds them to their stage's queue under an id
 *   derived from crawl, stage and key. A stage's outcome, its new jobs and the job's completion
 *   commit in one transaction; the new jobs are queued after the commit. A crash between the
 *   two is repaired by the sweep, which re-queues open jobs that no queue holds.
 * - Politeness per host holds across all workers through leases in Redis (`host-lease.ts`).
 * - Retries are decided by `decide()` and timed by the crawl's backoff; the job waits as a
 *   delayed BullMQ job. Failures are recorded in the database and kept in BullMQ's failed set.
 * - A killed worker's jobs are recovered by BullMQ's stalled-job check after `lockMs`.
 */
export class BullmqQueue implements QueueBackend {
  readonly events = new TypedEmitter<QueueEvents>();
  readonly leases: HostLeases;
  readonly #db: DB;
  readonly #dialect: Dialect;
  readonly #logger: Logger;
  readonly #redis: Redis;
  readonly #options: Resolved;
  readonly #runtimeFor: BullmqQueueOptions['runtimeFor'];
  readonly #queues = new Map<string, Queue>();
  /** Runtimes of crawls this process runs (`run()`), used as given. */
  readonly #pinned = new Map<number, CrawlRuntime>();
  readonly #runtimes = new Map<number, CachedRuntime>();
  readonly #sweepCursor = new Map<number, number>();
  readonly #maintenanceToken = randomUUID();

  constructor(options: BullmqQueueOptions) {
    const d = BULLMQ_QUEUE_DEFAULTS;
    const prefix = options.prefix ?? d.prefix;
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.{}-]+$/.test(prefix)) {
      throw new TypeError(`Expected \`prefix\` to be a key prefix without ':', got \`${prefix}\``);
    }
    this.#options = {
      db: options.db,
      dialect: options.dialect,
      logger: options.logger,
      redisUrl: options.redisUrl,
      prefix,
      concurrency: checkInt('concurrency', options.concurrency ?? d.concurrency, 0),
      cpuConcurrency: checkInt('cpuConcurrency', options.cpuConcurrency ?? d.cpuConcurrency, 1),
      lockMs: checkInt('lockMs', options.lockMs ?? d.lockMs, 500),
      stallLimit: checkInt('stallLimit', options.stallLimit ?? d.stallLimit, 1),
      pollMs: checkInt('pollMs', options.pollMs ?? d.pollMs, 1),
      sweepIntervalMs: checkInt('sweepIntervalMs', options.sweepIntervalMs ?? d.sweepIntervalMs, 1),
      sweepBatch: checkInt('sweepBatch', options.sweepBatch ?? d.sweepBatch, 1),
      shutdownGraceMs: checkInt('shutdownGraceMs', options.shutdownGraceMs ?? d.shutdownGraceMs, 0),
      rateLimitedAttempts: checkInt(
        'rateLimitedAttempts',
        options.rateLimitedAttempts ?? d.rateLimitedAttempts,
        1,
      ),
      runtimeIdleMs: checkInt('runtimeIdleMs', options.runtimeIdleMs ?? d.runtimeIdleMs, 1),
    };
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#logger = options.logger.child({ component: 'bullmq' });
    this.#runtimeFor = options.runtimeFor;
    // Workers need commands to wait through a Redis restart rather than fail after N retries;
    // ioredis queues them while it reconnects (forever, backing off up to 2 s).
    this.#redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.#redis.on('error', (err: Error) =>
      this.#logger.warn({ err: err.message }, 'redis connection error'),
    );
    this.leases = new HostLeases({
      redis: this.#redis,
      prefix,
      logger: options.logger,
      leaseTtlMs: this.#options.lockMs,
    });
  }

  get prefix(): string {
    return this.#options.prefix;
  }

  /** The BullMQ queue of a stage, or of fired schedules (`schedule`). */
  queue(name: Stage | typeof SCHEDULE_QUEUE): Queue {
    let q = this.#queues.get(name);
    if (q === undefined) {
      q = new Queue(name, { connection: this.#redis, prefix: this.#options.prefix });
      q.on('error', (err: Error) =>
        this.#logger.warn({ queue: name, err: err.message }, 'queue error'),
      );
      this.#queues.set(name, q);
    }
    return q;
  }

  #crawlsKey(): string {
    return `${this.#options.prefix}:crawls`;
  }

  /** Crawls run on this backend; the sweep looks after these only. */
  async #track(crawlId: number): Promise<void> {
    await this.#redis.sadd(this.#crawlsKey(), String(crawlId));
  }

  async enqueue(crawlId: number, jobs: readonly NewJob[]): Promise<number> {
    await this.#track(crawlId);
    const added = await insertJobs(this.#db, crawlId, jobs);
    await this.dispatch(crawlId, jobs);
    return added;
  }

  /** Adds jobs that are in the database to their queues (again: adding is idempotent). */
  async dispatch(crawlId: number, jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = Date.now();
    const byStage = new Map<Stage, ReturnType<typeof toBullJob>[]>();
    for (const job of jobs) {
      const list = byStage.get(job.stage) ?? [];
      list.push(toBullJob(crawlId, job, now));
      byStage.set(job.stage, list);
    }
    for (const [stage, list] of byStage) {
      for (let i = 0; i < list.length; i += 500) {
        await this.queue(stage).addBulk(list.slice(i, i + 500));
      }
    }
  }

  slowHost(host: string, delayMs: number): void {
    this.leases.slowDown(host, delayMs).catch((err: unknown) => {
      this.#logger.warn({ host, err: String(err) }, 'cannot record a host delay');
    });
  }

  /**
   * Moves a fetch job that waits for a host slot from delayed to waiting. The waiter may not
   * have reached the delayed set yet (it registers, then delays itself): look again briefly.
   */
  async #wake(jobId: string): Promise<void> {
    for (const pauseMs of [0, 20, 100, 400]) {
      if (pauseMs > 0) await sleep(pauseMs);
      const job = await this.queue('fetch').getJob(jobId);
      if (job === undefined || job.finishedOn !== undefined) return;
      try {
        await job.promote();
        return;
      } catch {
        // Not delayed (yet): still active, registering itself; or already woken by a sweep.
      }
    }
  }

  async #runtime(crawlId: number): Promise<CrawlRuntime | null> {
    const pinned = this.#pinned.get(crawlId);
    if (pinned !== undefined) return pinned;
    let cached = this.#runtimes.get(crawlId);
    if (cached === undefined) {
      const build = this.#runtimeFor?.(crawlId, this) ?? Promise.resolve(null);
      cached = { runtime: build, lastUsed: Date.now() };
      this.#runtimes.set(crawlId, cached);
      // A failed build (database down) is retried by the next job, not cached.
      build.catch(() => this.#runtimes.delete(crawlId));
    }
    cached.lastUsed = Date.now();
    return cached.runtime;
  }

  async #dropRuntime(crawlId: number): Promise<void> {
    const cached = this.#runtimes.get(crawlId);
    if (cached === undefined) return;
    this.#runtimes.delete(crawlId);
    const runtime = await cached.runtime.catch(() => null);
    await runtime?.close?.().catch(() => {});
  }

  #workers(concurrency: number, extra: Partial<WorkOptions>, onFatal: (err: unknown) => void) {
    const workers = new StageWorkers(
      {
        db: this.#db,
        dialect: this.#dialect,
        logger: this.#logger,
        connection: this.#redis,
        prefix: this.#options.prefix,
        leases: this.leases,
        events: this.events,
        runtime: (id) => this.#runtime(id),
        dispatch: (id, jobs) => this.dispatch(id, jobs),
        wake: (jobId) => {
          this.#wake(jobId).catch((err: unknown) =>
            this.#logger.debug({ jobId, err: String(err) }, 'cannot wake a waiting job'),
          );
        },
      },
      {
        concurrency,
        cpuConcurrency: this.#options.cpuConcurrency,
        lockMs: this.#options.lockMs,
        stallLimit: this.#options.stallLimit,
        rateLimitedAttempts: this.#options.rateLimitedAttempts,
        onFatal,
        ...(extra.onSchedule === undefined ? {} : { onSchedule: extra.onSchedule }),
      },
    );
    workers.start();
    return workers;
  }

  /**
   * Waits until the crawl has no open job. With `concurrency` > 0 this process works on the
   * queues meanwhile; otherwise `pactwatch worker` processes do. Aborting stops waiting (and
   * this process's workers, handing their jobs back); the crawl stays queued for the workers.
   */
  async run(options: RunOptions): Promise<RunSummary> {
    const { crawlId } = options;
    await this.#track(crawlId);
    this.#pinned.set(crawlId, options);
    let fatal: unknown;
    const stop = new AbortController();
    const signal =
      options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
    const workers =
      this.#options.concurrency > 0
        ? this.#workers(this.#options.concurrency, {}, (err) => {
            fatal ??= err;
            stop.abort();
          })
        : undefined;
    try {
      // A resumed crawl (or one started before a Redis loss) may have open jobs no queue holds.
      await this.#sweepCrawl(crawlId, Number.POSITIVE_INFINITY);
      const started = Date.now();
      let lastSweep = started;
      let warned = false;
      const progress =
        workers === undefined ? remoteProgress(this.#db, crawlId, this.events) : undefined;
      while (!signal.aborted) {
        try {
          await progress?.();
          if ((await openJobs(this.#db, crawlId)) === 0) break;
          if (Date.now() - lastSweep >= this.#options.sweepIntervalMs) {
            lastSweep = Date.now();
            await this.#sweepCrawl(crawlId, this.#options.sweepBatch);
          }
          if (workers === undefined && !warned && Date.now() - started > 5000) {
            warned = true;
            if ((await this.queue('fetch').getWorkersCount()) === 0) {
              this.#logger.warn(
                { crawlId },
                'no worker is connected: start `pactwatch worker` (or crawl with --concurrency N)',
              );
            }
          }
        } catch (err) {
          // The database or Redis is restarting: keep waiting, the workers retry their jobs.
          this.#logger.warn({ crawlId, err: reasonOf(err) }, 'cannot check crawl progress yet');
        }
        await sleep(this.#options.pollMs, undefined, { signal }).catch(() => {});
      }
    } finally {
      await workers?.close(this.#options.shutdownGraceMs);
      this.#pinned.delete(crawlId);
    }
    if (fatal !== undefined) {
      throw fatal instanceof PipelineError
        ? fatal
        : new FatalError('INTERNAL', reasonOf(fatal), { cause: fatal });
    }
    const aborted = options.signal?.aborted ?? false;
    if (!aborted) {
      await this.#redis.srem(this.#crawlsKey(), String(crawlId));
      this.events.emit('run:idle', { crawlId });
    }
    return { crawlId, ...(await crawlSummary(this.#db, crawlId)), aborted };
  }

  /**
   * A long-running worker (`pactwatch worker`): takes jobs of every crawl and fired schedules,
   * and keeps the deployment healthy (one process at a time sweeps for lost jobs and closes
   * finished crawls). Returns after `signal` aborts and in-flight jobs are finished or handed
   * back; throws when the run cannot go on (database gone).
   */
  async work(options: WorkOptions): Promise<void> {
    checkInt('concurrency', options.concurrency, 0);
    let fatal: unknown;
    const stop = new AbortController();
    const signal = AbortSignal.any([options.signal, stop.signal]);
    const workers = this.#workers(options.concurrency, options, (err) => {
      fatal ??= err;
      stop.abort();
    });
    options.onReady?.();
    try {
      while (!signal.aborted) {
        try {
          await this.maintain();
        } catch (err) {
          this.#logger.warn({ err: reasonOf(err) }, 'maintenance failed; trying again');
        }
        await sleep(this.#options.sweepIntervalMs, undefined, { signal }).catch(() => {});
      }
    } finally {
      this.#logger.info('stopping: finishing in-flight jobs');
      await workers.close(this.#options.shutdownGraceMs, options.force);
    }
    if (fatal !== undefined) {
      throw fatal instanceof PipelineError
        ? fatal
        : new FatalError('INTERNAL', reasonOf(fatal), { cause: fatal });
    }
  }

  /**
   * One maintenance round, done by one process of the deployment at a time (a lock in Redis):
   * re-queues lost jobs of every tracked crawl and marks crawls with no open job done. Every
   * process also drops the stage code of crawls it has not seen for a while.
   */
  async maintain(): Promise<void> {
    const now = Date.now();
    for (const [id, cached] of this.#runtimes) {
      if (now - cached.lastUsed > this.#options.runtimeIdleMs) await this.#dropRuntime(id);
    }
    const lockKey = `${this.#options.prefix}:maintenance`;
    const holdMs = this.#options.sweepIntervalMs * 3;
    const mine =
      (await this.#redis.set(lockKey, this.#maintenanceToken, 'PX', holdMs, 'NX')) === 'OK' ||
      (await this.#redis.get(lockKey)) === this.#maintenanceToken;
    if (!mine) return;
    await this.#redis.pexpire(lockKey, holdMs);
    const ids = (await this.#redis.smembers(this.#crawlsKey())).map(Number);
    for (const crawlId of ids) {
      const crawl = await this.#db
        .selectFrom('crawls')
        .select('status')
        .where('id', '=', crawlId)
        .executeTakeFirst();
      if (crawl === undefined || crawl.status !== 'running') {
        await this.#redis.srem(this.#crawlsKey(), String(crawlId));
        continue;
      }
      await this.#sweepCrawl(crawlId, this.#options.sweepBatch);
      if (await this.finishCrawl(crawlId)) {
        this.#logger.info({ crawlId }, 'crawl finished');
        await this.#redis.srem(this.#crawlsKey(), String(crawlId));
        await this.#dropRuntime(crawlId);
      }
    }
  }

  /** Marks a crawl done when it has jobs and none is open. True when it did. */
  finishCrawl(crawlId: number): Promise<boolean> {
    return finishCrawl(this.#db, crawlId);
  }

  /** See `sweepCrawl`; continues where the last sweep of the crawl stopped. */
  async #sweepCrawl(crawlId: number, limit: number): Promise<void> {
    const cursor = await sweepCrawl(
      {
        db: this.#db,
        redis: this.#redis,
        jobKey: (stage, jobId) => this.queue(stage).toKey(jobId),
        dispatch: (id, jobs) => this.dispatch(id, jobs),
        logger: this.#logger,
      },
      crawlId,
      this.#sweepCursor.get(crawlId) ?? 0,
      limit,
    );
    this.#sweepCursor.set(crawlId, cursor);
  }

  /** Closes queues and connections, and the stage code of crawls it built. */
  async close(): Promise<void> {
    for (const id of [...this.#runtimes.keys()]) await this.#dropRuntime(id);
    if (this.#redis.status !== 'ready') {
      // Redis is away: nothing to flush, and a polite QUIT would wait for it to come back.
      this.#redis.disconnect();
    }
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => {})));
    this.#queues.clear();
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => {});
    this.#redis.disconnect();
  }
}

export type { BullJobData };
