import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** `pactwatch extract --jsonl` as DESIGN.md fixes it: one answer line per input line, in order. */

const SIGNING = '9月24日，公安部部长赵克志与越南公安部部长苏林签署了谅解备忘录。';

interface Answer {
  id: string | number | null;
  is_signing: boolean;
  agreements: { date_signed: string | null; counterpart_countries: string[] }[];
  error?: string;
}

describe('pactwatch extract --jsonl', () => {
  it('answers every line in order, keeps ids, reads each line’s own date, and marks bad lines', async () => {
    const lines = [
      JSON.stringify({ id: 'text-2019', text: SIGNING, published: '2019-09-25' }),
      JSON.stringify({
        id: 7,
        html: `<html><body><h1>中越签署合作文件</h1><p>${SIGNING}</p></body></html>`,
        url: 'https://vn.china-embassy.gov.cn/chn/sgxx/201809/t20180925_1.htm',
        published: '2018-09-25',
      }),
      '',
      'not json',
      JSON.stringify({ id: 'no-text' }),
      JSON.stringify({ id: 'negative', text: '公安部召开全国公安机关视频会议。' }),
    ].join('\n');
    const r = await runCli(['extract', '--jsonl'], { input: `${lines}\n` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('2 of 6 lines could not be read; each has an "error" field');
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Answer);
    expect(answers.map((a) => a.id)).toEqual(['text-2019', 7, null, 'no-text', 'negative']);
    expect(answers[0]?.agreements.map((a) => [a.date_signed, a.counterpart_countries])).toEqual([
      ['2019-09-24', ['VNM']],
    ]);
    expect(answers[1]?.agreements.map((a) => a.date_signed)).toEqual(['2018-09-24']);
    expect(answers[2]?.error).toMatch(/^line 4: .*JSON/);
    expect(answers[3]?.error).toBe('line 5: needs "text" or "html"');
    expect(answers[4]).toEqual({ id: 'negative', is_signing: false, agreements: [] });
  });
});
