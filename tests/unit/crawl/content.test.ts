import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKind } from '../../../pipeline/stages/fetch.js';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixture-server.js';
import { tempApp } from '../../helpers/temp.js';
import { crawlFixture, escapeRegExp, fixtureSource, page, type TempApp } from './site.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n';
const PNG = '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00';

describe('contentKind', () => {
  it('goes by the first bytes before the label: PDFs and binaries are never pages', () => {
    expect(contentKind('application/pdf', bytes(PDF))).toBe('pdf');
    expect(contentKind('text/html; charset=utf-8', bytes(PDF))).toBe('pdf');
    expect(contentKind('application/octet-stream', bytes(PDF))).toBe('pdf');
    expect(contentKind('text/html', bytes(PNG))).toBe('other');
    expect(contentKind('image/png', bytes(PNG))).toBe('other');
  });

  it('parses HTML, XML (sitemaps, feeds) and plain text; guesses unlabelled markup', () => {
    expect(contentKind('text/html; charset=gbk', bytes('<html>'))).toBe('html');
    expect(contentKind('application/xhtml+xml', bytes('<html>'))).toBe('html');
    expect(contentKind('application/xml', bytes('<urlset>'))).toBe('xml');
    expect(contentKind('application/rss+xml', bytes('<rss>'))).toBe('xml');
    expect(contentKind('text/plain', bytes('hello'))).toBe('text');
    expect(contentKind(null, bytes('  <!DOCTYPE html>'))).toBe('html');
    expect(contentKind('application/json', bytes('{}'))).toBe('other');
  });
});

describe('content-type allow-list in a crawl', () => {
  let server: FixtureServer;
  let app: TempApp;
  beforeAll(async () => {
    server = await startFixtureServer({
      '/news/index.html': page('News', [
        '/a/news.html',
        '/a/report.pdf',
        '/a/mislabelled.html',
        '/a/chart.png',
        '/a/data.json',
      ]),
      '/a/news.html': page('A page', [], 'Plain news.'),
      '/a/report.pdf': { headers: { 'content-type': 'application/pdf' }, body: bytes(PDF) },
      '/a/mislabelled.html': { headers: { 'content-type': 'text/html' }, body: bytes(PDF) },
      '/a/chart.png': { headers: { 'content-type': 'image/png' }, body: bytes(PNG) },
      '/a/data.json': { headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    });
    app = await tempApp();
    await crawlFixture(app, [
      fixtureSource(server, { article_patterns: [`^${escapeRegExp(server.baseUrl)}/a/.+$`] }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await app.cleanup();
  });

  const byPath = async () => {
    const rows = await app.db
      .selectFrom('pages')
      .leftJoin('documents', 'documents.snapshot_id', 'pages.snapshot_id')
      .select(['pages.url', 'pages.flag', 'pages.body_sha256', 'documents.text'])
      .execute();
    return new Map(rows.map((r) => [new URL(r.url).pathname, r]));
  };

  it('stores every response, parses only pages, and flags PDFs for review', async () => {
    const pages = await byPath();
    for (const p of [
      '/a/news.html',
      '/a/report.pdf',
      '/a/mislabelled.html',
      '/a/chart.png',
      '/a/data.json',
    ]) {
      const row = pages.get(p);
      expect(row?.body_sha256, p).toMatch(/^[0-9a-f]{64}$/);
      expect((await app.store.get(row?.body_sha256 ?? '')).byteLength, p).toBeGreaterThan(0);
    }
    expect(pages.get('/a/news.html')?.text).toContain('Plain news.');
    expect(pages.get('/a/news.html')?.flag).toBeNull();
    for (const p of ['/a/report.pdf', '/a/mislabelled.html']) {
      expect(pages.get(p)?.flag, p).toBe('pdf');
      expect(pages.get(p)?.text, p).toBeNull();
    }
    for (const p of ['/a/chart.png', '/a/data.json']) {
      expect(pages.get(p)?.flag, p).toBeNull();
      expect(pages.get(p)?.text, p).toBeNull();
    }
    const parsed = await app.db
      .selectFrom('jobs')
      .select('url')
      .where('stage', '=', 'parse')
      .where('page_type', '=', 'article')
      .execute();
    expect(parsed.map((j) => new URL(j.url ?? '').pathname)).toEqual(['/a/news.html']);
  });
});
