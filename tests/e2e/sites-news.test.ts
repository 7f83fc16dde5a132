import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlFixture, type FixtureCrawl, startSites } from '../helpers/site-server.js';

let sites: Awaited<ReturnType<typeof startSites>>;
let crawl: FixtureCrawl | undefined;

const TH = '/20240312/8f7c0d4ee1b24e0b9b5d0a9f3c1e2d44/c.html';
const KH = '/20230920/1a2b3c4d5e6f708192a3b4c5d6e7f809/c.html';
const RS = '/20190918/0f0e0d0c0b0a09080706050403020100/c.html';
const SP = '/20240313/ffeeddccbbaa99887766554433221100/c.html';

beforeAll(async () => {
  sites = await startSites({ news: '127.0.0.28' });
});
afterAll(async () => {
  await crawl?.app.cleanup();
  await sites.closeAll();
});

it('xinhua-en finds articles through list pages and through its sitemap index', async () => {
  const site = sites['news']!;
  crawl = await crawlFixture(['xinhua-en'], { 'english.news.cn': site.origin });
  const pages = await crawl.pages('xinhua-en');
  expect(pages.lists).toEqual([
    '/china/index.htm',
    '/sitemap.xml',
    '/sitemaps/news-2019.xml',
    '/sitemaps/news-2024.xml',
    '/world/index.htm',
  ]);
  // RS is linked from no list page: only the 2019 sitemap names it.
  expect(pages.articles).toEqual([RS, KH, TH, SP].sort());
  expect(pages.failed).toEqual([]);
  expect(site.requests.map((r) => r.path)).not.toContain('/about.html');
  const doc = await crawl.document(`${site.origin}${RS}`);
  expect(doc.title).toBe('Chinese, Serbian police launch joint patrols in Belgrade');
  expect(doc.text).toContain('agreement signed by the two interior ministries');
  expect(doc.text).not.toContain('Copyright');
});
