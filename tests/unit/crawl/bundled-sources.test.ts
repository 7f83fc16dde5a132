import { describe, expect, it } from 'vitest';
import { loadBundledSources, SourceMatcher } from '../../../pipeline/sources.js';

/**
 * The bundled definitions against URL shapes of the real sites (DESIGN.md's examples and the
 * older layouts that public citations and archives still point to): what a crawl follows as a
 * list, codes as an article, or leaves alone.
 */
const CASES: Record<string, [url: string, expected: 'article' | 'list' | null][]> = {
  'mps-news': [
    ['https://www.mps.gov.cn/n2253534/n2253535/c4865543/content.html', 'article'],
    ['https://www.mps.gov.cn/n2254314/n2254315/n2254317/index.html', 'list'],
    ['https://www.mps.gov.cn/n2254314/n2254315/n2254317/index_3.html', 'list'],
    // Before the 2016 redesign.
    ['http://www.mps.gov.cn/n16/n1237/n1342/n803715/3084395.html', 'article'],
    ['https://www.mps.gov.cn/n2254314/n2254315/n2254317/', null],
  ],
  'mps-app': [
    ['https://app.mps.gov.cn/gdnps/pc/content.jsp?id=7460430&mtype=4', 'article'],
    ['https://app.mps.gov.cn/gdnps/pc/content.jsp?id=7460430', 'article'],
    ['https://app.mps.gov.cn/gdnps/pc/content.jsp?mtype=4&id=7460430', 'article'],
    ['https://app.mps.gov.cn/gdnps/pc/index.jsp', null],
  ],
  embassies: [
    ['https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151008_9476232.htm', 'article'],
    ['https://hr.china-embassy.gov.cn/chn/sxxx/sghd/201709/t20170918_2915255.htm', 'article'],
    ['https://hr.china-embassy.gov.cn/chn/sxxx/sghd/index_2.htm', 'list'],
    // Older embassy hosts and paths.
    ['http://vn.china-embassy.org/chn/sgxx/t1406044.htm', 'article'],
    ['https://www.fmprc.gov.cn/ce/cevn/chn/sgxx/t1406044.htm', 'article'],
    ['https://it.china-embassy.gov.cn/chn/sbdt/', null],
    ['https://it.china-embassy.gov.cn/ita/sbdt/201510/t20151008_9476233.htm', null],
  ],
  'mfa-news': [
    [
      'https://www.mfa.gov.cn/web/wjdt_674879/wjbxw_674885/202211/t20221115_10975553.shtml',
      'article',
    ],
    ['https://www.fmprc.gov.cn/web/wjdt_674879/sjxw_674887/t1416467.shtml', 'article'],
    ['https://www.mfa.gov.cn/web/wjdt_674879/wjbxw_674885/index_2.shtml', 'list'],
  ],
  'mfa-countries': [
    [
      'https://www.fmprc.gov.cn/web/gjhdq_676201/gj_676203/yz_676205/1206_677292/xgxw_677298/201611/t20161122_9367301.shtml',
      'article',
    ],
    [
      'https://www.fmprc.gov.cn/web/gjhdq_676201/gj_676203/yz_676205/1206_677292/xgxw_677298/t1416467.shtml',
      'article',
    ],
    ['https://www.mfa.gov.cn/web/gjhdq_676201/gj_676203/yz_676205/1206_677292/', 'list'],
  ],
  tao: [
    ['https://www.gwytb.gov.cn/zl/hzjl/201101/t20110105_1677008.htm', 'article'],
    ['https://www.gwytb.gov.cn/xwdt/index_1.htm', 'list'],
  ],
  'vn-gov-cn': [
    [
      'https://cn.baochinhphu.vn/zhong-yue-gong-an-bu-qian-shu-he-zuo-wen-jian-116221010123456789.htm',
      'article',
    ],
    ['https://cn.baochinhphu.vn/', 'list'],
  ],
  'xinhua-en': [
    ['https://english.news.cn/20221115/8f1c2b7f0d3e4a5b9c6d7e8f9a0b1c2d/c.html', 'article'],
    ['https://english.news.cn/world/index.htm', 'list'],
    ['https://english.news.cn/photo/index.htm', null],
  ],
};

describe('bundled source definitions', () => {
  const sources = loadBundledSources();

  it('cover every source kind of DESIGN.md', () => {
    expect(new Set(sources.map((s) => s.kind))).toEqual(
      new Set(['mps', 'mfa', 'embassy', 'news', 'foreign-gov']),
    );
    expect(Object.keys(CASES).sort()).toEqual(sources.map((s) => s.id).sort());
  });

  for (const [id, cases] of Object.entries(CASES)) {
    it(`${id}: real URL shapes are followed, coded or left alone as they should`, () => {
      const source = sources.find((s) => s.id === id);
      if (source === undefined) throw new Error(`no bundled source ${id}`);
      const matcher = new SourceMatcher(source);
      const got = cases.map(([url]) => [url, matcher.classify(url)]);
      expect(got).toEqual(cases);
    });
  }
});
