import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { silentLogger } from '../../../core/logger.js';
import { type App, openApp } from '../../../pipeline/app.js';
import { runCrawl } from '../../../pipeline/crawl.js';
import { defineSources } from '../../../pipeline/sources.js';
import { listReviewItems } from '../../../storage/review-items.js';
import { type LlmServer, pageTextOf, startLlmServer } from '../../helpers/llm-server.js';

/**
 * A crawl with PACTWATCH_LLM_MODEL set: the rules code each page, the model gives a second
 * opinion, and what they disagree on reaches the reviewer as `extractor_disagreement` items.
 */

const SIGNING = `<html><body><div id="content"><h1>赵克志与越南公安部部长苏林举行会谈</h1>
<p>9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》。</p></div></body></html>`;
// The rules see a meeting; the model reads a signing into it.
const MEETING = `<html><body><div id="content"><h1>王小洪会见老挝公安部部长</h1>
<p>3月1日，国务委员、公安部部长王小洪在京会见老挝公安部部长维莱。双方就深化执法合作交换意见。</p></div></body></html>`;

function record(country: string, docType: string, title: string | null) {
  return {
    title_zh: title,
    title_en: null,
    date_signed: '2019-09-24',
    year: 2019,
    doc_type: docType,
    doc_type_term: null,
    scope: 'bilateral',
    counterpart_countries: [country],
    forum: null,
    region: 'southeast_asia',
    counterpart_agency: null,
    counterpart_agency_type: 'public_security',
    cn_signing_body: 'mps',
    cn_signatory: { name_zh: null, name_en: null, title: 'minister' },
    cn_signatory_ministerial: true,
    counterpart_signatory: { name: null, rank: 'ministerial' },
    topics: ['transnational_crime'],
    evidence: [],
  };
}

describe('crawl with the LLM second opinion', () => {
  let site: http.Server;
  let origin: string;
  let llm: LlmServer;
  let app: App;
  let dir: string;

  beforeAll(async () => {
    site = http.createServer((req, res) => {
      const pages: Record<string, string> = {
        '/news/index.html': `<html><body><a href="/news/c1.html">会谈</a> <a href="/news/c2.html">会见</a></body></html>`,
        '/news/c1.html': SIGNING,
        '/news/c2.html': MEETING,
      };
      const page = pages[req.url ?? ''];
      res.writeHead(page === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    llm = await startLlmServer();
    llm.respond((request) => {
      const text = pageTextOf(request);
      const answer = text.includes('苏林')
        ? {
            is_signing: true,
            agreements: [
              record(
                'VNM',
                'protocol',
                '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
              ),
            ],
          }
        : { is_signing: true, agreements: [record('LAO', 'mou', null)] };
      return { content: JSON.stringify(answer) };
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-llm-crawl-'));
    const config = loadConfig(
      {
        PACTWATCH_DATA_DIR: dir,
        PACTWATCH_LOG_LEVEL: 'silent',
        OPENAI_BASE_URL: llm.baseUrl,
        PACTWATCH_LLM_MODEL: 'test-model',
      },
      dir,
    );
    app = await openApp(config, { logger: silentLogger });
    const escaped = origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await runCrawl(app, {
      sources: defineSources([
        {
          id: 'llm-test',
          kind: 'mps',
          language: 'zh',
          name: 'LLM second-opinion test site',
          start_urls: [`${origin}/news/index.html`],
          allowed_hosts: ['127.0.0.1'],
          list_patterns: [`^${escaped}/news/index\\.html$`],
          article_patterns: [`^${escaped}/news/c\\d\\.html$`],
          content_selector: '#content',
          render: 'static',
          politeness: { concurrency: 1, delay_ms: 0 },
          limits: { max_pages: 10, max_depth: 2 },
          allow_private_hosts: true,
          respect_robots: false,
        },
      ]),
      retryBaseMs: 20,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await llm?.close();
    await new Promise((resolve) => site?.close(resolve));
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks the model about every article and files what it disagrees on', async () => {
    expect(llm.requests).toHaveLength(2);
    const items = await listReviewItems(app.db, { kind: 'extractor_disagreement' });
    expect(items.find((i) => i.field === 'doc_type')?.details).toMatchObject({
      rules: 'mou',
      llm: 'protocol',
      url: `${origin}/news/c1.html`,
    });
    // A record only the model found becomes a candidate, flagged for review.
    const onlyModel = items.find((i) => i.field === 'record');
    expect(onlyModel?.details).toMatchObject({
      rules: null,
      llm: 'found',
      url: `${origin}/news/c2.html`,
    });
    const agreements = await app.db
      .selectFrom('agreements')
      .select(['id', 'partner_key'])
      .execute();
    expect(agreements.map((a) => a.partner_key).sort()).toEqual(['LAO', 'VNM']);
    expect(new Set(items.map((i) => i.agreementId))).toEqual(new Set(agreements.map((a) => a.id)));
  });

  it('caches the answers in the database', async () => {
    const cached = await app.db.selectFrom('llm_cache').select(['model']).execute();
    expect(cached).toEqual([{ model: 'test-model' }, { model: 'test-model' }]);
  });
});
