import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlFixture, type FixtureCrawl, startSites } from '../helpers/site-server.js';

let sites: Awaited<ReturnType<typeof startSites>>;
let crawl: FixtureCrawl | undefined;

beforeAll(async () => {
  sites = await startSites({ vn: '127.0.0.27' });
});
afterAll(async () => {
  await crawl?.app.cleanup();
  await sites.closeAll();
});

it('vn-gov-cn tells slug-id.htm articles from category pages', async () => {
  const origin = sites['vn']!.origin;
  crawl = await crawlFixture(['vn-gov-cn'], { 'cn.baochinhphu.vn': origin });
  const pages = await crawl.pages('vn-gov-cn');
  expect(pages.lists).toEqual([
    '/',
    '/yue-zhong-guan-xi.htm',
    '/yue-zhong-guan-xi/trang-2.htm',
    '/zheng-zhi.htm',
  ]);
  expect(pages.articles).toEqual([
    '/yue-zhong-bian-jing-an-quan-he-zuo-116231204151230456.htm',
    '/yue-zhong-gong-an-bu-zhang-hui-tan-116240312093045123.htm',
    '/yue-zhong-jin-du-he-zuo-hui-yi-116190715083012789.htm',
    '/zheng-fu-chang-li-hui-yi-116240401100000001.htm',
  ]);
  expect(pages.failed).toEqual([]);
  const doc = await crawl.document(
    `${origin}/yue-zhong-gong-an-bu-zhang-hui-tan-116240312093045123.htm`,
  );
  expect(doc.title).toBe('越中公安部长举行会谈');
  expect(doc.text).toContain('谅解备忘录');
  expect(doc.published).toBe('2024-03-12');
});
