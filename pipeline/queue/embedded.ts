import PQueue from 'p-queue';
import { decide, FatalError, PipelineError, reasonOf } from '../../core/errors.js';
import { TypedEmitter } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { DB } from '../../storage/database.js';
import {
  claimJobs,
  countJobs,
  existingKeys,
  insertJobs,
  type JobRecord,
  markDone,
  markFailed,
  markRetry,
  type NewJob,
  nextDue,
} from '../../storage/jobs.js';
import { HostGate } from './host-gate.js';
import type { QueueBackend, QueueEvents, RunOptions, RunSummary, StageOutcome } from './types.js';

export interface EmbeddedQueueOptions {
  readonly db: DB;
  readonly logger: Logger;
  /** Jobs held in memory at once (claimed from the database, not yet finished). @default 64 */
  readonly maxInFlight?: number;
  /** Parse and extract jobs at once; they are CPU-bound. @default 2 */
  readonly cpuConcurrency?: number;
  /** Longest sleep while waiting for a delayed retry, so an abort is seen quickly. @default 500 */
  readonly idlePollMs?: number;
  readonly now?: () => number;
}

export const EMBEDDED_QUEUE_DEFAULTS = {
  maxInFlight: 64,
  cpuConcurrency: 2,
  idlePollMs: 500,
  maxAttempts: 4,
} as const;

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
  }
  return value;
}

/** An HTTP status carried by a failure, for the failure record ("vanished: 404"). */
function statusOf(err: unknown): number | null {
  if (err instanceof PipelineError && 'status' in err && typeof err.status === 'number')
    return err.status;
  return null;
}

/**
 * The embedded backend: job state in SQLite, execution in-process on p-queue. Fetch jobs go
 * through a per-host gate; parse/extract share a CPU queue; dedup runs one at a time because it
 * changes canonical records.
 */
export class EmbeddedQueue implements QueueBackend {
  readonly events = new TypedEmitter<QueueEvents>();
  readonly #db: DB;
  readonly #logger: Logger;
  readonly #maxInFlight: number;
  readonly #cpuConcurrency: number;
  readonly #idlePollMs: number;
  readonly #now: () => number;
  readonly #hosts: HostGate;

  constructor(options: EmbeddedQueueOptions) {
    this.#db = options.db;
    this.#logger = options.logger.child({ component: 'queue' });
    this.#maxInFlight = positiveInt(
      'maxInFlight',
      options.maxInFlight ?? EMBEDDED_QUEUE_DEFAULTS.maxInFlight,
    );
    this.#cpuConcurrency = positiveInt(
      'cpuConcurrency',
      options.cpuConcurrency ?? EMBEDDED_QUEUE_DEFAULTS.cpuConcurrency,
    );
    this.#idlePollMs = positiveInt(
      'idlePollMs',
      options.idlePollMs ?? EMBEDDED_QUEUE_DEFAULTS.idlePollMs,
    );
    this.#now = options.now ?? Date.now;
    this.#hosts = new HostGate(this.#now);
  }

  enqueue(crawlId: number, jobs: readonly NewJob[]): Promise<number> {
    return insertJobs(this.#db, crawlId, jobs);
  }

  slowHost(host: string, delayMs: number): void {
    this.#hosts.slowDown(host, delayMs);
  }

  async run(options: RunOptions): Promise<RunSummary> {
    const maxAttempts = positiveInt(
      'maxAttempts',
      options.maxAttempts ?? EMBEDDED_QUEUE_DEFAULTS.maxAttempts,
    );
    const cpu = new PQueue({ concurrency: this.#cpuConcurrency });
    const serial = new PQueue({ concurrency: 1 });
    const inFlight = new Set<number>();
    const counts = { done: 0, failed: 0, retried: 0, skipped: 0 };
    const controller = new AbortController();
    const signal =
      options.signal === undefined
        ? controller.signal
        : AbortSignal.any([options.signal, controller.signal]);
    let fatal: unknown;
    let wake: (() => void) | undefined;
    const wakeUp = () => {
      wake?.();
      wake = undefined;
    };
    const hostLimits = new Map<string, number>();

    const execute = async (job: JobRecord): Promise<void> => {
      const started = this.#now();
      this.events.emit('job:start', job);
      const attempt = job.attempts + 1;
      try {
        const handler = options.handlers[job.stage];
        const outcome = await handler(job, { signal });
        await this.#complete(job, outcome);
        counts.done++;
        this.events.emit('job:done', { job, durationMs: this.#now() - started });
      } catch (err) {
        const durationMs = this.#now() - started;
        const reason = reasonOf(err);
        const decision = signal.aborted ? 'retry' : decide(err, attempt, maxAttempts);
        if (decision === 'stop') {
          fatal ??= err;
          controller.abort();
          // Hand the job back untouched: it did not fail, the run did.
          await markRetry(this.#db, job.id, job.attempts, 0, reason);
          return;
        }
        if (decision === 'retry') {
          const retryAfterMs = err instanceof PipelineError ? err.retryAfterMs : undefined;
          const delay = signal.aborted ? 0 : options.retryDelayMs(attempt, retryAfterMs);
          const retryAt = this.#now() + delay;
          if (job.host !== null && retryAfterMs !== undefined)
            this.#hosts.pauseUntil(job.host, retryAt);
          await markRetry(
            this.#db,
            job.id,
            signal.aborted ? job.attempts : attempt,
            retryAt,
            reason,
          );
          if (!signal.aborted) {
            counts.retried++;
            this.events.emit('job:retry', { job, durationMs, reason, retryAt });
          }
          return;
        }
        if (decision === 'skip') {
          await markFailed(this.#db, job.id, attempt, reason, null, 'skipped');
          counts.skipped++;
          this.events.emit('job:skipped', { job, durationMs, reason });
          return;
        }
        await markFailed(this.#db, job.id, attempt, reason, statusOf(err));
        counts.failed++;
        this.#logger.warn({ jobId: job.id, url: job.url, stage: job.stage, reason }, 'job failed');
        this.events.emit('job:failed', { job, durationMs, reason });
      }
    };

    const dispatch = (job: JobRecord) => {
      inFlight.add(job.id);
      let task: Promise<void>;
      if (job.stage === 'fetch' && job.host !== null) {
        const policy = options.hostPolicy(job);
        hostLimits.set(job.host, policy.concurrency * 2);
        task = this.#hosts.run(job.host, policy, () => execute(job));
      } else if (job.stage === 'dedup') {
        task = serial.add(() => execute(job)) as Promise<void>;
      } else {
        task = cpu.add(() => execute(job)) as Promise<void>;
      }
      task
        .catch((err: unknown) => {
          // execute() records every failure itself; reaching here means the database write failed.
          fatal ??= err;
          controller.abort();
        })
        .finally(() => {
          inFlight.delete(job.id);
          wakeUp();
        });
    };

    while (!signal.aborted) {
      const room = this.#maxInFlight - inFlight.size;
      let claimed: JobRecord[] = [];
      if (room > 0) {
        const busy = this.#hosts.busyHosts((h) => hostLimits.get(h) ?? 4);
        claimed = await claimJobs(this.#db, options.crawlId, room, this.#now(), busy);
        for (const job of claimed) dispatch(job);
      }
      if (claimed.length > 0 && inFlight.size < this.#maxInFlight) continue;
      if (inFlight.size === 0) {
        const due = await nextDue(this.#db, options.crawlId);
        if (due === null) break;
        const waitMs = Math.min(Math.max(due - this.#now(), 10), this.#idlePollMs);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, this.#idlePollMs);
      });
    }

    // Let in-flight jobs settle: an aborted run hands them back to the queue for the next run.
    await Promise.allSettled([cpu.onIdle(), serial.onIdle()]);
    while (inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    if (fatal !== undefined) {
      throw fatal instanceof PipelineError
        ? fatal
        : new FatalError('INTERNAL', reasonOf(fatal), { cause: fatal });
    }
    this.events.emit('run:idle', { crawlId: options.crawlId });
    return { crawlId: options.crawlId, ...counts, aborted: options.signal?.aborted ?? false };
  }

  async #complete(job: JobRecord, outcome: StageOutcome): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await outcome.commit?.(trx);
      let next = outcome.next ?? [];
      if (outcome.maxFetchJobs !== undefined && next.some((j) => j.stage === 'fetch')) {
        // Only URLs new to this crawl use up the source's page budget.
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
      await insertJobs(trx, job.crawlId, next);
      await markDone(trx, job.id, outcome.httpStatus ?? null);
    });
  }
}
