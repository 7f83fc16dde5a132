import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe } from 'vitest';
import type { RendererOptions } from '../../crawlers/renderer.js';
import { type CrawlReport, runCrawl } from '../../pipeline/crawl.js';
import { defineSources, loadBundledSources } from '../../pipeline/sources.js';
import type { SourceDefinition } from '../../schemas/source.js';
import { tempApp } from './temp.js';

/**
 * Serves one fixture site of `tests/fixtures/sites/<name>/` on its own 127.x.y.z address, as
 * the real site's layout would: directory URLs answer with their index file, query strings are
 * ignored for files (`content.jsp?id=1` serves `content.jsp`), and `_site.json` says what is
 * special about the site: pages served as GBK with the charset only in a `<meta>`, or a script
 * challenge in front of every page.
 *
 * Text files may write `{{origin}}` (this site's `http://host:port`) or `{{origin:NAME}}`
 * (another site started in the same `startSites` call), so absolute links and sitemaps point at
 * the ports the sites actually got.
 */

export const SITES_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'sites',
);

export interface SiteRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly at: number;
}

export interface FixtureSite {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, no trailing slash. */
  readonly origin: string;
  readonly requests: SiteRequest[];
  close(): Promise<void>;
}

interface ChallengeConfig {
  /** Status of the challenge answer (412 and 403 are common; some send 200). */
  readonly status: number;
  readonly cookie: string;
  /** The value the script computes; requests carrying `cookie=value` get the real page. */
  readonly value: string;
}

interface SiteConfig {
  /** Paths served as GBK, the charset named only in the page's own `<meta>`. */
  readonly gbk?: readonly string[];
  readonly challenge?: ChallengeConfig;
  /** Index file names tried for a directory URL, in order. */
  readonly index?: readonly string[];
}

const TYPES: Record<string, string> = {
  '.htm': 'text/html',
  '.html': 'text/html',
  '.shtml': 'text/html',
  '.jsp': 'text/html',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.js': 'application/javascript',
  '.css': 'text/css',
  '.txt': 'text/plain',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.mp4': 'video/mp4',
};

function readConfig(dir: string): SiteConfig {
  const file = path.join(dir, '_site.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SiteConfig) : {};
}

/** The challenge page: a script that computes the token, sets the cookie and reloads. */
function challengePage(c: ChallengeConfig): string {
  const codes = [...c.value].map((ch) => ch.charCodeAt(0)).join(',');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>
var t=[${codes}].map(function(n){return String.fromCharCode(n)}).join('');
document.cookie='${c.cookie}='+t+'; path=/';
location.reload();
</script></body></html>`;
}

function hasCookie(req: IncomingMessage, c: ChallengeConfig): boolean {
  const header = req.headers.cookie ?? '';
  return header.split(/;\s*/).includes(`${c.cookie}=${c.value}`);
}

function resolveFile(root: string, urlPath: string, index: readonly string[]): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = path.resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (existsSync(file) && statSync(file).isFile()) return file;
  if (existsSync(file) && statSync(file).isDirectory()) {
    for (const name of index) {
      const candidate = path.join(file, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export interface StartSiteOptions {
  /** 127.x.y.z address to listen on. */
  readonly host: string;
  /** Origins of sibling sites by name, for `{{origin:NAME}}`; filled in as they start. */
  readonly origins?: Map<string, string>;
}

/** Starts the fixture site `tests/fixtures/sites/<name>` on `host`, port 0. */
export async function startSite(name: string, options: StartSiteOptions): Promise<FixtureSite> {
  const root = path.join(SITES_DIR, name);
  if (!existsSync(root)) throw new Error(`No fixture site ${root}`);
  const config = readConfig(root);
  const gbk = new Set(config.gbk ?? []);
  const index = config.index ?? ['index.html', 'index.htm', 'index.shtml'];
  const origins = options.origins ?? new Map<string, string>();
  const requests: SiteRequest[] = [];
  let origin = '';

  const send = (res: ServerResponse, status: number, type: string, body: Buffer) => {
    res.writeHead(status, { 'content-type': type, 'content-length': String(body.byteLength) });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    requests.push({
      method: req.method ?? 'GET',
      path: target,
      headers: { ...req.headers },
      at: Date.now(),
    });
    const urlPath = target.replace(/[?#].*$/, '');
    const challenge = config.challenge;
    if (challenge !== undefined && urlPath !== '/robots.txt' && !hasCookie(req, challenge)) {
      send(
        res,
        challenge.status,
        'text/html; charset=utf-8',
        Buffer.from(challengePage(challenge)),
      );
      return;
    }
    const file = resolveFile(root, urlPath, index);
    if (file === null || path.basename(file) === '_site.json') {
      send(res, 404, 'text/html; charset=utf-8', Buffer.from('<h1>404 Not Found</h1>'));
      return;
    }
    const ext = path.extname(file).toLowerCase();
    const type = TYPES[ext] ?? 'application/octet-stream';
    let body = readFileSync(file);
    if (type.startsWith('text/') || type.endsWith('xml') || type.endsWith('json')) {
      const text = body
        .toString('utf8')
        .replace(/\{\{origin(?::([\w-]+))?\}\}/g, (_, other: string | undefined) =>
          other === undefined ? origin : (origins.get(other) ?? `http://missing-${other}.invalid`),
        );
      if (gbk.has(urlPath)) {
        send(res, 200, type, iconv.encode(text, 'gbk'));
        return;
      }
      body = Buffer.from(text, 'utf8');
      send(res, 200, type.startsWith('text/') ? `${type}; charset=utf-8` : type, body);
      return;
    }
    send(res, 200, type, body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${options.host}:${port}`;
  origins.set(name.replace(/\//g, '-'), origin);
  return {
    name,
    host: options.host,
    port,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts several sites that may link to each other: `{ 'mps/www': '127.0.0.21', ... }`.
 * `{{origin:mps-app}}` in a file names the site `mps/app`.
 */
export async function startSites(
  hosts: Readonly<Record<string, string>>,
): Promise<Record<string, FixtureSite> & { closeAll(): Promise<void> }> {
  const origins = new Map<string, string>();
  const sites: Record<string, FixtureSite> = {};
  for (const [name, host] of Object.entries(hosts)) {
    sites[name] = await startSite(name, { host, origins });
  }
  const all = Object.values(sites);
  return Object.assign(sites, {
    closeAll: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  });
}

/** `http://host:port`s by real host name, for `localizeSource`. */
export type HostMap = Readonly<Record<string, string>>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A bundled source definition pointed at fixture sites: every real `https://host` in its URLs,
 * hosts and patterns becomes the fixture origin. Start URLs on hosts without a fixture are
 * dropped. Politeness is off and private addresses are allowed (the fixtures are on loopback).
 * This way the tests exercise the shipped patterns, not copies of them.
 */
export function localizeSource<T extends Record<string, unknown>>(source: T, hosts: HostMap): T {
  const rewriteUrl = (u: string): string | null => {
    const url = new URL(u);
    const origin = hosts[url.hostname];
    return origin === undefined ? null : `${origin}${url.pathname}${url.search}`;
  };
  const rewritePattern = (p: string): string => {
    let out = p;
    for (const [real, origin] of Object.entries(hosts)) {
      const fixture = escapeRegExp(origin);
      const escapedHost = escapeRegExp(real).replace(/\\\//g, '/');
      // `^https://www\.mps\.gov\.cn/`, `^https?://www\.mps...` and the host alone.
      out = out
        .split(`https?://${escapedHost}`)
        .join(fixture)
        .split(`https://${escapedHost}`)
        .join(fixture)
        .split(`http://${escapedHost}`)
        .join(fixture);
    }
    return out;
  };
  const urls = (list: unknown): string[] =>
    Array.isArray(list)
      ? list.map((u) => rewriteUrl(String(u))).filter((u): u is string => u !== null)
      : [];
  const patterns = (list: unknown): string[] =>
    Array.isArray(list) ? list.map((p) => rewritePattern(String(p))) : [];
  const out: Record<string, unknown> = {
    ...source,
    start_urls: urls(source['start_urls']),
    allowed_hosts: Object.entries(hosts)
      .filter(([real]) =>
        (source['allowed_hosts'] as string[]).some((a) => real === a || real.endsWith(`.${a}`)),
      )
      .map(([, origin]) => new URL(origin).hostname),
    list_patterns: patterns(source['list_patterns']),
    article_patterns: patterns(source['article_patterns']),
    allow_private_hosts: true,
    politeness: { concurrency: 4, delay_ms: 0 },
  };
  if (typeof source['pagination_pattern'] === 'string') {
    out['pagination_pattern'] = rewritePattern(source['pagination_pattern']);
  }
  if (Array.isArray(source['sitemaps'])) out['sitemaps'] = urls(source['sitemaps']);
  return out as T;
}

/** Debian's Chromium, which browser rendering drives. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `describe` for suites that need Chromium: in CI a missing browser fails the suite; on a
 * developer's machine the suite is skipped with a loud message naming what is missing.
 */
export function describeWithChromium(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM) || process.env['CI'] === 'true') {
    describe(name, fn);
    return;
  }
  process.stderr.write(
    `\n!!! SKIPPED "${name}": Chromium is not installed at ${CHROMIUM} (apt-get install chromium)\n\n`,
  );
  describe.skip(name, fn);
}

/**
 * Chromium processes started by this process (Playwright spawns the browser as a direct child),
 * read from /proc so a test can see that none is left behind.
 */
export function chromiumChildren(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[1]) !== process.pid || rest[0] === 'Z') continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (/chrom/i.test(cmd)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Waits a little for browser processes to go (closing is asynchronous at the OS level). */
export async function waitForNoChromium(): Promise<number[]> {
  let left = chromiumChildren();
  for (let i = 0; i < 60 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    left = chromiumChildren();
  }
  return left;
}

// ---------------------------------------------------------------------------------------------
// Crawling fixture sites with the bundled source definitions

export interface FixtureCrawl {
  readonly app: TempApp;
  readonly report: CrawlReport;
  /** Paths (path and query, no origin) of fetched pages by how the crawl took them. */
  pages(sourceId: string): Promise<{ lists: string[]; articles: string[]; failed: string[] }>;
  /** The parsed document (title, main text) of a fetched page. */
  document(url: string): Promise<{ title: string | null; text: string; published: string | null }>;
}

type TempApp = Awaited<ReturnType<typeof tempApp>>;

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/**
 * Crawls bundled sources (by id) pointed at fixture sites with `localizeSource`, in a fresh
 * temporary app. `adjust` may narrow a localized definition (e.g. keep one start URL).
 */
export async function crawlFixture(
  ids: readonly string[],
  hosts: HostMap,
  options: {
    readonly adjust?: (source: SourceDefinition) => SourceDefinition;
    readonly renderer?: RendererOptions;
  } = {},
): Promise<FixtureCrawl> {
  const bundled = loadBundledSources();
  const sources = defineSources(
    ids.map((id) => {
      const found = bundled.find((s) => s.id === id);
      if (found === undefined) throw new Error(`No bundled source ${id}`);
      const local = localizeSource(found, hosts);
      return options.adjust === undefined ? local : options.adjust(local);
    }),
  );
  const app = await tempApp();
  const report = await runCrawl(app, {
    sources,
    timeoutMs: 10_000,
    maxAttempts: 1,
    retryBaseMs: 10,
    renderer: { executablePath: CHROMIUM, settleMs: 1500, ...options.renderer },
  });
  return {
    app,
    report,
    async pages(sourceId) {
      const rows = await app.db
        .selectFrom('jobs')
        .select(['url', 'page_type', 'state'])
        .where('crawl_id', '=', report.crawlId)
        .where('source_id', '=', sourceId)
        .where('stage', '=', 'fetch')
        .execute();
      const pick = (ok: (r: (typeof rows)[number]) => boolean) =>
        rows
          .filter(ok)
          .map((r) => pathOf(r.url ?? ''))
          .sort();
      return {
        lists: pick((r) => r.state === 'done' && r.page_type !== 'article'),
        articles: pick((r) => r.state === 'done' && r.page_type === 'article'),
        failed: pick((r) => r.state === 'failed'),
      };
    },
    async document(url) {
      const row = await app.db
        .selectFrom('snapshots')
        .innerJoin('documents', 'documents.snapshot_id', 'snapshots.id')
        .select(['documents.title', 'documents.text', 'documents.published'])
        .where('snapshots.crawl_id', '=', report.crawlId)
        .where('snapshots.url', '=', url)
        .orderBy('snapshots.id', 'desc')
        .executeTakeFirst();
      if (row === undefined) throw new Error(`No document for ${url}`);
      return row;
    },
  };
}
