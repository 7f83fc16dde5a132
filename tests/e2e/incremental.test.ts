import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSites, findSitesDir, startDemoSites } from '../../demo/server.js';
import { type CrawlOptions, type CrawlReport, runCrawl } from '../../pipeline/crawl.js';
import { loadExportRecords } from '../../pipeline/records.js';
import { defineSources } from '../../pipeline/sources.js';
import type { SourceDefinition } from '../../schemas/source.js';
import { sourcesOf } from '../../storage/agreements.js';
import { runCli } from '../helpers/cli.js';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { type Relay, startRelay } from '../helpers/relay.js';
import { tempApp } from '../helpers/temp.js';

/**
 * Re-crawls of the demo sites: unchanged, with one article edited, with one article deleted.
 * The sites sit behind relays with fixed addresses, so they can be restarted over an edited
 * copy of their files (the demo server reads each file once per start) while the URLs stay.
 */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CHANGED = '/chn/sbdt/201706/t20170626_3687201.htm';
const DELETED = '/chn/sbdt/202009/t20200915_4563127.htm';
const ADDED_SENTENCE = '双方还同意加强禁毒情报交流。';
const ARCHIVED_AT = '20200916010203';

describe('incremental re-crawls', () => {
  let dir: string;
  let sitesDir: string;
  let sites: DemoSites;
  const relays = new Map<string, Relay>();
  let sources: SourceDefinition[];
  let app: Awaited<ReturnType<typeof tempApp>>;
  let cdx: FixtureServer;
  let first: CrawlReport;

  const relayUrl = (site: string, p: string) => `${relays.get(site)?.baseUrl}${p}`;
  const crawl = (extra: Partial<CrawlOptions> = {}) =>
    runCrawl(app, { sources, retryBaseMs: 20, ...extra });
  const count = async (table: 'candidates' | 'documents' | 'agreements') =>
    Number(
      (
        await app.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function restartSites(): Promise<void> {
    await sites.close();
    sites = await startDemoSites({ sitesDir });
    for (const s of sites.sites) relays.get(s.id)?.point(s.baseUrl);
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-incremental-'));
    sitesDir = path.join(dir, 'sites');
    fs.cpSync(findSitesDir(), sitesDir, { recursive: true, preserveTimestamps: true });
    sites = await startDemoSites({ sitesDir });
    let i = 41;
    for (const s of sites.sites) relays.set(s.id, await startRelay(`127.0.0.${i++}`, s.baseUrl));
    sources = defineSources(
      sites.sources.map((src) => {
        const site = sites.sites.find((s) => s.sourceId === src.id);
        const relay = site === undefined ? undefined : relays.get(site.id);
        if (site === undefined || relay === undefined) throw new Error(`no relay for ${src.id}`);
        const swap = (p: string) =>
          p.split(escapeRegExp(site.baseUrl)).join(escapeRegExp(relay.baseUrl));
        return {
          ...src,
          start_urls: src.start_urls.map((u) => u.replace(site.baseUrl, relay.baseUrl)),
          allowed_hosts: [new URL(relay.baseUrl).hostname],
          list_patterns: (src.list_patterns ?? []).map(swap),
          article_patterns: src.article_patterns.map(swap),
          ...(src.pagination_pattern === undefined
            ? {}
            : { pagination_pattern: swap(src.pagination_pattern) }),
        };
      }),
    );
    cdx = await startFixtureServer({
      '/cdx/search/cdx': (req, res) => {
        const asked = new URL(req.url ?? '/', 'http://cdx.invalid').searchParams.get('url');
        const rows =
          asked === relayUrl('embassy', DELETED)
            ? [
                ['timestamp', 'original', 'statuscode'],
                ['20190101000000', asked, '200'],
                [ARCHIVED_AT, asked, '200'],
              ]
            : [];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(rows));
      },
    });
    app = await tempApp();
    first = await crawl();
  }, 120_000);

  afterAll(async () => {
    await sites?.close();
    for (const r of relays.values()) await r.close();
    await cdx?.close();
    await app?.cleanup();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-crawls an unchanged site with 304s and creates nothing new', async () => {
    expect(first.agreementsCreated).toBeGreaterThan(5);
    const candidates = await count('candidates');
    const documents = await count('documents');
    const second = await crawl();
    expect(second.resumed).toBe(false);
    expect(second.agreementsCreated).toBe(0);
    expect(await count('candidates')).toBe(candidates);
    expect(await count('documents')).toBe(documents);

    const articles = await app.db
      .selectFrom('jobs')
      .select(['url', 'http_status'])
      .where('crawl_id', '=', second.crawlId)
      .where('stage', '=', 'fetch')
      .where('page_type', '=', 'article')
      .where('state', '=', 'done')
      .execute();
    const firstArticles = await app.db
      .selectFrom('jobs')
      .select('url')
      .where('crawl_id', '=', first.crawlId)
      .where('stage', '=', 'fetch')
      .where('page_type', '=', 'article')
      .where('state', '=', 'done')
      .execute();
    // Links still come from the list pages (read from their stored bodies on 304).
    expect(articles.length).toBe(firstArticles.length);
    const newSnapshots = new Set(
      (
        await app.db
          .selectFrom('snapshots')
          .select('url')
          .where('crawl_id', '=', second.crawlId)
          .execute()
      ).map((s) => s.url),
    );
    const unchanged = articles.filter(
      (a) => a.http_status === 304 || !newSnapshots.has(a.url ?? ''),
    );
    expect(unchanged.length / articles.length).toBeGreaterThanOrEqual(0.9);
    expect(articles.filter((a) => a.http_status === 304).length).toBeGreaterThan(0);
    const extracts = await app.db
      .selectFrom('jobs')
      .select('id')
      .where('crawl_id', '=', second.crawlId)
      .where('stage', '=', 'extract')
      .execute();
    expect(extracts).toEqual([]);
  }, 60_000);

  it('gives a changed page a new version and tells the reviewer what changed', async () => {
    const url = relayUrl('embassy', CHANGED);
    const supportedBefore = await app.db
      .selectFrom('agreement_sources')
      .select(['agreement_id', 'snapshot_sha256'])
      .where('url', '=', url)
      .execute();
    expect(supportedBefore.length).toBeGreaterThan(0);
    const oldSha = supportedBefore[0]?.snapshot_sha256;

    const file = path.join(sitesDir, 'embassy', CHANGED);
    const html = fs.readFileSync(file, 'utf8');
    const edited = html.replace('</div></div>', `<p>　　${ADDED_SENTENCE}</p>\n</div></div>`);
    expect(edited).not.toBe(html);
    fs.writeFileSync(file, edited);
    await restartSites();

    const third = await crawl();
    expect(third.agreementsCreated).toBe(0);
    const page = await app.db
      .selectFrom('pages')
      .selectAll()
      .where('url', '=', url)
      .executeTakeFirstOrThrow();
    expect(page.versions).toBe(2);
    const snapshot = await app.db
      .selectFrom('snapshots')
      .select(['id', 'body_sha256'])
      .where('crawl_id', '=', third.crawlId)
      .where('url', '=', url)
      .executeTakeFirstOrThrow();
    expect(page.body_sha256).toBe(snapshot.body_sha256);
    expect(snapshot.body_sha256).not.toBe(oldSha);

    const items = await app.db
      .selectFrom('review_items')
      .select(['agreement_id', 'details', 'status'])
      .where('kind', '=', 'source_changed')
      .execute();
    expect(items.map((i) => i.agreement_id).sort()).toEqual(
      supportedBefore.map((s) => s.agreement_id).sort(),
    );
    const details = JSON.parse(items[0]?.details ?? '{}') as Record<string, unknown>;
    expect(details['url']).toBe(url);
    expect(details['old_snapshot_sha256']).toBe(oldSha);
    expect(details['new_snapshot_sha256']).toBe(snapshot.body_sha256);
    expect(details['diff']).toContain(`+ ${ADDED_SENTENCE}`);
    expect(items[0]?.status).toBe('open');
    // Only the changed page was re-extracted; it went through no extract job of its own.
    const candidates = await app.db
      .selectFrom('candidates')
      .select(['agreement_id'])
      .where('snapshot_id', '=', snapshot.id)
      .execute();
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.every((c) => c.agreement_id !== null)).toBe(true);
  }, 60_000);

  it('records a deleted page as vanished; its agreement keeps its source and gains an archived copy', async () => {
    const url = relayUrl('embassy', DELETED);
    const before = await app.db
      .selectFrom('agreement_sources')
      .select(['agreement_id', 'snapshot_sha256'])
      .where('url', '=', url)
      .execute();
    expect(before.length).toBeGreaterThan(0);
    fs.rmSync(path.join(sitesDir, 'embassy', DELETED));
    await restartSites();

    const fourth = await crawl({ wayback: { cdxUrl: `${cdx.baseUrl}/cdx/search/cdx` } });
    const page = await app.db
      .selectFrom('pages')
      .selectAll()
      .where('url', '=', url)
      .executeTakeFirstOrThrow();
    expect(page.last_status).toBe(404);
    expect(page.vanished_at).not.toBeNull();
    const failed = fourth.sources.find((s) => s.sourceId === 'demo-embassy');
    expect(failed?.failures.some((f) => f.reason.includes('404'))).toBe(true);

    const agreementId = before[0]?.agreement_id ?? '';
    const cited = ((await sourcesOf(app.db, [agreementId])).get(agreementId) ?? []).filter(
      (s) => s.url === url,
    );
    expect(cited).toHaveLength(1);
    expect(cited[0]?.snapshot_sha256).toBe(before[0]?.snapshot_sha256);
    expect(cited[0]?.archive_url).toBe(`https://web.archive.org/web/${ARCHIVED_AT}/${url}`);
    // The snapshot the source cites is still on disk.
    expect((await app.store.get(cited[0]?.snapshot_sha256 ?? '')).byteLength).toBeGreaterThan(0);
    const exported = (await loadExportRecords(app.db, 'any')).find((r) => r.id === agreementId);
    expect(exported?.sources.map((s) => s.url)).toContain(url);
    // Only the vanished page was looked up in the archive.
    expect(cdx.requests.map((r) => new URL(r.url, cdx.baseUrl).searchParams.get('url'))).toEqual([
      url,
    ]);
  }, 60_000);

  it('crawl --full (the CLI) fetches every page whole and codes it again, adding no agreement', async () => {
    const file = path.join(dir, 'sources.json');
    fs.writeFileSync(file, JSON.stringify({ sources }));
    const agreements = await count('agreements');
    const result = await runCli(['crawl', '--sources', file, '--full'], {
      env: { PACTWATCH_DATA_DIR: app.dir },
    });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const crawl = await app.db
      .selectFrom('crawls')
      .select(['id', 'options'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // Saved with the crawl, so distributed workers fetch the same way.
    expect(JSON.parse(crawl.options)).toMatchObject({ incremental: false, wayback: false });
    const fetches = await app.db
      .selectFrom('jobs')
      .select(['page_type', 'http_status'])
      .where('crawl_id', '=', crawl.id)
      .where('stage', '=', 'fetch')
      .where('state', '=', 'done')
      .execute();
    expect(fetches.length).toBeGreaterThan(10);
    expect(fetches.filter((f) => f.http_status === 304)).toEqual([]);
    const extracts = await app.db
      .selectFrom('jobs')
      .select('id')
      .where('crawl_id', '=', crawl.id)
      .where('stage', '=', 'extract')
      .execute();
    expect(extracts.length).toBe(fetches.filter((f) => f.page_type === 'article').length);
    expect(await count('agreements')).toBe(agreements);
  }, 90_000);
});
