import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import { normalise } from '../../../extractors/text.js';

/** Behaviours that the labelled corpus measures, pinned one by one where a reader can see them. */

function records(text: string, published = '2019-09-25') {
  return extract({ text, url: 'https://example.test/a', published }).agreements;
}

describe('who signed', () => {
  it('leaves the signatories of a witnessed document unknown, and names them when the page does', () => {
    const found = records(
      '9月24日，公安部部长赵克志与越南公安部部长苏林举行会谈。会后，双方签署了会议纪要，并见证签署了《关于打击跨国犯罪合作的谅解备忘录》。',
    );
    const minutes = found.find((r) => r.doc_type === 'meeting_minutes');
    const mou = found.find((r) => r.doc_type === 'mou');
    expect(minutes?.cn_signatory).toMatchObject({ name_zh: '赵克志', title: 'minister' });
    expect(mou?.cn_signatory).toEqual({ name_zh: null, name_en: null, title: 'unknown' });
    expect(mou?.cn_signatory_ministerial).toBeNull();
    expect(mou?.counterpart_signatory).toEqual({ name: null, rank: 'unknown' });
    // 在…见证下: heads of state watched; the ministers named after it signed.
    const [accord] = records(
      '在两国元首见证下，公安部部长郭声琨与埃及内政部长阿卜杜·加法尔签署了《中华人民共和国政府和阿拉伯埃及共和国政府关于打击犯罪的合作协定》。',
      '2016-01-22',
    );
    expect(accord?.cn_signatory.name_zh).toBe('郭声琨');
    expect(accord?.counterpart_signatory).toEqual({ name: '阿卜杜·加法尔', rank: 'ministerial' });
  });

  it('finds Chinese officials who are not in the table from a title after the name', () => {
    const [handover] = records(
      '9月15日，熊波大使在河内出席中国公安部援助越南公安部警用物资交接仪式，并与越南公安部副部长黎国雄共同签署了物资交接书。',
      '2020-09-15',
    );
    expect(handover?.cn_signatory).toEqual({ name_zh: '熊波', name_en: null, title: 'embassy' });
    expect(handover?.cn_signing_body).toBe('embassy');
    const [bureau] = records(
      '8月2日，中国公安部禁毒局与塔吉克斯坦禁毒署在杜尚别签署《关于禁毒合作的谅解备忘录》。中方由李建华局长签字，塔方由禁毒署署长罗西季签字。',
      '2017-08-03',
    );
    expect(bureau?.cn_signatory).toMatchObject({ name_zh: '李建华', title: 'bureau_head' });
    expect(bureau?.cn_signing_body).toBe('mps_bureau');
    expect(bureau?.counterpart_signatory).toEqual({ name: '罗西季', rank: 'other' });
  });
});

describe('partners and documents', () => {
  it('codes China with Laos, Myanmar and Thailand on the Mekong as the four-country mechanism', () => {
    const [statement] = records(
      '10月31日，中老缅泰关于湄公河流域执法安全合作会议在北京举行。会议结束时，四国代表共同签署了《中老缅泰关于湄公河流域执法安全合作的联合声明》。',
      '2011-10-31',
    );
    expect(statement).toMatchObject({
      forum: 'MEKONG',
      counterpart_countries: ['LAO', 'MMR', 'THA'],
      scope: 'multilateral',
      region: null,
    });
  });

  it('reads a renewal as a signing and an earlier signing it recalls as background', () => {
    const found = records(
      'BEIJING, May 15 (Xinhua) -- Chinese Minister of Public Security Zhao Kezhi and Pakistani Interior Minister Ijaz Ahmad Shah on Tuesday renewed a memorandum of understanding on counterterrorism cooperation between the two ministries.\nThe two ministries first signed the memorandum in April 2017.',
      '2019-05-15',
    );
    expect(found.map((r) => [r.doc_type, r.date_signed])).toEqual([['mou', '2019-05-14']]);
  });

  it('drops a document of another field signed at the same ceremony', () => {
    const found = records(
      '2009年4月26日，海协会会长陈云林与海基会董事长江丙坤在南京签署了“海峡两岸共同打击犯罪及司法互助协议”和“海峡两岸金融合作协议”。',
      '2009-04-27',
    );
    expect(found.map((r) => r.title_zh)).toEqual(['海峡两岸共同打击犯罪及司法互助协议']);
    expect(found[0]).toMatchObject({ counterpart_countries: ['TWN'], cn_signing_body: 'other' });
  });
});

describe('Traditional script', () => {
  it('converts phrases as OpenCC does without moving a single offset', () => {
    const raw = '中國公安部與寮國公安部簽署合作瞭解備忘錄，打擊網路犯罪。';
    const text = normalise(raw);
    expect(text).toBe('中国公安部与老挝公安部签署合作了解备忘录，打击网络犯罪。');
    expect(text.length).toBe(raw.length);
  });

  it('codes a Taiwan report and quotes it as written', () => {
    const raw =
      '（中央社台北8日電）據中國公安部網站消息，中國公安部副部長孫力軍7日在永珍與寮國公安部部長宋喬舉行會談，雙方簽署了打擊跨國犯罪的合作瞭解備忘錄。';
    const [mou] = records(raw, '2019-05-08');
    expect(mou).toMatchObject({
      doc_type: 'mou',
      doc_type_term: '瞭解備忘錄',
      date_signed: '2019-05-07',
      counterpart_countries: ['LAO'],
      counterpart_signatory: { name: '宋喬', rank: 'ministerial' },
      cn_signatory: { name_zh: '孙力军', title: 'vice_minister' },
      topics: ['transnational_crime'],
    });
    for (const e of mou?.evidence ?? []) expect(raw.slice(e.start, e.end)).toBe(e.quote);
  });
});

describe('dates', () => {
  it('reads a day larger than the page day as last month, and 上月 as last month', () => {
    const [handover] = records(
      '（中央社記者XXX聖保羅31日專電）尼加拉瓜官方媒體報導，中國公安部副部長劉釗30日在馬拿瓜與尼加拉瓜國家警察總監簽署警務合作諒解備忘錄。',
      '2023-09-01',
    );
    expect(handover?.date_signed).toBe('2023-08-30');
    const [mou] = records(
      '吉里巴斯政府證實，該國警察總監與中國公安部官員上月在北京簽署警務合作瞭解備忘錄。',
      '2023-04-10',
    );
    expect(mou?.date_signed).toBe('2023-03');
  });
});

describe('evidence', () => {
  it('quotes the page for every coded field, defaults included', () => {
    const text =
      '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了谅解备忘录。';
    const [mou] = records(text);
    const fields = new Set(mou?.evidence.map((e) => e.field));
    for (const field of [
      'is_signing',
      'doc_type',
      'doc_type_term',
      'title_zh',
      'title_en',
      'date_signed',
      'year',
      'scope',
      'counterpart_countries',
      'forum',
      'region',
      'counterpart_agency',
      'counterpart_agency_type',
      'cn_signing_body',
      'cn_signatory',
      'cn_signatory_ministerial',
      'counterpart_signatory',
      'topics',
    ]) {
      expect(fields.has(field), field).toBe(true);
    }
    for (const e of mou?.evidence ?? []) expect(text.slice(e.start, e.end)).toBe(e.quote);
  });

  it('codes a report the same inside a 50 KB page of navigation and other news', () => {
    const article =
      '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了《关于打击跨国犯罪合作的谅解备忘录》。';
    const filler =
      '全国公安机关持续推进夏季治安打击整治行动，依法严厉打击各类违法犯罪活动。\n'.repeat(400);
    const strip = (r: ReturnType<typeof records>) => r.map(({ evidence, ...rest }) => rest);
    expect(strip(records(`${filler}${article}\n${filler}`))).toEqual(strip(records(article)));
  });
});
