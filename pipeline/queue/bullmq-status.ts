import type { App } from '../app.js';
import { scheduleStatusLines } from '../schedule.js';
import type { BullmqQueue } from './bullmq.js';
import { type BullJobData, SCHEDULE_QUEUE, STAGES } from './bullmq-jobs.js';

export interface QueueStatus {
  readonly queues: readonly {
    readonly name: string;
    readonly waiting: number;
    readonly active: number;
    readonly delayed: number;
    readonly failed: number;
  }[];
  readonly workers: number;
  readonly failed: readonly {
    readonly crawlId: number;
    readonly stage: string;
    readonly url: string | null;
    readonly reason: string;
    readonly attempts: number;
    readonly failedAt: number | null;
  }[];
}

/** Queue depths, connected workers and the newest failed jobs kept by BullMQ. */
export async function queueStatus(queue: BullmqQueue, newest = 10): Promise<QueueStatus> {
  const names = [...STAGES, SCHEDULE_QUEUE] as const;
  const queues = [];
  const failed: QueueStatus['failed'][number][] = [];
  for (const name of names) {
    const q = queue.queue(name);
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    queues.push({
      name,
      waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
      failed: c['failed'] ?? 0,
    });
    if (name === SCHEDULE_QUEUE) continue;
    for (const job of await q.getFailed(0, newest - 1)) {
      const data = job.data as BullJobData;
      failed.push({
        crawlId: data.crawlId,
        stage: data.stage,
        url: data.url,
        reason: job.failedReason,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ?? null,
      });
    }
  }
  failed.sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0));
  return {
    queues,
    workers: await queue.queue('fetch').getWorkersCount(),
    failed: failed.slice(0, newest),
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

const when = (ms: number | null) =>
  ms === null ? '?' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * The distributed part of `pactwatch status`: the queues and their failed jobs (BullMQ mode),
 * and the crawl schedules (both modes). Redis that does not answer within `timeoutMs` is
 * reported in one line instead of holding the command.
 */
export async function distributedStatusLines(app: App, timeoutMs = 3000): Promise<string[]> {
  const lines: string[] = [];
  const queue = app.createDistributedQueue();
  if (queue !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const status = await Promise.race([queueStatus(queue), timeout]).finally(() =>
      clearTimeout(timer),
    );
    const where = redactUrl(app.config.redisUrl ?? '');
    if (status === undefined) {
      lines.push(`\nqueues: Redis at ${where} did not answer within ${timeoutMs} ms`);
    } else {
      lines.push(`\nqueues (BullMQ at ${where}, ${status.workers} workers connected):`);
      for (const q of status.queues) {
        lines.push(
          `  ${q.name.padEnd(9)} ${q.waiting} waiting, ${q.active} active, ${q.delayed} delayed, ${q.failed} failed`,
        );
      }
      if (status.failed.length > 0) {
        lines.push('failed jobs (newest first; kept 30 days):');
        for (const f of status.failed) {
          lines.push(
            `  ${when(f.failedAt)} crawl #${f.crawlId} ${f.stage} ${f.url ?? ''}: ${f.reason}`,
          );
        }
      }
    }
  }
  const schedules = await scheduleStatusLines(app.db);
  if (schedules.length > 0) lines.push('', ...schedules);
  return lines;
}
