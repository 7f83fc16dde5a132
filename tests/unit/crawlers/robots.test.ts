import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../../../core/errors.js';
import { Fetcher } from '../../../crawlers/fetcher.js';
import { RobotsCache } from '../../../crawlers/robots.js';
import {
  type FixtureServer,
  robotsRoute,
  serviceUnavailableStorm,
  startFixtureServer,
} from '../../helpers/fixture-server.js';

const UA = 'pactwatch/0.1 (+https://example.org/contact)';

describe('RobotsCache', () => {
  let site: FixtureServer;
  let missing: FixtureServer;
  let broken: FixtureServer;
  let fetcher: Fetcher;

  beforeAll(async () => {
    site = await startFixtureServer({
      '/robots.txt': robotsRoute(
        [
          'User-agent: *',
          'Disallow: /private/',
          'Crawl-delay: 2',
          '',
          'User-agent: pactwatch',
          'Disallow: /search',
          'Allow: /private/open.html',
          'Disallow: /private/',
          'Crawl-delay: 0.5',
        ].join('\n'),
      ),
    });
    missing = await startFixtureServer({}, { host: '127.0.0.2' });
    broken = await startFixtureServer(
      { '/robots.txt': serviceUnavailableStorm(1, 'User-agent: *\nDisallow: /x') },
      {
        host: '127.0.0.3',
      },
    );
    fetcher = new Fetcher({ allowPrivateAddresses: true, timeoutMs: 2000, userAgent: UA });
  });

  afterAll(async () => {
    await fetcher.close();
    await Promise.all([site.close(), missing.close(), broken.close()]);
  });

  const cacheFor = (extra: Partial<ConstructorParameters<typeof RobotsCache>[0]> = {}) =>
    new RobotsCache({ fetch: (url) => fetcher.fetch(url), userAgent: UA, ...extra });

  it('applies the group for our user agent: disallow and allow', async () => {
    const robots = cacheFor();
    expect(await robots.isAllowed(`${site.baseUrl}/news/1.html`)).toBe(true);
    expect(await robots.isAllowed(`${site.baseUrl}/search?q=1`)).toBe(false);
    expect(await robots.isAllowed(`${site.baseUrl}/private/secret.html`)).toBe(false);
    expect(await robots.isAllowed(`${site.baseUrl}/private/open.html`)).toBe(true);
    // Another crawler falls under `*`.
    expect(await robots.isAllowed(`${site.baseUrl}/search?q=1`, 'otherbot/2.0')).toBe(true);
    await expect(robots.assertAllowed(`${site.baseUrl}/search`)).rejects.toMatchObject({
      code: 'ROBOTS_DISALLOWED',
    });
    await expect(robots.assertAllowed(`${site.baseUrl}/search`)).rejects.toBeInstanceOf(
      NonRetryableError,
    );
  });

  it('fetches robots.txt once per origin, even for concurrent callers', async () => {
    const before = site.requests.filter((r) => r.url === '/robots.txt').length;
    const robots = cacheFor();
    await Promise.all([1, 2, 3, 4].map((i) => robots.isAllowed(`${site.baseUrl}/n/${i}.html`)));
    await robots.isAllowed(`${site.baseUrl}/n/5.html`);
    expect(site.requests.filter((r) => r.url === '/robots.txt').length - before).toBe(1);
  });

  it('reads Crawl-delay in milliseconds, per user agent', async () => {
    const robots = cacheFor();
    expect(await robots.crawlDelayMs(`${site.baseUrl}/`)).toBe(500);
    expect(await robots.crawlDelayMs(`${site.baseUrl}/`, 'otherbot')).toBe(2000);
    const capped = cacheFor({ maxCrawlDelayMs: 1000 });
    expect(await capped.crawlDelayMs(`${site.baseUrl}/`, 'otherbot')).toBe(1000);
  });

  it('allows everything when robots.txt is 404', async () => {
    const robots = cacheFor();
    expect(await robots.check(`${missing.baseUrl}/private/anything`)).toEqual({
      allowed: true,
      reason: 'allowed',
    });
    expect(await robots.crawlDelayMs(`${missing.baseUrl}/`)).toBeUndefined();
  });

  it('refuses everything for a while when robots.txt answers 5xx, then tries again', async () => {
    let now = 1_000_000;
    const robots = cacheFor({ errorTtlMs: 60_000, now: () => now });
    const verdict = await robots.check(`${broken.baseUrl}/a.html`);
    expect(verdict.allowed).toBe(false);
    expect(verdict.reason).toBe('unreachable');
    expect(verdict.retryAfterMs).toBe(60_000);
    await expect(robots.assertAllowed(`${broken.baseUrl}/a.html`)).rejects.toBeInstanceOf(
      RetryableError,
    );
    // Still within the error TTL: no second request.
    expect(broken.requests.filter((r) => r.url === '/robots.txt')).toHaveLength(1);
    now += 61_000;
    expect(await robots.isAllowed(`${broken.baseUrl}/a.html`)).toBe(true);
    expect(await robots.isAllowed(`${broken.baseUrl}/x`)).toBe(false);
    expect(broken.requests.filter((r) => r.url === '/robots.txt')).toHaveLength(2);
  });

  it('passes a network failure on as retryable and does not cache it', async () => {
    let calls = 0;
    const robots = new RobotsCache({
      fetch: async (u) => {
        calls++;
        throw Object.assign(new Error(`connect ECONNREFUSED ${u}`), { code: 'ECONNREFUSED' });
      },
    });
    // The host is down: the page fetch would fail the same way, so the job backs off as usual.
    await expect(robots.check('http://127.0.0.4:9/a.html')).rejects.toBeInstanceOf(RetryableError);
    await expect(robots.check('http://127.0.0.4:9/a.html')).rejects.toMatchObject({
      code: 'NETWORK',
    });
    expect(calls).toBe(2);
  });

  it('refetches after the TTL', async () => {
    let now = 0;
    const robots = cacheFor({ ttlMs: 1000, now: () => now });
    const count = () => site.requests.filter((r) => r.url === '/robots.txt').length;
    await robots.isAllowed(`${site.baseUrl}/a`);
    const first = count();
    now = 500;
    await robots.isAllowed(`${site.baseUrl}/a`);
    expect(count()).toBe(first);
    now = 1500;
    await robots.isAllowed(`${site.baseUrl}/a`);
    expect(count()).toBe(first + 1);
  });

  it('rejects bad options by name', () => {
    expect(() => new RobotsCache({ fetch: undefined as never })).toThrow(/`fetch`/);
    expect(() => cacheFor({ ttlMs: -5 })).toThrow(/`ttlMs`.*`-5`/);
  });
});
