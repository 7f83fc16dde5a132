import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSites, startDemoSites } from '../../../demo/server.js';
import { runCrawl } from '../../../pipeline/crawl.js';
import { loadExportRecords } from '../../../pipeline/records.js';
import { defineSources } from '../../../pipeline/sources.js';
import type { Agreement } from '../../../schemas/agreement.js';
import { tempApp } from '../../helpers/temp.js';

/**
 * Stable ids across crawls: crawling the demo sites a second time (a new crawl, every page
 * fetched and extracted again, not skipped as unchanged) attaches each report to the record it
 * fed the first time.
 */
describe('re-crawling the demo sites', () => {
  let sites: DemoSites;
  let app: Awaited<ReturnType<typeof tempApp>>;
  let first: Agreement[];
  let second: Agreement[];
  let secondCrawl: Awaited<ReturnType<typeof runCrawl>>;

  beforeAll(async () => {
    sites = await startDemoSites();
    app = await tempApp();
    const sources = defineSources(sites.sources);
    await runCrawl(app, { sources, retryBaseMs: 20 });
    first = await loadExportRecords(app.db, 'any');
    // Not incremental: every page is fetched, parsed and extracted again, even unchanged ones.
    secondCrawl = await runCrawl(app, { sources, retryBaseMs: 20, incremental: false });
    second = await loadExportRecords(app.db, 'any');
  }, 120_000);

  afterAll(async () => {
    await sites?.close();
    await app?.cleanup();
  });

  const byId = (records: readonly Agreement[]) =>
    Object.fromEntries(records.map((r) => [r.id, r.sources.map((s) => s.url).sort()]));

  it('keeps every id with exactly the same pages and creates nothing new', () => {
    expect(secondCrawl.resumed).toBe(false);
    expect(secondCrawl.agreementsCreated).toBe(0);
    expect(first.length).toBeGreaterThan(5);
    expect(byId(second)).toEqual(byId(first));
  });

  it('links the second crawl’s reports to the first crawl’s records', async () => {
    const rows = await app.db
      .selectFrom('candidates')
      .innerJoin('snapshots', 'snapshots.id', 'candidates.snapshot_id')
      .select([
        'snapshots.crawl_id',
        'candidates.url',
        'candidates.ordinal',
        'candidates.agreement_id',
      ])
      .execute();
    const firstLinks = new Map(
      rows.filter((r) => r.crawl_id === 1).map((r) => [`${r.url}#${r.ordinal}`, r.agreement_id]),
    );
    const secondLinks = rows.filter((r) => r.crawl_id === secondCrawl.crawlId);
    expect(secondLinks.length).toBe(firstLinks.size);
    for (const r of secondLinks)
      expect(r.agreement_id).toBe(firstLinks.get(`${r.url}#${r.ordinal}`));
  });
});
