import { describe, expect, it } from 'vitest';
import { KeywordMatcher } from '../../../extractors/matcher.js';

describe('KeywordMatcher', () => {
  const matcher = new KeywordMatcher([
    { term: '印度', value: 'IND' },
    { term: '印度尼西亚', value: 'IDN' },
    { term: 'Niger', value: 'NER' },
    { term: 'Nigeria', value: 'NGA' },
    { term: '蒙古', value: 'MNG', rejectIfPreceded: /内$/ },
    { term: '朝鲜', value: 'PRK', rejectIfFollowed: /^族/ },
  ]);

  it('takes the longest term at a position (印度尼西亚 is not 印度)', () => {
    const hits = matcher.find('中国与印度尼西亚和印度签署');
    expect(hits.map((h) => h.value)).toEqual(['IDN', 'IND']);
    expect(hits[0]).toMatchObject({ start: 3, end: 8, term: '印度尼西亚' });
  });

  it('does not match an English term inside a longer word', () => {
    expect(matcher.find('Nigeria and Nigerians').map((h) => h.value)).toEqual(['NGA']);
    expect(matcher.find('Niger, Nigeria').map((h) => h.value)).toEqual(['NER', 'NGA']);
  });

  it('applies guards on the text before and after a term', () => {
    expect(matcher.find('内蒙古公安厅与蒙古警察总局').map((h) => h.start)).toEqual([7]);
    expect(matcher.find('朝鲜族群众；朝鲜代表团').map((h) => h.start)).toEqual([6]);
  });

  it('finds only matches inside [from, to)', () => {
    const text = '印度 印度 印度';
    expect(matcher.find(text, 2, 6).map((h) => h.start)).toEqual([3]);
  });

  it('matches case-insensitively on a lower-cased view when asked', () => {
    const ci = new KeywordMatcher([{ term: 'Memorandum of Understanding', value: 'mou' }], {
      caseInsensitive: true,
    });
    expect(ci.find('signed a memorandum of understanding').map((h) => h.value)).toEqual(['mou']);
  });

  it('rejects an empty term with a message naming it', () => {
    expect(() => new KeywordMatcher([{ term: '', value: 1 }])).toThrow(/non-empty/);
  });
});
