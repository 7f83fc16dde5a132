import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceDefinitionInput } from '../schemas/source.js';

/**
 * A local multi-host news site for distributed crawls (tests and `npm run bench:distributed`):
 * each host is its own HTTP server on its own loopback address (politeness is per host name),
 * with paginated list pages linking to signing announcements. Every request is logged with its
 * start and end, so per-host concurrency and the gaps between requests are measured where
 * they matter: at the server.
 */

export interface FixtureSiteOptions {
  /** Hosts, served on 127.0.77.1, 127.0.77.2, ... @default 1 */
  readonly hosts?: number;
  /** Articles per host. @default 20 */
  readonly articles?: number;
  /** Article links per list page. @default 10 */
  readonly perList?: number;
  /** Time each answer takes (a remote server's latency). @default 0 */
  readonly latencyMs?: number;
  /** Holds a request until the returned promise settles (to kill a worker mid-request). */
  readonly hold?: (request: SiteRequest) => Promise<void> | undefined;
}

export interface SiteRequest {
  readonly host: string;
  readonly path: string;
  readonly userAgent: string;
  readonly start: number;
  /** When the answer was sent or the connection closed; null while in flight. */
  end: number | null;
}

export interface FixtureSite {
  /** One source per host, politeness left to the caller (`politeness` below overrides). */
  sources(politeness: { concurrency: number; delay_ms: number }): SourceDefinitionInput[];
  readonly requests: SiteRequest[];
  /** Article URLs of every host. */
  readonly articleUrls: string[];
  /** Most requests in flight at once on one host, per host. */
  maxConcurrency(): Map<string, number>;
  /** Shortest gap between two request starts on one host (robots.txt excluded), per host. */
  minGapMs(): Map<string, number>;
  close(): Promise<void>;
}

const PARTNERS = [
  ['越南', '公安部', '苏林'],
  ['老挝', '公安部', '宋乔'],
  ['柬埔寨', '内政部', '韶肯'],
  ['泰国', '皇家警察总署', '差猜'],
  ['缅甸', '内政部', '觉瑞'],
  ['印度尼西亚', '国家警察总署', '蒂托'],
  ['蒙古', '司法与内务部', '尼玛'],
  ['塞尔维亚', '内务部', '斯特凡诺维奇'],
  ['巴基斯坦', '内政部', '尼萨尔'],
  ['哈萨克斯坦', '内务部', '卡西莫夫'],
] as const;

const TOPICS = ['打击跨国犯罪', '禁毒', '打击电信诈骗', '反恐', '执法能力建设'];

function article(host: number, n: number): string {
  const [country, ministry, minister] = PARTNERS[(host * 7 + n) % PARTNERS.length] ?? PARTNERS[0];
  const year = 2008 + ((host * 31 + n) % 16);
  const month = 1 + ((n * 5 + host) % 12);
  const day = 1 + ((n * 11 + host * 3) % 27);
  const topic = TOPICS[(n + host) % TOPICS.length] ?? TOPICS[0];
  const title = `中国公安部与${country}${ministry}签署${topic}合作谅解备忘录`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>
<body><div class="nav"><a href="/list/1.html">新闻</a> 站点 ${host + 1}</div>
<h1>${title}</h1><div class="time">${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}</div>
<div id="content"><p>${year}年${month}月${day}日，国务委员、公安部部长在北京同${country}${ministry}部长${minister}举行会谈。会谈后，双方签署了《中华人民共和国公安部与${country}${ministry}关于${topic}合作的谅解备忘录》。</p>
<p>双方表示，将进一步加强在${topic}等领域的务实合作，共同维护两国社会稳定。</p></div>
</body></html>`;
}

function listPage(host: number, page: number, first: number, last: number, pages: number): string {
  const links: string[] = [];
  for (let n = first; n <= last; n++) links.push(`<li><a href="/a/${n}.html">第${n}条</a></li>`);
  const next = page < pages ? `<a href="/list/${page + 1}.html">下一页</a>` : '';
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻 ${page}</title></head>
<body><div class="nav">站点 ${host + 1}</div><ul>${links.join('')}</ul>${next}</body></html>`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function startFixtureSite(options: FixtureSiteOptions = {}): Promise<FixtureSite> {
  const hosts = options.hosts ?? 1;
  const articles = options.articles ?? 20;
  const perList = options.perList ?? 10;
  const latencyMs = options.latencyMs ?? 0;
  const pages = Math.max(1, Math.ceil(articles / perList));
  const requests: SiteRequest[] = [];
  const servers: Server[] = [];
  const bases: string[] = [];

  for (let h = 0; h < hosts; h++) {
    const address = `127.0.77.${h + 1}`;
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').replace(/\?.*$/, '');
      const record: SiteRequest = {
        host: address,
        path,
        userAgent: String(req.headers['user-agent'] ?? ''),
        start: Date.now(),
        end: null,
      };
      requests.push(record);
      res.on('close', () => {
        record.end ??= Date.now();
      });
      const held = options.hold?.(record);
      if (held !== undefined) await held;
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      let status = 200;
      let body: string;
      let type = 'text/html; charset=utf-8';
      const list = /^\/list\/(\d+)\.html$/.exec(path);
      const art = /^\/a\/(\d+)\.html$/.exec(path);
      if (path === '/robots.txt') {
        type = 'text/plain';
        body = 'User-agent: *\nAllow: /\n';
      } else if (list !== null && Number(list[1]) >= 1 && Number(list[1]) <= pages) {
        const page = Number(list[1]);
        body = listPage(
          h,
          page,
          (page - 1) * perList + 1,
          Math.min(page * perList, articles),
          pages,
        );
      } else if (art !== null && Number(art[1]) >= 1 && Number(art[1]) <= articles) {
        body = article(h, Number(art[1]));
      } else {
        status = 404;
        type = 'text/plain';
        body = 'not found';
      }
      const bytes = Buffer.from(body, 'utf8');
      // The answer is complete when the last byte is handed to the socket: the client may
      // start its next request right after, and that must not count as overlapping.
      record.end = Date.now();
      res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.byteLength) });
      res.end(bytes);
    };
    const server = createServer((req, res) => {
      handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
    servers.push(server);
    bases.push(`http://${address}:${(server.address() as AddressInfo).port}`);
  }

  const articleUrls = bases.flatMap((base) =>
    Array.from({ length: articles }, (_, i) => `${base}/a/${i + 1}.html`),
  );

  return {
    requests,
    articleUrls,
    sources: (politeness) =>
      bases.map((base, i) => {
        const origin = escapeRegExp(base);
        return {
          id: `fixture-${i + 1}`,
          kind: 'news',
          language: 'zh',
          start_urls: [`${base}/list/1.html`],
          allowed_hosts: [new URL(base).hostname],
          list_patterns: [`^${origin}/list/\\d+\\.html$`],
          article_patterns: [`^${origin}/a/\\d+\\.html$`],
          content_selector: '#content',
          politeness,
          limits: { max_pages: articles + pages + 10, max_depth: pages + 2 },
          allow_private_hosts: true,
          respect_robots: true,
        } satisfies SourceDefinitionInput;
      }),
    maxConcurrency() {
      const out = new Map<string, number>();
      const events = new Map<string, [number, number][]>();
      for (const r of requests) {
        const list = events.get(r.host) ?? [];
        // Ends sort before starts at the same millisecond: back-to-back is not overlap.
        list.push([r.start, 1], [r.end ?? Number.POSITIVE_INFINITY, -1]);
        events.set(r.host, list);
      }
      for (const [host, list] of events) {
        list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let now = 0;
        let max = 0;
        for (const [, d] of list) {
          now += d;
          max = Math.max(max, now);
        }
        out.set(host, max);
      }
      return out;
    },
    minGapMs() {
      const out = new Map<string, number>();
      const starts = new Map<string, number[]>();
      for (const r of requests) {
        if (r.path === '/robots.txt') continue;
        const list = starts.get(r.host) ?? [];
        list.push(r.start);
        starts.set(r.host, list);
      }
      for (const [host, list] of starts) {
        list.sort((a, b) => a - b);
        let min = Number.POSITIVE_INFINITY;
        for (let i = 1; i < list.length; i++) {
          min = Math.min(min, (list[i] ?? 0) - (list[i - 1] ?? 0));
        }
        out.set(host, min);
      }
      return out;
    },
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
