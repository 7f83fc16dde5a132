import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  crawlFixture,
  describeWithChromium,
  type FixtureCrawl,
  startSites,
  waitForNoChromium,
} from '../helpers/site-server.js';

const SEC = '/n2254314/n2254315/n2254317';
const SEC2 = '/n2253534/n2253535';

describeWithChromium('MPS sources on fixture sites (www pages and script-filled app pages)', () => {
  let sites: Awaited<ReturnType<typeof startSites>>;
  let hosts: Record<string, string>;
  const crawls: FixtureCrawl[] = [];

  beforeAll(async () => {
    sites = await startSites({ 'mps/www': '127.0.0.21', 'mps/app': '127.0.0.22' });
    hosts = {
      'www.mps.gov.cn': sites['mps/www']!.origin,
      'app.mps.gov.cn': sites['mps/app']!.origin,
    };
  });
  afterAll(async () => {
    for (const c of crawls) await c.app.cleanup();
    await sites.closeAll();
  });

  it('mps-news finds every list page and article of the www sections, and nothing else', async () => {
    const crawl = await crawlFixture(['mps-news'], hosts);
    crawls.push(crawl);
    const pages = await crawl.pages('mps-news');
    expect(pages.lists).toEqual([
      `${SEC2}/index.html`,
      `${SEC}/index.html`,
      `${SEC}/index_1.html`,
      `${SEC}/index_2.html`,
    ]);
    expect(pages.articles).toEqual(
      [
        `${SEC2}/c4865543/content.html`,
        `${SEC}/c5545871/content.html`,
        `${SEC}/c6263019/content.html`,
        `${SEC}/c6845127/content.html`,
        `${SEC}/c7980215/content.html`,
        `${SEC}/c9312604/content.html`,
        `${SEC}/c9420318/content.html`,
      ].sort(),
    );
    expect(pages.failed).toEqual([]);
    // The app host is not this source's: its page was never asked for.
    expect(sites['mps/app']!.requests.map((r) => r.path)).toEqual([]);

    // A GBK page (charset only in <meta>) comes out as its article text, without the menus.
    const doc = await crawl.document(`${hosts['www.mps.gov.cn']}${SEC}/c6263019/content.html`);
    expect(doc.title).toBe('郭声琨与哈萨克斯坦内务部部长举行会谈');
    expect(doc.text).toContain('共同打击“三股势力”');
    expect(doc.text).not.toContain('网站地图');
    expect(doc.text).not.toContain('相关新闻');
    expect(doc.published).toBe('2018-09-18');
  });

  it('mps-app renders the script-filled app pages and extracts their text; no browser is left', {
    timeout: 120_000,
  }, async () => {
    const app = sites['mps/app']!;
    const before = app.requests.length;
    const crawl = await crawlFixture(['mps-app'], hosts);
    crawls.push(crawl);
    const pages = await crawl.pages('mps-app');
    expect(pages.articles).toEqual([
      '/gdnps/pc/content.jsp?id=7460430&mtype=4',
      '/gdnps/pc/content.jsp?id=7460431&mtype=4',
    ]);
    expect(pages.lists).toContain(`${SEC}/index.html`);
    expect(pages.failed).toEqual([]);

    const doc = await crawl.document(`${app.origin}/gdnps/pc/content.jsp?id=7460430&mtype=4`);
    expect(doc.title).toBe('中国与柬埔寨签署执法安全合作文件');
    expect(doc.text).toContain('关于加强执法安全合作的谅解备忘录');
    expect(doc.published).toBe('2023-09-20');

    const paths = app.requests.slice(before).map((r) => r.path);
    expect(paths).toContain('/gdnps/pc/data/7460431.json');
    expect(paths.filter((p) => /\.(png|jpe?g|gif|woff2?|mp4)$/.test(p))).toEqual([]);
    expect(await waitForNoChromium()).toEqual([]);
  });
});
