import type { App } from '../../../pipeline/app.js';
import { type CrawlOptions, type CrawlReport, runCrawl } from '../../../pipeline/crawl.js';
import { defineSources } from '../../../pipeline/sources.js';
import type { SourceDefinitionInput } from '../../../schemas/source.js';
import type { FixtureServer, StaticRoute } from '../../helpers/fixture-server.js';
import type { tempApp } from '../../helpers/temp.js';

export type TempApp = Awaited<ReturnType<typeof tempApp>>;

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An HTML page with a title, a paragraph and links. */
export function page(title: string, links: readonly string[] = [], text = title): StaticRoute {
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p><ul>${links
    .map((l) => `<li><a href="${l}">${l}</a></li>`)
    .join('')}</ul></body></html>`;
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** A source over a fixture server: list pages under /news/ (and what `lists` adds), articles /a/. */
export function fixtureSource(
  server: { readonly baseUrl: string; readonly host: string },
  overrides: Partial<SourceDefinitionInput> = {},
): SourceDefinitionInput {
  const origin = escapeRegExp(server.baseUrl);
  return {
    id: 'fixture',
    kind: 'news',
    language: 'en',
    start_urls: [`${server.baseUrl}/news/index.html`],
    allowed_hosts: [server.host],
    list_patterns: [`^${origin}/news/index(_\\d+)?\\.html$`],
    article_patterns: [`^${origin}/a/[^/]+\\.html$`],
    politeness: { concurrency: 4, delay_ms: 0 },
    limits: { max_pages: 500, max_depth: 10 },
    allow_private_hosts: true,
    ...overrides,
  };
}

export function crawlFixture(
  app: App,
  sources: readonly SourceDefinitionInput[],
  extra: Partial<CrawlOptions> = {},
): Promise<CrawlReport> {
  return runCrawl(app, { sources: defineSources(sources), retryBaseMs: 10, ...extra });
}

/** Paths a fixture server was asked for with GET, in order (query included). */
export const gets = (server: FixtureServer) =>
  server.requests.filter((r) => r.method === 'GET').map((r) => r.url);
