import { afterAll, beforeAll, expect, it } from 'vitest';
import { NonRetryableError, PipelineError, RetryableError } from '../../../core/errors.js';
import { decodeBody } from '../../../crawlers/charset.js';
import { Fetcher } from '../../../crawlers/fetcher.js';
import { parseHtml } from '../../../crawlers/html.js';
import { looksScriptFilled } from '../../../crawlers/page-loader.js';
import { RENDERED_HEADER, Renderer } from '../../../crawlers/renderer.js';
import {
  type FixtureServer,
  hangingRoute,
  startFixtureServer,
} from '../../helpers/fixture-server.js';
import {
  CHROMIUM,
  chromiumChildren,
  describeWithChromium,
  type FixtureSite,
  startSite,
  waitForNoChromium,
} from '../../helpers/site-server.js';

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineError);
    return err as PipelineError;
  }
  throw new Error('expected the render to fail');
}

describeWithChromium('Renderer (real Chromium)', () => {
  let app: FixtureSite;
  let hanging: FixtureServer;
  let renderer: Renderer;
  const fetcher = new Fetcher({ allowPrivateAddresses: true });
  const appUrl = () => `${app.origin}/gdnps/pc/content.jsp?id=7460430&mtype=4`;

  beforeAll(async () => {
    app = await startSite('mps/app', { host: '127.0.0.41' });
    hanging = await startFixtureServer({ '/hang': hangingRoute() }, { host: '127.0.0.44' });
    renderer = new Renderer({ executablePath: CHROMIUM, settleMs: 2000 });
  });
  afterAll(async () => {
    await renderer.close();
    await fetcher.close();
    await app.close();
    await hanging.close();
  });

  it('renders an app page whose text a script fills in, so its article text is extracted', async () => {
    const plain = await fetcher.fetch(appUrl());
    const markup = decodeBody(plain.body, plain.contentType).text;
    expect(parseHtml(markup, appUrl()).text).not.toContain('谅解备忘录');
    expect(looksScriptFilled(markup, appUrl(), 'article')).toBe(true);

    const rendered = await renderer.render(appUrl());
    expect(rendered.status).toBe(200);
    expect(rendered.contentType).toBe('text/html; charset=utf-8');
    expect(rendered.headers[RENDERED_HEADER]).toBe('chromium');
    expect(rendered.finalUrl).toBe(appUrl());
    const html = Buffer.from(rendered.body).toString('utf8');
    const doc = parseHtml(html, rendered.finalUrl);
    expect(doc.title).toBe('中国与柬埔寨签署执法安全合作文件');
    expect(doc.text).toContain('关于加强执法安全合作的谅解备忘录');
    expect(doc.published).toBe('2023-09-20');
    expect(looksScriptFilled(html, rendered.finalUrl, 'article')).toBe(false);
  });

  it('never requests images, fonts or media from the site', async () => {
    const before = app.requests.length;
    const rendered = await renderer.render(appUrl());
    const paths = app.requests.slice(before).map((r) => r.path);
    // The page itself, its script and its data were loaded...
    expect(paths).toContain('/gdnps/pc/js/content.js');
    expect(paths).toContain('/gdnps/pc/data/7460430.json');
    // ...but nothing the text does not need.
    expect(paths.filter((p) => /\.(png|jpe?g|gif|woff2?|mp4)$/.test(p))).toEqual([]);
    expect(rendered.blockedRequests).toBeGreaterThanOrEqual(3);
  });

  it('refuses a page on a host the source does not allow', async () => {
    const err = await failure(
      renderer.render(appUrl(), { isUrlAllowed: (u) => !u.startsWith(app.origin) }),
    );
    expect(err).toBeInstanceOf(NonRetryableError);
    expect(err.code).toBe('HOST_NOT_ALLOWED');
    expect(hanging.requests.length).toBe(0);
  });

  it('maps a missing page to an HTTP status error, like the plain fetcher', async () => {
    const err = await failure(renderer.render(`${app.origin}/no/such/page.html`));
    expect(err.code).toBe('HTTP_STATUS');
    expect(err).toBeInstanceOf(NonRetryableError);
  });

  it('gives up on a page that never answers within its time limit', async () => {
    const quick = new Renderer({
      executablePath: CHROMIUM,
      navigationTimeoutMs: 1500,
      renderTimeoutMs: 2500,
    });
    try {
      const err = await failure(quick.render(`${hanging.baseUrl}/hang`));
      expect(err).toBeInstanceOf(RetryableError);
      expect(err.code).toBe('HTTP_TIMEOUT');
    } finally {
      await quick.close();
    }
  });

  it('runs one browser, and its process is gone after close', async () => {
    await renderer.render(appUrl());
    const browsers = chromiumChildren();
    expect(browsers).toHaveLength(1);
    // Concurrent renders share the one browser.
    await Promise.all([renderer.render(appUrl()), renderer.render(appUrl())]);
    expect(chromiumChildren()).toEqual(browsers);
    await renderer.close();
    expect(renderer.running).toBe(false);
    expect(await waitForNoChromium()).toEqual([]);
    // Closing twice is harmless; a later render starts a fresh browser.
    await renderer.close();
    await renderer.render(appUrl());
    expect(chromiumChildren()).toHaveLength(1);
    expect(chromiumChildren()).not.toEqual(browsers);
  });

  it('rejects bad options naming the field', () => {
    expect(() => new Renderer({ maxContexts: 0 })).toThrow(/`maxContexts`.*`0`/);
    expect(() => new Renderer({ proxy: 'not a url' })).toThrow(/`proxy`/);
  });
});
