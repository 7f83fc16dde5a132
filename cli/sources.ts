import type { Command } from 'commander';
import { loadConfig } from '../core/config.js';
import { PipelineError, UserError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { decodeBody } from '../crawlers/charset.js';
import { Fetcher, type FetcherOptions } from '../crawlers/fetcher.js';
import { assertHostAllowed } from '../crawlers/host-guard.js';
import { parseHtml } from '../crawlers/html.js';
import { PageLoader, pageYield } from '../crawlers/page-loader.js';
import { RENDERED_HEADER } from '../crawlers/renderer.js';
import { RobotsCache } from '../crawlers/robots.js';
import { readSitemap } from '../crawlers/sitemap.js';
import { hostMatches, hostOf } from '../crawlers/url.js';
import { loadBundledSources, loadSourcesFile, selectSources } from '../pipeline/sources.js';
import type { SourceDefinition } from '../schemas/source.js';
import type { Runner } from './main.js';
import { err, out, table } from './output.js';

/**
 * `pactwatch sources list | show ID | check ID`: what the configured sources are, and whether
 * their patterns still fit the live site. `check` fetches each start page (and sitemap) the
 * way a crawl would, and reports how many links each pattern matches, with examples, and the
 * links that match nothing; when no link matches an article or list pattern the site has most
 * likely changed its layout, and the command exits 1.
 */

interface SourcesFlags {
  sources?: string;
  json?: boolean;
}

function load(flags: SourcesFlags): SourceDefinition[] {
  return flags.sources === undefined ? loadBundledSources() : loadSourcesFile(flags.sources);
}

export function sourcesListCommand(flags: SourcesFlags): number {
  const all = load(flags);
  if (flags.json === true) {
    out(JSON.stringify(all, null, 2));
    return 0;
  }
  out(
    table([
      ['id', 'kind', 'lang', 'render', 'starts', 'hosts', 'name'],
      ...all.map((s) => [
        s.id,
        s.kind,
        s.language,
        s.render,
        String(s.start_urls.length + (s.sitemaps?.length ?? 0)),
        s.allowed_hosts.length === 1 ? (s.allowed_hosts[0] ?? '') : `${s.allowed_hosts.length}`,
        s.name ?? '',
      ]),
    ]),
  );
  return 0;
}

export function sourcesShowCommand(id: string, flags: SourcesFlags): number {
  const [source] = selectSources(load(flags), [id]);
  out(JSON.stringify(source, null, 2));
  return 0;
}

/** Links of one category with a few examples. */
export interface LinkGroup {
  readonly count: number;
  readonly examples: readonly string[];
}

export interface StartPageCheck {
  readonly url: string;
  readonly ok: boolean;
  /** Why the page could not be read (one line), when `ok` is false. */
  readonly error?: string;
  readonly status?: number;
  readonly finalUrl?: string;
  readonly rendered?: boolean;
  readonly sitemap?: boolean;
  /** Letters of main text, for spotting a page whose content a script fills in. */
  readonly textLetters?: number;
  readonly articles: LinkGroup;
  readonly lists: LinkGroup;
  readonly pagination: LinkGroup;
  /** Links on allowed hosts that match no pattern. */
  readonly unmatched: LinkGroup;
  /** Links that match a pattern but lie off the allowed hosts (never followed). */
  readonly offHost: LinkGroup;
}

export interface SourceCheck {
  readonly sourceId: string;
  readonly pages: readonly StartPageCheck[];
  /** True when at least one link matched an article or list pattern. */
  readonly matched: boolean;
}

const EXAMPLES = 5;

class Group {
  count = 0;
  readonly examples: string[] = [];
  add(url: string): void {
    this.count++;
    if (this.examples.length < EXAMPLES) this.examples.push(url);
  }
  toJSON(): LinkGroup {
    return { count: this.count, examples: this.examples };
  }
}

function emptyGroups() {
  return {
    articles: new Group(),
    lists: new Group(),
    pagination: new Group(),
    unmatched: new Group(),
    offHost: new Group(),
  };
}

/** Fetches a source's start pages and sitemaps and sorts their links by the source's patterns. */
export async function checkSource(
  source: SourceDefinition,
  options: { loader: PageLoader; robots: RobotsCache; userAgent: string },
): Promise<SourceCheck> {
  const articles = source.article_patterns.map((p) => new RegExp(p));
  const lists = source.list_patterns.map((p) => new RegExp(p));
  const pagination =
    source.pagination_pattern === undefined ? null : new RegExp(source.pagination_pattern);
  const pages: StartPageCheck[] = [];
  for (const url of [...source.start_urls, ...(source.sitemaps ?? [])]) {
    const g = emptyGroups();
    const groups = () => ({
      articles: g.articles.toJSON(),
      lists: g.lists.toJSON(),
      pagination: g.pagination.toJSON(),
      unmatched: g.unmatched.toJSON(),
      offHost: g.offHost.toJSON(),
    });
    try {
      await assertHostAllowed(url, {
        allowedHosts: source.allowed_hosts,
        allowPrivate: source.allow_private_hosts,
      });
      if (source.respect_robots) await options.robots.assertAllowed(url, options.userAgent);
      const result = await options.loader.load(url, { source, pageType: 'start' });
      const sitemap = readSitemap(result.body, result.contentType, result.finalUrl);
      let links: string[];
      let textLetters: number | undefined;
      if (sitemap !== null) {
        links = sitemap.entries.map((e) => e.url);
      } else {
        const html = decodeBody(result.body, result.contentType, source.charset).text;
        const doc = parseHtml(html, result.finalUrl, {
          ...(source.link_selector === undefined ? {} : { linkSelector: source.link_selector }),
        });
        links = doc.links.map((l) => l.url);
        textLetters = pageYield(html, result.finalUrl).letters;
      }
      for (const link of links) {
        let host: string;
        try {
          host = hostOf(link);
        } catch {
          continue;
        }
        const onHost = hostMatches(host, source.allowed_hosts);
        const isArticle = articles.some((r) => r.test(link));
        const isPage = pagination?.test(link) === true;
        const isList = !isPage && lists.some((r) => r.test(link));
        const isChildSitemap = sitemap?.kind === 'sitemapindex';
        if (!onHost) {
          if (isArticle || isList || isPage) g.offHost.add(link);
          continue;
        }
        if (isArticle) g.articles.add(link);
        else if (isPage) g.pagination.add(link);
        else if (isList || isChildSitemap) g.lists.add(link);
        else g.unmatched.add(link);
      }
      pages.push({
        url,
        ok: true,
        status: result.status,
        finalUrl: result.finalUrl,
        rendered: result.headers[RENDERED_HEADER] !== undefined,
        sitemap: sitemap !== null,
        ...(textLetters === undefined ? {} : { textLetters }),
        ...groups(),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      pages.push({
        url,
        ok: false,
        error: error instanceof PipelineError ? `${error.code}: ${message}` : message,
        ...groups(),
      });
    }
  }
  const matched = pages.some((p) => p.articles.count + p.lists.count + p.pagination.count > 0);
  return { sourceId: source.id, pages, matched };
}

function printGroup(label: string, group: LinkGroup): void {
  out(`  ${label.padEnd(15)} ${String(group.count).padStart(5)}`);
  for (const e of group.examples) out(`      ${e}`);
}

function printCheck(source: SourceDefinition, check: SourceCheck): void {
  out(`${source.id}${source.name === undefined ? '' : ` — ${source.name}`}`);
  for (const page of check.pages) {
    out('');
    out(`${page.url}`);
    if (!page.ok) {
      out(`  failed: ${page.error}`);
      continue;
    }
    const how = page.rendered === true ? 'rendered in the browser' : 'plain request';
    const what = page.sitemap === true ? 'sitemap' : `${page.textLetters ?? 0} letters of text`;
    out(`  HTTP ${page.status}, ${how}, ${what}`);
    if (page.finalUrl !== undefined && page.finalUrl !== page.url)
      out(`  redirected to ${page.finalUrl}`);
    printGroup('article links', page.articles);
    printGroup('list links', page.lists);
    if (source.pagination_pattern !== undefined) printGroup('pagination', page.pagination);
    printGroup('match nothing', page.unmatched);
    if (page.offHost.count > 0) printGroup('off the hosts', page.offHost);
  }
}

export async function sourcesCheckCommand(id: string, flags: SourcesFlags): Promise<number> {
  const [source] = selectSources(load(flags), [id]);
  if (source === undefined) throw new UserError(`Unknown source \`${id}\``);
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const fetcherOptions: FetcherOptions = {
    userAgent: config.userAgent,
    logger,
    allowPrivateAddresses: source.allow_private_hosts,
    ...(config.httpProxy === undefined ? {} : { httpProxy: config.httpProxy }),
    ...(config.httpsProxy === undefined ? {} : { httpsProxy: config.httpsProxy }),
  };
  const fetcher = new Fetcher(fetcherOptions);
  const proxy = config.httpsProxy ?? config.httpProxy;
  const loader = new PageLoader({
    fetcher,
    fetcherOptions,
    logger,
    rendererOptions: {
      userAgent: config.userAgent,
      logger,
      ...(proxy === undefined ? {} : { proxy }),
    },
  });
  const robots = new RobotsCache({
    fetch: (u) => fetcher.fetch(u),
    userAgent: config.userAgent,
    logger,
  });
  let check: SourceCheck;
  try {
    check = await checkSource(source, { loader, robots, userAgent: config.userAgent });
  } finally {
    await loader.close();
    await fetcher.close();
  }
  if (flags.json === true) out(JSON.stringify(check, null, 2));
  else printCheck(source, check);
  if (!check.matched) {
    err(
      `pactwatch: no link on the start pages of ${source.id} matches its article or list patterns: the site may have changed its layout (see crawlers/sources/README.md)`,
    );
    return 1;
  }
  const failed = check.pages.filter((p) => !p.ok).length;
  if (failed > 0)
    err(`pactwatch: ${failed} of ${check.pages.length} start pages could not be read`);
  return 0;
}

export function register(program: Command, run: Runner): void {
  const sources = program
    .command('sources')
    .description('list, show and check the configured sources');
  const fileOption = ['--sources <file>', 'read source definitions from this JSON file'] as const;
  sources
    .command('list')
    .description('the configured sources, one line each')
    .option(...fileOption)
    .option('--json', 'print the definitions as JSON')
    .action((flags: SourcesFlags) => run(() => sourcesListCommand(flags)));
  sources
    .command('show <id>')
    .description('the full definition of one source, as JSON')
    .option(...fileOption)
    .action((id: string, flags: SourcesFlags) => run(() => sourcesShowCommand(id, flags)));
  sources
    .command('check <id>')
    .description(
      'fetch the start pages and report what the patterns match (exit 1 when nothing does)',
    )
    .option(...fileOption)
    .option('--json', 'print the report as JSON')
    .action((id: string, flags: SourcesFlags) => run(() => sourcesCheckCommand(id, flags)));
}
