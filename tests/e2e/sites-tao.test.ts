import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlFixture, type FixtureCrawl, startSites } from '../helpers/site-server.js';

let sites: Awaited<ReturnType<typeof startSites>>;
let crawl: FixtureCrawl | undefined;

beforeAll(async () => {
  sites = await startSites({ tao: '127.0.0.26' });
});
afterAll(async () => {
  await crawl?.app.cleanup();
  await sites.closeAll();
});

it('tao crawls the GB2312 news column and its articles in other columns', async () => {
  const origin = sites['tao']!.origin;
  crawl = await crawlFixture(['tao'], { 'www.gwytb.gov.cn': origin });
  const pages = await crawl.pages('tao');
  expect(pages.lists).toEqual(['/xwdt/index.htm', '/xwdt/index_1.htm']);
  expect(pages.articles).toEqual([
    '/xwdt/zwyw/201906/t20190620_12171234.htm',
    '/xwdt/zwyw/202306/t20230615_12541234.htm',
    '/zl/lahz/201101/t20110105_1677008.htm',
  ]);
  expect(pages.failed).toEqual([]);
  const doc = await crawl.document(`${origin}/zl/lahz/201101/t20110105_1677008.htm`);
  expect(doc.title).toBe('两岸共同打击犯罪及司法互助协议执行情况通报');
  expect(doc.text).toContain('《海峡两岸共同打击犯罪及司法互助协议》');
  expect(doc.text).not.toContain('主办单位');
});
