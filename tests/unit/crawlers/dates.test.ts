import { describe, expect, it } from 'vitest';
import { dateFromUrl, findDates, parseDateValue } from '../../../crawlers/dates.js';

const dates = (text: string) => findDates(text).map((d) => d.date);

describe('dates in page text', () => {
  it('reads the forms government and news sites write', () => {
    expect(dates('发布时间：2016-11-22 10:30')).toEqual(['2016-11-22']);
    expect(dates('2016年11月22日')).toEqual(['2016-11-22']);
    expect(dates('二〇一六年十一月二十二日')).toEqual(['2016-11-22']);
    expect(dates('Nov. 22, 2016')).toEqual(['2016-11-22']);
    expect(dates('22 November 2016')).toEqual(['2016-11-22']);
    expect(dates('Updated: 22-Nov-2016 09:00')).toEqual(['2016-11-22']);
    expect(dates('Publicado: 22.11.2016.')).toEqual(['2016-11-22']);
  });

  it('leaves ambiguous and non-dates alone', () => {
    expect(dates('12/11/2016')).toEqual([]);
    expect(dates('version v1.2.2023')).toEqual([]);
    expect(dates('31.02.2016')).toEqual([]);
    expect(dates('1.2.3.2020')).toEqual([]);
  });

  it('reads metadata values as the publisher wrote them', () => {
    expect(parseDateValue('2016-11-22T23:30:00+08:00')).toBe('2016-11-22');
    expect(parseDateValue('20161122 10:00')).toBe('2016-11-22');
  });
});

describe('dates in URLs', () => {
  it.each([
    ['https://it.china-embassy.gov.cn/chn/sbdt/201510/t20151008_9476232.htm', '2015-10-08'],
    ['http://www.xinhuanet.com/english/2019-06/12/c_138137012.htm', '2019-06-12'],
    ['http://politics.people.com.cn/n1/2019/0612/c1001-31132022.html', '2019-06-12'],
    ['https://english.news.cn/20231122/8f1c2b7f0d3e4a5b9c6d7e8f9a0b1c2d/c.html', '2023-11-22'],
    ['https://www.police.gov.fj/2023/11/22/commissioner-signs-mou/', '2023-11-22'],
    ['https://www.interior.gov.example/news/2023-11-22-minister-signs', '2023-11-22'],
    ['https://www.mps.gov.cn/n2253534/n2253535/c4865543/content.html', null],
  ])('%s', (url, expected) => {
    expect(dateFromUrl(url)).toBe(expected);
  });
});
