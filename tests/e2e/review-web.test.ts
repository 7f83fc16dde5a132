import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoSites, startDemoSites } from '../../demo/server.js';
import { runCrawl } from '../../pipeline/crawl.js';
import { queryLog } from '../../pipeline/review.js';
import { defineSources } from '../../pipeline/sources.js';
import { getAgreement, listAgreements, sourcesOf } from '../../storage/agreements.js';
import { type RunningReviewServer, startReviewServer } from '../../web/server.js';
import { ROOT } from '../helpers/cli.js';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { codedRecord } from '../helpers/records.js';
import { CHROMIUM, describeWithChromium } from '../helpers/site-server.js';
import { tempApp } from '../helpers/temp.js';
import { addRecord, addUser } from '../unit/review/seed.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const PASSWORD = 'correct horse battery';
const TTL_MS = 3_600_000;

/**
 * The review app in a real browser, on data from a real crawl of the demo sites plus a few
 * records made for the cases a crawl does not produce (a hostile page, a duplicate pair).
 */
describeWithChromium('review web app in Chromium', () => {
  let sites: DemoSites;
  let app: Awaited<ReturnType<typeof tempApp>>;
  let server: RunningReviewServer;
  let beacon: FixtureServer;
  let browser: Browser;
  let ann: BrowserContext;
  let page: Page;
  let skewMs = 0;
  const ids = { hostile: '', mergeA: '', mergeB: '', split: '', conflict: '' };

  const signIn = async (p: Page, name: string, password = PASSWORD) => {
    await p.fill('#name', name);
    await p.fill('#password', password);
    await p.click('form[action="/login"] button[type=submit]');
  };
  const open = (p: Page, id: string) => p.goto(`${server.url}/items/${id}`);

  beforeAll(async () => {
    beacon = await startFixtureServer({}, {});
    sites = await startDemoSites();
    app = await tempApp();
    await runCrawl(app, { sources: defineSources(sites.sources), retryBaseMs: 20 });
    await addUser(app, 'ann', PASSWORD);
    await addUser(app, 'bob', PASSWORD);
    await addUser(app, 'root', PASSWORD, 'admin');

    const b = beacon.baseUrl;
    ids.hostile = await addRecord(
      app,
      codedRecord({
        counterpart_countries: ['MNG'],
        region: 'east_asia',
        title_zh: `<img src=x onerror="fetch('${b}/title')">蒙古协议`,
        evidence: [
          {
            field: 'doc_type',
            source_url: 'http://evil.test/p',
            quote: '<script>签署协议</script>',
          },
        ],
      }),
      [
        {
          url: 'http://evil.test/p',
          text: `据报道<script>签署协议</script>，双方 <img src=x onerror="fetch('${b}/text')">`,
          html: `<html><head><script>fetch('${b}/script');document.documentElement.setAttribute('data-pwned','1')</script>
<link rel="stylesheet" href="${b}/style.css"></head><body onload="fetch('${b}/onload')">
<h1>签署协议</h1><img src="${b}/remote.png"><img src="x" onerror="fetch('${b}/onerror')">
<iframe src="${b}/frame"></iframe><p style="color:red">styled text</p></body></html>`,
        },
      ],
    );
    ids.mergeA = await addRecord(
      app,
      codedRecord({
        counterpart_countries: ['LAO'],
        title_zh: '中老两国公安部关于打击跨国犯罪合作的谅解备忘录',
      }),
      [
        {
          url: 'http://mps.test/lao',
          text: '双方签署了《中老两国公安部关于打击跨国犯罪合作的谅解备忘录》。',
        },
      ],
    );
    ids.mergeB = await addRecord(
      app,
      codedRecord({
        counterpart_countries: ['LAO'],
        date_signed: '2016-11-23',
        title_zh: '中老打击跨国犯罪合作谅解备忘录',
        confidence: 0.6,
      }),
      [{ url: 'http://news.test/lao', kind: 'news', text: '中老打击跨国犯罪合作谅解备忘录签署' }],
    );
    ids.split = await addRecord(
      app,
      codedRecord({ counterpart_countries: ['THA'], region: 'southeast_asia' }),
      [
        { url: 'http://mps.test/tha-1', text: '中泰签署谅解备忘录' },
        {
          url: 'http://emb.test/tha-2',
          kind: 'embassy',
          text: '中泰签署禁毒合作协议',
          record: codedRecord({ counterpart_countries: ['THA'], doc_type: 'protocol' }),
        },
      ],
    );
    ids.conflict = await addRecord(
      app,
      codedRecord({ counterpart_countries: ['NPL'], region: 'south_asia' }),
      [{ url: 'http://mps.test/npl', text: '中尼签署谅解备忘录' }],
    );

    server = await startReviewServer({
      db: app.db,
      store: app.store,
      port: 0,
      sessionTtlMs: TTL_MS,
      now: () => Date.now() + skewMs,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    ann = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await ann.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sites?.close();
    await beacon?.close();
    await app?.cleanup();
  });

  it('refuses a wrong password, then signs the reviewer in to the queue', async () => {
    await page.goto(`${server.url}/queue`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await signIn(page, 'ann', 'not my password');
    await expect.poll(() => page.textContent('.flash.err')).toContain('Wrong name or password');
    await signIn(page, 'ann');
    await page.waitForURL(/\/queue$/);
    const rows = await page.locator('table.queue tbody tr').count();
    expect(rows).toBe((await listAgreements(app.db, { status: 'pending' })).length);
  });

  it('approves with the a key, moves on, and undoes it with u', async () => {
    const [first] = await listAgreements(app.db, { status: 'pending' });
    await open(page, first?.id ?? '');
    await page.keyboard.press('a');
    await page.waitForURL((u) => u.search.includes('done=approve'));
    expect(await page.textContent('.flash.ok')).toContain(`Approved ${first?.id}`);
    expect((await getAgreement(app.db, first?.id ?? ''))?.status).toBe('approved');
    expect(new URL(page.url()).pathname).not.toBe(`/items/${first?.id}`);
    await page.keyboard.press('u');
    await page.waitForURL((u) => u.search.includes('done=undo'));
    expect(await page.textContent('.flash.ok')).toContain(`Undid your approve of ${first?.id}`);
    expect((await getAgreement(app.db, first?.id ?? ''))?.status).toBe('pending');
  });

  it('edits a field with e, refusing an invalid value', async () => {
    await open(page, ids.split);
    await page.keyboard.press('e');
    expect(await page.locator('#edit').getAttribute('open')).not.toBeNull();
    await page.fill('#edit-date_signed', '2016-02-30');
    await page.click('#edit button[type=submit]');
    await expect.poll(() => page.textContent('.flash.err')).toContain('date_signed');
    expect((await getAgreement(app.db, ids.split))?.record.date_signed).toBe('2016-11-22');
    // The form comes back with what was typed, to correct it.
    expect(await page.inputValue('#edit-date_signed')).toBe('2016-02-30');
    await page.fill('#edit-date_signed', '2016-11-22');
    await page.selectOption('#edit-doc_type', 'cooperation_plan');
    await page.click('#edit button[type=submit]');
    await page.waitForURL((u) => u.search.includes('done=edit'));
    expect((await getAgreement(app.db, ids.split))?.record.doc_type).toBe('cooperation_plan');
    expect(await page.textContent('section[aria-labelledby=h-log]')).toContain(
      'doc_type: mou → cooperation_plan',
    );
  });

  it('merges a duplicate shown as the proposed canonical match, side by side', async () => {
    await open(page, ids.mergeA);
    const match = page.locator('section[aria-labelledby=h-match]');
    expect(await match.textContent()).toContain(ids.mergeB);
    expect(await match.locator('tr.diff').count()).toBeGreaterThan(0);
    await match.getByRole('button', { name: `Merge ${ids.mergeB} into this record` }).click();
    await page.waitForURL((u) => u.search.includes('done=merge'));
    expect((await getAgreement(app.db, ids.mergeB))?.mergedInto).toBe(ids.mergeA);
    const urls = ((await sourcesOf(app.db, [ids.mergeA])).get(ids.mergeA) ?? []).map((s) => s.url);
    expect(urls.sort()).toEqual(['http://mps.test/lao', 'http://news.test/lao']);
    // The merged id still leads to the record.
    await open(page, ids.mergeB);
    expect(new URL(page.url()).pathname).toBe(`/items/${ids.mergeA}`);
    expect(await page.textContent('.flash.warn')).toContain(
      `${ids.mergeB} was merged into this record`,
    );
  });

  it('splits a source off into a new record', async () => {
    await open(page, ids.split);
    await page.click('text=Split: these sources report another signing');
    await page.check('input[name=source][value="http://emb.test/tha-2"]');
    await page.click('text=Split off checked sources');
    await page.waitForURL((u) => u.search.includes('done=split'));
    const created = new URL(page.url()).searchParams.get('ref2') ?? '';
    expect(created).toMatch(/^PW-\d+$/);
    expect((await sourcesOf(app.db, [created])).get(created)?.map((s) => s.url)).toEqual([
      'http://emb.test/tha-2',
    ]);
    expect((await getAgreement(app.db, created))?.record.doc_type).toBe('protocol');
  });

  it('shows every decision on the audit log page', async () => {
    await page.goto(`${server.url}/log`);
    const text = (await page.textContent('table.log')) ?? '';
    for (const action of ['approve', 'undo', 'edit', 'merge', 'split'])
      expect(text).toContain(action);
    expect(await page.locator('table.log tbody tr').count()).toBe((await queryLog(app.db)).length);
  });

  it('refuses a state-changing request without a valid CSRF token (403)', async () => {
    const plain = await page.request.post(`${server.url}/items/${ids.conflict}/approve`, {
      form: { version: '1' },
      maxRedirects: 0,
    });
    expect(plain.status()).toBe(403);
    const forged = await page.request.post(`${server.url}/items/${ids.conflict}/approve`, {
      form: { version: '1', _csrf: 'forged-token' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect((await getAgreement(app.db, ids.conflict))?.status).toBe('pending');
  });

  it('renders a hostile snapshot inert: no script, no handler, no outside load', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await open(page, ids.hostile);
    // Scraped strings are shown as text.
    expect(await page.textContent('h1')).toContain('<img src=x onerror=');
    expect(await page.textContent('.srctext')).toContain('<script>签署协议</script>');
    expect(await page.locator('main img').count()).toBe(0);
    await page.click('details.snapdetails > summary');
    const frameEl = page.locator('iframe.snap');
    expect(await frameEl.getAttribute('sandbox')).toBe('');
    const frame = await (await frameEl.elementHandle())?.contentFrame();
    await frame?.waitForLoadState('load');
    expect(await frame?.textContent('h1')).toBe('签署协议');
    await page.waitForTimeout(500);
    expect(beacon.requests.map((r) => r.url)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await frame?.evaluate('document.documentElement.getAttribute("data-pwned")')).toBeNull();
  });

  it('saves a screenshot of the item page for people to look at', async () => {
    const all = await listAgreements(app.db, { status: 'pending' });
    const sources = await sourcesOf(
      app.db,
      all.map((a) => a.id),
    );
    const richest = [...all].sort(
      (x, y) => (sources.get(y.id)?.length ?? 0) - (sources.get(x.id)?.length ?? 0),
    )[0];
    await open(page, richest?.id ?? '');
    const docType = page.locator('.fields tr[data-field=doc_type]');
    await ((await docType.count()) > 0
      ? docType
      : page.locator('.fields tr.has-ev').first()
    ).click();
    expect(await page.locator('mark.on').count()).toBeGreaterThan(0);
    await page.evaluate('window.scrollTo(0, 0)');
    fs.mkdirSync(path.join(ROOT, 'tests', 'artifacts'), { recursive: true });
    const file = path.join(ROOT, 'tests', 'artifacts', 'review-item.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(20_000);
  });

  it('gives the second of two reviewers deciding at once a clear conflict', async () => {
    const bobContext = await browser.newContext();
    try {
      const bob = await bobContext.newPage();
      await bob.goto(`${server.url}/items/${ids.conflict}`);
      await signIn(bob, 'bob');
      await bob.waitForURL(new RegExp(`/items/${ids.conflict}`));
      await open(page, ids.conflict);
      await page.keyboard.press('a');
      await page.waitForURL((u) => u.search.includes('done=approve'));
      const response = bob.waitForResponse((r) =>
        r.url().endsWith(`/items/${ids.conflict}/approve`),
      );
      await bob.keyboard.press('a');
      expect((await response).status()).toBe(409);
      const message = (await bob.textContent('.flash.err')) ?? '';
      expect(message).toContain(`Conflict: ${ids.conflict} was changed (approve) by ann`);
      expect((await getAgreement(app.db, ids.conflict))?.reviewer).toBe('ann');
    } finally {
      await bobContext.close();
    }
  });

  it('sends a reviewer whose session expired back to sign in, saying why', async () => {
    skewMs = TTL_MS + 60_000;
    try {
      await open(page, ids.split);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.textContent('.flash.warn')).toContain('Your session expired');
      await signIn(page, 'ann');
      await page.waitForURL(new RegExp(`/items/${ids.split}`));
    } finally {
      skewMs = 0;
    }
  });
});
