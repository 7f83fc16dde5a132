import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlFixture, type FixtureCrawl, startSites } from '../helpers/site-server.js';

let sites: Awaited<ReturnType<typeof startSites>>;
let crawl: FixtureCrawl | undefined;

beforeAll(async () => {
  sites = await startSites({ 'embassy/it': '127.0.0.24', 'embassy/hr': '127.0.0.25' });
});
afterAll(async () => {
  await crawl?.app.cleanup();
  await sites.closeAll();
});

it('one embassy definition crawls two embassy hosts on the TRS layout', async () => {
  const it_ = sites['embassy/it']!;
  const hr = sites['embassy/hr']!;
  crawl = await crawlFixture(['embassies'], {
    'it.china-embassy.gov.cn': it_.origin,
    'hr.china-embassy.gov.cn': hr.origin,
  });
  const pages = await crawl.pages('embassies');
  // Lists of both hosts, index_1.htm found through the script pager only.
  expect(pages.lists).toEqual([
    '/chn/sbdt/index.htm',
    '/chn/sbdt/index_1.htm',
    '/chn/sxxx/sghd/index.htm',
  ]);
  expect(pages.articles).toEqual([
    '/chn/sbdt/201510/t20151008_9476232.htm',
    '/chn/sbdt/201902/t20190215_9826543.htm',
    '/chn/sbdt/202405/t20240521_11309876.htm',
    '/chn/sxxx/sghd/201709/t20170918_2915255.htm',
  ]);
  expect(pages.failed).toEqual([]);
  // Menu links to other columns (bare folders) and the embassy home were not followed.
  expect(it_.requests.map((r) => r.path)).not.toContain('/chn/lsfw/');
  expect(it_.requests.map((r) => r.path)).not.toContain('/chn/');

  const doc = await crawl.document(`${it_.origin}/chn/sbdt/201510/t20151008_9476232.htm`);
  expect(doc.title).toBe('中意两国警方启动联合巡逻合作');
  expect(doc.text).toContain('关于开展警务联合巡逻的谅解备忘录');
  expect(doc.text).not.toContain('领事服务');
  expect(doc.published).toBe('2015-10-08');
});
