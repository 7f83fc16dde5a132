import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSites, startDemoSites } from '../../demo/server.js';
import { type CrawlReport, runCrawl } from '../../pipeline/crawl.js';
import { loadExportRecords } from '../../pipeline/records.js';
import { defineSources } from '../../pipeline/sources.js';
import type { Agreement } from '../../schemas/agreement.js';
import { ROOT } from '../helpers/cli.js';
import { tempApp } from '../helpers/temp.js';

interface ExpectedAgreement {
  key: string;
  counterpart_countries: string[];
  forum: string | null;
  scope: string;
  date_signed: string;
  doc_type: string;
  title_zh?: string | null;
  cn_signatory_title: string;
  topics: string[];
  is_renewal: boolean;
  sources: string[];
}

interface Expected {
  agreements: ExpectedAgreement[];
  negatives: string[];
  crawl: {
    never_fetched: string[];
    fetched_once: string[];
    not_found: string[];
    flaky: { page: string; failures: number }[];
  };
}

const expected = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'demo', 'expected.json'), 'utf8'),
) as Expected;

/**
 * The whole flow on the bundled sample sites: crawl three hosts (one partly GBK, one flaky,
 * with robots.txt traps), extract, dedup across sites, export. Asserts exactly which agreements
 * come out, with which fields and sources.
 */
describe('end-to-end crawl of the demo sites', () => {
  let sites: DemoSites;
  let app: Awaited<ReturnType<typeof tempApp>>;
  let report: CrawlReport;
  let records: Agreement[];
  const url = (ref: string) => {
    const [site, p] = ref.split(/:(.*)/s) as [string, string];
    const s = sites.sites.find((x) => x.id === site);
    if (s === undefined) throw new Error(`no demo site ${site}`);
    return new URL(p, s.baseUrl).href;
  };
  const requestsFor = (ref: string) => {
    const [site, p] = ref.split(/:(.*)/s) as [string, string];
    return sites.requests.filter((r) => r.site === site && r.path === p && r.method === 'GET')
      .length;
  };

  beforeAll(async () => {
    sites = await startDemoSites();
    app = await tempApp();
    report = await runCrawl(app, { sources: defineSources(sites.sources), retryBaseMs: 20 });
    records = await loadExportRecords(app.db, 'any');
  }, 120_000);

  afterAll(async () => {
    await sites?.close();
    await app?.cleanup();
  });

  it('exports one record per real signing, each with exactly its sources', () => {
    const actual = records.map((r) => r.sources.map((s) => s.url).sort());
    const wanted = expected.agreements.map((a) => a.sources.map(url).sort());
    expect(actual.sort()).toEqual(wanted.sort());
  });

  // Coding quality is a measured figure with a floor (the extractor's evaluation does the same
  // on its own corpus); every record must still be found, and the floor only goes up.
  const MIN_EXACTLY_CODED = 16;

  it('codes the agreements as the truth file says (floor: 16 of 16 exactly right)', () => {
    const mismatches: string[] = [];
    let exact = 0;
    for (const want of expected.agreements) {
      const firstSource = url(want.sources[0] ?? '');
      const got = records.find(
        (r) => r.sources.some((s) => s.url === firstSource) && r.doc_type === want.doc_type,
      );
      expect(got, want.key).toBeDefined();
      if (got === undefined) continue;
      const actual = {
        counterpart_countries: got.counterpart_countries,
        forum: got.forum,
        scope: got.scope,
        date_signed: got.date_signed,
        cn_signatory_title: got.cn_signatory.title,
        topics: [...got.topics].sort(),
        is_renewal: got.is_renewal,
        ...(want.title_zh === undefined ? {} : { title_zh: got.title_zh }),
      };
      const wanted = {
        counterpart_countries: want.counterpart_countries,
        forum: want.forum,
        scope: want.scope,
        date_signed: want.date_signed,
        cn_signatory_title: want.cn_signatory_title,
        topics: [...want.topics].sort(),
        is_renewal: want.is_renewal,
        ...(want.title_zh === undefined ? {} : { title_zh: want.title_zh }),
      };
      // Partner, date and document type identify the agreement: they must always be right.
      expect(
        { countries: actual.counterpart_countries, forum: actual.forum, date: actual.date_signed },
        want.key,
      ).toEqual({
        countries: wanted.counterpart_countries,
        forum: wanted.forum,
        date: wanted.date_signed,
      });
      if (JSON.stringify(actual) === JSON.stringify(wanted)) exact++;
      else mismatches.push(`${want.key}: got ${JSON.stringify(actual)}`);
    }
    expect(exact, mismatches.join('\n')).toBeGreaterThanOrEqual(MIN_EXACTLY_CODED);
  });

  it('makes no agreement of a page without a signing', () => {
    const negatives = new Set(expected.negatives.map(url));
    const leaked = records.flatMap((r) =>
      r.sources.filter((s) => negatives.has(s.url)).map((s) => s.url),
    );
    expect(leaked).toEqual([]);
  });

  it('obeys robots.txt, fetches each page once and retries the flaky one', () => {
    for (const ref of expected.crawl.never_fetched) expect(requestsFor(ref), ref).toBe(0);
    for (const ref of expected.crawl.fetched_once) expect(requestsFor(ref), ref).toBe(1);
    expect(sites.requests.filter((r) => r.path.includes('utm_'))).toEqual([]);
    for (const f of expected.crawl.flaky) expect(requestsFor(f.page), f.page).toBe(f.failures + 1);
  });

  it('records the vanished page with its reason and goes on', async () => {
    const failed = await app.db
      .selectFrom('jobs')
      .select(['url', 'last_error', 'http_status'])
      .where('state', '=', 'failed')
      .execute();
    expect(failed.map((f) => [f.url, f.http_status])).toEqual(
      expected.crawl.not_found.map((ref) => [url(ref), 404]),
    );
    expect(failed[0]?.last_error).toMatch(/HTTP 404/);
    expect(report.summary.failed).toBe(expected.crawl.not_found.length);
  });

  it('records pages robots.txt forbids as skipped, with the reason, not as failures', async () => {
    const skipped = await app.db
      .selectFrom('jobs')
      .select(['url', 'last_error'])
      .where('state', '=', 'skipped')
      .execute();
    expect(skipped.map((s) => s.url).sort()).toEqual(expected.crawl.never_fetched.map(url).sort());
    for (const s of skipped) expect(s.last_error).toMatch(/^ROBOTS_DISALLOWED/);
  });
});
