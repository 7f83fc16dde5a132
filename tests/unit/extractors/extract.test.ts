import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTRACT_OPTIONS, extract } from '../../../extractors/index.js';
import { CodedAgreement, ExtractionResult } from '../../../schemas/agreement.js';

const PAGE_URL = 'https://www.mps.gov.cn/n2253534/n2253535/c6677001/content.html';
const TEXT =
  '赵克志与越南公安部部长苏林举行会谈\n' +
  '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。双方就深化禁毒、反恐、执法能力建设等领域务实合作深入交换意见。\n' +
  '会后，双方签署了会议纪要，并见证签署了《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》。';

describe('extract', () => {
  const result = extract({ text: TEXT, url: PAGE_URL, published: '2019-09-25' });

  it('returns records that pass the CodedAgreement schema', () => {
    expect(ExtractionResult.parse(result)).toEqual(result);
    for (const a of result.agreements) expect(CodedAgreement.parse(a)).toEqual(a);
    expect(result.is_signing).toBe(true);
    expect(result.agreements.map((a) => a.doc_type).sort()).toEqual(['meeting_minutes', 'mou']);
  });

  it('backs every coded field with a quote whose offsets index the input', () => {
    for (const a of result.agreements) {
      const fields = new Set(a.evidence.map((e) => e.field));
      for (const f of [
        'is_signing',
        'doc_type',
        'date_signed',
        'counterpart_countries',
        'cn_signatory',
        'topics',
      ]) {
        expect(fields.has(f), `${a.doc_type} lacks ${f} evidence`).toBe(true);
      }
      for (const e of a.evidence) {
        expect(TEXT.slice(e.start, e.end)).toBe(e.quote);
        expect(e.quote.length).toBeLessThanOrEqual(DEFAULT_EXTRACT_OPTIONS.maxEvidenceChars);
        expect(e.source_url).toBe(PAGE_URL);
      }
    }
  });

  it('never sets is_renewal (the dedup stage does, with the dataset in view)', () => {
    expect(result.agreements.every((a) => a.is_renewal === false)).toBe(true);
  });

  it('honours maxEvidenceChars and rejects bad values naming the option', () => {
    const short = extract(
      { text: TEXT, url: PAGE_URL, published: '2019-09-25' },
      { maxEvidenceChars: 16 },
    );
    for (const a of short.agreements) {
      for (const e of a.evidence) expect(e.quote.length).toBeLessThanOrEqual(16);
    }
    expect(() => extract({ text: TEXT }, { maxEvidenceChars: 0 })).toThrow(
      /Expected `maxEvidenceChars` to be an integer >= 8, got `0`/,
    );
  });

  it('works without url or page date', () => {
    const r = extract({
      text: '2016年11月22日，公安部部长郭声琨在河内与越南公安部部长苏林会谈，双方签署了会议纪要。',
    });
    expect(r.agreements[0]).toMatchObject({ date_signed: '2016-11-22', year: 2016 });
    expect(r.agreements[0]?.evidence[0]?.source_url).toBeNull();
  });

  it('returns the empty result for pages that report no signing', () => {
    expect(extract({ text: '公安部召开全国公安机关视频会议。' })).toEqual({
      is_signing: false,
      agreements: [],
    });
    expect(extract({ text: '' })).toEqual({ is_signing: false, agreements: [] });
  });

  it('merges the headline and the body reporting the same document', () => {
    const r = extract({
      text: '中泰签署打击电信诈骗合作谅解备忘录\n8月8日，国务委员、公安部部长王小洪在京与泰国副总理兼内政部长阿努廷举行会谈。会谈后，双方签署了《中华人民共和国公安部与泰王国内政部关于打击电信网络诈骗犯罪的谅解备忘录》。',
      published: '2023-08-09',
    });
    expect(r.agreements).toHaveLength(1);
    expect(r.agreements[0]).toMatchObject({
      doc_type: 'mou',
      date_signed: '2023-08-08',
      counterpart_countries: ['THA'],
    });
  });

  it('is more confident when verb, document, date and counterpart sit together', () => {
    const vague = extract({
      text: '据悉，中越两国公安部签署了有关合作文件。',
      published: '2019-09-25',
    });
    const full = result.agreements.find((a) => a.doc_type === 'mou');
    expect(vague.agreements[0]?.confidence).toBeLessThan(full?.confidence ?? 0);
    expect(full?.confidence).toBeGreaterThan(0.8);
  });

  it('survives mangled pages: no throw, valid records, valid offsets', () => {
    const fixtures = fileURLToPath(
      new URL('../../fixtures/extract/labelled.jsonl', import.meta.url),
    );
    const corpus = readFileSync(fixtures, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text)
      .join('\n');
    const noise = [
      '《',
      '》',
      '签署了《',
      '13月45日',
      'Feb 30, 2016',
      '周三',
      '中巴',
      '越方',
      '\u{1F600}',
      '𠀀',
      '\n',
    ];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let signing = 0;
    for (let i = 0; i < 400; i += 1) {
      const from = Math.floor(next() * corpus.length);
      let text = corpus.slice(from, from + Math.floor(next() * 500));
      for (let j = Math.floor(next() * 5); j > 0; j -= 1) {
        const at = Math.floor(next() * (text.length + 1));
        text = text.slice(0, at) + noise[Math.floor(next() * noise.length)] + text.slice(at);
      }
      const published = next() < 0.2 ? null : next() < 0.1 ? 'not a date' : '2019-09-25';
      const r = extract({ text, published });
      expect(ExtractionResult.safeParse(r).success, text).toBe(true);
      for (const a of r.agreements) {
        for (const e of a.evidence) expect(text.slice(e.start, e.end)).toBe(e.quote);
      }
      if (r.is_signing) signing += 1;
    }
    expect(signing).toBeGreaterThan(20);
  });

  it('takes time linear in page length (no scan per sentence over the whole page)', () => {
    const filler =
      '公安部召开视频会议，部署打击电信网络诈骗、跨境赌博等违法犯罪。越南、老挝警方积极配合。2023年6月12日。\n';
    const page = (n: number) => ({
      text: filler.repeat(n) + TEXT,
      url: PAGE_URL,
      published: '2019-09-25',
    });
    // Best of several interleaved runs: the machine may be busy with other work, and
    // alternating keeps both sizes exposed to the same load.
    const small = page(100);
    const large = page(400);
    const time = (p: ReturnType<typeof page>): number => {
      const t0 = performance.now();
      for (let i = 0; i < 5; i += 1) extract(p);
      return performance.now() - t0;
    };
    extract(small);
    extract(large);
    let bestSmall = Number.POSITIVE_INFINITY;
    let bestLarge = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 6; run += 1) {
      bestSmall = Math.min(bestSmall, time(small));
      bestLarge = Math.min(bestLarge, time(large));
    }
    // Four times the text: about four times the work; a quadratic scan would be about 16.
    expect(bestLarge / bestSmall).toBeLessThan(8);
  });
});
