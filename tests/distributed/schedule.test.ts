import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureSite } from '../../bench/fixture-site.js';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { openApp } from '../../pipeline/app.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { needServices, startOwnRedis } from '../helpers/services.js';
import { deployment, until } from './setup.js';

/** Crawls that start by themselves: `schedule add|list|remove` and a worker that fires them. */

const ready = await needServices('redis', 'postgres', 'redis-server');

function startWorker(env: Record<string, string>): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--concurrency', '2', '--lock-ms', '1000'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { child, stderr: () => stderr, exited };
}

const quoteStars = (s: string) => s.replace(/[*]/g, '\\*');

describe('crawl schedules', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  async function siteWithSources(dir: string) {
    const site = await startFixtureSite({ hosts: 1, articles: 3 });
    cleanups.push(() => site.close());
    const file = path.join(dir, 'sources.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ sources: site.sources({ concurrency: 2, delay_ms: 0 }) }),
    );
    return { site, file };
  }

  it('refuses unknown sources, bad cron expressions and unknown ids in one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-schedule-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const env = { PACTWATCH_DATA_DIR: dir };
    const unknown = await runCli(['schedule', 'add', 'no-such-source', '--cron', '0 3 * * *'], {
      env,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/Unknown source `no-such-source`/);
    const { file } = await siteWithSources(dir);
    const badCron = await runCli(
      ['schedule', 'add', 'fixture-1', '--cron', 'every night', '--sources', file],
      { env },
    );
    expect(badCron.code).toBe(2);
    expect(badCron.stderr).toMatch(/Invalid cron expression `every night`/);
    const badZone = await runCli(
      [
        'schedule',
        'add',
        'fixture-1',
        '--cron',
        '0 3 * * *',
        '--tz',
        'Mars/Olympus',
        '--sources',
        file,
      ],
      { env },
    );
    expect(badZone.code).toBe(2);
    expect(badZone.stderr).toMatch(/Unknown time zone `Mars\/Olympus`/);
    const remove = await runCli(['schedule', 'remove', '7'], { env });
    expect(remove.code).toBe(2);
    expect(remove.stderr).toMatch(/No schedule 7/);
  }, 60_000);

  it('catches up a firing missed while no worker ran (embedded mode) and shows it in status', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-schedule-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const { site, file } = await siteWithSources(dir);
    const env = {
      PATH: process.env['PATH'] ?? '',
      PACTWATCH_DATA_DIR: dir,
      PACTWATCH_LOG_LEVEL: 'warn',
    };
    const add = await runCli(
      ['schedule', 'add', 'fixture-1', '--cron', '0 3 * * *', '--tz', 'UTC', '--sources', file],
      { env },
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(
      /^schedule 1: fixture-1 at `0 3 \* \* \*` \(UTC\), next \d{4}-\d\d-\d\d 03:00 UTC/,
    );
    const app = await openApp(loadConfig({ PACTWATCH_DATA_DIR: dir }, dir), {
      logger: silentLogger,
    });
    cleanups.push(() => app.close());
    // Last night's 03:00 passed while no worker was running.
    const missed = Date.now() - 3_600_000;
    await app.db.updateTable('schedules').set({ next_run_at: missed }).execute();

    const worker = startWorker(env);
    cleanups.push(async () => {
      worker.child.kill('SIGKILL');
    });
    await until(
      async () =>
        (await app.db
          .selectFrom('crawls')
          .select('id')
          .where('status', '=', 'done')
          .executeTakeFirst()) !== undefined,
      90_000,
      'the scheduled crawl to finish',
    );
    const schedule = await app.db.selectFrom('schedules').selectAll().executeTakeFirstOrThrow();
    // Run once for the missed firing, then due at the next 03:00, not again and again.
    expect(schedule.last_fired_at).toBe(missed);
    expect(new Date(schedule.next_run_at).toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(schedule.next_run_at).toBeGreaterThan(Date.now());
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(site.requests.filter((r) => r.path.startsWith('/a/'))).toHaveLength(3);

    const status = await runCli(['status'], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^fixture-1\s+news\s+#1 [^\n]*\sdone\s/m);
    expect(status.stdout).toMatch(/^agreements: [1-9]\d* pending/m);
    expect(status.stdout).toMatch(
      /#1 fixture-1 `0 3 \* \* \*` \(UTC\) next .* 03:00 UTC; last: crawl #1: 4 pages fetched, 0 failed/,
    );
  }, 120_000);

  it.runIf(ready)(
    'fires BullMQ job schedulers on a worker and removes them with the schedule',
    async () => {
      const redis = await startOwnRedis();
      cleanups.push(() => redis.destroy());
      const d = await deployment(redis.url);
      cleanups.push(() => d.cleanup());
      const { site, file } = await siteWithSources(d.dir);
      const env = d.env();
      const cron = '*/2 * * * * *';
      const add = await runCli(
        ['schedule', 'add', 'fixture-1', '--cron', cron, '--tz', 'UTC', '--sources', file],
        { env },
      );
      expect(add.code).toBe(0);
      const app = await d.app();
      const queue = app.createDistributedQueue();
      if (queue === undefined) throw new Error('REDIS_URL is not set');
      const schedulers = await queue.queue('schedule').getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
        ['schedule-1', cron, 'UTC'],
      ]);

      const worker = startWorker(env);
      cleanups.push(async () => {
        worker.child.kill('SIGKILL');
      });
      // Nobody waits for this crawl: the worker fires it, works it, and marks it done.
      await until(
        async () =>
          (await app.db
            .selectFrom('crawls')
            .select('id')
            .where('status', '=', 'done')
            .executeTakeFirst()) !== undefined,
        90_000,
        'the scheduled crawl to finish',
      );
      const status = await runCli(['status'], { env });
      expect(status.code).toBe(0);
      // Firings go on every two seconds: the newest crawl may be running again by now.
      expect(status.stdout).toMatch(/^fixture-1\s+news\s+#\d+ [^\n]*\s(done|running)\s/m);
      expect(status.stdout).toMatch(/^agreements: [1-9]\d* pending/m);
      expect(status.stdout).toMatch(
        /queues \(BullMQ at redis:\/\/127\.0\.0\.1:\d+, 1 workers connected\)/,
      );
      expect(status.stdout).toMatch(
        new RegExp(
          `#1 fixture-1 \`${quoteStars(cron)}\` \\(UTC\\) .*last: (started|resumed) crawl #\\d+`,
        ),
      );
      const perUrl = await app.db
        .selectFrom('snapshots')
        .select(['url', 'crawl_id'])
        .where('crawl_id', '=', 1)
        .execute();
      expect(perUrl.map((r) => r.url).sort()).toEqual(
        [
          ...site.articleUrls,
          site.sources({ concurrency: 1, delay_ms: 0 })[0]?.start_urls[0],
        ].sort(),
      );

      const list = await runCli(['schedule', 'list'], { env });
      expect(list.stdout).toMatch(
        new RegExp(`^1\\s+fixture-1\\s+${quoteStars(cron)}\\s+UTC\\s+`, 'm'),
      );
      const remove = await runCli(['schedule', 'remove', '1'], { env });
      expect(remove.code).toBe(0);
      expect(await queue.queue('schedule').getJobSchedulers()).toEqual([]);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    },
    150_000,
  );
});
