import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableError, PipelineError, RetryableError } from '../../../core/errors.js';
import { decodeBody } from '../../../crawlers/charset.js';
import {
  assertHostAllowed,
  backoffMs,
  Fetcher,
  HttpStatusError,
  hostGuard,
  httpStatusOf,
  isPrivateAddress,
  isVanished,
  parseRetryAfterMs,
  RetryableHttpStatusError,
} from '../../../crawlers/fetcher.js';
import { parseHtml } from '../../../crawlers/html.js';
import {
  type FixtureServer,
  gbkMetaOnlyRoute,
  hangingRoute,
  oversizedRoute,
  redirectChain,
  redirectLoop,
  retryAfterRoute,
  serviceUnavailableStorm,
  slowRoute,
  startFixtureServer,
  truncatedRoute,
} from '../../helpers/fixture-server.js';

/** Awaits a rejection and returns the error, failing the test if the promise resolves. */
async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineError);
    return err as PipelineError;
  }
  throw new Error('expected the fetch to fail');
}

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('Fetcher', () => {
  let server: FixtureServer;
  let other: FixtureServer;
  let fetcher: Fetcher;

  beforeAll(async () => {
    other = await startFixtureServer({ '/landing': { body: 'other host' } }, { host: '127.0.0.2' });
    server = await startFixtureServer({
      '/ok': {
        headers: { 'content-type': 'text/html; charset=utf-8', 'X-Custom': 'Yes' },
        body: '<p>你好</p>',
      },
      '/gzip': {
        headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' },
        body: gzipSync(Buffer.from('<p>compressed</p>')),
      },
      '/gzip-bomb': {
        headers: { 'content-type': 'text/html', 'content-encoding': 'gzip' },
        body: gzipSync(Buffer.alloc(4 * 1024 * 1024)),
      },
      '/gbk': gbkMetaOnlyRoute(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>中越签署警务合作谅解备忘录_中华人民共和国驻越南大使馆</title></head><body><h1>中越签署警务合作谅解备忘录</h1><p>发布时间：2015-10-08</p><div><p>双方签署了合作谅解备忘录。</p></div></body></html>',
      ),
      '/hang': hangingRoute(),
      '/slow-body': slowRoute(5000),
      ...redirectChain(3, '/ok'),
      ...redirectLoop(),
      '/to-other-host': { status: 302, headers: { location: `${other.baseUrl}/landing` } },
      '/to-ftp': { status: 302, headers: { location: 'ftp://127.0.0.1/file' } },
      '/big-declared': oversizedRoute(2 * 1024 * 1024, true),
      '/big-chunked': oversizedRoute(2 * 1024 * 1024, false),
      '/truncated': truncatedRoute('<html><body><p>half a page', 50_000),
      '/429-seconds': retryAfterRoute('120'),
      '/429-date': retryAfterRoute(new Date(NOW + 90_000).toUTCString()),
      '/429-huge': retryAfterRoute('999999'),
      '/503': serviceUnavailableStorm(1000),
      '/404': { status: 404, body: 'gone' },
      '/410': { status: 410 },
      '/403': { status: 403 },
      '/etag': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          res.end();
          return;
        }
        res.writeHead(200, { etag: '"v1"', 'content-type': 'text/plain' });
        res.end('fresh');
      },
    });
    fetcher = new Fetcher({
      allowPrivateAddresses: true,
      timeoutMs: 3000,
      maxBodyBytes: 1024 * 1024,
      userAgent: 'pactwatch-test/1.0 (+test@example.org)',
      now: () => NOW,
    });
  });

  afterAll(async () => {
    await fetcher.close();
    await Promise.all([server.close(), other.close()]);
  });

  it('returns status, lower-case headers, body bytes and content type', async () => {
    const result = await fetcher.fetch(`${server.baseUrl}/ok`);
    expect(result.status).toBe(200);
    expect(result.finalUrl).toBe(`${server.baseUrl}/ok`);
    expect(result.headers['x-custom']).toBe('Yes');
    expect(result.contentType).toBe('text/html; charset=utf-8');
    expect(Buffer.from(result.body).toString('utf8')).toBe('<p>你好</p>');
    expect(result.notModified).toBe(false);
    expect(result.redirects).toEqual([]);
    const sent = server.requests.findLast((r) => r.url === '/ok');
    expect(sent?.headers['user-agent']).toBe('pactwatch-test/1.0 (+test@example.org)');
  });

  it('fetches a GBK page labelled only in <meta> that decodes and parses end to end', async () => {
    const result = await fetcher.fetch(`${server.baseUrl}/gbk`);
    expect(result.contentType).toBe('text/html');
    const { text, charset } = decodeBody(result.body, result.contentType);
    expect(charset).toBe('gbk');
    const doc = parseHtml(text, result.finalUrl);
    expect(doc.title).toBe('中越签署警务合作谅解备忘录');
    expect(doc.published).toBe('2015-10-08');
    expect(doc.text).toContain('双方签署了合作谅解备忘录。');
  });

  it('decompresses gzip and counts the decompressed size against the cap', async () => {
    const result = await fetcher.fetch(`${server.baseUrl}/gzip`);
    expect(Buffer.from(result.body).toString()).toBe('<p>compressed</p>');
    expect(result.headers['content-encoding']).toBeUndefined();
    const err = await failure(fetcher.fetch(`${server.baseUrl}/gzip-bomb`));
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('BODY_TOO_LARGE');
  });

  it('times out on a host that never answers', async () => {
    const quick = new Fetcher({ allowPrivateAddresses: true, timeoutMs: 150 });
    try {
      const started = Date.now();
      const err = await failure(quick.fetch(`${server.baseUrl}/hang`));
      expect(err).toBeInstanceOf(RetryableError);
      expect(err.code).toBe('HTTP_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2000);
      const slow = await failure(quick.fetch(`${server.baseUrl}/slow-body`));
      expect(slow.code).toBe('HTTP_TIMEOUT');
    } finally {
      await quick.close();
    }
  });

  it('follows a bounded redirect chain and reports every hop', async () => {
    const result = await fetcher.fetch(`${server.baseUrl}/redirect/0`);
    expect(result.status).toBe(200);
    expect(result.url).toBe(`${server.baseUrl}/redirect/0`);
    expect(result.finalUrl).toBe(`${server.baseUrl}/ok`);
    expect(result.redirects).toEqual([
      `${server.baseUrl}/redirect/1`,
      `${server.baseUrl}/redirect/2`,
      `${server.baseUrl}/ok`,
    ]);
  });

  it('gives up past maxRedirects and on a loop', async () => {
    const strict = new Fetcher({ allowPrivateAddresses: true, maxRedirects: 2 });
    try {
      const tooMany = await failure(strict.fetch(`${server.baseUrl}/redirect/0`));
      expect(tooMany).toBeInstanceOf(NonRetryableError);
      expect(tooMany.code).toBe('TOO_MANY_REDIRECTS');
    } finally {
      await strict.close();
    }
    const loop = await failure(fetcher.fetch(`${server.baseUrl}/loop/a`));
    expect(loop).toBeInstanceOf(NonRetryableError);
    expect(loop.code).toBe('TOO_MANY_REDIRECTS');
    expect(loop.message).toContain('loop');
  });

  it('refuses a redirect to a scheme other than http(s)', async () => {
    const err = await failure(fetcher.fetch(`${server.baseUrl}/to-ftp`));
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('USER_INPUT');
    await expect(fetcher.fetch('file:///etc/passwd')).rejects.toMatchObject({ code: 'USER_INPUT' });
  });

  it('rejects a body over the cap from Content-Length, before reading it', async () => {
    const err = await failure(fetcher.fetch(`${server.baseUrl}/big-declared`));
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('BODY_TOO_LARGE');
    expect(err.message).toContain('declared');
  });

  it('rejects a chunked body over the cap while streaming', async () => {
    const err = await failure(fetcher.fetch(`${server.baseUrl}/big-chunked`));
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('BODY_TOO_LARGE');
  });

  it('treats a body cut short as a retryable network failure', async () => {
    const err = await failure(fetcher.fetch(`${server.baseUrl}/truncated`));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.code).toBe('NETWORK');
  });

  it('turns 429 into a RetryableError with Retry-After in ms (seconds, date, capped)', async () => {
    const seconds = await failure(fetcher.fetch(`${server.baseUrl}/429-seconds`));
    expect(seconds).toBeInstanceOf(RetryableHttpStatusError);
    expect(seconds.code).toBe('HTTP_STATUS');
    expect(seconds.retryAfterMs).toBe(120_000);
    expect(httpStatusOf(seconds)).toBe(429);
    const date = await failure(fetcher.fetch(`${server.baseUrl}/429-date`));
    expect(date.retryAfterMs).toBe(90_000);
    const huge = await failure(fetcher.fetch(`${server.baseUrl}/429-huge`));
    expect(huge.retryAfterMs).toBe(10 * 60_000);
  });

  it('turns 503 into a RetryableError', async () => {
    const err = await failure(fetcher.fetch(`${server.baseUrl}/503`));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.code).toBe('HTTP_STATUS');
    expect(httpStatusOf(err)).toBe(503);
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('turns 404, 410 and 403 into NonRetryableErrors that expose the status', async () => {
    const notFound = await failure(fetcher.fetch(`${server.baseUrl}/404`));
    expect(notFound).toBeInstanceOf(NonRetryableError);
    expect(notFound).toBeInstanceOf(HttpStatusError);
    expect(notFound.code).toBe('HTTP_STATUS');
    expect((notFound as HttpStatusError).status).toBe(404);
    expect(isVanished(notFound)).toBe(true);
    expect(isVanished(await failure(fetcher.fetch(`${server.baseUrl}/410`)))).toBe(true);
    const forbidden = await failure(fetcher.fetch(`${server.baseUrl}/403`));
    expect(httpStatusOf(forbidden)).toBe(403);
    expect(isVanished(forbidden)).toBe(false);
  });

  it('sends If-None-Match / If-Modified-Since and reports 304 as notModified', async () => {
    const first = await fetcher.fetch(`${server.baseUrl}/etag`);
    expect(first.headers['etag']).toBe('"v1"');
    const second = await fetcher.fetch(`${server.baseUrl}/etag`, {
      etag: first.headers['etag'] ?? null,
      lastModified: 'Tue, 22 Nov 2016 10:00:00 GMT',
    });
    expect(second.status).toBe(304);
    expect(second.notModified).toBe(true);
    expect(second.body.byteLength).toBe(0);
    const sent = server.requests.findLast((r) => r.url === '/etag');
    expect(sent?.headers['if-modified-since']).toBe('Tue, 22 Nov 2016 10:00:00 GMT');
  });

  it('checks every redirect hop against isUrlAllowed', async () => {
    const guarded = new Fetcher({
      allowPrivateAddresses: true,
      isUrlAllowed: hostGuard({ allowedHosts: ['127.0.0.1'], allowPrivate: true }),
    });
    try {
      const err = await failure(guarded.fetch(`${server.baseUrl}/to-other-host`));
      expect(err).toBeInstanceOf(NonRetryableError);
      expect(err.code).toBe('HOST_NOT_ALLOWED');
      expect(other.requests).toHaveLength(0);
      const refusing = new Fetcher({
        allowPrivateAddresses: true,
        isUrlAllowed: (u) => !u.includes('/ok'),
      });
      const refused = await failure(refusing.fetch(`${server.baseUrl}/redirect/2`));
      expect(refused.code).toBe('HOST_NOT_ALLOWED');
      await refusing.close();
    } finally {
      await guarded.close();
    }
  });

  it('refuses private addresses unless allowed, also when a name resolves to one', async () => {
    const strict = new Fetcher();
    const before = server.requests.length;
    try {
      const literal = await failure(strict.fetch(`${server.baseUrl}/ok`));
      expect(literal).toBeInstanceOf(NonRetryableError);
      expect(literal.code).toBe('HOST_NOT_ALLOWED');
      // `localhost` is a name: the peer address is checked once connected.
      const named = await failure(strict.fetch(`http://localhost:${server.port}/ok`));
      expect(named.code).toBe('HOST_NOT_ALLOWED');
      expect(server.requests.length).toBe(before);
    } finally {
      await strict.close();
    }
    const allowed = await fetcher.fetch(`http://localhost:${server.port}/ok`);
    expect(allowed.status).toBe(200);
  });

  it('turns a refused connection into a retryable network error', async () => {
    const err = await failure(fetcher.fetch('http://127.0.0.5:9/nothing'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.code).toBe('NETWORK');
  });

  it("rejects with the caller's abort reason", async () => {
    const controller = new AbortController();
    const pending = fetcher.fetch(`${server.baseUrl}/hang`, { signal: controller.signal });
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('names a bad option', () => {
    expect(() => new Fetcher({ timeoutMs: 0 })).toThrow(/`timeoutMs`.*`0`/);
    expect(() => new Fetcher({ maxRedirects: -1 })).toThrow(/`maxRedirects`.*`-1`/);
    expect(() => new Fetcher({ httpProxy: 'not a url' })).toThrow(/`httpProxy`/);
  });
});

describe('assertHostAllowed', () => {
  const publicLookup = async () => [{ address: '93.184.216.34', family: 4 }];

  it('allows listed hosts and their subdomains', async () => {
    await expect(
      assertHostAllowed('https://www.mps.gov.cn/x', {
        allowedHosts: ['mps.gov.cn'],
        lookup: publicLookup,
      }),
    ).resolves.toBeUndefined();
    await expect(
      assertHostAllowed('https://mps.gov.cn.evil.example/x', {
        allowedHosts: ['mps.gov.cn'],
        lookup: publicLookup,
      }),
    ).rejects.toMatchObject({ code: 'HOST_NOT_ALLOWED' });
  });

  it('refuses names resolving to any private address', async () => {
    const mixed = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    const err = await failure(
      assertHostAllowed('https://a.example/', { allowedHosts: ['a.example'], lookup: mixed }),
    );
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('HOST_NOT_ALLOWED');
    await expect(
      assertHostAllowed('https://a.example/', {
        allowedHosts: ['a.example'],
        lookup: mixed,
        allowPrivate: true,
      }),
    ).resolves.toBeUndefined();
  });

  it('refuses literal private addresses and localhost without a lookup', async () => {
    const noLookup = async () => {
      throw new Error('must not resolve');
    };
    for (const url of [
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://169.254.169.254/latest',
      'http://localhost/',
    ]) {
      const host = new URL(url).hostname.replace(/[[\]]/g, '');
      await expect(
        assertHostAllowed(url, { allowedHosts: [host], lookup: noLookup }),
      ).rejects.toMatchObject({
        code: 'HOST_NOT_ALLOWED',
      });
    }
  });

  it('makes a failed lookup retryable', async () => {
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
    };
    const err = await failure(
      assertHostAllowed('https://a.example/', { allowedHosts: ['a.example'], lookup: failing }),
    );
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.code).toBe('NETWORK');
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd12::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '100.64.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('names a bad option', async () => {
    await expect(
      assertHostAllowed('https://a.example/', { allowedHosts: 'a.example' as never }),
    ).rejects.toThrow(/`allowedHosts`/);
  });
});

describe('backoffMs and parseRetryAfterMs', () => {
  it('grows exponentially with full jitter, capped', () => {
    const half = () => 0.5;
    expect(backoffMs(1, undefined, { baseMs: 1000, maxMs: 60_000, random: half })).toBe(500);
    expect(backoffMs(3, undefined, { baseMs: 1000, maxMs: 60_000, random: half })).toBe(2000);
    expect(backoffMs(30, undefined, { baseMs: 1000, maxMs: 60_000, random: half })).toBe(30_000);
    expect(backoffMs(2, undefined, { baseMs: 1000, maxMs: 60_000, random: () => 0 })).toBe(0);
    for (let i = 0; i < 50; i++) {
      const d = backoffMs(4, undefined, { baseMs: 100, maxMs: 10_000 });
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it('never waits less than Retry-After', () => {
    expect(backoffMs(1, 120_000, { baseMs: 1000, maxMs: 60_000, random: () => 0.99 })).toBe(
      120_000,
    );
  });

  it('names a bad argument', () => {
    expect(() => backoffMs(0)).toThrow(/`attempt`.*`0`/);
    expect(() => backoffMs(1, undefined, { baseMs: -1 })).toThrow(/`baseMs`/);
  });

  it('parses delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfterMs('30', NOW)).toBe(30_000);
    expect(parseRetryAfterMs(new Date(NOW + 5000).toUTCString(), NOW)).toBe(5000);
    expect(parseRetryAfterMs(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfterMs('soon', NOW)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, NOW)).toBeUndefined();
  });
});
