import { afterAll, beforeAll, expect, it } from 'vitest';
import { Fetcher, type FetcherOptions } from '../../../crawlers/fetcher.js';
import { parseHtml } from '../../../crawlers/html.js';
import {
  looksLikeChallenge,
  looksLikeForwarder,
  looksScriptFilled,
  PageLoader,
} from '../../../crawlers/page-loader.js';
import { RENDERED_HEADER, Renderer } from '../../../crawlers/renderer.js';
import { defineSources } from '../../../pipeline/sources.js';
import type { SourceDefinition } from '../../../schemas/source.js';
import {
  CHROMIUM,
  describeWithChromium,
  type FixtureSite,
  startSite,
  waitForNoChromium,
} from '../../helpers/site-server.js';
import { tempApp } from '../../helpers/temp.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

function sourceFor(site: FixtureSite, overrides: Record<string, unknown> = {}): SourceDefinition {
  const [source] = defineSources([
    {
      id: `test-${site.host.replace(/\./g, '-')}`,
      kind: 'foreign-gov',
      language: 'zh',
      start_urls: [`${site.origin}/news/index.html`],
      allowed_hosts: [site.host],
      article_patterns: ['/news/\\d{4}/a\\d+\\.html$'],
      list_patterns: ['/news/index\\.html$'],
      allow_private_hosts: true,
      ...overrides,
    },
  ]);
  return source!;
}

const isRendered = (r: { headers: Readonly<Record<string, string>> }) =>
  r.headers[RENDERED_HEADER] !== undefined;

/** Requests the browser made carry Sec-Fetch headers; undici's do not. */
const fromBrowser = (r: { headers: Readonly<Record<string, unknown>> }) =>
  r.headers['sec-fetch-mode'] !== undefined;

describeWithChromium('PageLoader: plain client or browser, per host (real Chromium)', () => {
  let challenge: FixtureSite;
  let challenge200: FixtureSite;
  let app: FixtureSite;
  let temp: TempApp;
  const fetcherOptions: FetcherOptions = { allowPrivateAddresses: true };
  const fetcher = new Fetcher(fetcherOptions);
  const loaders: PageLoader[] = [];
  // One browser for the whole file: starting Chromium is the slow part.
  const renderer = new Renderer({ executablePath: CHROMIUM, settleMs: 1500 });
  const newLoader = (extra: Partial<ConstructorParameters<typeof PageLoader>[0]> = {}) => {
    const loader = new PageLoader({ fetcher, fetcherOptions, db: temp.db, renderer, ...extra });
    loaders.push(loader);
    return loader;
  };

  beforeAll(async () => {
    challenge = await startSite('challenge/412', { host: '127.0.0.42' });
    challenge200 = await startSite('challenge/200', { host: '127.0.0.43' });
    app = await startSite('mps/app', { host: '127.0.0.46' });
    temp = await tempApp();
  });
  afterAll(async () => {
    await Promise.all(loaders.map((l) => l.close()));
    await renderer.close();
    await fetcher.close();
    await Promise.all([challenge.close(), challenge200.close(), app.close()]);
    await temp.cleanup();
  });

  it('solves a 412 script challenge in the browser, remembers the host, and sends its cookie with later plain requests', async () => {
    const source = sourceFor(challenge);
    const loader = newLoader();
    const list = await loader.load(`${challenge.origin}/news/index.html`, {
      source,
      pageType: 'start',
    });
    expect(list.status).toBe(200);
    expect(isRendered(list)).toBe(true);
    const links = parseHtml(Buffer.from(list.body).toString('utf8'), list.finalUrl).links;
    expect(links.map((l) => l.url)).toContain(`${challenge.origin}/news/2024/a1.html`);
    // The plain client met the challenge; the browser ran its script, got the cookie, reloaded.
    expect(challenge.requests.filter((r) => !fromBrowser(r)).map((r) => r.path)).toEqual([
      '/news/index.html',
    ]);

    // Remembered for both page types, in the database: a new loader (a new run) knows it.
    expect(await loader.mode(challenge.host, 'article')).toMatchObject({
      mode: 'browser',
      reason: 'challenge',
    });
    const rows = await temp.db
      .selectFrom('host_render_modes')
      .selectAll()
      .where('host', '=', challenge.host)
      .execute();
    expect(rows.map((r) => [r.page_type, r.mode, r.reason]).sort()).toEqual([
      ['article', 'browser', 'challenge'],
      ['list', 'browser', 'challenge'],
    ]);
    const nextRun = newLoader();
    expect(await nextRun.mode(challenge.host, 'list')).toMatchObject({ mode: 'browser' });

    // The next page: the plain client tries again, now with the browser's cookie, and it works.
    const before = challenge.requests.length;
    const a1 = await loader.load(`${challenge.origin}/news/2024/a1.html`, {
      source,
      pageType: 'article',
    });
    expect(isRendered(a1)).toBe(false);
    expect(parseHtml(Buffer.from(a1.body).toString('utf8'), a1.finalUrl).text).toContain(
      '签署了会谈纪要',
    );
    const a2 = await loader.load(`${challenge.origin}/news/2024/a2.html`, {
      source,
      pageType: 'article',
    });
    expect(isRendered(a2)).toBe(false);
    const plain = challenge.requests.slice(before);
    expect(plain.map((r) => r.path)).toEqual(['/news/2024/a1.html', '/news/2024/a2.html']);
    for (const r of plain) {
      expect(fromBrowser(r)).toBe(false);
      expect(r.headers['cookie']).toBe('__jsl_clearance=c7d1-ok');
    }
    expect(await loader.mode(challenge.host, 'article')).toMatchObject({
      mode: 'static',
      reason: 'recheck',
    });
  });

  it('recognises a challenge served with status 200 by its script-only body', async () => {
    const loader = newLoader();
    const page = await loader.load(`${challenge200.origin}/news/2024/a3.html`, {
      source: sourceFor(challenge200),
      pageType: 'article',
    });
    expect(isRendered(page)).toBe(true);
    const doc = parseHtml(Buffer.from(page.body).toString('utf8'), page.finalUrl);
    expect(doc.title).toBe('公安部与塔吉克斯坦内务部签署合作协议');
    expect(await loader.mode(challenge200.host, 'list')).toMatchObject({
      mode: 'browser',
      reason: 'challenge',
    });
  });

  it('renders a page found to be script-filled and remembers that for the host and page type', async () => {
    const source = sourceFor(app, {
      article_patterns: ['/gdnps/pc/content\\.jsp\\?id=\\d+'],
      start_urls: [`${app.origin}/gdnps/pc/content.jsp?id=7460430&mtype=4`],
    });
    const loader = newLoader();
    const page = await loader.load(`${app.origin}/gdnps/pc/content.jsp?id=7460431&mtype=4`, {
      source,
      pageType: 'article',
    });
    expect(isRendered(page)).toBe(true);
    expect(parseHtml(Buffer.from(page.body).toString('utf8'), page.finalUrl).text).toContain(
      '中塞警务联合巡逻启动仪式',
    );
    expect(await loader.mode(app.host, 'article')).toMatchObject({
      mode: 'browser',
      reason: 'script-filled',
    });
    // List pages of the same host are not assumed to need the browser.
    expect(await loader.mode(app.host, 'list')).toBeUndefined();
  });

  it('leaves plain pages alone: no browser is started for a site that does not need one', async () => {
    await renderer.close();
    const site = await startSite('mps/www', { host: '127.0.0.47' });
    try {
      const loader = newLoader({ db: undefined });
      const source = sourceFor(site, {
        article_patterns: ['/c\\d+/content\\.html$'],
        list_patterns: ['/index(_\\d+)?\\.html$'],
      });
      const sec = '/n2254314/n2254315/n2254317';
      for (const path of [
        `${sec}/index.html`,
        `${sec}/c9420318/content.html`,
        `${sec}/c9312604/content.html`,
      ]) {
        const r = await loader.load(`${site.origin}${path}`, {
          source,
          pageType: path.includes('content') ? 'article' : 'list',
        });
        expect(isRendered(r)).toBe(false);
      }
      expect(renderer.running).toBe(false);
    } finally {
      await site.close();
    }
  });

  it('always renders a `render: browser` source, and leaves no browser behind once closed', async () => {
    const loader = newLoader({ db: undefined });
    const source = sourceFor(app, {
      render: 'browser',
      article_patterns: ['/gdnps/pc/content\\.jsp\\?id=\\d+'],
    });
    const page = await loader.load(`${app.origin}/gdnps/pc/content.jsp?id=7460430&mtype=4`, {
      source,
      pageType: 'article',
    });
    expect(isRendered(page)).toBe(true);
    await Promise.all(loaders.map((l) => l.close()));
    await renderer.close();
    expect(await waitForNoChromium()).toEqual([]);
  });
});

it('tells a page that only forwards by script from a script-filled one', () => {
  const forward =
    '<html><head><script>window.location.href = "./1206x0_676209/";</script></head><body></body></html>';
  expect(looksLikeForwarder(forward)).toBe(true);
  expect(looksLikeChallenge(forward)).toBe(false);
  // The parser follows the forward statically: no browser needed.
  expect(looksScriptFilled(forward, 'https://www.mfa.gov.cn/web/a/1206_676207/', 'list')).toBe(
    false,
  );
  const shell =
    '<html><head><title>公安部</title></head><body><div id="content">加载中</div><script src="/c.js"></script></body></html>';
  expect(
    looksScriptFilled(shell, 'https://app.mps.gov.cn/gdnps/pc/content.jsp?id=1', 'article'),
  ).toBe(true);
});

it('tells a script challenge from an ordinary page with scripts', () => {
  const challengeBody =
    '<html><body><script>document.cookie="a=b; path=/";location.reload();</script></body></html>';
  expect(looksLikeChallenge(challengeBody)).toBe(true);
  expect(
    looksLikeChallenge(
      '<html><body><script>document.cookie="seen=1";location.href="/next";</script><p>公安部与越南公安部签署合作文件，双方表示将深化执法安全合作，共同打击跨国犯罪。</p></body></html>',
    ),
  ).toBe(false);
  expect(looksLikeChallenge('<html><body><script>location.reload()</script></body></html>')).toBe(
    false,
  );
});
