import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import { runCli } from '../../helpers/cli.js';
import { type LlmServer, pageTextOf, startLlmServer } from '../../helpers/llm-server.js';

/** `pactwatch extract --extractor rules|llm|both`, run as a user runs the built CLI. */

const PAGE =
  '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》。';

describe('pactwatch extract --extractor', () => {
  let llm: LlmServer;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    llm = await startLlmServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-extract-cli-'));
    env = {
      PACTWATCH_DATA_DIR: dir,
      OPENAI_BASE_URL: llm.baseUrl,
      PACTWATCH_LLM_MODEL: 'test-model',
      PACTWATCH_LOG_LEVEL: 'silent',
    };
    // The model codes the same MoU, but as a protocol signed by a vice minister.
    const rules = extract({ text: PAGE, published: '2019-09-25' });
    llm.respond((request) => {
      const first = { ...rules.agreements[0], doc_type: 'protocol', evidence: [] };
      const on = pageTextOf(request).includes('苏林');
      return { content: JSON.stringify({ is_signing: on, agreements: on ? [first] : [] }) };
    });
  });
  afterAll(async () => {
    await llm?.close();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('codes with the rules by default and asks no model', async () => {
    const r = await runCli(['extract', '--published', '2019-09-25'], { env, input: PAGE });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      is_signing: boolean;
      agreements: { doc_type: string }[];
    };
    expect(result.agreements.map((a) => a.doc_type)).toEqual(['mou']);
    expect(Object.keys(result)).toEqual(['is_signing', 'agreements']);
    expect(llm.requests).toHaveLength(0);
  });

  it('prints the model’s records with --extractor llm', async () => {
    const r = await runCli(['extract', '--extractor', 'llm', '--published', '2019-09-25'], {
      env,
      input: PAGE,
    });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { agreements: { doc_type: string }[] };
    expect(result.agreements.map((a) => a.doc_type)).toEqual(['protocol']);
  });

  it('prints the rules’ records and the disagreements with --extractor both', async () => {
    const lines = [
      JSON.stringify({ id: 'a', text: PAGE, published: '2019-09-25' }),
      JSON.stringify({
        id: 'b',
        text: '公安部召开会议，部署夏季治安打击整治行动。',
        published: '2019-09-25',
      }),
    ].join('\n');
    const r = await runCli(['extract', '--extractor', 'both', '--jsonl'], { env, input: lines });
    expect(r.code).toBe(0);
    const [a, b] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)) as {
      id: string;
      agreements: { doc_type: string }[];
      disagreements: { field: string; rules: unknown; llm: unknown }[];
    }[];
    expect(a?.agreements.map((x) => x.doc_type)).toEqual(['mou']);
    expect(a?.disagreements).toEqual([
      { ordinal: 0, field: 'doc_type', rules: 'mou', llm: 'protocol' },
    ]);
    expect(b?.disagreements).toEqual([]);
  });

  it('says in one line what is missing when no model is configured', async () => {
    const r = await runCli(['extract', '--extractor', 'llm'], {
      env: { PACTWATCH_DATA_DIR: dir },
      input: PAGE,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PACTWATCH_LLM_MODEL/);
    const bad = await runCli(['extract', '--extractor', 'gpt'], { env, input: PAGE });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rules, llm or both/);
  });
});

describe('pactwatch extract on saved pages in their own charset', () => {
  let dir: string;
  const page = (meta: string) =>
    `<html><head>${meta}<title>中越签署合作文件</title></head><body><div class="nav"><a href="/">首页</a></div><div id="News_Body_Txt_A"><p>${PAGE}</p></div></body></html>`;
  const codedIn = async (file: string, bytes: Buffer) => {
    fs.writeFileSync(path.join(dir, file), bytes);
    const r = await runCli(['extract', path.join(dir, file), '--published', '2019-09-25'], {
      env: { PACTWATCH_DATA_DIR: dir },
    });
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout) as {
      agreements: { doc_type: string; counterpart_countries: string[]; title_zh: string }[];
    };
    return result.agreements.map((a) => [a.doc_type, a.counterpart_countries, a.title_zh]);
  };
  const expected = [
    [
      'mou',
      ['VNM'],
      '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
    ],
  ];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-extract-charset-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a GBK page by its <meta> charset', async () => {
    const gbk = iconv.encode(
      page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
      'gbk',
    );
    expect(await codedIn('gbk-meta.html', gbk)).toEqual(expected);
  });

  it('reads a GBK page that names no charset, and plain GBK text', async () => {
    expect(await codedIn('gbk-bare.html', iconv.encode(page(''), 'gbk'))).toEqual(expected);
    expect(await codedIn('gbk.txt', iconv.encode(PAGE, 'gbk'))).toEqual(expected);
  });

  it('reads a page saved as UTF-8 that kept its old GBK <meta>', async () => {
    const utf8 = Buffer.from(page('<meta charset="gbk">'), 'utf8');
    expect(await codedIn('resaved.html', utf8)).toEqual(expected);
  });
});
