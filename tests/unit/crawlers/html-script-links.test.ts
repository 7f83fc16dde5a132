import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../../crawlers/html.js';

const LIST = 'https://it.china-embassy.gov.cn/chn/sbdt/index.htm';

describe('links that only scripts write', () => {
  it('expands a TRS createPageHTML pager into its index_N pages', () => {
    const html = `<html><body><ul><li><a href="./201510/t20151008_9476232.htm">会谈</a></li></ul>
      <div class="page"><script>var countPage = 3;//共多少页
      var currentPage = 0;
      createPageHTML(countPage, currentPage, "index", "htm");</script></div></body></html>`;
    const urls = parseHtml(html, LIST).links.map((l) => l.url);
    expect(urls).toContain('https://it.china-embassy.gov.cn/chn/sbdt/index_1.htm');
    expect(urls).toContain('https://it.china-embassy.gov.cn/chn/sbdt/index_2.htm');
    expect(urls).not.toContain('https://it.china-embassy.gov.cn/chn/sbdt/index_3.htm');
  });

  it('reads literal pager arguments and shtml pages', () => {
    const html = `<script>createPageHTML(2, 1, "index", "shtml");</script>`;
    const urls = parseHtml(
      html,
      'https://www.mfa.gov.cn/web/wjdt_674879/wjbxw_674885/index_1.shtml',
    ).links.map((l) => l.url);
    expect(urls).toEqual([
      'https://www.mfa.gov.cn/web/wjdt_674879/wjbxw_674885/index.shtml',
      'https://www.mfa.gov.cn/web/wjdt_674879/wjbxw_674885/index_1.shtml',
    ]);
  });

  it('follows a page that only forwards by script', () => {
    const html = `<html><head><script>window.location.href = "./1206x0_676209/";</script></head><body></body></html>`;
    const base = 'https://www.mfa.gov.cn/web/gjhdq_676201/gj_676203/yz_676205/1206_676207/';
    expect(parseHtml(html, base).links.map((l) => l.url)).toEqual([`${base}1206x0_676209/`]);
  });

  it('ignores data blocks and pager calls whose page count it cannot know', () => {
    const html = `<script type="application/ld+json">{"url": "location.href = 'x.htm'"}</script>
      <script>createPageHTML(total, 0, "index", "htm");</script>`;
    expect(parseHtml(html, LIST).links).toEqual([]);
  });
});
