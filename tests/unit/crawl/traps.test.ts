import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrapGuard, urlShape } from '../../../crawlers/traps.js';
import {
  type FixtureServer,
  type Routes,
  startFixtureServer,
} from '../../helpers/fixture-server.js';
import { tempApp } from '../../helpers/temp.js';
import { crawlFixture, escapeRegExp, fixtureSource, gets, page, type TempApp } from './site.js';

describe('urlShape and TrapGuard', () => {
  it('gives every day of a calendar one shape, and different sections different shapes', () => {
    expect(urlShape('http://h.test/cal?date=2016-11-21')).toBe(
      urlShape('http://h.test/cal?date=2017-01-02'),
    );
    expect(urlShape('http://h.test/news/index_3.html')).toBe('h.test/news/index_#.html');
    expect(urlShape('http://h.test/news/index_3.html')).not.toBe(
      urlShape('http://h.test/sport/index_3.html'),
    );
  });

  it('admits list pages of a shape up to the budget, articles always, repeats once', () => {
    const guard = new TrapGuard({ maxListPagesPerShape: 2 });
    const day = (d: number) => `http://h.test/cal?date=2016-11-${d}`;
    expect(guard.admit('s', day(10), 'list').admit).toBe(true);
    expect(guard.admit('s', day(11), 'list').admit).toBe(true);
    expect(guard.admit('s', day(10), 'list').admit).toBe(true);
    expect(guard.admit('s', day(12), 'list')).toEqual({ admit: false, reason: 'shape_budget' });
    // Budgets are per source.
    expect(guard.admit('other', day(12), 'list').admit).toBe(true);
    expect(guard.admit('s', 'http://h.test/a/2016-11-12.html', 'article').admit).toBe(true);
  });

  it('refuses URLs that grow by repeating path segments or are absurdly long', () => {
    const guard = new TrapGuard();
    expect(guard.admit('s', 'http://h.test/a/b/a/b/a/b/a/b/x.html', 'article')).toEqual({
      admit: false,
      reason: 'repeating_path',
    });
    expect(guard.admit('s', `http://h.test/${'x'.repeat(3000)}`, 'list').admit).toBe(false);
  });

  it('rejects bad options naming the field', () => {
    expect(() => new TrapGuard({ maxListPagesPerShape: 0 })).toThrow(/`maxListPagesPerShape`/);
  });
});

function nextDay(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A small news site with the classic traps: a paginated listing whose pages link back to each
 * other, an endless calendar, and one body served under many URLs.
 */
const siteRoutes: Routes = {
  '/news/index.html': page('News', [
    '/a/1.html',
    '/a/2.html',
    '/news/index_1.html',
    '/cal?date=2016-11-21',
    '/a/dup-1.html',
    '/a/dup-2.html',
    '/a/dup-3.html',
  ]),
  '/news/index_1.html': page('News 2', ['/a/3.html', '/news/index.html', '/news/index_2.html']),
  '/news/index_2.html': page('News 3', ['/a/4.html', '/news/index_1.html', '/news/index.html']),
  '/a/1.html': page('One'),
  '/a/2.html': page('Two'),
  '/a/3.html': page('Three'),
  '/a/4.html': page('Four'),
  '/a/dup-1.html': page('Same', [], 'The same press release, syndicated.'),
  '/a/dup-2.html': page('Same', [], 'The same press release, syndicated.'),
  '/a/dup-3.html': page('Same', [], 'The same press release, syndicated.'),
  '/cal': (req, res) => {
    const date =
      new URL(req.url ?? '/', 'http://x.invalid').searchParams.get('date') ?? '2016-11-21';
    const html = `<html><body><h1>${date}</h1><a href="/cal?date=${nextDay(date, 1)}">next</a> <a href="/cal?date=${nextDay(date, -1)}">previous</a> <a href="/a/1.html">one</a></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  },
};

describe('traps and limits in a crawl', () => {
  let server: FixtureServer;
  let app: TempApp;
  beforeEach(async () => {
    server = await startFixtureServer(siteRoutes);
    app = await tempApp();
  });
  afterEach(async () => {
    await server.close();
    await app.cleanup();
  });

  const withCalendar = () =>
    fixtureSource(server, {
      list_patterns: [
        `^${escapeRegExp(server.baseUrl)}/news/index(_\\d+)?\\.html$`,
        `^${escapeRegExp(server.baseUrl)}/cal\\?date=`,
      ],
      limits: { max_pages: 500, max_depth: 1000 },
    });

  it('stops an endless calendar at the per-shape budget and still fetches every article', async () => {
    const report = await crawlFixture(app, [withCalendar()], { maxListPagesPerShape: 15 });
    expect(report.summary.aborted).toBe(false);
    const requested = gets(server);
    expect(requested.filter((u) => u.startsWith('/cal?')).length).toBe(15);
    for (const a of ['/a/1.html', '/a/2.html', '/a/3.html', '/a/4.html']) {
      expect(requested.filter((u) => u === a)).toHaveLength(1);
    }
  });

  it('fetches each page of a pagination loop once and ends', async () => {
    await crawlFixture(app, [fixtureSource(server)]);
    const requested = gets(server);
    for (const p of ['/news/index.html', '/news/index_1.html', '/news/index_2.html']) {
      expect(requested.filter((u) => u === p)).toHaveLength(1);
    }
    expect(requested).toContain('/a/4.html');
  });

  it('parses and extracts a body seen under several URLs once', async () => {
    await crawlFixture(app, [fixtureSource(server)]);
    const dupes = await app.db
      .selectFrom('snapshots')
      .leftJoin('documents', 'documents.snapshot_id', 'snapshots.id')
      .select(['snapshots.url', 'snapshots.body_sha256', 'documents.text'])
      .where('snapshots.url', 'like', '%/a/dup-%')
      .execute();
    // Every response is kept...
    expect(dupes).toHaveLength(3);
    expect(new Set(dupes.map((d) => d.body_sha256)).size).toBe(1);
    // ...but only one is parsed and extracted.
    expect(dupes.filter((d) => d.text !== null)).toHaveLength(1);
    const extracts = await app.db
      .selectFrom('jobs')
      .select('url')
      .where('stage', '=', 'extract')
      .where('url', 'like', '%/a/dup-%')
      .execute();
    expect(extracts).toHaveLength(1);
  });

  it('fetches no more than max_pages pages of a source', async () => {
    await crawlFixture(app, [withCalendar()], { maxPages: 5 });
    const fetched = gets(server).filter((u) => u !== '/robots.txt');
    expect(fetched).toHaveLength(5);
  });

  it('follows no links beyond max_depth', async () => {
    await crawlFixture(app, [fixtureSource(server, { limits: { max_pages: 500, max_depth: 1 } })]);
    const requested = gets(server);
    // index (depth 0) -> index_1 (depth 1, fetched, not followed) -> index_2 / a/3 never.
    expect(requested).toContain('/news/index_1.html');
    expect(requested).not.toContain('/news/index_2.html');
    expect(requested).not.toContain('/a/3.html');
    expect(requested).toContain('/a/1.html');
  });
});
