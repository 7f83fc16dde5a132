import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { FatalError } from '../core/errors.js';
import { findUp } from '../core/find-up.js';
import type { SourceDefinitionInput } from '../schemas/source.js';

/**
 * The bundled sample sites that `pactwatch demo` and the end-to-end test crawl: an MPS-like news
 * section, a Chinese embassy's news column and an English wire service, served from static files
 * in `demo/sites/` on loopback. What is special about a site (its address, layout patterns, pages
 * served as GBK or with an error status) is data in `demo/sites/manifest.json`; the truth a crawl
 * must reproduce is `demo/expected.json`.
 */

export interface DemoSite {
  /** Site id, the prefix of page references in expected.json (`mps`, `embassy`, `news`). */
  readonly id: string;
  readonly kind: string;
  /** `http://host:port`, no trailing slash. */
  readonly baseUrl: string;
  /** Id of this site's entry in `sources`. */
  readonly sourceId: string;
}

export interface DemoRequest {
  /** Site id. */
  readonly site: string;
  readonly method: string;
  /** The request target as received: path plus any query string (fragments never arrive). */
  readonly path: string;
  /** Arrival time, from `options.now`. */
  readonly at: number;
}

export interface DemoSites {
  readonly sites: DemoSite[];
  /** One source definition per site, pointing at the port it actually got. */
  readonly sources: SourceDefinitionInput[];
  /** Every request every site received, in arrival order; grows while the sites run. */
  readonly requests: DemoRequest[];
  /** Stops all sites and cuts open connections. Safe to call twice. */
  close(): Promise<void>;
}

export interface DemoSitesOptions {
  /**
   * Serve every site on this one address (each on its own port) instead of the manifest's
   * per-site loopback addresses (127.0.0.11, .12, .13).
   */
  readonly host?: string;
  /** Folder holding `manifest.json` and one folder per site. @default found from this module */
  readonly sitesDir?: string;
  /** Clock for request timestamps, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

const FileRule = z
  .object({
    /** Serve the UTF-8 file converted to GBK, with no charset in the Content-Type header. */
    gbk: z.boolean().optional(),
    /** Answer with this status instead of the file... */
    status: z.number().int().min(400).max(599).optional(),
    /** ...for only the first `times` requests, then serve the file (a transient failure). */
    times: z.number().int().positive().optional(),
  })
  .strict()
  .refine((r) => r.times === undefined || r.status !== undefined, '`times` needs a `status`');

const SiteSource = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    start_paths: z.array(z.string().startsWith('/')).min(1),
    /** Regular expressions; `{origin}` stands for the site's escaped `http://host:port`. */
    list_patterns: z.array(z.string()),
    article_patterns: z.array(z.string()).min(1),
    pagination_pattern: z.string().optional(),
    content_selector: z.string().optional(),
  })
  .strict();

const SiteManifest = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    kind: z.enum(['mps', 'embassy', 'news']),
    language: z.enum(['zh', 'en']),
    name: z.string(),
    address: z.string().min(1),
    source: SiteSource,
    files: z.record(z.string().startsWith('/'), FileRule),
  })
  .strict();

const Manifest = z.object({ sites: z.array(SiteManifest).min(1) }).strict();
type SiteManifest = z.infer<typeof SiteManifest>;

interface Page {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Whole seconds: HTTP dates carry no milliseconds, and If-Modified-Since compares them. */
  readonly lastModifiedMs: number;
}

/** Per-run state shared by the sites' request handlers. */
interface RunState {
  readonly requests: DemoRequest[];
  readonly now: () => number;
  /** Requests so far per `site:path` that has a status rule. */
  readonly hits: Map<string, number>;
  readonly pages: Map<string, Promise<Page | null>>;
}

/**
 * The sites folder. Resolved from this module, because the compiled copy runs from
 * `dist/demo/server.js` while the files stay in `demo/sites/`: walk up until one is found.
 */
export function findSitesDir(): string {
  const beside = fileURLToPath(new URL('./sites/', import.meta.url));
  if (existsSync(join(beside, 'manifest.json'))) return beside;
  const found = findUp(
    dirname(fileURLToPath(import.meta.url)),
    join('demo', 'sites', 'manifest.json'),
  );
  if (found === undefined) {
    throw new FatalError('CONFIG', `Cannot find demo/sites/manifest.json above ${beside}`);
  }
  return dirname(found);
}

async function loadManifest(sitesDir: string): Promise<SiteManifest[]> {
  const file = join(sitesDir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new FatalError('CONFIG', `Cannot read the demo site manifest ${file}`, { cause });
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new FatalError(
      'CONFIG',
      `Invalid demo site manifest ${file} at ${where}: ${issue?.message}`,
    );
  }
  return parsed.data.sites;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sourceFor(site: SiteManifest, baseUrl: string): SourceDefinitionInput {
  const origin = escapeRegExp(baseUrl);
  const fill = (pattern: string) => pattern.replaceAll('{origin}', origin);
  const src = site.source;
  return {
    id: src.id,
    kind: site.kind,
    language: site.language,
    name: site.name,
    start_urls: src.start_paths.map((p) => `${baseUrl}${p}`),
    allowed_hosts: [new URL(baseUrl).hostname],
    list_patterns: src.list_patterns.map(fill),
    article_patterns: src.article_patterns.map(fill),
    ...(src.pagination_pattern === undefined
      ? {}
      : { pagination_pattern: fill(src.pagination_pattern) }),
    ...(src.content_selector === undefined ? {} : { content_selector: src.content_selector }),
    render: 'static',
    // No delay: the sites are local and the demo should finish in seconds.
    politeness: { concurrency: 2, delay_ms: 0 },
    limits: { max_pages: 200, max_depth: 5 },
    allow_private_hosts: true,
    respect_robots: true,
  };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file inside the site's folder, or null when it would leave it. */
function fileFor(siteRoot: string, pathname: string): string | null {
  const file = resolve(siteRoot, `.${pathname}`);
  return file.startsWith(siteRoot + sep) ? file : null;
}

async function readPage(siteRoot: string, pathname: string, gbk: boolean): Promise<Page | null> {
  // Directory URLs get the folder's index, as the TRS CMS and static hosts do.
  const names = pathname.endsWith('/')
    ? [`${pathname}index.html`, `${pathname}index.htm`]
    : [pathname];
  for (const name of names) {
    const file = fileFor(siteRoot, name);
    if (file === null) return null;
    let text: Buffer;
    let mtimeMs: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) continue;
      mtimeMs = info.mtimeMs;
      text = await readFile(file);
    } catch {
      continue;
    }
    const ext = extname(file).toLowerCase();
    // GBK pages declare their charset only in a <meta> tag, as older government sites do.
    const body = gbk ? iconv.encode(text.toString('utf8'), 'gbk') : text;
    const contentType = gbk ? 'text/html' : (CONTENT_TYPES[ext] ?? 'application/octet-stream');
    return {
      body,
      contentType,
      etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`,
      lastModifiedMs: Math.floor(mtimeMs / 1000) * 1000,
    };
  }
  return null;
}

function sendStatus(res: ServerResponse, status: number, method: string): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = Buffer.from(
    `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1></body></html>\n`,
  );
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(body.byteLength),
    ...(status === 405 ? { allow: 'GET, HEAD' } : {}),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** RFC 9110 §13.1: If-None-Match wins over If-Modified-Since; ETags compare weakly for GET. */
function notModified(req: IncomingMessage, page: Page): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    return inm.split(',').some((tag) => strip(tag) === strip(page.etag));
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    return !Number.isNaN(since) && page.lastModifiedMs <= since;
  }
  return false;
}

async function handle(
  site: SiteManifest,
  siteRoot: string,
  state: RunState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  state.requests.push({ site: site.id, method, path: target, at: state.now() });
  if (method !== 'GET' && method !== 'HEAD') return sendStatus(res, 405, method);

  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(target, 'http://demo.invalid').pathname);
  } catch {
    return sendStatus(res, 400, method);
  }

  const rule = site.files[pathname];
  if (rule?.status !== undefined) {
    const key = `${site.id}:${pathname}`;
    const hits = (state.hits.get(key) ?? 0) + 1;
    state.hits.set(key, hits);
    if (rule.times === undefined || hits <= rule.times) return sendStatus(res, rule.status, method);
  }

  // One read per page and run; the query string never changes what a static page holds.
  const cacheKey = `${site.id}:${pathname}`;
  let pending = state.pages.get(cacheKey);
  if (pending === undefined) {
    pending = readPage(siteRoot, pathname, rule?.gbk === true);
    state.pages.set(cacheKey, pending);
  }
  const page = await pending;
  if (page === null) return sendStatus(res, 404, method);

  const validators = {
    etag: page.etag,
    'last-modified': new Date(page.lastModifiedMs).toUTCString(),
  };
  if (notModified(req, page)) {
    res.writeHead(304, validators);
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': page.contentType,
    'content-length': String(page.body.byteLength),
    ...validators,
  });
  res.end(method === 'HEAD' ? undefined : page.body);
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

function listen(server: Server, host: string): Promise<AddressInfo> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port: 0 }, () => {
      server.off('error', onError);
      resolvePort(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });
}

/**
 * Starts the three sample sites, each on its own loopback address and an OS-chosen port, and
 * returns their base URLs, matching source definitions, a live request log and `close()`.
 */
export async function startDemoSites(options: DemoSitesOptions = {}): Promise<DemoSites> {
  if (options.host !== undefined && options.host.trim() === '') {
    throw new TypeError(`Expected \`host\` to be a non-empty address, got \`${options.host}\``);
  }
  const sitesDir = options.sitesDir ?? findSitesDir();
  const manifest = await loadManifest(sitesDir);
  const state: RunState = {
    requests: [],
    now: options.now ?? Date.now,
    hits: new Map(),
    pages: new Map(),
  };

  const servers: Server[] = [];
  const sites: DemoSite[] = [];
  const sources: SourceDefinitionInput[] = [];
  try {
    for (const site of manifest) {
      const siteRoot = resolve(sitesDir, site.id);
      const server = createServer((req, res) => {
        handle(site, siteRoot, state, req, res).catch(() => {
          if (res.headersSent) res.destroy();
          else sendStatus(res, 500, req.method ?? 'GET');
        });
      });
      servers.push(server);
      let host = options.host ?? site.address;
      let address: AddressInfo;
      try {
        address = await listen(server, host);
      } catch (err) {
        // macOS and some containers only configure 127.0.0.1; the sites still differ by port.
        if (options.host !== undefined || !hasCode(err, 'EADDRNOTAVAIL')) throw err;
        host = '127.0.0.1';
        address = await listen(server, host);
      }
      const hostPart = host.includes(':') ? `[${host}]` : host;
      const baseUrl = `http://${hostPart}:${address.port}`;
      sites.push({ id: site.id, kind: site.kind, baseUrl, sourceId: site.source.id });
      sources.push(sourceFor(site, baseUrl));
    }
  } catch (err) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    sites,
    sources,
    requests: state.requests,
    close() {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
