import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachProgress, ProgressCounter } from '../../../cli/progress.js';
import { createLogger } from '../../../core/logger.js';
import { reasonKey, sourceStatuses } from '../../../pipeline/status.js';
import { runCli } from '../../helpers/cli.js';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixture-server.js';
import { tempApp } from '../../helpers/temp.js';
import { crawlFixture, escapeRegExp, fixtureSource, page, type TempApp } from './site.js';

describe('reasonKey', () => {
  it('groups failures by code and status, not by URL', () => {
    expect(reasonKey('HTTP_STATUS: HTTP 404 from http://a.test/x', 404)).toBe('HTTP_STATUS 404');
    expect(reasonKey('HTTP_STATUS: HTTP 404 from http://a.test/y', 404)).toBe('HTTP_STATUS 404');
    expect(reasonKey('NETWORK: ECONNRESET fetching http://a.test/', null)).toBe(
      'NETWORK ECONNRESET',
    );
    expect(reasonKey('HTTP_TIMEOUT: Timed out after 300 ms: http://a.test/', null)).toBe(
      'HTTP_TIMEOUT',
    );
    expect(reasonKey(null, null)).toBe('unknown');
  });
});

describe('ProgressCounter', () => {
  it('counts per source and gives the recent fetch rate', () => {
    let now = 0;
    const c = new ProgressCounter(() => now);
    for (let i = 0; i < 20; i++) c.fetched('a');
    c.failed('a');
    c.queued('a', 7);
    c.fetched('b');
    expect(c.snapshot().get('a')).toEqual({ fetched: 20, failed: 1, queued: 7, rate: 2 });
    now = 60_000;
    expect(c.snapshot().get('a')?.rate).toBe(0);
    expect(c.snapshot().get('b')?.fetched).toBe(1);
  });
});

describe('status and progress of a crawl', () => {
  let server: FixtureServer;
  let app: TempApp;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await startFixtureServer({
      '/news/index.html': page('News', [
        '/a/1.html',
        '/a/2.html',
        '/a/gone.html',
        '/a/bad.html',
        '/a/r.pdf',
      ]),
      '/a/1.html': page('One'),
      '/a/2.html': page('Two'),
      '/a/gone.html': { status: 404 },
      '/a/bad.html': { status: 500 },
      '/a/r.pdf': { headers: { 'content-type': 'application/pdf' }, body: '%PDF-1.4\n%%EOF' },
    });
    app = await tempApp();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink });
    const source = fixtureSource(server, {
      article_patterns: [`^${escapeRegExp(server.baseUrl)}/a/.+$`],
    });
    let stop = () => {};
    await crawlFixture(app, [source], {
      maxAttempts: 2,
      onQueue: (queue, crawlId) => {
        stop = attachProgress(queue, {
          db: app.db,
          crawlId,
          logger,
          tty: false,
          logEveryMs: 60_000,
        });
      },
    });
    stop();
    // A second, unchanged crawl: its pages are all unchanged.
    await crawlFixture(app, [source], { maxAttempts: 2 });
  });
  afterAll(async () => {
    await server.close();
    await app.cleanup();
  });

  it('logs per-source progress as structured lines when not on a terminal', () => {
    const last = lines.filter((l) => l['msg'] === 'crawl progress').at(-1);
    expect(last?.['sources']).toEqual([
      { sourceId: 'fixture', fetched: 4, queued: 0, failed: 2, ratePerSec: expect.any(Number) },
    ]);
  });

  it('reports per source: last crawl, pages, unchanged, failures by reason, queue, PDFs', async () => {
    const [s] = await sourceStatuses(app.db);
    expect(s?.sourceId).toBe('fixture');
    expect(s?.lastCrawl?.id).toBe(2);
    expect(s?.lastCrawl?.status).toBe('done');
    expect(s?.fetched).toBe(4);
    // Nothing changed since the first crawl.
    expect(s?.newVersions).toBe(0);
    expect(s?.unchanged).toBe(4);
    expect(s?.queued).toBe(0);
    expect(s?.failures.map((f) => [f.reason, f.count])).toEqual([
      ['HTTP_STATUS 404', 1],
      ['HTTP_STATUS 500', 1],
    ]);
    expect(s?.pages).toEqual({ known: 5, vanished: 1, changed: 0, pdfs: 1, truncated: 0 });
  });

  it('is `pactwatch status --json`', async () => {
    const r = await runCli(['status', '--json'], {
      env: { PACTWATCH_DATA_DIR: app.dir, PACTWATCH_LOG_LEVEL: 'silent' },
    });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { sources: { sourceId: string; unchanged: number }[] };
    expect(json.sources.map((x) => [x.sourceId, x.unchanged])).toEqual([['fixture', 4]]);
  });
});
