import type { TypedEmitter } from '../../core/events.js';
import type { Stage } from '../../schemas/crawl-job.js';
import type { DB } from '../../storage/database.js';
import type { JobRecord, NewJob } from '../../storage/jobs.js';

export type { JobRecord, NewJob } from '../../storage/jobs.js';

/**
 * What a stage returns. The backend applies it atomically: `commit`'s writes, the new jobs and
 * the job's completion land in one transaction, so a crash either keeps all of it or none, and
 * a rerun neither loses nor repeats the work.
 */
export interface StageOutcome {
  readonly commit?: (trx: DB) => Promise<void>;
  readonly next?: readonly NewJob[];
  /** Max pages of the job's source: fetch jobs beyond this many in the crawl are dropped. */
  readonly maxFetchJobs?: number;
  readonly httpStatus?: number | null;
}

export interface StageContext {
  readonly signal: AbortSignal;
  /**
   * No retry follows if this attempt fails (with an ordinary, not rate-limited, failure): a
   * stage may settle for a partial result rather than record a failure.
   */
  readonly finalAttempt: boolean;
}

export type StageHandler = (job: JobRecord, ctx: StageContext) => Promise<StageOutcome>;
export type StageHandlers = Readonly<Record<Stage, StageHandler>>;

export interface HostPolicy {
  /** Requests to the host at once. */
  readonly concurrency: number;
  /** Minimum time between two request starts on the host. */
  readonly delayMs: number;
}

export interface JobEvent {
  readonly job: JobRecord;
  readonly durationMs: number;
}
export interface JobFailureEvent extends JobEvent {
  readonly reason: string;
  /** When a retry is due (epoch ms); only on `job:retry`. */
  readonly retryAt?: number;
}

export type QueueEvents = {
  'job:start': [JobRecord];
  'job:done': [JobEvent];
  'job:retry': [JobFailureEvent];
  'job:failed': [JobFailureEvent];
  /** The job must not run (robots.txt); recorded as skipped with the reason. */
  'job:skipped': [JobFailureEvent];
  'run:idle': [{ crawlId: number }];
};

export interface RunOptions {
  readonly crawlId: number;
  readonly handlers: StageHandlers;
  /** Politeness for a fetch job's host (from its source and robots.txt). */
  readonly hostPolicy: (job: JobRecord) => HostPolicy;
  /** Delay before retry number `attempt` (1-based), at least `retryAfterMs` when given. */
  readonly retryDelayMs: (attempt: number, retryAfterMs: number | undefined) => number;
  /** @default 4 */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal;
}

export interface RunSummary {
  readonly crawlId: number;
  readonly done: number;
  readonly failed: number;
  readonly retried: number;
  readonly skipped: number;
  readonly aborted: boolean;
}

/**
 * The queue abstraction every stage runs on. The embedded backend (p-queue + SQLite) and a
 * distributed one (BullMQ + PostgreSQL) both implement it; stage code never knows which.
 */
export interface QueueBackend {
  readonly events: TypedEmitter<QueueEvents>;
  enqueue(crawlId: number, jobs: readonly NewJob[]): Promise<number>;
  /** Processes the crawl's jobs until none is queued or running, or the signal aborts. */
  run(options: RunOptions): Promise<RunSummary>;
  /** Raises a host's minimum delay (Crawl-delay, Retry-After) for the rest of the run. */
  slowHost(host: string, delayMs: number): void;
}
