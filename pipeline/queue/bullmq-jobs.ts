import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { Stage } from '../../schemas/crawl-job.js';
import type { HostPolicy, JobRecord, NewJob, StageHandlers } from './types.js';

/** One BullMQ queue per stage, plus one whose jobs are fired by crawl schedules. */
export const STAGES: readonly Stage[] = ['fetch', 'parse', 'extract', 'dedup'];
export const SCHEDULE_QUEUE = 'schedule';

/**
 * What a BullMQ job carries: the job's identity in the database, which stays the source of
 * truth for its state and attempts. `url` and `sourceId` are there for people reading the
 * queue (`pactwatch status`, dashboards), not for the worker.
 */
export interface BullJobData {
  readonly crawlId: number;
  readonly stage: Stage;
  readonly key: string;
  readonly sourceId: string;
  readonly url: string | null;
}

/** What a processed job returns (kept briefly by BullMQ, visible to queue listeners). */
export interface BullJobResult {
  readonly crawlId: number;
  readonly stage: Stage;
  /** done: committed now; already: a delivery of work committed before; skipped: robots.txt. */
  readonly outcome: 'done' | 'already' | 'skipped' | 'orphan';
}

export interface ScheduleJobData {
  readonly scheduleId: number;
}

/** The stage code and policies a worker needs for one crawl. `RunOptions` is one. */
export interface CrawlRuntime {
  readonly handlers: StageHandlers;
  readonly hostPolicy: (job: JobRecord) => HostPolicy;
  readonly retryDelayMs: (attempt: number, retryAfterMs: number | undefined) => number;
  /** @default 4 */
  readonly maxAttempts?: number;
  /** Releases what the runtime opened (HTTP connection pools). */
  close?(): Promise<void>;
}

/**
 * The BullMQ job id of a crawl's (stage, key): the same work always maps to the same id, so
 * adding it again while it waits, runs or is delayed is a no-op in BullMQ, and a delivery of
 * work already committed is recognised from the database. Hashed because keys are URLs and
 * BullMQ ids may not contain `:`.
 */
export function bullJobId(crawlId: number, stage: Stage, key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `c${crawlId}-${stage}-${hash}`;
}

/** Failed jobs are kept this long for `status` and post-mortems (BullMQ counts in seconds). */
const FAILED_KEEP = { age: 30 * 24 * 3600, count: 10_000 };

/**
 * Options of every stage job. Retries are decided by the worker against the database (so
 * they survive a Redis restart and follow `decide()`); BullMQ's own attempts only catch an
 * error that escapes that handling, such as a lost Redis connection mid-job.
 */
export function stageJobOptions(jobId: string, delayMs: number): JobsOptions {
  return {
    jobId,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: FAILED_KEEP,
  };
}

export function toBullJob(crawlId: number, job: NewJob, now: number) {
  const data: BullJobData = {
    crawlId,
    stage: job.stage,
    key: job.key,
    sourceId: job.sourceId,
    url: job.url ?? null,
  };
  return {
    name: job.stage,
    data,
    opts: stageJobOptions(bullJobId(crawlId, job.stage, job.key), (job.notBefore ?? 0) - now),
  };
}
