import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { EmbeddedQueue } from '../../../pipeline/queue/embedded.js';
import type { StageHandler, StageHandlers } from '../../../pipeline/queue/types.js';
import { requeueRunning } from '../../../storage/jobs.js';
import { tempApp } from '../../helpers/temp.js';

async function newCrawl(app: Awaited<ReturnType<typeof tempApp>>): Promise<number> {
  const row = await app.db
    .insertInto('crawls')
    .values({
      started_at: '',
      finished_at: null,
      status: 'running',
      source_ids: '[]',
      options: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const noop: StageHandler = async () => ({});

function handlers(partial: Partial<StageHandlers>): StageHandlers {
  return { fetch: noop, parse: noop, extract: noop, dedup: noop, ...partial };
}

const run = (
  queue: EmbeddedQueue,
  crawlId: number,
  h: StageHandlers,
  extra: { maxAttempts?: number } = {},
) =>
  queue.run({
    crawlId,
    handlers: h,
    hostPolicy: () => ({ concurrency: 2, delayMs: 0 }),
    retryDelayMs: () => 5,
    ...extra,
  });

describe('EmbeddedQueue', () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  let queue: EmbeddedQueue;
  let crawlId: number;
  beforeEach(async () => {
    app = await tempApp();
    queue = new EmbeddedQueue({ db: app.db, logger: silentLogger, idlePollMs: 20 });
    crawlId = await newCrawl(app);
  });
  afterEach(async () => {
    await app.cleanup();
  });

  it('adds a (stage, key) once, however often it is enqueued', async () => {
    const job = {
      stage: 'fetch' as const,
      key: 'https://a.test/1',
      sourceId: 's',
      url: 'https://a.test/1',
      host: 'a.test',
    };
    expect(await queue.enqueue(crawlId, [job, job])).toBe(1);
    expect(await queue.enqueue(crawlId, [job])).toBe(0);
  });

  it('runs stage chains to the end and commits each job with its children', async () => {
    const seen: string[] = [];
    await queue.enqueue(crawlId, [
      { stage: 'fetch', key: 'u1', sourceId: 's', url: 'u1', host: 'h' },
    ]);
    const summary = await run(
      queue,
      crawlId,
      handlers({
        fetch: async (job) => {
          seen.push(`fetch ${job.key}`);
          return { next: [{ stage: 'parse', key: job.key, sourceId: 's' }] };
        },
        parse: async (job) => {
          seen.push(`parse ${job.key}`);
          return { next: [{ stage: 'extract', key: job.key, sourceId: 's' }] };
        },
        extract: async (job) => {
          seen.push(`extract ${job.key}`);
          return {};
        },
      }),
    );
    expect(seen).toEqual(['fetch u1', 'parse u1', 'extract u1']);
    expect(summary).toMatchObject({ done: 3, failed: 0 });
  });

  it('retries retryable failures with the delay it is given, then succeeds', async () => {
    let calls = 0;
    await queue.enqueue(crawlId, [
      { stage: 'fetch', key: 'u', sourceId: 's', url: 'u', host: 'h' },
    ]);
    const summary = await run(
      queue,
      crawlId,
      handlers({
        fetch: async () => {
          calls++;
          if (calls < 3) throw new RetryableError('HTTP_STATUS', 'HTTP 503', { retryAfterMs: 1 });
          return {};
        },
      }),
    );
    expect(calls).toBe(3);
    expect(summary).toMatchObject({ done: 1, retried: 2, failed: 0 });
  });

  it('records a failure with its reason and goes on with the other jobs', async () => {
    await queue.enqueue(crawlId, [
      { stage: 'fetch', key: 'bad', sourceId: 's', url: 'bad', host: 'h' },
      { stage: 'fetch', key: 'good', sourceId: 's', url: 'good', host: 'h' },
    ]);
    const summary = await run(
      queue,
      crawlId,
      handlers({
        fetch: async (job) => {
          if (job.key === 'bad') throw new NonRetryableError('PARSE', 'garbled page');
          return {};
        },
      }),
    );
    expect(summary).toMatchObject({ done: 1, failed: 1 });
    const failed = await app.db
      .selectFrom('jobs')
      .select(['key', 'last_error'])
      .where('state', '=', 'failed')
      .execute();
    expect(failed).toEqual([{ key: 'bad', last_error: 'PARSE: garbled page' }]);
  });

  it('gives up after maxAttempts on a storm of 5xx and records the last reason', async () => {
    await queue.enqueue(crawlId, [
      { stage: 'fetch', key: 'u', sourceId: 's', url: 'u', host: 'h' },
    ]);
    let calls = 0;
    const summary = await run(
      queue,
      crawlId,
      handlers({
        fetch: async () => {
          calls++;
          throw new RetryableError('HTTP_STATUS', 'HTTP 503 from u');
        },
      }),
      { maxAttempts: 3 },
    );
    expect(calls).toBe(3);
    expect(summary.failed).toBe(1);
  });

  it('never runs more fetches on one host at once than its policy allows', async () => {
    let active = 0;
    let peak = 0;
    await queue.enqueue(
      crawlId,
      Array.from({ length: 12 }, (_, i) => ({
        stage: 'fetch' as const,
        key: `u${i}`,
        sourceId: 's',
        url: `u${i}`,
        host: 'one.test',
      })),
    );
    await run(
      queue,
      crawlId,
      handlers({
        fetch: async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
          return {};
        },
      }),
    );
    expect(peak).toBe(2);
  });

  it('resumes: jobs left running by a killed process go back to the queue and finish', async () => {
    await queue.enqueue(crawlId, [
      { stage: 'fetch', key: 'u', sourceId: 's', url: 'u', host: 'h' },
    ]);
    await app.db.updateTable('jobs').set({ state: 'running' }).execute();
    expect(await requeueRunning(app.db, crawlId)).toBe(1);
    const summary = await run(queue, crawlId, handlers({}));
    expect(summary.done).toBe(1);
  });
});
