import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { openApp } from '../../pipeline/app.js';
import { runCli } from '../helpers/cli.js';
import type { StaticRoute } from '../helpers/fixture-server.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';
import {
  type HttpsSite,
  makeTestCertificates,
  startHttpsSite,
  type TestCertificates,
} from '../helpers/tls.js';

/**
 * A maintainer behind a corporate proxy: `pactwatch crawl` with HTTPS_PROXY reaches an HTTPS
 * site only through CONNECT tunnels, trusting the site's certificate because NODE_EXTRA_CA_CERTS
 * names the CA that signed it. Without that CA every page fails with a certificate reason.
 */

const ARTICLES = ['/a/1.html', '/a/2.html'];
const SENTENCES: Record<string, string> = {
  '/a/1.html': '公安部与某国内政部在北京签署执法安全合作谅解备忘录。',
  '/a/2.html': '双方同意加强打击跨国犯罪和电信诈骗方面的合作。',
};

function html(title: string, body: string): StaticRoute {
  return {
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
  };
}

const ROUTES: Record<string, StaticRoute> = {
  '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nDisallow:\n' },
  '/news/index.html': html(
    '警务合作新闻',
    `<ul>${ARTICLES.map((a, i) => `<li><a href="${a}">新闻 ${i + 1}</a></li>`).join('')}</ul>`,
  ),
  ...Object.fromEntries(
    ARTICLES.map((a, i) => [a, html(`新闻 ${i + 1}`, `<p>${SENTENCES[a]}</p>`)]),
  ),
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A sources file (`{"sources": [...]}`) for the site, starting from `startPaths`. */
function writeSources(file: string, site: HttpsSite, startPaths: readonly string[]): void {
  const origin = escapeRegExp(site.baseUrl);
  const source = {
    id: 'tls-news',
    kind: 'news',
    language: 'zh',
    start_urls: startPaths.map((p) => `${site.baseUrl}${p}`),
    allowed_hosts: [site.host],
    list_patterns: [`^${origin}/news/index\\.html$`],
    article_patterns: [`^${origin}/a/[^/]+\\.html$`],
    politeness: { concurrency: 2, delay_ms: 0 },
    limits: { max_pages: 20, max_depth: 3 },
    allow_private_hosts: true,
  };
  fs.writeFileSync(file, JSON.stringify({ sources: [source] }));
}

describe('crawl of an HTTPS site through HTTPS_PROXY', () => {
  let certDir: string;
  let certs: TestCertificates;
  let dataDir: string;
  let site: HttpsSite;
  let proxy: TestProxy;

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-tls-'));
    certs = await makeTestCertificates(certDir);
  });
  afterAll(() => {
    fs.rmSync(certDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-https-proxy-'));
    site = await startHttpsSite(ROUTES, certs);
    proxy = await startTestProxy();
  });
  afterEach(async () => {
    await proxy.close();
    await site.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    PACTWATCH_DATA_DIR: dataDir,
    PACTWATCH_LOG_LEVEL: 'silent',
    HTTPS_PROXY: proxy.url,
    ...extra,
  });

  /** Every connection the site accepted came out of a tunnel the proxy opened for it. */
  function expectOnlyTunnels(): void {
    expect(proxy.log.length).toBeGreaterThan(0);
    expect(new Set(proxy.log)).toEqual(new Set([`CONNECT ${site.host}:${site.port}`]));
    // Each CONNECT makes exactly one upstream connection, so a direct one would be an extra.
    expect(site.connections).toBe(proxy.log.length);
  }

  it('fetches every page through CONNECT tunnels when the CA is trusted', {
    timeout: 60_000,
  }, async () => {
    const sources = path.join(dataDir, 'sources.json');
    writeSources(sources, site, ['/news/index.html']);

    const r = await runCli(['crawl', '--sources', sources], {
      env: env({ NODE_EXTRA_CA_CERTS: certs.caFile }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}tls-news: 3 pages fetched, 0 failed/m);

    expectOnlyTunnels();
    expect(site.tlsErrors).toEqual([]);
    expect(site.secureConnections).toBe(site.connections);
    expect(site.requests.map((q) => `${q.method} ${q.url}`).sort()).toEqual([
      'GET /a/1.html',
      'GET /a/2.html',
      'GET /news/index.html',
      'GET /robots.txt',
    ]);

    const config = loadConfig({ PACTWATCH_DATA_DIR: dataDir, PACTWATCH_LOG_LEVEL: 'silent' });
    const app = await openApp(config, { logger: silentLogger });
    try {
      const snapshots = await app.db
        .selectFrom('snapshots')
        .select(['url', 'status'])
        .where('source_id', '=', 'tls-news')
        .orderBy('url')
        .execute();
      expect(snapshots).toEqual(
        ['/a/1.html', '/a/2.html', '/news/index.html'].map((p) => ({
          url: `${site.baseUrl}${p}`,
          status: 200,
        })),
      );
      const documents = await app.db
        .selectFrom('documents')
        .innerJoin('snapshots', 'snapshots.id', 'documents.snapshot_id')
        .select(['snapshots.url', 'documents.text'])
        .execute();
      for (const a of ARTICLES) {
        const doc = documents.find((d) => d.url === `${site.baseUrl}${a}`);
        expect(doc?.text).toContain(SENTENCES[a]);
      }
    } finally {
      await app.close();
    }
  });

  it('records a certificate failure for every page, without a crash, when the CA is not trusted', {
    timeout: 60_000,
  }, async () => {
    const sources = path.join(dataDir, 'sources.json');
    // All three pages as start URLs, so each one is tried (and fails) on its own.
    writeSources(sources, site, ['/news/index.html', ...ARTICLES]);

    const r = await runCli(['crawl', '--sources', sources], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no source could be fetched: most pages failed with TLS_CERT/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/^ {2}tls-news: 0 pages fetched, 3 failed/m);
    expect(r.stdout).toMatch(
      /failed: TLS_CERT: UNABLE_TO_VERIFY_LEAF_SIGNATURE fetching https:.*NODE_EXTRA_CA_CERTS/,
    );

    // The proxy was still the only way in, and no page was served over the untrusted link.
    expectOnlyTunnels();
    expect(site.requests).toEqual([]);

    const config = loadConfig({ PACTWATCH_DATA_DIR: dataDir, PACTWATCH_LOG_LEVEL: 'silent' });
    const app = await openApp(config, { logger: silentLogger });
    try {
      const failed = await app.db
        .selectFrom('jobs')
        .select(['url', 'last_error', 'attempts'])
        .where('stage', '=', 'fetch')
        .where('state', '=', 'failed')
        .orderBy('url')
        .execute();
      expect(failed.map((j) => j.url)).toEqual(
        ['/a/1.html', '/a/2.html', '/news/index.html'].map((p) => `${site.baseUrl}${p}`),
      );
      for (const j of failed) {
        expect(j.last_error).toMatch(
          `TLS_CERT: UNABLE_TO_VERIFY_LEAF_SIGNATURE fetching ${j.url}: the certificate is not trusted`,
        );
        // A certificate that is not trusted will not become trusted by retrying.
        expect(j.attempts).toBe(1);
      }
      const snapshots = await app.db
        .selectFrom('snapshots')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(snapshots.n)).toBe(0);
    } finally {
      await app.close();
    }

    const status = await runCli(['status'], { env: env() });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/tls-news\s+3\s+TLS_CERT UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });
});
