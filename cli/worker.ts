import type { Command } from 'commander';
import { reasonOf, UserError } from '../core/errors.js';
import type { App } from '../pipeline/app.js';
import type { BullmqQueue } from '../pipeline/queue/bullmq.js';
import { parsePositiveInt, withApp } from './common.js';
import type { Runner } from './main.js';
import { err } from './output.js';

/** Schedules load the crawl code: only when a worker starts. */
const schedules = () => import('../pipeline/schedule.js');

/**
 * `pactwatch worker`: a long-running process. With REDIS_URL it takes jobs of every crawl from
 * the BullMQ queues (and fires crawl schedules); without, it runs the crawl schedules stored
 * in the database when they fall due. SIGTERM (or Ctrl-C) stops it gracefully: in-flight jobs
 * finish, or after a grace period go back to their queues; a second signal hands them back at
 * once.
 */

export interface WorkerFlags {
  concurrency?: string;
  lockMs?: string;
}

/** Stops on SIGTERM/SIGINT: the first signal gracefully, the second at once. */
function stopSignals(what: string) {
  const graceful = new AbortController();
  const force = new AbortController();
  const onSignal = () => {
    if (!graceful.signal.aborted) {
      err(`stopping ${what}: finishing in-flight jobs (signal again to hand them back now)`);
      graceful.abort();
    } else {
      force.abort();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: graceful.signal,
    force: force.signal,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** Keeps BullMQ's job schedulers equal to the schedules table while the process runs. */
function keepSchedulesInSync(app: App, queue: BullmqQueue): () => void {
  const sync = () =>
    schedules()
      .then((m) => m.syncSchedules(app.db, queue))
      .catch((e: unknown) =>
        app.logger.warn({ err: reasonOf(e) }, 'cannot sync crawl schedules yet'),
      );
  void sync();
  const timer = setInterval(sync, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** A line a minute about what this worker did, for `docker compose logs`. */
function reportProgress(app: App, queue: BullmqQueue): () => void {
  const counts = { done: 0, retried: 0, failed: 0, skipped: 0 };
  queue.events.on('job:done', () => counts.done++);
  queue.events.on('job:retry', () => counts.retried++);
  queue.events.on('job:failed', () => counts.failed++);
  queue.events.on('job:skipped', () => counts.skipped++);
  const timer = setInterval(() => {
    if (counts.done + counts.retried + counts.failed + counts.skipped === 0) return;
    app.logger.info({ ...counts }, 'jobs in the last minute');
    Object.assign(counts, { done: 0, retried: 0, failed: 0, skipped: 0 });
  }, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs the distributed worker loop (`concurrency` 0: schedules and upkeep only), or the
 * embedded schedule loop without REDIS_URL.
 */
export async function serve(
  concurrency: number,
  lockMs: number | undefined,
  role: string,
): Promise<number> {
  return withApp(async (app) => {
    const stop = stopSignals(role);
    try {
      const queue = app.createDistributedQueue(lockMs === undefined ? {} : { lockMs });
      if (queue === undefined) {
        err(`${role}: embedded mode (no REDIS_URL): running crawl schedules as they fall due`);
        await (await schedules()).runSchedules(app, { signal: stop.signal });
        return 0;
      }
      const stopSync = keepSchedulesInSync(app, queue);
      const stopReport = reportProgress(app, queue);
      try {
        await queue.work({
          concurrency,
          signal: stop.signal,
          force: stop.force,
          onSchedule: async (id, firedAt) => {
            await (await schedules()).fireSchedule(app, queue, id, firedAt);
          },
          onReady: () =>
            err(
              concurrency > 0
                ? `${role} ready: ${concurrency} fetch jobs at once (pid ${process.pid})`
                : `${role} ready: firing crawl schedules (pid ${process.pid})`,
            ),
        });
      } finally {
        stopSync();
        stopReport();
      }
      return 0;
    } finally {
      stop.dispose();
    }
  });
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const concurrency = parsePositiveInt(flags.concurrency ?? '4', '--concurrency');
  const lockMs =
    flags.lockMs === undefined ? undefined : parsePositiveInt(flags.lockMs, '--lock-ms');
  if (lockMs !== undefined && lockMs < 500) {
    throw new UserError(`--lock-ms expects at least 500 (milliseconds), got \`${flags.lockMs}\``);
  }
  return serve(concurrency, lockMs, 'worker');
}

export function register(program: Command, run: Runner): void {
  program
    .command('worker')
    .description(
      'work on crawl jobs from the queues (REDIS_URL), or run due crawl schedules (embedded), until SIGTERM',
    )
    .option('--concurrency <n>', 'fetch jobs at once in this process (parse/extract: up to 2)', '4')
    .option(
      '--lock-ms <ms>',
      "how long a job stays claimed by a worker that stopped answering; a crashed worker's jobs are retried after at most twice this",
      '30000',
    )
    .action((flags: WorkerFlags) => run(() => workerCommand(flags)));
}
