import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import {
  compareResults,
  DbLlmCache,
  LlmExtractor,
  type LlmExtractorOptions,
  MemoryLlmCache,
} from '../../../extractors/llm/index.js';
import { ExtractionResult } from '../../../schemas/agreement.js';
import { type LlmServer, pageTextOf, startLlmServer } from '../../helpers/llm-server.js';
import { tempApp } from '../../helpers/temp.js';

const PAGE = `赵克志与越南公安部部长苏林举行会谈
9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》。`;
const INPUT = {
  text: PAGE,
  url: 'https://www.mps.gov.cn/n2253534/c1/content.html',
  published: '2019-09-25',
};

/** What a model that codes the page correctly answers (its own shape: quotes, no offsets). */
function answer(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    is_signing: true,
    agreements: [
      {
        title_zh: '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
        title_en: null,
        date_signed: '2019-09-24',
        year: 2019,
        doc_type: 'mou',
        doc_type_term: '谅解备忘录',
        scope: 'bilateral',
        counterpart_countries: ['VNM'],
        forum: null,
        region: 'southeast_asia',
        counterpart_agency: 'Ministry of Public Security of Vietnam',
        counterpart_agency_type: 'public_security',
        cn_signing_body: 'mps',
        cn_signatory: { name_zh: '赵克志', name_en: 'Zhao Kezhi', title: 'minister' },
        cn_signatory_ministerial: true,
        counterpart_signatory: { name: '苏林', rank: 'ministerial' },
        topics: ['transnational_crime'],
        evidence: [
          { field: 'date_signed', quote: '9月24日' },
          { field: 'cn_signatory', quote: 'made-up words that are not on the page' },
        ],
        confidence: 0.99,
        ...overrides,
      },
    ],
  });
}

let server: LlmServer;
const extractor = (options: Partial<LlmExtractorOptions> = {}) =>
  new LlmExtractor({ baseUrl: server.baseUrl, model: 'test-model', timeoutMs: 2000, ...options });

beforeAll(async () => {
  server = await startLlmServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('LLM extractor against a chat-completions server', () => {
  it('asks for structured output and returns a validated record with located evidence', async () => {
    server.respond(() => ({ content: answer() }));
    const outcome = await extractor({ maxTokens: 1500 }).extract(INPUT);
    expect(outcome.source).toBe('llm');
    expect(ExtractionResult.safeParse(outcome.result).success).toBe(true);
    const record = outcome.result.agreements[0];
    expect(record?.doc_type).toBe('mou');
    expect(record?.is_renewal).toBe(false);
    // A model's confidence is capped; a quote not on the page is dropped.
    expect(record?.confidence).toBe(0.9);
    expect(record?.evidence).toEqual([
      {
        field: 'date_signed',
        source_url: INPUT.url,
        quote: '9月24日',
        start: PAGE.indexOf('9月24日'),
        end: PAGE.indexOf('9月24日') + 5,
      },
    ]);
    const request = server.requests[0];
    expect(request?.model).toBe('test-model');
    expect(request?.temperature).toBe(0);
    expect(request?.max_tokens).toBe(1500);
    expect(request?.response_format?.type).toBe('json_schema');
    expect(request?.response_format?.json_schema?.schema).toMatchObject({ type: 'object' });
    expect(request && pageTextOf(request)).toBe(PAGE);
  });

  it('reads an answer wrapped in a ```json fence', async () => {
    server.respond(() => ({ content: `Here is the coding:\n\`\`\`json\n${answer()}\n\`\`\`` }));
    expect((await extractor().extract(INPUT)).source).toBe('llm');
  });

  it('answers the same page from the cache and asks again for another page', async () => {
    server.respond(() => ({ content: answer() }));
    const llm = extractor();
    await llm.extract(INPUT);
    const again = await llm.extract(INPUT);
    expect(again.source).toBe('cache');
    await llm.extract({ ...INPUT, text: `${PAGE}\n双方同意加强合作。` });
    expect(server.requests).toHaveLength(2);
    expect(llm.usage).toMatchObject({ calls: 2, cacheHits: 1, tokens: 200 });
  });

  it('keeps answers in the llm_cache table across runs', async () => {
    const app = await tempApp();
    try {
      server.respond(() => ({ content: answer() }));
      await extractor({ cache: new DbLlmCache(app.db) }).extract(INPUT);
      const second = await extractor({ cache: new DbLlmCache(app.db) }).extract(INPUT);
      expect(second.source).toBe('cache');
      expect(second.result.agreements[0]?.doc_type).toBe('mou');
      expect(server.requests).toHaveLength(1);
      // Another model is another answer.
      await extractor({ model: 'other-model', cache: new DbLlmCache(app.db) }).extract(INPUT);
      expect(server.requests).toHaveLength(2);
    } finally {
      await app.cleanup();
    }
  });

  it.each([
    ['a server error', { status: 500, content: 'overloaded' }],
    ['an answer that is not JSON', { content: 'I think it is an MoU.' }],
    ['an answer that does not fit the schema', { content: answer({ doc_type: 'treaty' }) }],
    ['an answer cut at the token limit', { content: answer(), finishReason: 'length' as const }],
    ['an empty answer', { content: '' }],
  ])('falls back to the rules on %s', async (_name, reply) => {
    server.respond(() => reply);
    const outcome = await extractor().extract(INPUT);
    expect(outcome.source).toBe('rules');
    expect(outcome.reason).toEqual(expect.any(String));
    expect(outcome.result).toEqual(extract(INPUT));
  });

  it('falls back to the rules when a call runs past its time limit', async () => {
    server.respond(() => ({ content: answer(), delayMs: 1500 }));
    const started = Date.now();
    const outcome = await extractor({ timeoutMs: 200 }).extract(INPUT);
    expect(outcome.source).toBe('rules');
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('stops asking when the run budget is spent', async () => {
    server.respond(() => ({ content: answer(), tokens: 800 }));
    const byCalls = extractor({ maxCalls: 1 });
    await byCalls.extract(INPUT);
    const over = await byCalls.extract({ ...INPUT, text: `${PAGE}\n其他。` });
    expect(over.source).toBe('rules');
    expect(server.requests).toHaveLength(1);
    const byTokens = extractor({ maxTotalTokens: 500 });
    await byTokens.extract(INPUT);
    expect((await byTokens.extract({ ...INPUT, text: `${PAGE}\n另一页。` })).source).toBe('rules');
    expect(server.requests).toHaveLength(2);
  });

  it('rejects bad options, naming the field', () => {
    expect(() => extractor({ timeoutMs: -1 })).toThrow(/`timeoutMs`.*`-1`/);
    expect(() => extractor({ model: '' })).toThrow(/`model`/);
    expect(() => extractor({ maxCalls: 1.5 })).toThrow(/`maxCalls`/);
  });
});

describe('rules and model compared', () => {
  const rules = extract(INPUT);

  it('finds nothing to review when they agree', async () => {
    const llm = await new LlmExtractor({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'unused',
      cache: new MemoryLlmCache(),
    }).extract({ ...INPUT, text: '' });
    expect(compareResults(rules, rules)).toEqual([]);
    expect(llm.source).toBe('rules');
  });

  it('lists the fields they code differently and the records only one found', () => {
    server.respond(() => ({ content: answer() }));
    const other = ExtractionResult.parse({
      is_signing: true,
      agreements: [
        {
          ...rules.agreements[0],
          doc_type: 'protocol',
          topics: ['transnational_crime', 'counterdrug'],
        },
        { ...rules.agreements[0], title_zh: null, doc_type: 'meeting_minutes' },
      ],
    });
    const found = compareResults(rules, other);
    expect(found.find((d) => d.field === 'doc_type')).toMatchObject({
      ordinal: 0,
      rules: 'mou',
      llm: 'protocol',
    });
    expect(found.find((d) => d.field === 'topics')).toMatchObject({ ordinal: 0 });
    expect(found.filter((d) => d.field === 'record')).toEqual([
      expect.objectContaining({ ordinal: null, rules: null }),
    ]);
    expect(compareResults(rules, { is_signing: false, agreements: [] })).toEqual([
      { ordinal: null, field: 'is_signing', rules: true, llm: false },
      { ordinal: 0, field: 'record', rules: 'found', llm: null },
    ]);
  });
});
