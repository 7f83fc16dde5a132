import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The benchmark's site: a government-style news section of `articles` pages behind paginated
 * list pages (the first list page links every other list page, as TRS pagination does), pages
 * with the navigation chrome real sites carry (~8 KB), one article in twenty a signing
 * announcement. Pages are generated once and served from memory, so the server costs little.
 */

export interface CrawlSiteOptions {
  readonly articles: number;
  /** Article links per list page. @default 50 */
  readonly perList?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

const PARTNERS = ['越南', '老挝', '柬埔寨', '泰国', '缅甸', '蒙古', '塞尔维亚', '巴基斯坦'];
const NAV = Array.from(
  { length: 40 },
  (_, i) => `<li><a href="/col/${i}/index.html">栏目${i}：公安要闻与政务公开信息</a></li>`,
).join('');
const FOOTER =
  '<div class="footer"><p>主办单位：中华人民共和国公安部　版权所有　网站标识码 bm28000001</p><p>地址：北京市东城区东长安街14号　邮编：100741　京ICP备05070602号</p></div>';

function article(n: number): string {
  const partner = PARTNERS[n % PARTNERS.length] ?? '越南';
  const year = 2006 + (n % 19);
  const month = 1 + (n % 12);
  const day = 1 + (n % 27);
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const signing = n % 20 === 0;
  const title = signing
    ? `公安部与${partner}内政部签署合作谅解备忘录（${n}）`
    : `全国公安机关推进执法规范化建设工作会议召开（${n}）`;
  const paragraphs = signing
    ? [
        `${year}年${month}月${day}日，国务委员、公安部部长在北京同${partner}内政部部长举行会谈。`,
        `会谈后，双方签署了《中华人民共和国公安部与${partner}内政部关于打击跨国犯罪合作的谅解备忘录》。`,
        '双方表示，将进一步加强在打击跨国犯罪、禁毒、执法能力建设等领域的务实合作。',
      ]
    : Array.from(
        { length: 8 },
        (_, i) =>
          `会议指出，各级公安机关要深入贯彻落实执法规范化建设要求（第${n}期第${i}段），坚持严格规范公正文明执法，不断提升执法公信力和群众满意度。`,
      );
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}_中华人民共和国公安部</title>
<meta name="PubDate" content="${date} 09:00"></head><body>
<div class="header"><ul class="nav">${NAV}</ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/list/0.html">公安要闻</a></div>
<div class="article"><h1>${title}</h1><div class="time">发布时间：${date}</div>
<div id="content">${paragraphs.map((p) => `<p>　　${p}</p>`).join('\n')}</div></div>
${FOOTER}</body></html>`;
}

function listPage(page: number, pages: number, perList: number, articles: number): string {
  const items: string[] = [];
  for (let n = page * perList; n < Math.min((page + 1) * perList, articles); n++) {
    items.push(`<li><a href="/a/${n}.html">新闻标题第${n}条</a><span>2020-01-01</span></li>`);
  }
  // The first page links every page (TRS CMS pagination); the others link their neighbours.
  const pager =
    page === 0
      ? Array.from({ length: pages - 1 }, (_, i) => `<a href="/list/${i + 1}.html">${i + 2}</a>`)
      : [page - 1, page + 1]
          .filter((p) => p >= 0 && p < pages)
          .map((p) => `<a href="/list/${p}.html">${p + 1}</a>`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>公安要闻 ${page + 1}</title></head><body>
<div class="header"><ul class="nav">${NAV}</ul></div>
<ul class="list">${items.join('\n')}</ul><div class="pager">${pager.join(' ')}</div>${FOOTER}</body></html>`;
}

export interface CrawlSite {
  readonly baseUrl: string;
  readonly pages: number;
  /** GET requests served so far. */
  served(): number;
  close(): Promise<void>;
}

export async function startCrawlSite(options: CrawlSiteOptions): Promise<CrawlSite> {
  const perList = options.perList ?? 50;
  const lists = Math.ceil(options.articles / perList);
  const bodies = new Map<string, Buffer>();
  for (let n = 0; n < options.articles; n++) bodies.set(`/a/${n}.html`, Buffer.from(article(n)));
  for (let p = 0; p < lists; p++) {
    bodies.set(`/list/${p}.html`, Buffer.from(listPage(p, lists, perList, options.articles)));
  }
  let served = 0;
  const server: Server = createServer((req, res) => {
    served++;
    const body = bodies.get(req.url ?? '');
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.byteLength),
    });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${options.host ?? '127.0.0.1'}:${port}`,
    pages: bodies.size,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
