import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { silentLogger } from '../../../core/logger.js';
import { type App, openApp } from '../../../pipeline/app.js';
import { type ChildServer, startChildServer } from '../../helpers/child-server.js';
import {
  type FixtureServer,
  robotsRoute,
  startFixtureServer,
} from '../../helpers/fixture-server.js';
import { startTestProxy, type TestProxy } from '../../helpers/proxy.js';
import { crawlFixture, fixtureSource, page } from './site.js';

const UA = 'pactwatch-test/1.0 (+https://example.org/pactwatch; mailto:crawl-admin@example.org)';
const ARTICLES = ['/a/1.html', '/a/2.html', '/a/3.html', '/a/4.html'];

/** An app whose configuration comes from the given environment, in a temporary folder. */
async function appWith(env: Record<string, string>): Promise<App & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-polite-'));
  const config = loadConfig(
    { PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent', ...env },
    dir,
  );
  return { ...(await openApp(config, { logger: silentLogger })), dir };
}

describe('politeness', () => {
  let server: FixtureServer;
  let proxy: TestProxy;
  let app: (App & { dir: string }) | undefined;
  beforeEach(async () => {
    server = await startFixtureServer({
      '/robots.txt': robotsRoute('User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n'),
      '/news/index.html': page('News', ARTICLES),
      ...Object.fromEntries(ARTICLES.map((a) => [a, page(a)])),
    });
    proxy = await startTestProxy();
    app = undefined;
  });
  afterEach(async () => {
    await server.close();
    await proxy.close();
    if (app !== undefined) {
      await app.close();
      fs.rmSync(app.dir, { recursive: true, force: true });
    }
  });

  it('sends the configured User-Agent with its contact address on every request', async () => {
    server.route('/robots.txt', robotsRoute('User-agent: *\nDisallow: /private/\n'));
    app = await appWith({ PACTWATCH_USER_AGENT: UA });
    await crawlFixture(app, [
      fixtureSource(server, { politeness: { concurrency: 4, delay_ms: 0 } }),
    ]);
    expect(server.requests.length).toBeGreaterThan(ARTICLES.length);
    expect(new Set(server.requests.map((r) => r.headers['user-agent']))).toEqual(new Set([UA]));
  });

  /** The same site in its own process, so arrival times do not depend on our event loop. */
  async function timedSite(robots: string): Promise<ChildServer> {
    const html = (links: readonly string[]) =>
      `<html><body>${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}</body></html>`;
    return startChildServer({
      '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: robots },
      '/news/index.html': { body: html(ARTICLES) },
      ...Object.fromEntries(ARTICLES.map((a) => [a, { body: html([]) }])),
    });
  }
  const gapsOf = async (site: ChildServer) => {
    const times = (await site.requests()).filter((r) => r.url !== '/robots.txt').map((r) => r.at);
    return { count: times.length, gaps: times.slice(1).map((t, i) => t - (times[i] ?? 0)) };
  };

  it("keeps robots.txt's Crawl-delay between requests, even the first ones of a host", async () => {
    const site = await timedSite('User-agent: *\nCrawl-delay: 0.4\n');
    try {
      app = await appWith({});
      // All pages are start pages: four requests are ready before robots.txt was read.
      const source = fixtureSource(site, {
        start_urls: ['/news/index.html', ...ARTICLES].map((p) => `${site.baseUrl}${p}`),
        politeness: { concurrency: 4, delay_ms: 0 },
      });
      await crawlFixture(app, [source]);
      const { count, gaps } = await gapsOf(site);
      expect(count).toBe(1 + ARTICLES.length);
      // 400 ms asked; without it the first four would arrive within a few ms of each other.
      // Requests are spaced when sent; opening a new connection vs reusing one shifts an
      // arrival by up to ~100 ms on a heavily loaded machine.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(300);
    } finally {
      await site.close();
    }
  });

  it('keeps the source minimum delay between request starts on a host', async () => {
    const site = await timedSite('User-agent: *\nDisallow:\n');
    try {
      app = await appWith({});
      const source = fixtureSource(site, { politeness: { concurrency: 4, delay_ms: 250 } });
      await crawlFixture(app, [source]);
      const { count, gaps } = await gapsOf(site);
      expect(count).toBe(1 + ARTICLES.length);
      // Spaced when sent; connection set-up shifts an arrival by some ms on a loaded machine.
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
    } finally {
      await site.close();
    }
  });

  it('goes through HTTP_PROXY, and only through it', async () => {
    server.route('/robots.txt', robotsRoute('User-agent: *\nDisallow:\n'));
    app = await appWith({ HTTP_PROXY: proxy.url });
    const report = await crawlFixture(app, [fixtureSource(server)]);
    expect(report.sources[0]?.pagesFetched).toBe(1 + ARTICLES.length);
    // Every connection to the site was a tunnel the proxy opened.
    expect(proxy.log.length).toBeGreaterThan(0);
    expect(proxy.log.every((l) => l === `CONNECT ${server.host}:${server.port}`)).toBe(true);
  });

  it('fails rather than going direct when the proxy is down', async () => {
    const deadUrl = proxy.url;
    await proxy.close();
    app = await appWith({ HTTP_PROXY: deadUrl });
    const report = await crawlFixture(app, [fixtureSource(server)], { maxAttempts: 1 });
    expect(report.sources[0]?.pagesFetched).toBe(0);
    expect(server.requests).toEqual([]);
  });
});
