import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureSite } from '../../bench/fixture-site.js';
import { runCrawl } from '../../pipeline/crawl.js';
import { bullJobId } from '../../pipeline/queue/bullmq-jobs.js';
import { defineSources } from '../../pipeline/sources.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { needServices, startOwnRedis } from '../helpers/services.js';
import { type Deployment, deployment } from './setup.js';

/** `pactwatch worker` stops gracefully: in-flight jobs finish, or go back to the queue. */

const ready = await needServices('redis', 'postgres', 'redis-server');

interface Worker {
  readonly child: ChildProcess;
  readonly userAgent: string;
  readonly exited: Promise<number | null>;
}

function startWorker(d: Deployment, name: string): Worker {
  const userAgent = `pactwatch-test ${name}`;
  const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '2'], {
    cwd: ROOT,
    env: d.env({ PACTWATCH_USER_AGENT: userAgent }),
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { child, userAgent, exited };
}

/** A gate a request waits at, opened by the test. */
function gate() {
  let arrived: (ua: string) => void = () => {};
  let open: () => void = () => {};
  return {
    arrival: new Promise<string>((r) => {
      arrived = r;
    }),
    opened: new Promise<void>((r) => {
      open = r;
    }),
    arrive: (ua: string) => arrived(ua),
    open: () => open(),
  };
}

describe.runIf(ready)('pactwatch worker on SIGTERM', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  it('finishes its in-flight job, or hands it back at once on a second signal', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.destroy());
    const d = await deployment(redis.url);
    cleanups.push(() => d.cleanup());
    const first = gate();
    const second = gate();
    // The first article request is held at `first`; once armed, the first request of an
    // article not asked for before is held at `second`.
    let held: string[] = [];
    let armSecond = false;
    const site = await startFixtureSite({
      hosts: 1,
      articles: 6,
      hold: (req) => {
        if (!req.path.startsWith('/a/')) return undefined;
        const seenBefore = site.requests.filter((r) => r.path === req.path).length > 1;
        if (held.length === 0) {
          held = [req.path];
          first.arrive(req.userAgent);
          return first.opened;
        }
        if (armSecond && held.length === 1 && !seenBefore) {
          held = [...held, req.path];
          second.arrive(req.userAgent);
          return second.opened;
        }
        return undefined;
      },
    });
    cleanups.push(() => site.close());
    // One request at a time: while a page is held, the worker fetches nothing else there.
    const sources = defineSources(site.sources({ concurrency: 1, delay_ms: 0 }));
    const app = await d.app();
    const crawl = runCrawl(app, { sources });
    const workers: Worker[] = [];
    cleanups.push(async () => {
      for (const w of workers) w.child.kill('SIGKILL');
    });
    const fetchState = async (path: string) =>
      app.db
        .selectFrom('jobs')
        .select(['state', 'attempts'])
        .where('stage', '=', 'fetch')
        .where('key', '=', `${new URL(site.articleUrls[0] ?? '').origin}${path}`)
        .executeTakeFirstOrThrow();

    // SIGTERM while a fetch is in flight: the worker waits for it, commits it, then exits.
    const w1 = startWorker(d, 'w1');
    workers.push(w1);
    expect(await first.arrival).toBe(w1.userAgent);
    w1.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(w1.child.exitCode).toBeNull();
    first.open();
    expect(await w1.exited).toBe(0);
    const [firstPage] = held;
    expect(await fetchState(firstPage ?? '')).toEqual({ state: 'done', attempts: 0 });
    armSecond = true;

    // Two signals: the held fetch is aborted and goes back to the queue, not counted as failed.
    const w2 = startWorker(d, 'w2');
    workers.push(w2);
    expect(await second.arrival).toBe(w2.userAgent);
    const secondPage = held[1] ?? '';
    w2.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    w2.child.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
    expect(await fetchState(secondPage)).toEqual({ state: 'queued', attempts: 0 });
    const { id: crawlId } = await app.db
      .selectFrom('crawls')
      .select('id')
      .executeTakeFirstOrThrow();
    const handedBack = await app
      .createDistributedQueue()
      ?.queue('fetch')
      .getJob(
        bullJobId(crawlId, 'fetch', `${new URL(site.articleUrls[0] ?? '').origin}${secondPage}`),
      );
    expect(['waiting', 'delayed', 'prioritized']).toContain(await handedBack?.getState());
    second.open();

    // A third worker finishes the crawl; every page was stored once.
    const w3 = startWorker(d, 'w3');
    workers.push(w3);
    const report = await crawl;
    expect(report.summary).toMatchObject({ failed: 0, aborted: false });
    const gets = site.requests.filter((r) => r.path.startsWith('/a/'));
    expect(gets.filter((r) => r.path === firstPage).map((r) => r.userAgent)).toEqual([
      w1.userAgent,
    ]);
    expect(gets.filter((r) => r.path === secondPage).map((r) => r.userAgent)).toEqual([
      w2.userAgent,
      w3.userAgent,
    ]);
    const snapshots = await app.db.selectFrom('snapshots').select('url').execute();
    expect(snapshots.map((s) => s.url).sort()).toEqual(
      [...site.articleUrls, sources[0]?.start_urls[0]].sort(),
    );
    w3.child.kill('SIGTERM');
    expect(await w3.exited).toBe(0);
  }, 120_000);
});
