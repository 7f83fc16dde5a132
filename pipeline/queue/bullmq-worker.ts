import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { decide, PipelineError, reasonOf } from '../../core/errors.js';
import type { TypedEmitter } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { httpStatusOf } from '../../crawlers/http-errors.js';
import type { Stage } from '../../schemas/crawl-job.js';
import type { DB } from '../../storage/database.js';
import { countJobs, existingKeys, insertJobs, toJobRecord } from '../../storage/jobs.js';
import type { Dialect } from '../../storage/migrations/index.js';
import {
  type BullJobData,
  type BullJobResult,
  type CrawlRuntime,
  SCHEDULE_QUEUE,
  type ScheduleJobData,
  STAGES,
} from './bullmq-jobs.js';
import type { HostLease, HostLeases } from './host-lease.js';
import { asRetryableInfra } from './transient.js';
import type { JobRecord, NewJob, QueueEvents, StageOutcome } from './types.js';

/** What the stage workers use of the backend that owns them. */
export interface WorkerContext {
  readonly db: DB;
  readonly dialect: Dialect;
  readonly logger: Logger;
  readonly connection: Redis;
  readonly prefix: string;
  readonly leases: HostLeases;
  readonly events: TypedEmitter<QueueEvents>;
  /** The stage code of a crawl, or null when the crawl no longer exists. */
  runtime(crawlId: number): Promise<CrawlRuntime | null>;
  /** Puts jobs already in the database onto their BullMQ queues. */
  dispatch(crawlId: number, jobs: readonly NewJob[]): Promise<void>;
  /** Brings a fetch job waiting for a host slot forward: the slot it waited for is free. */
  wake(jobId: string): void;
}

export interface StageWorkersOptions {
  /** Fetch jobs at once in this process (I/O-bound). */
  readonly concurrency: number;
  /** Parse and extract jobs at once (CPU-bound); never more than `concurrency`. */
  readonly cpuConcurrency: number;
  /** How long a job stays claimed by a worker that stopped renewing its lock. */
  readonly lockMs: number;
  /** Times a job may be recovered from a dead worker before BullMQ fails it. */
  readonly stallLimit: number;
  /** Attempts for a job whose host keeps answering 429. */
  readonly rateLimitedAttempts: number;
  /** Runs a fired crawl schedule; without it this process does not serve schedules. */
  readonly onSchedule?: (scheduleId: number, firedAt: number) => Promise<void>;
  /** The run cannot go on (database gone, disk full): the owner stops. */
  readonly onFatal: (err: unknown) => void;
}

const OPEN_STATES = ['queued', 'running'] as const;

/** A job row as the worker needs it: the record plus its state and due time. */
interface LoadedJob {
  readonly record: JobRecord;
  readonly state: string;
  readonly notBefore: number;
}

async function loadJob(
  db: DB,
  crawlId: number,
  stage: Stage,
  key: string,
): Promise<LoadedJob | undefined> {
  const row = await db
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
      'state',
      'not_before',
    ])
    .where('crawl_id', '=', crawlId)
    .where('stage', '=', stage)
    .where('key', '=', key)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    record: toJobRecord(row),
    state: row.state,
    notBefore: Number(row.not_before),
  };
}

const nowIso = () => new Date().toISOString();

/**
 * Retry and failure records, only while the job is still open: a duplicate delivery that fails
 * after another one committed must not turn a done job into a failed one.
 */
async function recordRetry(
  db: DB,
  jobId: number,
  attempts: number,
  notBefore: number,
  reason: string,
) {
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
    .where('state', 'in', OPEN_STATES)
    .execute();
}

export async function recordFailure(
  db: DB,
  jobId: number,
  attempts: number,
  reason: string,
  httpStatus: number | null,
  state: 'failed' | 'skipped' = 'failed',
) {
  await db
    .updateTable('jobs')
    .set({ state, attempts, last_error: reason, http_status: httpStatus, updated_at: nowIso() })
    .where('id', '=', jobId)
    .where('state', 'in', OPEN_STATES)
    .execute();
}

/** 429, or 503 with Retry-After: the host asks us to slow down rather than failing. */
function isRateLimited(err: unknown): boolean {
  const status = httpStatusOf(err);
  return (
    status === 429 ||
    (status === 503 && err instanceof PipelineError && err.retryAfterMs !== undefined)
  );
}

/** Advisory-lock namespace of pactwatch's transaction locks on PostgreSQL. */
const LOCK_NS = 0x7077;
/** Dedup changes canonical records: one dedup commit at a time across all workers. */
const DEDUP_LOCK = 1;

/** Spreads jobs that were told the same wait, so they do not come back all at once. */
function jittered(waitMs: number, spreadMs: number): number {
  return Math.round(waitMs + Math.random() * spreadMs);
}

/**
 * The BullMQ workers of one process: one per stage queue (and one for fired schedules). A
 * delivery is checked against the database before any work and committed with a guard, so a
 * job delivered twice (a stalled worker that was still alive, a re-dispatch after a crash)
 * does its work once.
 */
export class StageWorkers {
  readonly #ctx: WorkerContext;
  readonly #options: StageWorkersOptions;
  readonly #log: Logger;
  readonly #workers: Worker[] = [];
  /** Aborted when the grace period of a shutdown is over: in-flight jobs are handed back. */
  readonly #shutdown = new AbortController();

  constructor(ctx: WorkerContext, options: StageWorkersOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#log = ctx.logger.child({ component: 'worker' });
  }

  start(): void {
    const o = this.#options;
    const common = {
      connection: this.#ctx.connection,
      prefix: this.#ctx.prefix,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: o.stallLimit,
    };
    for (const stage of o.concurrency === 0 ? [] : STAGES) {
      const concurrency =
        stage === 'fetch'
          ? o.concurrency
          : stage === 'dedup'
            ? 1
            : Math.max(1, Math.min(o.concurrency, o.cpuConcurrency));
      const worker = new Worker<BullJobData, BullJobResult>(
        stage,
        (job, token, signal) => this.#process(job, token, signal),
        { ...common, concurrency },
      );
      this.#watch(worker, stage);
    }
    if (o.onSchedule !== undefined) {
      const onSchedule = o.onSchedule;
      const worker = new Worker<ScheduleJobData>(
        SCHEDULE_QUEUE,
        async (job) => {
          // The firing's planned time identifies it: a firing delivered twice starts one crawl.
          const firedAt = job.opts.prevMillis ?? job.timestamp + (job.opts.delay ?? 0);
          await onSchedule(job.data.scheduleId, firedAt);
        },
        { ...common, concurrency: 1 },
      );
      this.#watch(worker, SCHEDULE_QUEUE);
    }
  }

  #watch(worker: Worker, queue: string): void {
    // Connection trouble is reported here; the worker reconnects by itself.
    worker.on('error', (err) => this.#log.warn({ queue, err: err.message }, 'worker error'));
    this.#workers.push(worker);
  }

  /**
   * Stops taking jobs and lets in-flight ones finish for `graceMs`; then aborts them, and
   * each goes back to its queue untouched for another worker.
   */
  async close(graceMs: number, force?: AbortSignal): Promise<void> {
    const handBack = () => this.#shutdown.abort();
    const timer = setTimeout(handBack, graceMs);
    force?.addEventListener('abort', handBack, { once: true });
    if (force?.aborted === true) handBack();
    try {
      await Promise.all(this.#workers.map((w) => w.close()));
    } finally {
      clearTimeout(timer);
      force?.removeEventListener('abort', handBack);
    }
  }

  /** Hands a job back to its queue, due at `atMs`, without counting an attempt. */
  async #later(bjob: Job, token: string | undefined, atMs: number): Promise<never> {
    await bjob.moveToDelayed(atMs, token);
    throw new DelayedError();
  }

  async #process(
    bjob: Job<BullJobData, BullJobResult>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<BullJobResult> {
    const { crawlId, stage, key } = bjob.data;
    const result = (outcome: BullJobResult['outcome']): BullJobResult => ({
      crawlId,
      stage,
      outcome,
    });
    const runtime = await this.#ctx.runtime(crawlId);
    const loaded = runtime === null ? undefined : await loadJob(this.#ctx.db, crawlId, stage, key);
    if (runtime === null || loaded === undefined) {
      this.#log.warn(
        { crawlId, stage, key },
        'job without a crawl or row in the database; dropped',
      );
      return result('orphan');
    }
    if (!OPEN_STATES.includes(loaded.state as (typeof OPEN_STATES)[number])) {
      return result('already');
    }
    const job = loaded.record;
    // Re-dispatched early (a sweep after a lost Redis write): wait for the retry's due time.
    if (loaded.notBefore > Date.now() + 20) return this.#later(bjob, token, loaded.notBefore);

    let lease: HostLease | undefined;
    if (job.stage === 'fetch' && job.host !== null) {
      const got = await this.#ctx.leases.acquire(job.host, runtime.hostPolicy(job), bjob.id ?? '');
      if (!got.granted) {
        // A waiter is woken by the next release; the delay is only its fallback.
        const waitMs = got.waiting ? got.waitMs : jittered(got.waitMs, Math.min(got.waitMs, 50));
        return this.#later(bjob, token, Date.now() + waitMs);
      }
      lease = got.lease;
    }

    const abort =
      signal === undefined
        ? this.#shutdown.signal
        : AbortSignal.any([signal, this.#shutdown.signal]);
    const started = Date.now();
    this.#ctx.events.emit('job:start', job);
    try {
      let outcome: StageOutcome;
      try {
        outcome = await runtime.handlers[job.stage](job, {
          signal: abort,
          finalAttempt: job.attempts + 1 >= (runtime.maxAttempts ?? 4),
        });
      } finally {
        if (lease !== undefined) {
          try {
            const waiter = await lease.release();
            if (waiter !== null) this.#ctx.wake(waiter);
          } catch (err) {
            // The lease lapses by itself after the lock time.
            this.#log.warn({ host: job.host, err: String(err) }, 'cannot release host lease');
          }
        }
      }
      const next = await this.#commit(job, outcome);
      if (next === null) return result('already');
      await this.#ctx.dispatch(crawlId, next);
      this.#ctx.events.emit('job:done', { job, durationMs: Date.now() - started });
      return result('done');
    } catch (err) {
      return this.#failed(bjob, token, job, runtime, err, abort, started);
    }
  }

  async #failed(
    bjob: Job<BullJobData, BullJobResult>,
    token: string | undefined,
    job: JobRecord,
    runtime: CrawlRuntime,
    thrown: unknown,
    abort: AbortSignal,
    started: number,
  ): Promise<BullJobResult> {
    // Shutting down: the job did not fail, this worker stopped. Back to the queue, untouched.
    if (abort.aborted) return this.#later(bjob, token, Date.now());
    const err = asRetryableInfra(thrown);
    const attempt = job.attempts + 1;
    const maxAttempts = runtime.maxAttempts ?? 4;
    const allowed = isRateLimited(err)
      ? Math.max(maxAttempts, this.#options.rateLimitedAttempts)
      : maxAttempts;
    const decision = decide(err, attempt, allowed);
    const reason = reasonOf(err);
    const durationMs = Date.now() - started;
    const db = this.#ctx.db;
    try {
      if (decision === 'stop') {
        this.#log.error({ jobId: job.id, url: job.url, reason }, 'fatal error: stopping');
        this.#options.onFatal(err);
        return await this.#later(bjob, token, Date.now() + 1000);
      }
      if (decision === 'retry') {
        const retryAfterMs = err instanceof PipelineError ? err.retryAfterMs : undefined;
        const retryAt = Date.now() + runtime.retryDelayMs(attempt, retryAfterMs);
        if (job.host !== null) await this.#slowHostAfter(job.host, err, retryAfterMs);
        await recordRetry(db, job.id, attempt, retryAt, reason);
        this.#ctx.events.emit('job:retry', { job, durationMs, reason, retryAt });
        return await this.#later(bjob, token, retryAt);
      }
      if (decision === 'skip') {
        await recordFailure(db, job.id, attempt, reason, null, 'skipped');
        this.#ctx.events.emit('job:skipped', { job, durationMs, reason });
        return { crawlId: job.crawlId, stage: job.stage, outcome: 'skipped' };
      }
      await recordFailure(db, job.id, attempt, reason, httpStatusOf(err) ?? null);
      this.#log.warn({ jobId: job.id, url: job.url, stage: job.stage, reason }, 'job failed');
      this.#ctx.events.emit('job:failed', { job, durationMs, reason });
    } catch (recordErr) {
      if (recordErr instanceof DelayedError) throw recordErr;
      // The outcome could not be recorded (database unreachable): try the job again later.
      this.#log.warn(
        { jobId: job.id, err: reasonOf(recordErr) },
        'cannot record a job failure; handing the job back',
      );
      return this.#later(bjob, token, Date.now() + runtime.retryDelayMs(attempt, undefined));
    }
    // Kept in BullMQ's failed set with the reason, for `pactwatch status`.
    throw new UnrecoverableError(reason);
  }

  /** A Retry-After pauses the host for every worker; a 429 slows it for the rest of the day. */
  async #slowHostAfter(host: string, err: unknown, retryAfterMs: number | undefined) {
    try {
      if (retryAfterMs !== undefined) await this.#ctx.leases.pause(host, retryAfterMs);
      if (isRateLimited(err)) {
        await this.#ctx.leases.slowDown(host, Math.min(Math.max(1000, retryAfterMs ?? 0), 60_000));
      }
    } catch (e) {
      this.#log.warn({ host, err: String(e) }, 'cannot slow host down');
    }
  }

  /**
   * Applies a stage's outcome and the job's completion in one transaction. The first statement
   * claims the completion (open -> done) and takes the row's write lock, so of two deliveries
   * of one job exactly one commits; the other finds it done and returns null.
   */
  async #commit(job: JobRecord, outcome: StageOutcome): Promise<NewJob[] | null> {
    const { dialect } = this.#ctx;
    return this.#ctx.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('jobs')
        .set({
          state: 'done',
          http_status: outcome.httpStatus ?? null,
          last_error: null,
          updated_at: nowIso(),
        })
        .where('id', '=', job.id)
        .where('state', 'in', OPEN_STATES)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return null;
      if (dialect === 'postgres' && job.stage === 'dedup') {
        await sql`SELECT pg_advisory_xact_lock(${LOCK_NS}, ${DEDUP_LOCK})`.execute(trx);
      }
      await outcome.commit?.(trx);
      let next = [...(outcome.next ?? [])];
      if (outcome.maxFetchJobs !== undefined && next.some((j) => j.stage === 'fetch')) {
        if (dialect === 'postgres') {
          // Two list pages of one source must not both spend the same remaining budget.
          const budget = `budget:${job.crawlId}:${job.sourceId}`;
          await sql`SELECT pg_advisory_xact_lock(${LOCK_NS}, hashtext(${budget}))`.execute(trx);
        }
        // Only URLs new to this crawl use up the source's page budget (as in the embedded queue).
        const known = await existingKeys(
          trx,
          job.crawlId,
          'fetch',
          next.filter((j) => j.stage === 'fetch').map((j) => j.key),
        );
        next = next.filter((j) => j.stage !== 'fetch' || !known.has(j.key));
        const used = await countJobs(trx, job.crawlId, job.sourceId, 'fetch');
        let room = Math.max(outcome.maxFetchJobs - used, 0);
        next = next.filter((j) => j.stage !== 'fetch' || room-- > 0);
      }
      // One insert order everywhere, so concurrent commits adding the same children queue up
      // behind each other instead of deadlocking.
      next.sort((a, b) =>
        a.stage === b.stage
          ? a.key < b.key
            ? -1
            : a.key > b.key
              ? 1
              : 0
          : a.stage < b.stage
            ? -1
            : 1,
      );
      await insertJobs(trx, job.crawlId, next);
      return next;
    });
  }
}
