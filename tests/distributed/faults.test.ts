import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureSite, startFixtureSite } from '../../bench/fixture-site.js';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { type App, openApp } from '../../pipeline/app.js';
import { runCrawl } from '../../pipeline/crawl.js';
import type { StageHandler } from '../../pipeline/queue/types.js';
import { loadExportRecords } from '../../pipeline/records.js';
import { defineSources } from '../../pipeline/sources.js';
import type { SourceDefinition } from '../../schemas/source.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { needServices, type OwnRedis, POSTGRES_URL, startOwnRedis } from '../helpers/services.js';
import { type Deployment, deployment, until } from './setup.js';

/**
 * Faults a small cluster meets: a worker killed mid-job, Redis restarting mid-crawl, the
 * database dropping a connection mid-commit. Each crawl's outcome is compared with that of an
 * undisturbed embedded crawl of the same site: nothing lost, nothing done twice.
 */

const ready = await needServices('redis', 'postgres', 'redis-server');

/** What a record says, without what differs between runs (ids, fetch times, ports). */
function comparable(records: Awaited<ReturnType<typeof loadExportRecords>>) {
  return records
    .map((r) => ({
      paths: r.sources.map((s) => new URL(s.url).pathname).sort(),
      doc_type: r.doc_type,
      date_signed: r.date_signed,
      countries: r.counterpart_countries,
      topics: [...r.topics].sort(),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The export of an undisturbed crawl of the same sources, embedded mode, its own SQLite. */
async function baseline(sources: readonly SourceDefinition[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-baseline-'));
  const app = await openApp(loadConfig({ PACTWATCH_DATA_DIR: dir }, dir), { logger: silentLogger });
  try {
    await runCrawl(app, { sources });
    return comparable(await loadExportRecords(app.db, 'any'));
  } finally {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function snapshotsPerUrl(app: App): Promise<Map<string, number>> {
  const rows = await app.db
    .selectFrom('snapshots')
    .select(['url', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('url')
    .execute();
  return new Map(rows.map((r) => [r.url, Number(r.n)]));
}

/** Every article fetched and stored exactly once. */
async function expectEachArticleOnce(app: App, site: FixtureSite) {
  const perUrl = await snapshotsPerUrl(app);
  for (const url of site.articleUrls) expect(perUrl.get(url), url).toBe(1);
}

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly userAgent: string;
  stderr(): string;
  exited(): Promise<number | null>;
}

function startWorker(d: Deployment, name: string): WorkerProcess {
  const userAgent = `pactwatch-test ${name}`;
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--concurrency', '2', '--lock-ms', '1000'],
    {
      cwd: ROOT,
      env: d.env({ PACTWATCH_USER_AGENT: userAgent }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, userAgent, stderr: () => stderr, exited: () => exit };
}

describe.runIf(ready)('faults in a distributed crawl', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  it('retries a commit whose database connection was dropped, leaving no partial write', async () => {
    const d = await deployment();
    cleanups.push(() => d.cleanup());
    const app = await d.app({ concurrency: 1 });
    const queue = app.createDistributedQueue();
    if (queue === undefined) throw new Error('REDIS_URL is not set');
    const crawl = await app.db
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
    await queue.enqueue(crawl.id, [{ stage: 'dedup', key: 'only', sourceId: 's' }]);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    let attempts = 0;
    const item = (field: string) => ({
      agreement_id: 'PW-000001',
      kind: 'conflict',
      field,
      details: '{}',
      status: 'open',
      created_at: new Date().toISOString(),
      resolved_at: null,
      resolved_by: null,
    });
    const noop: StageHandler = async () => ({});
    const summary = await queue.run({
      crawlId: crawl.id,
      handlers: {
        fetch: noop,
        parse: noop,
        extract: noop,
        dedup: async () => ({
          commit: async (trx) => {
            attempts++;
            await trx.insertInto('review_items').values(item('first')).execute();
            if (attempts === 1) {
              // The server ends this very connection between two statements of the commit.
              const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(
                trx,
              );
              await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
            }
            await trx.insertInto('review_items').values(item('second')).execute();
          },
        }),
      },
      hostPolicy: () => ({ concurrency: 1, delayMs: 0 }),
      retryDelayMs: () => 20,
    });
    expect(attempts).toBe(2);
    expect(summary).toMatchObject({ done: 1, failed: 0, retried: 1 });
    const items = await app.db.selectFrom('review_items').select('field').orderBy('id').execute();
    expect(items.map((i) => i.field)).toEqual(['first', 'second']);
    const job = await app.db
      .selectFrom('jobs')
      .select(['state', 'attempts', 'last_error'])
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'done', attempts: 1 });
  }, 30_000);

  it('finishes the job of a worker killed mid-fetch on another worker, once', async () => {
    const redis: OwnRedis = await startOwnRedis();
    cleanups.push(() => redis.destroy());
    const d = await deployment(redis.url);
    cleanups.push(() => d.cleanup());
    let held: ((ua: string) => void) | undefined;
    const heldBy = new Promise<string>((resolve) => {
      held = resolve;
    });
    let releaseHeld: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      releaseHeld = resolve;
    });
    let holding = false;
    const site = await startFixtureSite({
      hosts: 2,
      articles: 8,
      latencyMs: 5,
      hold: (req) => {
        if (holding || req.host !== '127.0.77.1' || req.path !== '/a/3.html') return undefined;
        holding = true;
        held?.(req.userAgent);
        return released;
      },
    });
    cleanups.push(() => site.close());
    const sources = defineSources(site.sources({ concurrency: 2, delay_ms: 0 }));

    const workers = [startWorker(d, 'worker-1'), startWorker(d, 'worker-2')];
    cleanups.push(async () => {
      for (const w of workers) w.child.kill('SIGKILL');
    });
    await until(() => workers.every((w) => w.stderr().includes('worker ready')), 60_000, 'workers');
    // This process only queues the crawl and waits, as `pactwatch crawl` does.
    const app = await d.app();
    const crawl = runCrawl(app, { sources });

    const victimAgent = await heldBy;
    const victim = workers.find((w) => w.userAgent === victimAgent);
    const survivor = workers.find((w) => w.userAgent !== victimAgent);
    if (victim === undefined || survivor === undefined) throw new Error('unknown worker');
    victim.child.kill('SIGKILL');
    await victim.exited();
    releaseHeld();

    const report = await crawl;
    expect(report.summary).toMatchObject({ failed: 0, aborted: false });
    await expectEachArticleOnce(app, site);
    // The killed fetch was done again by the other worker. Only pages the victim had in flight
    // (at most its concurrency, 2) were requested twice.
    const gets = site.requests.filter((r) => r.path.startsWith('/a/'));
    const heldGets = gets.filter((r) => r.host === '127.0.77.1' && r.path === '/a/3.html');
    expect(heldGets.map((r) => r.userAgent)).toEqual([victimAgent, survivor.userAgent]);
    const byPage = new Map<string, typeof gets>();
    for (const r of gets)
      byPage.set(`${r.host}${r.path}`, [...(byPage.get(`${r.host}${r.path}`) ?? []), r]);
    const twice = [...byPage.values()].filter((list) => list.length > 1);
    expect(twice.length).toBeLessThanOrEqual(2);
    for (const list of twice) {
      expect(list).toHaveLength(2);
      expect(list[0]?.userAgent).toBe(victimAgent);
    }
    const state = await app.db
      .selectFrom('crawls')
      .select('status')
      .where('id', '=', report.crawlId)
      .executeTakeFirstOrThrow();
    expect(state.status).toBe('done');

    survivor.child.kill('SIGTERM');
    expect(await survivor.exited()).toBe(0);
    expect(comparable(await loadExportRecords(app.db, 'any'))).toEqual(await baseline(sources));
  }, 120_000);

  it('completes a crawl across a Redis restart', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.destroy());
    const d = await deployment(redis.url);
    cleanups.push(() => d.cleanup());
    const site = await startFixtureSite({ hosts: 2, articles: 15, latencyMs: 30 });
    cleanups.push(() => site.close());
    const sources = defineSources(site.sources({ concurrency: 1, delay_ms: 20 }));
    const app = await d.app({ concurrency: 2 });
    const crawl = runCrawl(app, { sources });

    await until(
      () => site.requests.filter((r) => r.path.startsWith('/a/')).length >= 6,
      60_000,
      'the crawl to be under way',
    );
    // A crash, not a polite shutdown; the AOF has every write Redis acknowledged.
    await redis.stop('SIGKILL');
    const fetchedWhileDown = site.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();

    const report = await crawl;
    expect(report.summary).toMatchObject({ failed: 0, aborted: false });
    expect(site.requests.length).toBeGreaterThan(fetchedWhileDown);
    await expectEachArticleOnce(app, site);
    expect(comparable(await loadExportRecords(app.db, 'any'))).toEqual(await baseline(sources));
  }, 120_000);
});
