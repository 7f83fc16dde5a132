import { describe, expect, it } from 'vitest';
import { collapseWhitespace, parseHtml, stripSiteSuffix } from '../../../crawlers/html.js';

const MPS_URL = 'https://www.mps.gov.cn/n2253534/n2253535/c4865543/content.html';

const MPS_PAGE = `<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>王小洪会见越南公安部部长苏林_中华人民共和国公安部</title>
<script>var tracking = "发布时间：1999-01-01"; document.write('<p>script text</p>');</script>
<style>p { color: red }</style>
</head><body>
<div class="header"><h1 class="logo"><a href="/">中华人民共和国公安部</a></h1>
 <nav><ul><li><a href="/n2253534/index.html">首页</a></li><li><a href="/n2254314/index.html">新闻中心</a></li>
 <li><a href="/n2254098/index.html">警务公开</a></li><li><a href="/n6557558/index.html">办事服务</a></li></ul></nav></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/n2254314/">公安要闻</a></div>
<table width="100%"><tr>
<td class="left">
  <div class="title">王小洪会见越南公安部部长苏林</div>
  <div class="info">发布时间：2016-11-22 来源：公安部网站 【字体：大 中 小】</div>
  <div id="ozoom" class="TRS_Editor">
    <p>　　11月22日，公安部部长在北京会见越南公安部部长苏林。</p>
    <p>　　双方签署了《中华人民共和国公安部和越南公安部关于打击跨国犯罪合作的谅解备忘录》。</p>
    <p>　　双方就打击跨国犯罪、
    禁毒合作、反恐怖等交换了意见。</p>
    <p>　　会见前，两部举行了会谈。</p>
  </div>
</td>
<td class="right"><div class="related"><h3>相关新闻</h3><ul>
  <li><a href="/n2254314/c1.html?utm_source=wx">公安部召开全国公安机关视频会议部署工作</a></li>
  <li><a href="/n2254314/c2.html#top">公安部部署开展打击电信网络诈骗犯罪专项行动</a></li>
  <li><a href="/n2254314/c3.html">公安部与多国警方联合开展行动成果显著</a></li></ul></div></td>
</tr></table>
<footer>版权所有：中华人民共和国公安部 地址：北京市东长安街14号 ICP备案编号：京ICP备05070602号</footer>
</body></html>`;

describe('parseHtml on a Chinese government article', () => {
  const doc = parseHtml(MPS_PAGE, MPS_URL);

  it('takes the headline, not the site logo or the <title> suffix', () => {
    expect(doc.title).toBe('王小洪会见越南公安部部长苏林');
  });

  it('extracts the article paragraphs without navigation, sidebar, footer or scripts', () => {
    const lines = doc.text.split('\n');
    expect(lines[0]).toBe('王小洪会见越南公安部部长苏林');
    expect(lines).toContain('11月22日，公安部部长在北京会见越南公安部部长苏林。');
    expect(doc.text).toContain(
      '《中华人民共和国公安部和越南公安部关于打击跨国犯罪合作的谅解备忘录》',
    );
    expect(doc.text).toContain('会见前，两部举行了会谈。');
    for (const noise of [
      '首页',
      '相关新闻',
      '版权所有',
      'script text',
      'color: red',
      '电信网络诈骗',
    ]) {
      expect(doc.text).not.toContain(noise);
    }
  });

  it('keeps the short paragraphs under the headline even when a sidebar holds a longer one', () => {
    const bio =
      '王小洪，男，汉族，1957年7月出生，福建福清人，1975年8月参加工作，1982年6月加入中国共产党，吉林大学法学专业毕业，在职研究生学历，法学博士。现任国务委员，公安部党委书记、部长，国家总督察。曾任福建省公安厅副厅长，福州市副市长、公安局局长，河南省副省长、公安厅厅长，北京市副市长、公安局局长，公安部常务副部长等职务。';
    const html = `<html><head><title>公安部与白俄罗斯内务部签署合作文件_中华人民共和国公安部</title></head><body>
<div class="wrap"><div class="left"><div class="box"><h3>部长信息</h3><p>${bio}</p></div></div>
<div class="right"><h2>公安部与白俄罗斯内务部签署合作文件</h2><p class="date">2023-11-15</p>
<p>　　11月14日，公安部副部长林锐在京与白俄罗斯内务部第一副部长举行会谈。</p>
<p>　　双方就深化执法合作交换意见。</p>
<p>　　会谈后，双方签署了《2024－2025年合作计划》。</p></div></div></body></html>`;
    const lines = parseHtml(html, MPS_URL).text.split('\n');
    expect(lines[0]).toBe('公安部与白俄罗斯内务部签署合作文件');
    expect(lines.filter((l) => l === lines[0])).toHaveLength(1);
    expect(lines).toContain('会谈后，双方签署了《2024－2025年合作计划》。');
    expect(lines).toContain('11月14日，公安部副部长林锐在京与白俄罗斯内务部第一副部长举行会谈。');
  });

  it('joins a source line break inside Chinese text without inserting a space', () => {
    expect(doc.text).toContain('双方就打击跨国犯罪、禁毒合作、反恐怖等交换了意见。');
  });

  it('reads the labelled publication date, not a date in a script', () => {
    expect(doc.published).toBe('2016-11-22');
  });

  it('returns links absolute, normalised and deduplicated, with their text', () => {
    const urls = doc.links.map((l) => l.url);
    expect(urls).toContain('https://www.mps.gov.cn/n2254314/c1.html');
    expect(urls).toContain('https://www.mps.gov.cn/n2254314/c2.html');
    expect(urls).toContain('https://www.mps.gov.cn/n2254098/index.html');
    expect(urls.filter((u) => u === 'https://www.mps.gov.cn/')).toHaveLength(1);
    expect(new Set(urls).size).toBe(urls.length);
    expect(doc.links.find((l) => l.url.endsWith('/c3.html'))?.text).toBe(
      '公安部与多国警方联合开展行动成果显著',
    );
    expect(doc.url).toBe(MPS_URL);
  });
});

function page(head: string, body: string): string {
  return `<html><head>${head}</head><body>${body}</body></html>`;
}

const ARTICLE =
  '<div class="content"><p>中国公安部与外国内政部签署合作文件，双方同意加强执法合作，共同打击跨国犯罪。</p><p>双方还就反恐、禁毒等议题交换了意见。</p></div>';

describe('publication dates', () => {
  it('reads meta tags: PubDate, article:published_time, publishdate', () => {
    expect(
      parseHtml(page('<meta name="PubDate" content="2016-11-22 10:00">', ARTICLE), null).published,
    ).toBe('2016-11-22');
    expect(
      parseHtml(
        page(
          '<meta property="article:published_time" content="2019-04-25T23:30:00+08:00">',
          ARTICLE,
        ),
        null,
      ).published,
    ).toBe('2019-04-25');
    expect(
      parseHtml(page('<meta name="publishdate" content="20170918">', ARTICLE), null).published,
    ).toBe('2017-09-18');
  });

  it('reads JSON-LD datePublished', () => {
    const ld =
      '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-06-01T08:00:00Z"}</script>';
    expect(parseHtml(page(ld, ARTICLE), null).published).toBe('2023-06-01');
  });

  it('reads a Chinese date under the title', () => {
    const html = page(
      '<title>中越签署合作文件</title>',
      `<h1>中越签署合作文件</h1><div class="info">2016年11月22日 10:30 来源：新华网</div>${ARTICLE}`,
    );
    expect(parseHtml(html, null).published).toBe('2016-11-22');
  });

  it('reads the date at the end of a 来源 line', () => {
    const html = page(
      '<title>中越签署合作文件</title>',
      `<h1>中越签署合作文件</h1><div>来源：新华网　2015-10-08 09:12:01</div>${ARTICLE}<p>上一篇 2014-01-01</p>`,
    );
    expect(parseHtml(html, null).published).toBe('2015-10-08');
  });

  it('reads the date line under a headline that differs from <title>, past a dated sidebar', () => {
    const sidebar = [
      '<li><a href="/1.html">公安部部署夏季治安打击整治行动</a> 2019-06-02</li>',
      '<li><a href="/2.html">全国公安机关推进扫黑除恶常态化</a> 2019-05-28</li>',
    ].join('');
    const html = page(
      '<title>中哈签署合作文件</title>',
      `<table><tr><td><ul>${sidebar}</ul></td><td><div class="title">赵克志与哈萨克斯坦内务部长举行会谈</div><div class="time">2019年09月11日 来源：公安部</div>${ARTICLE}</td></tr></table>`,
    );
    expect(parseHtml(html, null).published).toBe('2019-09-11');
    // A sentence that starts with a date is not a date line.
    const sentence = page(
      '<title>中哈签署合作文件</title>',
      '<h2>另一个标题</h2><p>2019年9月11日，双方举行会谈。</p>',
    );
    expect(parseHtml(sentence, null).published).toBeNull();
  });

  it('reads an English dateline', () => {
    const html = page(
      '<title>China, Vietnam sign police cooperation deal - Xinhua</title>',
      '<h1>China, Vietnam sign police cooperation deal</h1><p class="date">Nov 22, 2016</p><div class="content"><p>BEIJING, Nov. 22 (Xinhua) -- China and Vietnam signed a memorandum of understanding on cooperation against transnational crime on Tuesday.</p></div>',
    );
    const doc = parseHtml(html, 'https://english.news.cn/2016/1122/c_135850123.htm');
    expect(doc.title).toBe('China, Vietnam sign police cooperation deal');
    expect(doc.published).toBe('2016-11-22');
    expect(
      parseHtml(page('', '<h1>A headline here</h1><p>Published: 22 November 2016</p>'), null)
        .published,
    ).toBe('2016-11-22');
  });

  it('reads Chinese-numeral and full-width dates', () => {
    expect(
      parseHtml(page('', '<h1>标题标题标题</h1><p>二〇一六年十一月二十二日</p>'), null).published,
    ).toBe('2016-11-22');
    expect(
      parseHtml(page('', '<h1>标题标题标题</h1><p>发布时间：２０１６年１１月２２日</p>'), null)
        .published,
    ).toBe('2016-11-22');
  });

  it('reads TRS URLs: /t20161122_ fully, /201611/ only to confirm a date in the page', () => {
    const trs =
      'https://www.fmprc.gov.cn/web/gjhdq_676201/gj_676203/201611/t20161122_9367301.shtml';
    expect(parseHtml(page('', ARTICLE), trs).published).toBe('2016-11-22');
    const monthOnly = 'https://hr.china-embassy.gov.cn/chn/sxxx/201709/content_1.htm';
    const body = `${ARTICLE}<p>会谈于2017年9月18日举行。此前，双方曾于2015年签署协议。</p>`;
    expect(parseHtml(page('', body), monthOnly).published).toBe('2017-09-18');
    expect(parseHtml(page('', ARTICLE), monthOnly).published).toBeNull();
  });

  it('returns null when the page has no date', () => {
    expect(parseHtml(page('<title>无日期</title>', ARTICLE), null).published).toBeNull();
  });
});

describe('links', () => {
  const base = 'https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151008_9476232.htm';
  const html = page(
    '',
    `<div id="list"><a href="./t20151009_1.htm?utm_medium=x#c">第一条新闻标题</a>
     <a href="../201709/t20170918_2915255.htm"><img src="x.jpg" alt="图片新闻标题"></a>
     <a href="../201709/t20170918_2915255.htm">第二条新闻标题</a></div>
     <div id="other"><a href="javascript:void(0)">打印</a><a href="mailto:a@b.cn">邮箱</a>
     <a href="ftp://x.cn/f">FTP</a><a href="https://WWW.GWYTB.GOV.CN:443/zl/?b=2&a=1">台办</a><a href="#top">顶部</a></div>`,
  );

  it('resolves, normalises, filters and deduplicates', () => {
    const doc = parseHtml(html, base);
    expect(doc.links).toEqual([
      {
        url: 'https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151009_1.htm',
        text: '第一条新闻标题',
      },
      {
        url: 'https://it.china-embassy.gov.cn/chn/sbdt/201709/t20170918_2915255.htm',
        text: '图片新闻标题',
      },
      { url: 'https://www.gwytb.gov.cn/zl/?a=1&b=2', text: '台办' },
    ]);
  });

  it('collects only inside linkSelector when given', () => {
    const doc = parseHtml(html, base, { linkSelector: '#list' });
    expect(doc.links.map((l) => l.url)).toEqual([
      'https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151009_1.htm',
      'https://it.china-embassy.gov.cn/chn/sbdt/201709/t20170918_2915255.htm',
    ]);
  });

  it('honours <base href> and keeps only absolute links without a page URL', () => {
    const withBase = page(
      '<base href="https://cn.baochinhphu.vn/news/">',
      '<a href="a-1.htm">越南新闻标题</a>',
    );
    expect(parseHtml(withBase, null).links).toEqual([
      { url: 'https://cn.baochinhphu.vn/news/a-1.htm', text: '越南新闻标题' },
    ]);
    expect(
      parseHtml(page('', '<a href="/rel">x</a><a href="https://x.cn/abs">y</a>'), null).links,
    ).toEqual([{ url: 'https://x.cn/abs', text: 'y' }]);
  });

  it('follows frames and meta refresh of old sites', () => {
    const html2 =
      '<html><head><meta http-equiv="refresh" content="0; url=/chn/index.htm"></head><frameset><frame src="/main.htm"></frameset></html>';
    const urls = parseHtml(html2, 'http://old.gov.cn/').links.map((l) => l.url);
    expect(urls).toEqual(
      expect.arrayContaining(['http://old.gov.cn/chn/index.htm', 'http://old.gov.cn/main.htm']),
    );
  });
});

describe('robustness', () => {
  it('returns what a truncated page holds', () => {
    const cut = MPS_PAGE.slice(0, MPS_PAGE.indexOf('会见前'));
    const doc = parseHtml(`${cut}<p>　　双方还<a href="/n2254314/c9.h`, MPS_URL);
    expect(doc.title).toBe('王小洪会见越南公安部部长苏林');
    expect(doc.text).toContain('越南公安部部长苏林。');
    expect(doc.published).toBe('2016-11-22');
  });

  it('never throws on junk or pathological markup', () => {
    for (const junk of [
      '',
      '<<<>>>',
      '</div></p><td>孤立文本',
      '<html><body><p>未闭合',
      '\u0000\uFFFD<script>',
    ]) {
      expect(() => parseHtml(junk, null)).not.toThrow();
    }
    expect(parseHtml('', null)).toEqual({
      url: null,
      title: null,
      text: '',
      published: null,
      links: [],
    });
    const deep = `${'<div>'.repeat(5000)}深层文本内容很多很多${'</div>'.repeat(5000)}`;
    expect(parseHtml(deep, null).text).toContain('深层文本内容很多很多');
  });

  // Speed on such pages is measured by benchmarks, not asserted here; the test's own timeout
  // still catches a quadratic blow-up (minutes, not seconds).
  it('survives hostile markup: absurd nesting and huge whitespace runs', () => {
    const nested = `<title>深层页面标题_网站</title>${'<div class="title">'.repeat(60_000)}深层文本内容&amp;很多${'</div>'.repeat(60_000)}`;
    const doc = parseHtml(nested, 'https://x.cn/201611/t20161122_1.htm');
    expect(doc.title).toBe('深层页面标题');
    expect(doc.text).toContain('深层文本内容&很多');
    expect(doc.published).toBe('2016-11-22');
    const spaces = parseHtml(
      `<title>a${' '.repeat(500_000)}b</title><p>c${' \t'.repeat(500_000)}x</p>`,
      null,
    );
    expect(spaces.text).toBe('a b\nc x');
  });

  it('uses contentSelector when it matches, the generic extractor otherwise', () => {
    const html = page(
      '<title>标题甲乙丙丁</title>',
      `<div id="a"><p>选择器指定的正文内容。</p></div>${ARTICLE}`,
    );
    expect(parseHtml(html, null, { contentSelector: '#a' }).text).toBe(
      '标题甲乙丙丁\n选择器指定的正文内容。',
    );
    expect(parseHtml(html, null, { contentSelector: '#missing' }).text).toContain(
      '共同打击跨国犯罪',
    );
  });

  it('names a bad option', () => {
    expect(() => parseHtml('', null, { contentSelector: '##bad[' })).toThrow(
      /`contentSelector`.*`##bad\[`/,
    );
    expect(() => parseHtml('', null, { maxLinks: -1 })).toThrow(/`maxLinks`/);
  });
});

describe('helpers', () => {
  it('strips site names from <title>', () => {
    expect(stripSiteSuffix('王小洪会见越南公安部部长苏林_中华人民共和国公安部')).toBe(
      '王小洪会见越南公安部部长苏林',
    );
    expect(stripSiteSuffix('中越签署合作文件 - 中华人民共和国外交部')).toBe('中越签署合作文件');
    expect(stripSiteSuffix('China, Vietnam sign deal-Xinhua')).toBe('China, Vietnam sign deal');
    expect(stripSiteSuffix('China-Vietnam police cooperation | Global Times')).toBe(
      'China-Vietnam police cooperation',
    );
    expect(stripSiteSuffix('China-Vietnam')).toBe('China-Vietnam');
  });

  it('collapses whitespace but keeps full-width characters', () => {
    expect(collapseWhitespace('  a \t b\n c  ')).toBe('a b c');
    expect(collapseWhitespace('公安部\n  部长（ＭＰＳ）')).toBe('公安部部长（ＭＰＳ）');
  });
});

describe('stripSiteSuffix edge cases', () => {
  it('cuts only the site name, keeping dashes inside the headline', () => {
    expect(stripSiteSuffix('中越警务合作——新的里程碑_中华人民共和国公安部')).toBe(
      '中越警务合作——新的里程碑',
    );
    expect(stripSiteSuffix('中越警务合作——新华网')).toBe('中越警务合作');
    expect(stripSiteSuffix('A long headline - Section - Ministry of Foreign Affairs')).toBe(
      'A long headline',
    );
    expect(stripSiteSuffix('Police chiefs meet in Hanoi-Ho Chi Minh')).toBe(
      'Police chiefs meet in Hanoi-Ho Chi Minh',
    );
  });
});

describe('main text on layouts that defeat a longest-block choice', () => {
  const report = [
    '<p>　　6月17日，两国警方在萨格勒布举行会谈。</p>',
    '<p>　　双方签署了联合巡逻合作文件。</p>',
    '<p>　　中方派出四名警员参加巡逻。</p>',
  ].join('');
  const notice =
    '<div class="notice"><h4>领事提醒</h4><p>提醒在当地的中国公民：近期旅游旺季游客数量大幅增加，盗窃、抢劫等侵财类案件时有发生，请务必增强安全防范意识，妥善保管护照、现金和贵重物品，避免单独前往偏僻地区，夜间尽量结伴出行，如遇紧急情况请及时报警并与使馆联系。</p></div>';

  it('keeps the short report with its headline against a longer notice before it', () => {
    const html = page(
      '<title>中克两国警方签署联合巡逻合作文件_中华人民共和国驻克罗地亚共和国大使馆</title>',
      `<div class="side">${notice}</div><div class="main"><div class="news_title">中克两国警方签署联合巡逻合作文件</div><div class="info">2019-06-18</div><div class="news_content">${report}</div></div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('双方签署了联合巡逻合作文件。');
    expect(doc.text).not.toContain('领事提醒');
    expect(doc.text).not.toContain('妥善保管护照');
  });

  it('counts paragraphs that an editor wrapped one by one in <div>s', () => {
    const wrapped = ['会谈在贝尔格莱德举行。', '双方签署了合作文件。', '中方警员参加了巡逻。']
      .map((p) => `<div style="text-indent:2em">${p}</div>`)
      .join('<div style="text-align:center"><img src="a.jpg"></div>');
    const html = page(
      '<title>中塞警务联合巡逻总结会举行</title>',
      `${notice}<div class="news"><h3>中塞警务联合巡逻总结会举行</h3><div class="news_text">${wrapped}</div></div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('双方签署了合作文件。');
    expect(doc.text).not.toContain('妥善保管护照');
  });

  it('still takes a longer body away from the headline, and keeps the standfirst with it', () => {
    const body = Array.from(
      { length: 5 },
      (_, i) =>
        `<p>Paragraph ${i} of the report says that the two police services signed a plan on joint patrols and training.</p>`,
    ).join('');
    const html = page(
      '<title>Serbia and China sign patrol plan</title>',
      `<div class="head"><h1>Serbia and China sign patrol plan</h1><p class="standfirst">The plan covers three cities this year.</p><figure><img src="a.jpg"><figcaption>Officials at the signing in Belgrade.</figcaption></figure></div><div class="body">${body}</div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('The plan covers three cities this year.');
    expect(doc.text).toContain('Paragraph 4 of the report');
  });

  it('keeps the lead between the headline and the body', () => {
    const html = page(
      '<title>越中两国公安部签署合作文件</title>',
      `<div class="detail"><h1>越中两国公安部签署合作文件</h1><div class="time">12/12/2023 20:10</div><h2 class="sapo">越南公安部和中国公安部签署了关于打击跨国犯罪的合作文件。</h2><div class="content">${report}</div></div><div class="related"><a href="/1.htm">越中签署禁毒合作协议</a></div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('越南公安部和中国公安部签署了关于打击跨国犯罪的合作文件。');
    expect(doc.text).toContain('中方派出四名警员参加巡逻。');
    expect(doc.text).not.toContain('越中签署禁毒合作协议');
  });

  it('reads a page that ASP.NET wraps in one <form>, and drops a search form', () => {
    const html = page(
      '<title>Ministry of Interior - News Detail</title>',
      `<form id="aspnetForm"><div class="menu"><a href="/">Home</a> <a href="/news">Press Releases</a></div><div id="pnlNews"><span class="newstitle">Pakistan and China agree to enhance security cooperation</span><br><span>Dated: 14 June 2021</span><br><br><span>ISLAMABAD: The Interior Minister met a delegation of the Ministry of Public Security of China today.<br><br>The two sides signed minutes of the meeting.</span></div></form>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.title).toBe('Pakistan and China agree to enhance security cooperation');
    expect(doc.text).toContain('The two sides signed minutes of the meeting.');
    expect(doc.published).toBe('2021-06-14');
    const search = parseHtml(
      page(
        '<title>标题甲乙丙丁</title>',
        `<form class="search"><label>站内搜索关键词</label><input name="q"></form>${ARTICLE}`,
      ),
      null,
    );
    expect(search.text).not.toContain('站内搜索关键词');
  });

  it('leaves share bars, related posts and newsletter boxes inside the body out', () => {
    const html = page(
      '<title>RSIPF and China Police sign training plan – RSIPF</title>',
      `<article><header><h1>RSIPF and China Police sign training plan</h1></header><div class="entry-content share-enabled">
<p>The Royal Solomon Islands Police Force and the China Police Liaison Team signed a cooperation plan on police training.</p>
<div class="newsletter-inline"><p>Sign up for our newsletter. By registering, you consent to receiving marketing emails.</p></div>
<p>The plan was signed at the Rove Police Headquarters on Tuesday.</p>
<div class="sharedaddy"><h3>Share this:</h3><a href="/s">Facebook</a></div>
<div id="jp-relatedposts"><p><a href="/p1">China donates police vehicles to RSIPF</a></p></div></div></article>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('The plan was signed at the Rove Police Headquarters on Tuesday.');
    for (const noise of [
      'Sign up for our newsletter',
      'Share this:',
      'China donates police vehicles',
    ]) {
      expect(doc.text).not.toContain(noise);
    }
  });
  it('trims link lists that close the report, but keeps those inside it and a list page', () => {
    const html = page(
      '<title>中老签署禁毒合作谅解备忘录</title>',
      `<div class="lt"><h1>中老签署禁毒合作谅解备忘录</h1><div class="nr"><p>10月19日，两国禁毒部门在昆明举行会谈。</p><p>双方签署了以下文件：</p></div>
<ul class="docs"><li><a href="/d1.pdf">禁毒合作谅解备忘录</a></li><li><a href="/d2.pdf">联合行动方案</a></li></ul>
<div class="nr"><p>双方同意继续开展湄公河流域禁毒联合行动。</p></div>
<div class="xgwz"><h3>相关文章</h3><ul><li><a href="/a">中缅禁毒合作会谈举行</a></li><li><a href="/b">全国禁毒工作会议召开</a></li></ul></div></div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.text).toContain('联合行动方案');
    expect(doc.text).toContain('双方同意继续开展湄公河流域禁毒联合行动。');
    expect(doc.text).not.toContain('中缅禁毒合作会谈举行');
    const list = parseHtml(
      page(
        '<title>工作动态</title>',
        '<ul><li><a href="/1.htm">公安部与蒙古国司法内务部举行会谈</a> 2024-05-08</li><li><a href="/2.htm">公安部与塔吉克斯坦内务部签署合作协议</a> 2024-07-02</li></ul>',
      ),
      null,
    );
    expect(list.text).toContain('公安部与塔吉克斯坦内务部签署合作协议');
  });
});

describe('titles that <title> does not name', () => {
  it('takes the candidate that the report follows when <title> is the site name', () => {
    const html = page(
      '<title>中华人民共和国驻斐济共和国大使馆</title>',
      `<div class="left"><div class="hd">使馆新闻</div><ul><li><a href="/1.htm">驻斐济大使走访斐济警察学院</a></li></ul></div>
<div class="right"><div id="News_Body_Title">中国警方向斐济警察部队捐赠装备</div><div id="News_Body_Time">2022-08-17 15:34</div>
<div id="News_Body_Txt_A"><p>8月16日，中国公安部援助斐济警察部队装备交接仪式在苏瓦举行。</p><p>斐方感谢中方长期以来的支持。</p></div></div>`,
    );
    const doc = parseHtml(html, null);
    expect(doc.title).toBe('中国警方向斐济警察部队捐赠装备');
    expect(doc.published).toBe('2022-08-17');
    expect(doc.text).not.toContain('驻斐济大使走访斐济警察学院');
  });

  it('cuts the site name off og:title and anchors the body at the headline showing it', () => {
    const html = page(
      '<title>中國與索羅門群島簽警務合作協議 | 國際 | 中央社 CNA</title><meta property="og:title" content="中國與索羅門群島簽警務合作協議 | 國際 | 中央社 CNA">',
      '<div class="m-art"><div class="m-art-bt">中國與索羅門群島簽警務合作協議</div><div class="txt"><p>兩國簽署包括警務合作在內的多項協議。</p><p>中方將協助索國提升警察執法能力。</p></div></div>',
    );
    expect(parseHtml(html, null).title).toBe('中國與索羅門群島簽警務合作協議');
  });

  // Speed is for benchmarks; the test's own timeout still catches a quadratic walk.
  it('survives a deep chain of wrappers around a text equal to <title>', () => {
    const html = `<title>深层页面标题内容_网站</title>${'<div>'.repeat(60_000)}深层页面标题内容${'</div>'.repeat(60_000)}`;
    expect(parseHtml(html, null).title).toBe('深层页面标题内容');
  });
});

describe('dates glued by inline markup', () => {
  it('reads a date that inline elements glued to the next word', () => {
    const html = page(
      '<title>RSIPF signs plan</title>',
      '<h1>RSIPF signs plan</h1><div>Posted on <time datetime="2022-03-22">March 22, 2022</time><time datetime="2022-03-23">March 23, 2022</time> by Media Unit</div><p>The plan was signed on Tuesday.</p>',
    );
    expect(parseHtml(html, null).published).toBe('2022-03-22');
  });
});
