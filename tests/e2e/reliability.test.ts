import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceStatuses } from '../../pipeline/status.js';
import { type ChildServer, startChildServer } from '../helpers/child-server.js';
import {
  type FixtureServer,
  hangingRoute,
  startFixtureServer,
  truncatedRoute,
} from '../helpers/fixture-server.js';
import { tempApp } from '../helpers/temp.js';
import { crawlFixture, fixtureSource, page, type TempApp } from '../unit/crawl/site.js';

const html = (links: readonly string[], text = '') =>
  `<html><body><p>${text}</p>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</body></html>`;

describe('reliability', () => {
  let app: TempApp;
  beforeEach(async () => {
    app = await tempApp();
  });
  afterEach(async () => {
    await app.cleanup();
  });

  describe('a host answering 429 with Retry-After', () => {
    let limited: ChildServer;
    let healthy: ChildServer;
    beforeEach(async () => {
      const tooMany = { count: 2, status: 429, headers: { 'retry-after': '1' } };
      limited = await startChildServer(
        {
          '/robots.txt': { status: 404 },
          '/news/index.html': { body: html(['/a/1.html', '/a/2.html']) },
          '/a/1.html': { body: html([], 'one'), failFirst: tooMany },
          '/a/2.html': { body: html([], 'two'), failFirst: tooMany },
        },
        '127.0.0.51',
      );
      const pages = ['/a/1.html', '/a/2.html', '/a/3.html', '/a/4.html', '/a/5.html', '/a/6.html'];
      healthy = await startChildServer(
        {
          '/robots.txt': { status: 404 },
          '/news/index.html': { body: html(pages) },
          ...Object.fromEntries(pages.map((p) => [p, { body: html([], p) }])),
        },
        '127.0.0.52',
      );
    });
    afterEach(async () => {
      await limited.close();
      await healthy.close();
    });

    it('is slowed, not abandoned, and does not hold up the other hosts', async () => {
      const report = await crawlFixture(
        app,
        [
          fixtureSource(limited, { id: 'limited', politeness: { concurrency: 2, delay_ms: 0 } }),
          fixtureSource(healthy, { id: 'healthy', politeness: { concurrency: 2, delay_ms: 0 } }),
        ],
        // Two attempts would abandon a page after its second 429 if 429s counted like errors.
        { maxAttempts: 2 },
      );
      const a = (await limited.requests()).filter((r) => r.url.startsWith('/a/'));
      const b = (await healthy.requests()).filter((r) => r.url.startsWith('/'));
      // Not abandoned: both pages were asked again until they answered.
      for (const p of ['/a/1.html', '/a/2.html']) {
        expect(a.filter((r) => r.url === p).map((r) => r.status)).toEqual([429, 429, 200]);
      }
      expect(report.sources.find((s) => s.sourceId === 'limited')?.pagesFailed).toBe(0);
      // Slowed: after the first 429, requests to the host are at least Retry-After apart.
      const first429 = a.findIndex((r) => r.status === 429);
      const later = a.slice(first429).map((r) => r.at);
      const afterPause = later.filter((t) => t > (later[0] ?? 0) + 50);
      const gaps = afterPause.slice(1).map((t, i) => t - (afterPause[i] ?? 0));
      expect(gaps.length).toBeGreaterThanOrEqual(3);
      // Spaced when sent; arrivals shift by some ms with connection set-up on a loaded machine.
      // A host only paused, not slowed, would get its two retries back to back.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(800);
      // The other host was not held up: it finished while the limited one was paused.
      const lastHealthy = Math.max(...b.map((r) => r.at));
      expect(b.filter((r) => r.url.startsWith('/a/'))).toHaveLength(6);
      expect(lastHealthy).toBeLessThan(Math.max(...a.map((r) => r.at)));
      // (The limited host needs three more seconds after its first 429.)
      expect(lastHealthy).toBeLessThan((a[first429]?.at ?? 0) + 2000);
    }, 30_000);
  });

  describe('a hanging host', () => {
    let hanging: FixtureServer;
    let fine: FixtureServer;
    beforeEach(async () => {
      hanging = await startFixtureServer(
        { '/news/index.html': page('Index', ['/a/stuck.html']), '/a/stuck.html': hangingRoute() },
        { host: '127.0.0.53' },
      );
      fine = await startFixtureServer(
        { '/news/index.html': page('Index', ['/a/ok.html']), '/a/ok.html': page('OK') },
        { host: '127.0.0.54' },
      );
    });
    afterEach(async () => {
      await hanging.close();
      await fine.close();
    });

    it('times out, is recorded with its reason, and the crawl finishes', async () => {
      const report = await crawlFixture(
        app,
        [fixtureSource(hanging, { id: 'hanging' }), fixtureSource(fine, { id: 'fine' })],
        { timeoutMs: 300, maxAttempts: 2 },
      );
      expect(report.summary.aborted).toBe(false);
      const stuck = report.sources.find((s) => s.sourceId === 'hanging');
      expect(stuck?.pagesFailed).toBe(1);
      expect(stuck?.failures[0]?.reason).toMatch(/^HTTP_TIMEOUT/);
      // Two attempts, each given up after the timeout.
      expect(hanging.requests.filter((r) => r.url === '/a/stuck.html')).toHaveLength(2);
      expect(report.sources.find((s) => s.sourceId === 'fine')?.pagesFetched).toBe(2);
    });
  });

  describe('malformed and truncated pages', () => {
    let server: FixtureServer;
    let onceServed = 0;
    beforeEach(async () => {
      onceServed = 0;
      const cut =
        '<html><head><title>截断</title></head><body><div><p>第一段完整。</p><p>第二段被截';
      server = await startFixtureServer({
        // Unclosed list items and anchors, a stray end tag, no </body>.
        '/news/index.html': {
          headers: { 'content-type': 'text/html' },
          body: '<html><body><ul><li><a href="/a/broken.html">one<li><a href="/a/cut.html">two</div><li><a href="/a/once.html">four<li><a href="/a/dropped.html">three',
        },
        '/a/broken.html': {
          headers: { 'content-type': 'text/html' },
          body: '<html><body><table><tr><td><p>破损的表格里有一段话。<td><b><i>交错的标签</b></i><p>最后一段。',
        },
        // The page itself ends mid-sentence, but the transfer is complete.
        '/a/cut.html': { headers: { 'content-type': 'text/html' }, body: cut },
        // The connection drops mid-body, every time.
        '/a/dropped.html': truncatedRoute('<html><body><p>half a page', 50_000),
        // ... or only the first time.
        '/a/once.html': (req, res) => {
          onceServed++;
          if (onceServed === 1) {
            truncatedRoute('<html><body><p>第一段。', 50_000)(req, res);
            return;
          }
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<html><body><p>第一段。</p><p>第二段。</p></body></html>');
        },
      });
    });
    afterEach(async () => {
      await server.close();
    });

    it('still yields the text and links they hold', async () => {
      const report = await crawlFixture(app, [fixtureSource(server)], { maxAttempts: 2 });
      const docs = await app.db
        .selectFrom('documents')
        .innerJoin('snapshots', 'snapshots.id', 'documents.snapshot_id')
        .select(['snapshots.url', 'documents.text'])
        .execute();
      const textOf = (p: string) => docs.find((d) => d.url.endsWith(p))?.text ?? '';
      expect(textOf('/a/broken.html')).toContain('破损的表格里有一段话。');
      expect(textOf('/a/broken.html')).toContain('最后一段。');
      expect(textOf('/a/cut.html')).toContain('第一段完整。');
      expect(textOf('/a/cut.html')).toContain('第二段被截');
      // The broken list still gave all its links.
      const s = report.sources[0];
      expect(s?.pagesFetched).toBe(5);
      expect(s?.pagesFailed).toBe(0);
      // Dropped once: retried, and the whole page kept.
      expect(textOf('/a/once.html')).toContain('第二段。');
      expect(onceServed).toBe(2);
      // Dropped on every attempt: the last one keeps what arrived, and the page is flagged so
      // the next crawl asks for it whole (no conditional request).
      expect(textOf('/a/dropped.html')).toContain('half a page');
      const pages = await app.db.selectFrom('pages').select(['url', 'flag']).execute();
      const flagOf = (p: string) => pages.find((r) => r.url.endsWith(p))?.flag;
      expect(flagOf('/a/dropped.html')).toBe('truncated');
      expect(flagOf('/a/once.html')).toBeNull();
      const dropped = server.requests.filter((r) => r.url === '/a/dropped.html');
      expect(dropped).toHaveLength(2);
      expect((await sourceStatuses(app.db))[0]?.pages.truncated).toBe(1);
    });
  });
});
