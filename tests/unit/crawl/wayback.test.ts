import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableError, RetryableError } from '../../../core/errors.js';
import { Fetcher } from '../../../crawlers/fetcher.js';
import { WaybackClient } from '../../../crawlers/wayback.js';
import { type FixtureServer, startFixtureServer } from '../../helpers/fixture-server.js';

const GONE = 'https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151008_9476232.htm';

/** A CDX server: captures per URL in the API's JSON shape (header row first). */
function cdxRoutes(captures: Record<string, string[][]>) {
  return {
    '/cdx/search/cdx': (
      req: import('node:http').IncomingMessage,
      res: import('node:http').ServerResponse,
    ) => {
      const q = new URL(req.url ?? '/', 'http://cdx.invalid').searchParams;
      const url = q.get('url') ?? '';
      if (url === 'https://broken.test/') {
        res.writeHead(503);
        res.end();
        return;
      }
      if (url === 'https://garbage.test/') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>not json</html>');
        return;
      }
      const rows = captures[url];
      res.writeHead(200, { 'content-type': 'application/json' });
      // The real API answers an empty body when nothing matches.
      res.end(rows === undefined ? '' : JSON.stringify(rows));
    },
  };
}

describe('WaybackClient against a CDX server', () => {
  let cdx: FixtureServer;
  let fetcher: Fetcher;
  let client: WaybackClient;
  beforeAll(async () => {
    cdx = await startFixtureServer(
      cdxRoutes({
        [GONE]: [
          ['urlkey', 'timestamp', 'original', 'mimetype', 'statuscode', 'digest', 'length'],
          ['cn,gov,china-embassy,it)/chn', '20151010120000', GONE, 'text/html', '200', 'AAA', '1'],
          ['cn,gov,china-embassy,it)/chn', '20190305080000', GONE, 'text/html', '200', 'BBB', '1'],
          ['cn,gov,china-embassy,it)/chn', '20230101000000', GONE, 'text/html', '404', 'CCC', '1'],
        ],
        'https://only-errors.test/': [
          ['timestamp', 'original', 'statuscode'],
          ['20200101000000', 'https://only-errors.test/', '404'],
        ],
        'https://none.test/': [],
      }),
    );
    fetcher = new Fetcher({ allowPrivateAddresses: true });
    client = new WaybackClient({
      fetch: (u, init) => fetcher.fetch(u, init),
      cdxUrl: `${cdx.baseUrl}/cdx/search/cdx`,
    });
  });
  afterAll(async () => {
    await fetcher.close();
    await cdx.close();
  });

  it('finds the newest capture that answered 200 and builds its archive URL', async () => {
    const copy = await client.lookup(GONE);
    expect(copy).toEqual({
      timestamp: '20190305080000',
      original: GONE,
      archiveUrl: `https://web.archive.org/web/20190305080000/${GONE}`,
    });
    const asked = new URL(cdx.requests.at(-1)?.url ?? '', cdx.baseUrl).searchParams;
    expect(asked.get('url')).toBe(GONE);
    expect(asked.get('output')).toBe('json');
    expect(asked.get('limit')).toBe('-1');
  });

  it('says null when the archive holds no good capture', async () => {
    expect(await client.lookup('https://only-errors.test/')).toBeNull();
    expect(await client.lookup('https://none.test/')).toBeNull();
    expect(await client.lookup('https://never-archived.test/')).toBeNull();
  });

  it('tells a transient archive failure from a nonsense answer', async () => {
    await expect(client.lookup('https://broken.test/')).rejects.toBeInstanceOf(RetryableError);
    await expect(client.lookup('https://garbage.test/')).rejects.toBeInstanceOf(NonRetryableError);
  });

  it('uses a configured archive base for the recorded URL', async () => {
    const own = new WaybackClient({
      fetch: (u, init) => fetcher.fetch(u, init),
      cdxUrl: `${cdx.baseUrl}/cdx/search/cdx`,
      archiveBaseUrl: 'https://archive.example.org/wayback',
    });
    expect((await own.lookup(GONE))?.archiveUrl).toBe(
      `https://archive.example.org/wayback/20190305080000/${GONE}`,
    );
  });

  it('rejects bad options naming the field', () => {
    expect(() => new WaybackClient({ fetch: fetcher.fetch, cdxUrl: 'ftp://x' })).toThrow(
      /`cdxUrl`/,
    );
  });
});
