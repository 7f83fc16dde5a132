import PQueue from 'p-queue';
import { decide, FatalError, PipelineError, reasonOf } from '../../core/errors.js';
import { TypedEmitter } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import { isRateLimited } from '../../crawlers/spacing.js';
import type { DB } from '../../storage/database.js';
import {
  claimForHost,
  claimUnhosted,
  countJobs,
  existingKeys,
  insertJobs,
  type JobRecord,
  markDone,
  markFailed,
  markRetry,
  type NewJob,
  nextDue,
  nextDueForHost,
  queuedHosts,
} from '../../storage/jobs.js';
import { GroupCommit } from './group-commit.js';
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
  /**
   * Attempts for a job whose host keeps answering 429 (rate limited): such a host is slowed
   * down and retried, not abandoned after `maxAttempts`.
   * @default 12
   */
  readonly rateLimitedAttempts?: number;
  /**
   * Minimum delay between requests imposed on a host after a 429 (raised to its Retry-After,
   * up to `maxRateLimitDelayMs`), for the rest of the run.
   * @default 1000
   */
  readonly rateLimitDelayMs?: number;
  /** @default 60000 */
  readonly maxRateLimitDelayMs?: number;
  readonly now?: () => number;
}

export const EMBEDDED_QUEUE_DEFAULTS = {
  maxInFlight: 64,
  cpuConcurrency: 2,
  idlePollMs: 500,
  maxAttempts: 4,
  rateLimitedAttempts: 12,
  rateLimitDelayMs: 1000,
  maxRateLimitDelayMs: 60_000,
} as const;

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-negative integer, got \`${value}\``);
  }
  return value;
}

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
  readonly #rateLimitedAttempts: number;
  readonly #rateLimitDelayMs: number;
  readonly #maxRateLimitDelayMs: number;
  /**
   * Hosts that may have queued fetch jobs, each with the time before which none is due. Claims
   * go host by host through an index, so a busy host with a million queued URLs costs nothing
   * while others are served (a single "not in busy hosts" query would walk all of them).
   */
  readonly #workHosts = new Map<string, number>();
  /** Like `#workHosts`, for the jobs of no host (parse, extract, dedup). */
  #unhostedDueAt = 0;
  readonly #commits: GroupCommit;

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
    this.#commits = new GroupCommit({ db: this.#db });
    this.#rateLimitedAttempts = positiveInt(
      'rateLimitedAttempts',
      options.rateLimitedAttempts ?? EMBEDDED_QUEUE_DEFAULTS.rateLimitedAttempts,
    );
    this.#rateLimitDelayMs = nonNegativeInt(
      'rateLimitDelayMs',
      options.rateLimitDelayMs ?? EMBEDDED_QUEUE_DEFAULTS.rateLimitDelayMs,
    );
    this.#maxRateLimitDelayMs = nonNegativeInt(
      'maxRateLimitDelayMs',
      options.maxRateLimitDelayMs ?? EMBEDDED_QUEUE_DEFAULTS.maxRateLimitDelayMs,
    );
  }

  async enqueue(crawlId: number, jobs: readonly NewJob[]): Promise<number> {
    const added = await insertJobs(this.#db, crawlId, jobs);
    this.#noteHosts(jobs);
    return added;
  }

  /** New fetch jobs make their hosts worth asking again. */
  #noteHosts(jobs: readonly NewJob[], dueAt = 0): void {
    for (const j of jobs) {
      if (j.host === undefined || j.host === null) {
        this.#unhostedDueAt = Math.min(this.#unhostedDueAt, dueAt);
        continue;
      }
      const known = this.#workHosts.get(j.host);
      this.#workHosts.set(j.host, known === undefined ? dueAt : Math.min(known, dueAt));
    }
  }

  /**
   * Claims up to `room` jobs: unhosted stage work first (by priority), then fetches, host by
   * host in rotation, never more for a host than its limit allows in memory.
   */
  /** Unhosted jobs held in memory at most; refilled when half have run. */
  get #unhostedTarget(): number {
    return this.#cpuConcurrency * 8;
  }

  #hostWantsJobs(host: string, limit: number): boolean {
    const pending = this.#hosts.pending(host);
    // Refill a host once half its slots are free, not one job at a time.
    return pending === 0 || limit - pending >= Math.ceil(limit / 2);
  }

  /** Whether a claim could bring anything now (each claim is a write; most would be empty). */
  #wantsClaim(unhostedInFlight: number, hostLimit: (host: string) => number): boolean {
    const now = this.#now();
    if (this.#unhostedDueAt <= now && unhostedInFlight <= this.#unhostedTarget / 2) return true;
    for (const [host, dueAt] of this.#workHosts) {
      if (dueAt <= now && this.#hostWantsJobs(host, hostLimit(host))) return true;
    }
    return false;
  }

  async #claim(
    crawlId: number,
    room: number,
    unhostedInFlight: number,
    hostLimit: (host: string) => number,
  ): Promise<JobRecord[]> {
    let claimed: JobRecord[] = [];
    // Claims ride along with the completions' transaction instead of committing on their own.
    await this.#commits.submit(async (trx) => {
      claimed = [];
      const now = this.#now();
      const unhostedRoom = Math.min(room, this.#unhostedTarget - unhostedInFlight);
      if (this.#unhostedDueAt <= now && unhostedRoom > 0) {
        claimed.push(...(await claimUnhosted(trx, crawlId, unhostedRoom, now)));
        if (claimed.length < unhostedRoom) {
          // None left that is due: ask again when one is, or when a stage adds one.
          this.#unhostedDueAt =
            (await nextDueForHost(trx, crawlId, null)) ?? Number.POSITIVE_INFINITY;
        }
      }
      let left = room - claimed.length;
      for (const [host, dueAt] of [...this.#workHosts]) {
        if (left <= 0) break;
        if (dueAt > now) continue;
        const limit = hostLimit(host);
        if (!this.#hostWantsJobs(host, limit)) continue;
        const free = limit - this.#hosts.pending(host);
        const jobs = await claimForHost(trx, crawlId, host, Math.min(free, left), now);
        if (jobs.length === 0) {
          const due = await nextDueForHost(trx, crawlId, host);
          if (due === null) this.#workHosts.delete(host);
          else this.#workHosts.set(host, due);
          continue;
        }
        // Served hosts go to the back, so hosts take turns.
        this.#workHosts.delete(host);
        this.#workHosts.set(host, now);
        claimed.push(...jobs);
        left -= jobs.length;
      }
    });
    return claimed;
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
        const outcome = await handler(job, { signal, finalAttempt: attempt >= maxAttempts });
        await this.#complete(job, outcome);
        counts.done++;
        this.events.emit('job:done', { job, durationMs: this.#now() - started });
      } catch (err) {
        const durationMs = this.#now() - started;
        const reason = reasonOf(err);
        const rateLimited = isRateLimited(err);
        const attemptsAllowed = rateLimited
          ? Math.max(maxAttempts, this.#rateLimitedAttempts)
          : maxAttempts;
        const decision = signal.aborted ? 'retry' : decide(err, attempt, attemptsAllowed);
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
          if (job.host !== null && rateLimited && !signal.aborted) {
            // Slowed for the rest of the run, not only paused: the host said we were too fast.
            const slower = Math.max(this.#rateLimitDelayMs, retryAfterMs ?? 0);
            this.#hosts.slowDown(job.host, Math.min(slower, this.#maxRateLimitDelayMs));
          }
          this.#noteHosts([job], retryAt);
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

    let unhostedInFlight = 0;
    const dispatch = (job: JobRecord) => {
      inFlight.add(job.id);
      const unhosted = job.host === null;
      if (unhosted) unhostedInFlight++;
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
          if (unhosted) unhostedInFlight--;
          wakeUp();
        });
    };

    this.#workHosts.clear();
    this.#unhostedDueAt = 0;
    for (const host of await queuedHosts(this.#db, options.crawlId)) this.#workHosts.set(host, 0);
    const hostLimit = (h: string) => hostLimits.get(h) ?? 4;

    while (!signal.aborted) {
      const room = this.#maxInFlight - inFlight.size;
      let claimed: JobRecord[] = [];
      if (room > 0 && (inFlight.size === 0 || this.#wantsClaim(unhostedInFlight, hostLimit))) {
        claimed = await this.#claim(options.crawlId, room, unhostedInFlight, hostLimit);
        for (const job of claimed) dispatch(job);
      }
      if (claimed.length > 0 && inFlight.size < this.#maxInFlight) continue;
      if (inFlight.size === 0) {
        const due = await nextDue(this.#db, options.crawlId);
        if (due === null) break;
        if (due <= this.#now() && claimed.length === 0) {
          // Due work that no known host holds (added behind our back): learn the hosts again.
          for (const host of await queuedHosts(this.#db, options.crawlId))
            this.#workHosts.set(host, Math.min(this.#workHosts.get(host) ?? 0, 0));
          this.#unhostedDueAt = 0;
        }
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

  #complete(job: JobRecord, outcome: StageOutcome): Promise<void> {
    return this.#commits.submit(async (trx) => {
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
      this.#noteHosts(next);
    });
  }
}
