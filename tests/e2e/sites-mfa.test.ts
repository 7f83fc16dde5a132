import { afterAll, beforeAll, expect, it } from 'vitest';
import { crawlFixture, type FixtureCrawl, startSites } from '../helpers/site-server.js';

const NEWS = '/web/wjdt_674879/wjbxw_674885';
const ASIA = '/web/gjhdq_676201/gj_676203/yz_676205';

let sites: Awaited<ReturnType<typeof startSites>>;
let hosts: Record<string, string>;
const crawls: FixtureCrawl[] = [];

beforeAll(async () => {
  sites = await startSites({ mfa: '127.0.0.23' });
  hosts = { 'www.mfa.gov.cn': sites['mfa']!.origin };
});
afterAll(async () => {
  for (const c of crawls) await c.app.cleanup();
  await sites.closeAll();
});

it('mfa-news follows the script pager (createPageHTML) to every list page and article', async () => {
  const crawl = await crawlFixture(['mfa-news'], hosts, {
    // The fixture has the ministry-news column only.
    adjust: (s) => ({ ...s, start_urls: s.start_urls.filter((u) => u.includes('wjbxw_674885')) }),
  });
  crawls.push(crawl);
  const pages = await crawl.pages('mfa-news');
  expect(pages.lists).toEqual([`${NEWS}/index.shtml`, `${NEWS}/index_1.shtml`]);
  expect(pages.articles).toEqual([
    `${NEWS}/201611/t20161122_9367301.shtml`,
    `${NEWS}/202311/t20231107_11175432.shtml`,
    `${NEWS}/202406/t20240612_11392310.shtml`,
  ]);
  expect(pages.failed).toEqual([]);
  const doc = await crawl.document(
    `${hosts['www.mfa.gov.cn']}${NEWS}/201611/t20161122_9367301.shtml`,
  );
  expect(doc.title).toBe('中越双方签署打击跨国犯罪合作文件');
  expect(doc.text).toContain('关于打击跨国犯罪合作的谅解备忘录');
  expect(doc.text).not.toContain('版权所有');
});

it('mfa-countries goes region -> country (a script forward) -> sections -> articles', async () => {
  const crawl = await crawlFixture(['mfa-countries'], hosts, {
    adjust: (s) => ({ ...s, start_urls: s.start_urls.filter((u) => u.includes('yz_676205')) }),
  });
  crawls.push(crawl);
  const pages = await crawl.pages('mfa-countries');
  expect(pages.lists).toEqual(
    [
      `${ASIA}/`,
      `${ASIA}/1206_676207/`,
      `${ASIA}/1206_676207/1206x0_676209/`,
      `${ASIA}/1206_676207/xgxw_676213/`,
      `${ASIA}/1206_677292/`,
      `${ASIA}/1206_677292/1206x0_677294/`,
      `${ASIA}/1206_677292/sbgx_677296/`,
      `${ASIA}/1206_677292/xgxw_677300/`,
    ].sort(),
  );
  expect(pages.articles).toEqual([
    `${ASIA}/1206_677292/xgxw_677300/201709/t20170918_9876543.shtml`,
    `${ASIA}/1206_677292/xgxw_677300/202404/t20240408_11278140.shtml`,
  ]);
  expect(pages.failed).toEqual([]);
});
