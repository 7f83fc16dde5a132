import { describe, expect, it } from 'vitest';
import { dayRange, featuresOf } from '../../../pipeline/dedup/features.js';
import { dedupOptions, matchScore, pairScore } from '../../../pipeline/dedup/score.js';
import { seriesMarks, simplify, zhSubject } from '../../../pipeline/dedup/text.js';
import { codedRecord } from '../../helpers/records.js';

const vnm = (overrides: Parameters<typeof codedRecord>[0] = {}) => codedRecord(overrides);

describe('title normalisation', () => {
  it('reads traditional characters as simplified', () => {
    expect(simplify('諒解備忘錄')).toBe('谅解备忘录');
  });

  it("keeps only a title's subject: no parties, boilerplate or document term", () => {
    const formal = zhSubject(
      '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
      'VNM',
    );
    const embassy = zhSubject('中越两国公安部关于打击跨国犯罪合作谅解备忘录', 'VNM');
    expect(formal).toBe('跨国');
    expect(embassy).toBe(formal);
  });

  it('reads the number of a meeting and a year named in a title', () => {
    expect(seriesMarks('第六次部长级会议纪要').ordinal).toBe(6);
    expect(seriesMarks('第十二次部长级会议纪要').ordinal).toBe(12);
    expect(seriesMarks('Minutes of the 11th ministerial meeting').ordinal).toBe(11);
    expect(seriesMarks('minutes of the sixth meeting').ordinal).toBe(6);
    expect(seriesMarks('2019—2020年合作计划').year).toBe(2019);
    expect(seriesMarks('中越两国公安部打击犯罪合作部长级会议纪要')).toEqual({
      ordinal: 0,
      year: 0,
    });
  });
});

describe('pair scores', () => {
  it('matches one signing told in different words, scripts and a day apart', () => {
    const mps = vnm({
      title_zh: '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
    });
    const hk = vnm({
      date_signed: '2016-11-23',
      title_zh: '中越兩國公安部打擊跨國犯罪合作諒解備忘錄',
    });
    const news = vnm({
      title_zh: null,
      title_en: 'MoU on combating transnational crime',
      cn_signatory: { name_zh: null, name_en: 'Guo Shengkun', title: 'minister' },
    });
    expect(matchScore(hk, mps)).toBeGreaterThan(0.8);
    expect(matchScore(news, mps)).toBeGreaterThan(0.7);
  });

  it('matches an abbreviated title to the full one it is part of', () => {
    const mps = vnm({
      doc_type: 'meeting_minutes',
      title_zh: '中越两国公安部打击犯罪合作部长级会议纪要',
    });
    const embassy = vnm({ doc_type: 'meeting_minutes', title_zh: '第六次部长级会议纪要' });
    expect(matchScore(embassy, mps)).not.toBeNull();
  });

  it('keeps the meetings of a yearly series apart, even in a report dated loosely', () => {
    const sixth = vnm({ doc_type: 'meeting_minutes', title_zh: '第六次部长级会议纪要' });
    const seventh = vnm({
      doc_type: 'meeting_minutes',
      title_zh: '第七次部长级会议纪要',
      date_signed: '2016-11',
    });
    expect(matchScore(seventh, sixth)).toBeNull();
  });

  it('keeps a renewal with the same title in another year apart', () => {
    const title = '关于打击跨国犯罪合作的谅解备忘录';
    expect(
      matchScore(
        vnm({ title_zh: title }),
        vnm({ title_zh: title, date_signed: '2018-11-22', year: 2018 }),
      ),
    ).toBeNull();
  });

  it('lets the English "agreement" stand for a protocol or an MoU, but not a coded accord for minutes', () => {
    const mou = vnm({ title_zh: '关于禁毒合作的谅解备忘录' });
    const loose = vnm({
      doc_type: 'accord',
      doc_type_term: 'agreement',
      title_zh: null,
      title_en: 'Agreement on drug control',
    });
    const strict = vnm({
      doc_type: 'accord',
      doc_type_term: '合作协定',
      title_zh: '关于禁毒合作的合作协定',
    });
    expect(matchScore(loose, mou)).not.toBeNull();
    expect(matchScore(strict, mou)).toBeNull();
    // 协议 and 协定 are both "agreement" in English: related types, not incompatible.
    expect(
      matchScore(vnm({ doc_type: 'protocol', title_zh: '关于禁毒合作的协议' }), strict),
    ).not.toBeNull();
  });

  it('tells a Chinese title from an English one about another subject', () => {
    const drugs = vnm({ title_zh: '关于禁毒合作的谅解备忘录' });
    const terror = vnm({ title_zh: null, title_en: 'MoU on counter-terrorism cooperation' });
    const drugsEn = vnm({ title_zh: null, title_en: 'MoU on combating narcotics' });
    expect(matchScore(terror, drugs)).toBeNull();
    expect(matchScore(drugsEn, drugs)).not.toBeNull();
  });

  it('knows 孟建柱 and Meng Jianzhu are one signatory and scores a different one lower', () => {
    const base = vnm({ title_zh: null, date_signed: '2010-05-05', year: 2010 });
    const zh = {
      ...base,
      cn_signatory: { name_zh: '孟建柱', name_en: null, title: 'minister' as const },
    };
    const en = {
      ...base,
      cn_signatory: { name_zh: null, name_en: 'Meng Jianzhu', title: 'minister' as const },
    };
    const other = {
      ...base,
      cn_signatory: { name_zh: null, name_en: 'Liu Jinguo', title: 'vice_minister' as const },
    };
    const same = matchScore(zh, en);
    const different = matchScore(zh, other);
    expect(same).not.toBeNull();
    expect(different ?? 0).toBeLessThan(same ?? 0);
  });

  it('never matches records without a partner or without a date', () => {
    const f = featuresOf(vnm({ counterpart_countries: [], forum: null }));
    expect(pairScore(f, f, dedupOptions())).toBeNull();
    const undated = featuresOf(vnm({ date_signed: null, year: null }));
    expect(pairScore(undated, undated, dedupOptions())).toBeNull();
  });

  it('lets a month-only date match any day of that month within the window rules', () => {
    expect(matchScore(vnm({ date_signed: '2016-11' }), vnm())).not.toBeNull();
    expect(matchScore(vnm({ date_signed: '2016-12' }), vnm())).toBeNull();
  });

  it('rejects bad options naming the field and value', () => {
    expect(() => dedupOptions({ windowDays: -1 })).toThrow(/`windowDays`.*`-1`/);
    expect(() => dedupOptions({ minScore: 2 })).toThrow(/`minScore`.*`2`/);
  });
});

describe('date ranges', () => {
  it('count days exactly like the calendar, for full, month and year dates', () => {
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [2016, 11, 22],
      [2024, 12, 31],
      [2100, 3, 1],
    ] as const) {
      const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      expect(dayRange(iso)).toEqual([day(y, m, d), day(y, m, d)]);
    }
    expect(dayRange('2016-02')).toEqual([day(2016, 2, 1), day(2016, 2, 29)]);
    expect(dayRange('2016-12')).toEqual([day(2016, 12, 1), day(2016, 12, 31)]);
    expect(dayRange('2017')).toEqual([day(2017, 1, 1), day(2017, 12, 31)]);
  });
});
