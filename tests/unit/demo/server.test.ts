import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSites, startDemoSites } from '../../../demo/server.js';
import { SourceDefinition } from '../../../schemas/source.js';

interface Expected {
  agreements: { key: string; sources: string[] }[];
  negatives: string[];
  crawl: {
    never_fetched: string[];
    not_found: string[];
    flaky: { page: string; status: number; failures: number }[];
    gbk_pages: string[];
    list_pages: string[];
  };
}

const expected = JSON.parse(
  readFileSync(new URL('../../../demo/expected.json', import.meta.url), 'utf8'),
) as Expected;

const sitesDir = new URL('../../../demo/sites/', import.meta.url);

function split(ref: string): { site: string; path: string } {
  const at = ref.indexOf(':');
  return { site: ref.slice(0, at), path: ref.slice(at + 1) };
}

const MPS_SECTION = '/n2254314/n2254315/n2254317';

describe('demo sites', () => {
  let demo: DemoSites;
  const base = (site: string): string => {
    const found = demo.sites.find((s) => s.id === site);
    if (!found) throw new Error(`no site ${site}`);
    return found.baseUrl;
  };
  const url = (ref: string): string => {
    const { site, path } = split(ref);
    return `${base(site)}${path}`;
  };

  beforeAll(async () => {
    demo = await startDemoSites();
  });
  afterAll(async () => {
    await demo.close();
  });

  it('puts each site on its own loopback address and describes it as a valid source', () => {
    expect(demo.sites.map((s) => s.id)).toEqual(['mps', 'embassy', 'news']);
    expect(new Set(demo.sites.map((s) => new URL(s.baseUrl).hostname)).size).toBe(3);
    for (const raw of demo.sources) {
      const source = SourceDefinition.parse(raw);
      expect(source.allow_private_hosts).toBe(true);
      expect(source.politeness).toEqual({ concurrency: 2, delay_ms: 0 });
    }
  });

  it('has source patterns that match its list pages and articles and nothing in the chrome', () => {
    const byId = new Map(demo.sources.map((s) => [s.id, s]));
    const sourceOf = (site: string) => {
      const id = demo.sites.find((s) => s.id === site)?.sourceId ?? '';
      const source = byId.get(id);
      if (!source) throw new Error(`no source for ${site}`);
      return source;
    };
    const matches = (patterns: string[] | undefined, u: string) =>
      (patterns ?? []).some((p) => new RegExp(p).test(u));
    const articles = [
      ...expected.agreements.flatMap((a) => a.sources),
      ...expected.negatives,
      ...expected.crawl.never_fetched,
    ];
    for (const ref of articles) {
      const source = sourceOf(split(ref).site);
      expect(matches(source.article_patterns, url(ref)), ref).toBe(true);
      expect(matches(source.list_patterns, url(ref)), ref).toBe(false);
    }
    for (const ref of expected.crawl.list_pages) {
      const source = sourceOf(split(ref).site);
      expect(matches(source.list_patterns, url(ref)), ref).toBe(true);
    }
    const mps = sourceOf('mps');
    expect(
      matches(mps.article_patterns, `${base('mps')}/n2253534/n2253535/c4865543/content.html`),
    ).toBe(false);
    expect(matches(mps.list_patterns, `${base('mps')}/n2254314/n2254315/n2254318/index.html`)).toBe(
      false,
    );
  });

  it('serves the MPS list with pagination, noise links and an off-site link', async () => {
    const res = await fetch(`${base('mps')}${MPS_SECTION}/index.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('href="index_1.html">下一页</a>');
    expect(html).toContain('href="https://www.gov.cn/');
    expect(html).toContain('href="/n2254314/n2254315/n2254318/index.html"');

    const second = await (await fetch(`${base('mps')}${MPS_SECTION}/index_1.html`)).text();
    expect(second).toContain('href="index_2.html">下一页</a>');
    expect(second).toContain('c9312604/content.html?utm_source=x');
    expect(second).toContain('c6791540/content.html#pinglun');

    const embassy = await (await fetch(`${base('embassy')}/chn/sbdt/index.htm`)).text();
    expect(embassy).toContain('href="index_1.htm">下一页</a>');
    const news = await (await fetch(`${base('news')}/world/index.html`)).text();
    expect(news).toContain('href="/world/page/2.html"');
  });

  it('serves GBK pages whose charset is only in a meta tag', async () => {
    expect(expected.crawl.gbk_pages.length).toBeGreaterThanOrEqual(6);
    for (const ref of expected.crawl.gbk_pages) {
      const res = await fetch(url(ref));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html');
      const bytes = Buffer.from(await res.arrayBuffer());
      const { site, path } = split(ref);
      const source = readFileSync(new URL(`${site}${path}`, sitesDir), 'utf8');
      expect(iconv.decode(bytes, 'gbk')).toBe(source);
      expect(bytes.equals(Buffer.from(source, 'utf8'))).toBe(false);
      expect(source.slice(0, 200)).toContain('charset=gb2312');
    }
    const sco = await fetch(url('mps:/n2254314/n2254315/n2254317/c6132457/content.html'));
    const text = iconv.decode(Buffer.from(await sco.arrayBuffer()), 'gbk');
    expect(text).toContain('《上海合作组织成员国公安内务部长会议联合声明》');
  });

  it('answers 304 to a matching ETag or If-Modified-Since', async () => {
    const target = `${base('news')}/world/2016-11/23/c_135851234.htm`;
    const first = await fetch(target);
    const etag = first.headers.get('etag');
    const lastModified = first.headers.get('last-modified');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    expect(lastModified).not.toBeNull();

    const byTag = await fetch(target, { headers: { 'if-none-match': etag ?? '' } });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    const byDate = await fetch(target, { headers: { 'if-modified-since': lastModified ?? '' } });
    expect(byDate.status).toBe(304);
    const stale = await fetch(target, { headers: { 'if-none-match': '"0000"' } });
    expect(stale.status).toBe(200);
  });

  it('serves robots.txt that disallows each trap page', async () => {
    for (const ref of expected.crawl.never_fetched) {
      const { site, path } = split(ref);
      const res = await fetch(`${base(site)}/robots.txt`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const rules = (await res.text())
        .split('\n')
        .filter((line) => line.startsWith('Disallow: '))
        .map((line) => line.slice('Disallow: '.length).trim());
      expect(
        rules.some((rule) => path.startsWith(rule)),
        ref,
      ).toBe(true);
      // The trap exists, so only robots.txt keeps a crawler away from it.
      expect((await fetch(url(ref))).status).toBe(200);
    }
  });

  it('serves every page expected.json names, and 404 for missing ones', async () => {
    const flaky = new Set(expected.crawl.flaky.map((f) => f.page));
    const refs = [
      ...new Set([...expected.agreements.flatMap((a) => a.sources), ...expected.negatives]),
    ];
    for (const ref of refs.filter((r) => !flaky.has(r))) {
      expect((await fetch(url(ref))).status, ref).toBe(200);
    }
    for (const ref of expected.crawl.not_found) {
      expect((await fetch(url(ref))).status).toBe(404);
    }
    expect((await fetch(`${base('mps')}/no/such/page.html`)).status).toBe(404);
  });

  it('fails a flaky page the given number of times, then serves it', async () => {
    for (const { page, status, failures } of expected.crawl.flaky) {
      for (let i = 0; i < failures; i++) expect((await fetch(url(page))).status).toBe(status);
      expect((await fetch(url(page))).status).toBe(200);
      expect((await fetch(url(page))).status).toBe(200);
    }
  });

  it('ignores query strings and records each request', async () => {
    const path = `${MPS_SECTION}/c9312604/content.html`;
    const plain = await (await fetch(`${base('mps')}${path}`)).text();
    const tagged = await (await fetch(`${base('mps')}${path}?utm_source=x`)).text();
    expect(tagged).toBe(plain);
    const seen = demo.requests.filter((r) => r.site === 'mps' && r.path.startsWith(path));
    expect(seen.map((r) => r.path).slice(-2)).toEqual([path, `${path}?utm_source=x`]);
    expect(seen.every((r) => r.method === 'GET' && r.at > 0)).toBe(true);
  });

  it('does not serve files outside a site folder', async () => {
    // Raw requests: fetch() would normalise the dot segments away before sending.
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(base('mps'));
        const req = request({ host: hostname, port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('/..%2fmanifest.json')).toBe(404);
    expect(await get('/../manifest.json')).toBe(404);
    expect(await get('/..%2f..%2fserver.ts')).toBe(404);
  });
});
