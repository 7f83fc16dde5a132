import { describe, expect, it } from 'vitest';
import { normalise, parseYmd, prepare, sentenceIndexAt } from '../../../extractors/text.js';

describe('normalise', () => {
  it('turns a Traditional page into Simplified without changing its length', () => {
    const raw =
      '國務委員、公安部部長趙克志與老撾公安部部長舉行會談，雙方簽署了《關於打擊跨國犯罪的合作協議》。';
    const text = normalise(raw);
    expect(text).toBe(
      '国务委员、公安部部长赵克志与老挝公安部部长举行会谈，双方签署了《关于打击跨国犯罪的合作协议》。',
    );
    expect(text.length).toBe(raw.length);
  });

  it('leaves a Simplified page alone', () => {
    const raw = '双方签署了会议纪要。';
    expect(normalise(raw)).toBe(raw);
  });

  it('makes full-width digits and letters half-width but keeps Chinese punctuation', () => {
    expect(normalise('２０１６年１１月２２日，ＭＰＳ签署（草案）；')).toBe(
      '2016年11月22日，MPS签署(草案)；',
    );
  });
});

describe('prepare', () => {
  it('splits sentences on Chinese and English stops, never inside a 《title》', () => {
    const doc = prepare(
      '标题\n会后，双方签署了《关于A。B的备忘录》。Mr. Guo met To Lam. They signed an MoU.',
      null,
      null,
    );
    const sentences = doc.sentences.map((s) => doc.text.slice(s.start, s.end));
    expect(sentences).toEqual([
      '标题',
      '会后，双方签署了《关于A。B的备忘录》。',
      'Mr. Guo met To Lam.',
      'They signed an MoU.',
    ]);
    expect(doc.titles).toHaveLength(1);
  });

  it('keeps Xinhua datelines with abbreviated months in one sentence', () => {
    const doc = prepare(
      'BEIJING, Nov. 23 (Xinhua) -- The two sides signed an MoU. Next.',
      null,
      null,
    );
    expect(doc.text.slice(doc.sentences[0]!.start, doc.sentences[0]!.end)).toBe(
      'BEIJING, Nov. 23 (Xinhua) -- The two sides signed an MoU.',
    );
  });

  it('treats a short first line as the headline', () => {
    const doc = prepare('赵克志会见苏林\n正文第一段。', null, '2019-09-25');
    expect(doc.headline).toEqual({ start: 0, end: 7 });
    expect(doc.published).toEqual({ y: 2019, m: 9, d: 25 });
    expect(prepare('只有一段正文。', null, null).headline).toBeNull();
  });

  it('finds the sentence that holds an offset', () => {
    const doc = prepare('第一句。第二句。第三句。', null, null);
    expect(sentenceIndexAt(doc, 5)).toBe(1);
    expect(sentenceIndexAt(doc, 0)).toBe(0);
  });
});

describe('parseYmd', () => {
  it('reads YYYY-MM-DD (with or without a time) and rejects impossible dates', () => {
    expect(parseYmd('2016-11-22')).toEqual({ y: 2016, m: 11, d: 22 });
    expect(parseYmd('2016-11-22T08:00:00Z')).toEqual({ y: 2016, m: 11, d: 22 });
    expect(parseYmd('2016-02-30')).toBeNull();
    expect(parseYmd('1900-01-01')).toBeNull();
    expect(parseYmd('2016/11/22')).toEqual({ y: 2016, m: 11, d: 22 });
    expect(parseYmd('22/11/2016')).toBeNull();
    expect(parseYmd(null)).toBeNull();
  });
});
