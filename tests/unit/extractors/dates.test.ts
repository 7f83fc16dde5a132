import { describe, expect, it } from 'vitest';
import {
  collectDocDates,
  findDateMentions,
  resolveSigningDate,
} from '../../../extractors/dates.js';
import { prepare } from '../../../extractors/text.js';

/** Resolves the date of the signing verb `verb` in `text`. */
function dateOf(text: string, published: string | null, verb = '签署') {
  const doc = prepare(text, null, published);
  const pos = doc.text.lastIndexOf(verb);
  const sentence = doc.sentences.find((s) => s.start <= pos && pos < s.end)!;
  return resolveSigningDate(doc, sentence, pos, collectDocDates(doc, 0, doc.text.length));
}

describe('findDateMentions', () => {
  it('reads Chinese, English and numeric forms', () => {
    const doc = prepare(
      '2016年11月22日；9月24日；二〇一六年十一月二十二日；November 22, 2016；22 November 2016；Nov. 22；2016-11-22；2016年5月',
      null,
      null,
    );
    const found = findDateMentions(doc, 0, doc.text.length).map((m) => [m.kind, m.y, m.m, m.d]);
    expect(found).toEqual([
      ['full', 2016, 11, 22],
      ['md', null, 9, 24],
      ['full', 2016, 11, 22],
      ['full', 2016, 11, 22],
      ['full', 2016, 11, 22],
      ['md', null, 11, 22],
      ['full', 2016, 11, 22],
      ['ym', 2016, 5, null],
    ]);
  });

  it('skips dates inside a document title and marks "since" dates as background', () => {
    const doc = prepare('签署了《2019年至2021年合作计划》。2015年以来，双方合作顺利。', null, null);
    const found = findDateMentions(doc, 0, doc.text.length);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'y', y: 2015, background: true });
  });
});

describe('resolveSigningDate', () => {
  it('takes the year of a bare 9月24日 from the page date', () => {
    const r = dateOf('9月24日，双方签署了会议纪要。', '2019-09-25');
    expect(r).toMatchObject({ value: '2019-09-24', year: 2019, source: 'sentence' });
  });

  it('uses the previous year when the page date is early January', () => {
    expect(dateOf('12月28日，双方签署了会议纪要。', '2017-01-03').value).toBe('2016-12-28');
  });

  it('keeps the signing date when the report is dated the day after', () => {
    expect(dateOf('2016年11月22日，双方签署了会议纪要。', '2016-11-23').value).toBe('2016-11-22');
  });

  it('takes the date of the meeting sentence before the signing', () => {
    const r = dateOf(
      '9月24日，赵克志与苏林举行会谈。双方就合作交换意见。会后，双方签署了会议纪要。',
      '2019-09-25',
    );
    expect(r).toMatchObject({ value: '2019-09-24', source: 'context' });
  });

  it('adds a day for 次日', () => {
    expect(dateOf('9月24日，代表团抵达北京。次日，双方签署了会议纪要。', '2019-09-26').value).toBe(
      '2019-09-25',
    );
  });

  it('resolves 周三 and "on Wednesday" to the latest such day on or before the dateline', () => {
    expect(dateOf('公安部副部长周三在华盛顿与美方签署了意向书。', '2015-11-19').value).toBe(
      '2015-11-18',
    );
    const en = dateOf(
      'BEIJING, Nov. 23 (Xinhua) -- The ministers signed a memorandum of understanding on Wednesday.',
      '2016-11-24',
      'signed',
    );
    expect(en).toMatchObject({ value: '2016-11-23', source: 'weekday' });
  });

  it('resolves an English day-month without a year', () => {
    expect(
      dateOf('The two sides signed an MoU on 22 November.', '2016-12-01', 'signed').value,
    ).toBe('2016-11-22');
  });

  it('reads 21日 after an earlier month', () => {
    const r = dateOf(
      '新华社河内11月22日电 郭声琨21日在河内与苏林举行会谈，双方签署了会议纪要。',
      '2014-11-22',
    );
    expect(r.value).toBe('2014-11-21');
  });

  it('gives YYYY-MM when only the month is known', () => {
    expect(dateOf('2016年11月，双方签署了会议纪要。', null)).toMatchObject({
      value: '2016-11',
      year: 2016,
    });
  });

  it('uses a month named in the lead when the signing sentence has no date', () => {
    expect(
      dateOf('2016年11月，赵克志访问越南。访问期间，双方签署了会议纪要。', '2016-12-05'),
    ).toMatchObject({
      value: '2016-11',
      source: 'context',
    });
  });

  it('falls back to the page date, or null without one', () => {
    expect(dateOf('双方签署了会议纪要。', '2020-05-06')).toMatchObject({
      value: '2020-05-06',
      source: 'published',
      span: null,
    });
    expect(dateOf('双方签署了会议纪要。', null)).toMatchObject({ value: null, year: null });
  });
});
