import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadBundledSources } from '../../pipeline/sources.js';
import { runCli } from '../helpers/cli.js';
import { localizeSource, startSites } from '../helpers/site-server.js';

let sites: Awaited<ReturnType<typeof startSites>>;
let dir: string;
let good: string;
let broken: string;

beforeAll(async () => {
  sites = await startSites({ 'embassy/it': '127.0.0.31' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-sources-'));
  const embassies = loadBundledSources().find((s) => s.id === 'embassies')!;
  const local = localizeSource(embassies, {
    'it.china-embassy.gov.cn': sites['embassy/it']!.origin,
  });
  good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify({ sources: [local] }));
  // The site "moved" its articles to .shtml pages under /web/: the old patterns match nothing.
  broken = path.join(dir, 'broken.json');
  fs.writeFileSync(
    broken,
    JSON.stringify({
      sources: [
        {
          ...local,
          list_patterns: ['^https?://[^/]+/web/([a-z0-9]+/)+index(_\\d+)?\\.shtml$'],
          article_patterns: ['^https?://[^/]+/web/.+/t\\d{8}_\\d+\\.shtml$'],
        },
      ],
    }),
  );
});
afterAll(async () => {
  await sites.closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent' });

it('sources list and show describe the bundled definitions', { timeout: 90_000 }, async () => {
  const list = await runCli(['sources', 'list'], { env: env() });
  expect(list.code).toBe(0);
  for (const id of [
    'mps-news',
    'mps-app',
    'mfa-news',
    'mfa-countries',
    'embassies',
    'tao',
    'vn-gov-cn',
    'xinhua-en',
  ]) {
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
  }
  expect(list.stdout).toMatch(/^mps-app\s+mps\s+zh\s+browser/m);

  const show = await runCli(['sources', 'show', 'xinhua-en'], { env: env() });
  expect(show.code).toBe(0);
  const parsed = JSON.parse(show.stdout) as { sitemaps: string[]; notes: string[] };
  expect(parsed.sitemaps).toEqual(['https://english.news.cn/sitemap.xml']);
  expect(parsed.notes.length).toBeGreaterThan(0);

  const unknown = await runCli(['sources', 'show', 'nope'], { env: env() });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown source `nope`/);
});

it('sources check reports what the patterns match on the live start page', {
  timeout: 90_000,
}, async () => {
  const r = await runCli(['sources', 'check', 'embassies', '--sources', good, '--json'], {
    env: env(),
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as {
    matched: boolean;
    pages: {
      ok: boolean;
      articles: { count: number; examples: string[] };
      lists: { count: number };
      unmatched: { count: number; examples: string[] };
    }[];
  };
  expect(report.matched).toBe(true);
  const [page] = report.pages;
  expect(page?.ok).toBe(true);
  expect(page?.articles.count).toBe(2);
  expect(page?.articles.examples[0]).toMatch(/\/chn\/sbdt\/\d{6}\/t\d{8}_\d+\.htm$/);
  // index.htm and index_1.htm, both announced by the script pager.
  expect(page?.lists.count).toBe(2);
  // Menu links (bare folders) match nothing, and are shown as such.
  expect(page?.unmatched.examples.some((u) => u.endsWith('/chn/lsfw/'))).toBe(true);

  const text = await runCli(['sources', 'check', 'embassies', '--sources', good], { env: env() });
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/article links\s+2/);
});

it('sources check exits 1 and says so when a changed layout leaves the patterns matching nothing', {
  timeout: 60_000,
}, async () => {
  const r = await runCli(['sources', 'check', 'embassies', '--sources', broken], { env: env() });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/article links\s+0/);
  expect(r.stderr).toMatch(/may have changed its layout/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});
