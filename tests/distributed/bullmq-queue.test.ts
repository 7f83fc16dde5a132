import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureSite } from '../../bench/fixture-site.js';
import type { App } from '../../pipeline/app.js';
import { runCrawl } from '../../pipeline/crawl.js';
import type { BullmqQueue } from '../../pipeline/queue/bullmq.js';
import { bullJobId, stageJobOptions } from '../../pipeline/queue/bullmq-jobs.js';
import { distributedStatusLines } from '../../pipeline/queue/bullmq-status.js';
import { defineSources } from '../../pipeline/sources.js';
import {
  robotsRoute,
  serviceUnavailableStorm,
  startFixtureServer,
} from '../helpers/fixture-server.js';
import { needServices } from '../helpers/services.js';
import { type Deployment, deployment, until } from './setup.js';

const ready = await needServices('redis', 'postgres');

function distributed(app: App): BullmqQueue {
  const q = app.createDistributedQueue();
  if (q === undefined) throw new Error('REDIS_URL is not set');
  return q;
}

async function snapshotsPerUrl(app: App): Promise<Map<string, number>> {
  const rows = await app.db
    .selectFrom('snapshots')
    .select(['url', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('url')
    .execute();
  return new Map(rows.map((r) => [r.url, Number(r.n)]));
}

describe.runIf(ready)('BullMQ backend on Redis and PostgreSQL', () => {
  let d: Deployment;
  beforeEach(async () => {
    d = await deployment();
  });
  afterEach(async () => {
    await d.cleanup();
  });

  it('crawls with two workers and holds each host to its politeness across both', async () => {
    const site = await startFixtureSite({ hosts: 3, articles: 12, perList: 12, latencyMs: 25 });
    try {
      const [a, b, c] = site.sources({ concurrency: 1, delay_ms: 0 });
      const sources = defineSources([
        { ...a, politeness: { concurrency: 2, delay_ms: 0 } },
        { ...b, politeness: { concurrency: 1, delay_ms: 80 } },
        { ...c, politeness: { concurrency: 3, delay_ms: 0 } },
      ] as NonNullable<typeof a>[]);
      const starter = await d.app({ concurrency: 3 });
      const other = await d.app();
      const otherQueue = distributed(other);
      const stop = new AbortController();
      let otherDone = 0;
      otherQueue.events.on('job:done', () => otherDone++);
      const working = otherQueue.work({ concurrency: 3, signal: stop.signal });
      let starterDone = 0;
      const report = await runCrawl(starter, {
        sources,
        onQueue: (q) => q.events.on('job:done', () => starterDone++),
      });
      stop.abort();
      await working;

      expect(report.summary).toMatchObject({ failed: 0, aborted: false });
      expect(starterDone).toBeGreaterThan(0);
      expect(otherDone).toBeGreaterThan(0);
      // Every article fetched and stored exactly once.
      const perUrl = await snapshotsPerUrl(starter);
      for (const url of site.articleUrls) expect(perUrl.get(url)).toBe(1);
      const articleGets = site.requests.filter((r) => r.path.startsWith('/a/'));
      expect(articleGets).toHaveLength(site.articleUrls.length);

      // Measured at the servers: never more at once than each host allows, and the slow host's
      // requests at least its delay apart (less the few ms between a lease and the request).
      const conc = site.maxConcurrency();
      expect(conc.get('127.0.77.1')).toBeLessThanOrEqual(2);
      expect(conc.get('127.0.77.2')).toBe(1);
      expect(conc.get('127.0.77.3')).toBeLessThanOrEqual(3);
      // Not vacuous: the workers did run requests to one host side by side.
      expect(Math.max(conc.get('127.0.77.1') ?? 0, conc.get('127.0.77.3') ?? 0)).toBeGreaterThan(1);
      expect(site.minGapMs().get('127.0.77.2')).toBeGreaterThanOrEqual(70);
      const crawl = await starter.db
        .selectFrom('crawls')
        .select('status')
        .where('id', '=', report.crawlId)
        .executeTakeFirstOrThrow();
      expect(crawl.status).toBe('done');
    } finally {
      await site.close();
    }
  }, 60_000);

  it('does the work of a job delivered twice once', async () => {
    let arrived = 0;
    let release: () => void = () => {};
    const bothIn = new Promise<void>((r) => {
      release = r;
    });
    const site = await startFixtureSite({
      hosts: 1,
      articles: 2,
      hold: (req) => {
        if (req.path !== '/a/1.html') return undefined;
        arrived++;
        if (arrived === 2) release();
        return bothIn;
      },
    });
    try {
      const app = await d.app();
      const queue = distributed(app);
      const [source] = defineSources(site.sources({ concurrency: 2, delay_ms: 0 }));
      if (source === undefined) throw new Error('no source');
      const crawl = await app.db
        .insertInto('crawls')
        .values({
          started_at: new Date().toISOString(),
          finished_at: null,
          status: 'running',
          source_ids: JSON.stringify([source.id]),
          options: '{}',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await app.db
        .insertInto('sources')
        .values({
          id: source.id,
          kind: source.kind,
          definition: JSON.stringify(source),
          updated_at: '',
        })
        .execute();
      const url = site.articleUrls[0] ?? '';
      const job = {
        stage: 'fetch' as const,
        key: url,
        sourceId: source.id,
        url,
        host: '127.0.77.1',
        pageType: 'article' as const,
      };
      await queue.enqueue(crawl.id, [job]);
      // The same work under a second BullMQ id: as if a stalled worker's job ran again
      // while the first delivery was still fetching.
      await queue
        .queue('fetch')
        .add('fetch', { crawlId: crawl.id, ...job }, stageJobOptions('duplicate-delivery', 0));
      const stop = new AbortController();
      const working = queue.work({ concurrency: 2, signal: stop.signal });
      await until(
        async () =>
          (await app.db
            .selectFrom('jobs')
            .select('id')
            .where('stage', '=', 'fetch')
            .where('state', '=', 'done')
            .executeTakeFirst()) !== undefined,
        30_000,
        'the fetch to commit',
      );
      await until(
        async () => (await queue.queue('fetch').getJobCounts('active', 'wait'))['active'] === 0,
        10_000,
        'both deliveries to finish',
      );
      stop.abort();
      await working;
      expect(arrived).toBe(2);
      expect((await snapshotsPerUrl(app)).get(url)).toBe(1);
      const parse = await app.db
        .selectFrom('jobs')
        .select('key')
        .where('stage', '=', 'parse')
        .execute();
      expect(parse).toHaveLength(1);

      // Delivered again after it finished: recognised from the database, not fetched again.
      await queue.dispatch(crawl.id, [job]);
      const again = new AbortController();
      const rerun = queue.work({ concurrency: 1, signal: again.signal });
      await until(
        async () =>
          (await queue.queue('fetch').getJob(bullJobId(crawl.id, 'fetch', url))) === undefined,
        10_000,
        'the late delivery to be acknowledged',
      );
      again.abort();
      await rerun;
      expect(site.requests.filter((r) => r.path === '/a/1.html')).toHaveLength(2);
      expect((await snapshotsPerUrl(app)).get(url)).toBe(1);
    } finally {
      await site.close();
    }
  }, 60_000);

  it('retries with backoff, keeps permanent failures and shows them in status', async () => {
    const server = await startFixtureServer({
      '/robots.txt': robotsRoute('User-agent: *\nAllow: /\n'),
      '/list': {
        headers: { 'content-type': 'text/html' },
        body: '<a href="/a/ok.html">ok</a> <a href="/a/flaky.html">flaky</a> <a href="/a/gone.html">gone</a>',
      },
      '/a/ok.html': { headers: { 'content-type': 'text/html' }, body: '<p>fine</p>' },
      '/a/flaky.html': serviceUnavailableStorm(2, '<p>back</p>'),
    });
    try {
      const app = await d.app({ concurrency: 2 });
      const origin = server.baseUrl.replace(/[.]/g, '\\.');
      const report = await runCrawl(app, {
        sources: defineSources([
          {
            id: 'errors',
            kind: 'news',
            language: 'en',
            start_urls: [`${server.baseUrl}/list`],
            allowed_hosts: ['127.0.0.1'],
            list_patterns: [`^${origin}/list$`],
            article_patterns: [`^${origin}/a/.+\\.html$`],
            politeness: { concurrency: 2, delay_ms: 0 },
            allow_private_hosts: true,
          },
        ]),
        retryBaseMs: 50,
      });
      expect(report.summary).toMatchObject({ failed: 1, retried: 2, aborted: false });
      const jobs = await app.db
        .selectFrom('jobs')
        .select(['url', 'state', 'attempts', 'last_error', 'http_status'])
        .where('stage', '=', 'fetch')
        .execute();
      const byPath = new Map(jobs.map((j) => [new URL(j.url ?? '').pathname, j]));
      expect(byPath.get('/a/flaky.html')).toMatchObject({ state: 'done', attempts: 2 });
      expect(byPath.get('/a/gone.html')).toMatchObject({ state: 'failed', http_status: 404 });
      expect(server.requests.filter((r) => r.url === '/a/flaky.html')).toHaveLength(3);

      const failed = await distributed(app).queue('fetch').getFailed();
      expect(failed.map((j) => j.data.url)).toEqual([`${server.baseUrl}/a/gone.html`]);
      expect(failed[0]?.failedReason).toMatch(/404/);
      const lines = (await distributedStatusLines(app)).join('\n');
      expect(lines).toMatch(/fetch +\d+ waiting, \d+ active, \d+ delayed, 1 failed/);
      expect(lines).toContain(`fetch ${server.baseUrl}/a/gone.html: HTTP_STATUS: HTTP 404`);
    } finally {
      await server.close();
    }
  }, 60_000);
});
