import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseSitemap, readSitemap, sitemapKind } from '../../../crawlers/sitemap.js';

const BASE = 'https://english.news.cn/sitemap.xml';

describe('sitemaps', () => {
  it('reads a urlset with lastmod and news publication dates, dropping duplicates and junk', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc> https://english.news.cn/20240312/8f7c0d4ee1b24e0b9b5d0a9f3c1e2d44/c.html </loc><lastmod>2024-03-12T10:00:00+08:00</lastmod></url>
  <url><loc>https://english.news.cn/20240312/8f7c0d4ee1b24e0b9b5d0a9f3c1e2d44/c.html#top</loc></url>
  <url><loc>/20230920/1a2b3c4d5e6f708192a3b4c5d6e7f809/c.html</loc><news:news><news:publication_date>2023-09-20</news:publication_date></news:news></url>
  <url><loc>javascript:alert(1)</loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>`;
    const sitemap = parseSitemap(xml, BASE);
    expect(sitemap?.kind).toBe('urlset');
    expect(sitemap?.entries).toEqual([
      {
        url: 'https://english.news.cn/20240312/8f7c0d4ee1b24e0b9b5d0a9f3c1e2d44/c.html',
        lastmod: '2024-03-12',
      },
      {
        url: 'https://english.news.cn/20230920/1a2b3c4d5e6f708192a3b4c5d6e7f809/c.html',
        lastmod: '2023-09-20',
      },
    ]);
  });

  it('reads a sitemap index, with or without a namespace prefix', () => {
    const xml = `<ns0:sitemapindex xmlns:ns0="http://www.sitemaps.org/schemas/sitemap/0.9">
  <ns0:sitemap><ns0:loc>https://english.news.cn/sitemaps/2024.xml</ns0:loc></ns0:sitemap>
</ns0:sitemapindex>`;
    expect(parseSitemap(xml, BASE)).toEqual({
      kind: 'sitemapindex',
      entries: [{ url: 'https://english.news.cn/sitemaps/2024.xml', lastmod: null }],
    });
  });

  it('says an HTML page or an RSS feed is not a sitemap', () => {
    expect(sitemapKind('<!DOCTYPE html><html><body><urlset></urlset></body></html>')).toBeNull();
    expect(parseSitemap('<?xml version="1.0"?><rss><channel></channel></rss>', BASE)).toBeNull();
  });

  it('reads a gzipped sitemap from its stored bytes and caps the entries', () => {
    const urls = Array.from(
      { length: 10 },
      (_, i) => `<url><loc>https://english.news.cn/p${i}.html</loc></url>`,
    );
    const body = gzipSync(
      Buffer.from(
        `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join('')}</urlset>`,
      ),
    );
    const sitemap = readSitemap(new Uint8Array(body), 'application/octet-stream', BASE, {
      maxEntries: 3,
    });
    expect(sitemap?.entries.map((e) => e.url)).toEqual([
      'https://english.news.cn/p0.html',
      'https://english.news.cn/p1.html',
      'https://english.news.cn/p2.html',
    ]);
  });
});
