import { describe, expect, it } from 'vitest';
import {
  countryNameEn,
  findCountryMentions,
  findForumMentions,
  regionOf,
  resolveParties,
} from '../../../extractors/countries.js';
import { hasMpsOfficial } from '../../../extractors/signatories.js';
import { findSigningEvents } from '../../../extractors/signing.js';
import { prepare } from '../../../extractors/text.js';

function codesIn(text: string): string[] {
  const doc = prepare(text, null, null);
  return findCountryMentions(doc, 0, doc.text.length)
    .filter((m) => m.strength > 0)
    .map((m) => m.codes[0] ?? '');
}

/** Parties of the first signing event (and its first document) on the page. */
function partiesOf(text: string) {
  const doc = prepare(text, null, '2020-01-01');
  const event = findSigningEvents(doc, { hasMpsOfficial })[0];
  if (event === undefined) throw new Error('no signing event');
  const document = event.docs[0]!;
  const titled = document.titleZhSpan !== null || document.titleEnSpan !== null;
  return resolveParties(doc, event, titled ? document : null);
}

describe('gazetteer', () => {
  it('knows Chinese short and official names, X方 and 中X forms, and English names', () => {
    expect(codesIn('越南社会主义共和国')).toEqual(['VNM']);
    expect(codesIn('泰王国、大韩民国、印尼、印度尼西亚')).toEqual(['THA', 'KOR', 'IDN', 'IDN']);
    expect(codesIn('越方 缅方 柬方 中俄 中越')).toEqual(['VNM', 'MMR', 'KHM', 'RUS', 'VNM']);
    expect(codesIn('Vietnamese, Laotian and Kazakh police; Viet Nam; Burma')).toEqual([
      'VNM',
      'LAO',
      'KAZ',
      'VNM',
      'MMR',
    ]);
    expect(codesIn('刚果（金）和刚果（布）')).toEqual(['COD', 'COG']);
  });

  it('maps Taiwan to TWN and never reports China, Hong Kong or Macao', () => {
    expect(codesIn('海峡两岸；台湾地区；Taiwan')).toEqual(['TWN', 'TWN', 'TWN']);
    expect(codesIn('中国公民、中华人民共和国、中方、香港、澳门、China')).toEqual([]);
  });

  it('does not read country names inside other words', () => {
    expect(codesIn('印度尼西亚')).toEqual(['IDN']);
    expect(codesIn('Nigeria')).toEqual(['NGA']);
    expect(codesIn('内蒙古自治区公安厅')).toEqual([]);
    expect(codesIn('其中巴西警方')).toEqual(['BRA']);
    expect(codesIn('中老年人')).toEqual([]);
    expect(codesIn('加强各方面合作')).toEqual([]);
  });

  it('resolves 中巴 and 巴方 from a full name elsewhere on the page', () => {
    expect(codesIn('中巴两国警方加强合作')).toEqual(['PAK']);
    expect(codesIn('中巴两国警方加强合作。巴西联邦警察出席。')).toEqual(['BRA', 'BRA']);
    expect(codesIn('巴方表示感谢。巴基斯坦内政部长出席。')).toEqual(['PAK', 'PAK']);
  });

  it('reads multi-party abbreviations such as 中老缅泰', () => {
    expect(codesIn('中老缅泰四国执法部门')).toEqual(['LAO', 'MMR', 'THA']);
  });

  it('has a region for every counterpart and English names for labels', () => {
    expect(regionOf('VNM')).toBe('southeast_asia');
    expect(regionOf('RUS')).toBe('eastern_europe_caucasus');
    expect(regionOf('SRB')).toBe('europe');
    expect(regionOf('TWN')).toBe('east_asia');
    expect(regionOf('USA')).toBe('north_america');
    expect(regionOf('FJI')).toBe('oceania');
    expect(countryNameEn('LAO')).toBe('Laos');
    expect(countryNameEn('ITA')).toBe('Italy');
  });
});

describe('forums', () => {
  it('finds forum names and marks those only named as a venue', () => {
    const doc = prepare('在出席上合组织峰会期间，中哈双方签署协议；与东盟签署备忘录', null, null);
    const forums = findForumMentions(doc, 0, doc.text.length).map((f) => [f.id, f.venue]);
    expect(forums).toEqual([
      ['SCO', true],
      ['ASEAN', false],
    ]);
  });
});

describe('resolveParties', () => {
  it('takes the parties from the document title', () => {
    const p = partiesOf(
      '会后，双方签署了《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》。',
    );
    expect(p).toMatchObject({
      countries: ['VNM'],
      forum: null,
      scope: 'bilateral',
      region: 'southeast_asia',
      basis: 'title',
    });
  });

  it('ignores a country only named as the venue of another meeting', () => {
    const p = partiesOf(
      '在出席东盟与中日韩部长级会议期间，公安部部长赵克志在印度尼西亚雅加达与越南公安部部长苏林举行会谈，双方签署了会议纪要。',
    );
    expect(p.countries).toEqual(['VNM']);
    expect(p.forum).toBeNull();
  });

  it('ignores the host of a forum in English too', () => {
    const p = partiesOf(
      'In the margins of the ASEAN ministerial meeting in Jakarta, Indonesia, Chinese Minister of Public Security Guo Shengkun and Vietnamese Minister of Public Security To Lam signed a memorandum of understanding.',
    );
    expect(p).toMatchObject({ countries: ['VNM'], forum: null, scope: 'bilateral' });
  });

  it('codes a forum-only signing as multilateral with no countries and no region', () => {
    const p = partiesOf(
      '上海合作组织成员国公安内务部长会议在京举行\n公安部部长赵克志主持会议。会议期间，与会各方共同签署了会议纪要。',
    );
    expect(p).toMatchObject({
      countries: [],
      forum: 'SCO',
      scope: 'multilateral',
      region: null,
    });
  });

  it('keeps a bilateral signing on the sidelines of a forum bilateral', () => {
    const p = partiesOf(
      'On the sidelines of the SCO summit, Chinese Minister of Public Security Wang Xiaohong and Kazakh Interior Minister Yerzhan Sadenov signed an agreement.',
    );
    expect(p).toMatchObject({ countries: ['KAZ'], forum: null, scope: 'bilateral' });
  });

  it('lists several parties when several sign', () => {
    const p = partiesOf('公安部部长孟建柱主持会议。会后，中老缅泰四国共同签署了联合声明。');
    expect(p).toMatchObject({
      countries: ['LAO', 'MMR', 'THA'],
      scope: 'multilateral',
      region: 'southeast_asia',
    });
  });

  it('finds the partner in the readout when the sentence only says 双方', () => {
    const p = partiesOf(
      '赵克志会见匈牙利内务部长\n2月18日，公安部部长赵克志在京与匈牙利内务部长举行会谈。会谈后，双方签署了有关合作文件。',
    );
    expect(p).toMatchObject({ countries: ['HUN'], basis: 'context', region: 'europe' });
  });
});
