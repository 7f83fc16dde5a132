import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import { officialByName, titleOn } from '../../../extractors/signatories.js';

function first(text: string, published = '2020-01-01') {
  const result = extract({ text, published });
  const record = result.agreements[0];
  if (record === undefined) throw new Error('no agreement extracted');
  return record;
}

describe('officials table', () => {
  it('gives the title an official held on the signing date', () => {
    const wang = officialByName('王小洪')!;
    expect(titleOn(wang, '2017-03-01')).toBe('vice_minister');
    expect(titleOn(wang, '2019-08-12')).toBe('executive_vice_minister');
    expect(titleOn(wang, '2023-11-28')).toBe('minister');
    expect(titleOn(wang, null)).toBe('unknown');
    expect(titleOn(officialByName('Guo Shengkun')!, '2016')).toBe('minister');
    expect(titleOn(officialByName('郭声琨')!, null)).toBe('minister');
    expect(titleOn(officialByName('孟宏伟')!, '2020-01-01')).toBe('unknown');
  });

  it('knows each minister of public security since 2002', () => {
    const ministers = ['周永康', '孟建柱', '郭声琨', '赵克志', '王小洪'].map(
      (name) => officialByName(name)?.tenures.find((t) => t.title === 'minister')?.from,
    );
    expect(ministers).toEqual([
      '2002-12-01',
      '2007-10-30',
      '2012-12-28',
      '2017-11-04',
      '2022-06-24',
    ]);
  });
});

describe('Chinese signatory', () => {
  it('codes a minister from the table and the readout', () => {
    const r = first(
      '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了会议纪要。',
      '2019-09-25',
    );
    expect(r.cn_signatory).toEqual({ name_zh: '赵克志', name_en: 'Zhao Kezhi', title: 'minister' });
    expect(r.cn_signatory_ministerial).toBe(true);
    expect(r.cn_signing_body).toBe('mps');
  });

  it('reads a vice minister not in the table from the title written before the name', () => {
    const r = first(
      '12月28日，公安部副部长李伟在京与吉尔吉斯斯坦内务部第一副部长阿利耶夫举行会谈，并签署了议定书。',
    );
    expect(r.cn_signatory).toEqual({ name_zh: '李伟', name_en: null, title: 'vice_minister' });
    expect(r.cn_signatory_ministerial).toBe(false);
  });

  it('codes bureau heads, provincial departments and embassies as their bodies', () => {
    const bureau = first(
      '公安部国际合作局局长廖进荣与老挝公安部对外合作局局长在京签署了《中老警务合作会谈纪要》。',
    );
    expect(bureau.cn_signatory.title).toBe('bureau_head');
    expect(bureau.cn_signing_body).toBe('mps_bureau');
    const province = first(
      '6月18日，广西壮族自治区公安厅厅长黄克与越南广宁省公安厅厅长在南宁签署了《边境警务合作协议》。',
    );
    expect(province.cn_signatory).toMatchObject({ name_zh: '黄克', title: 'provincial' });
    expect(province.cn_signing_body).toBe('provincial_psb');
    expect(province.counterpart_countries).toEqual(['VNM']);
    const embassy = first(
      '中国政府援助柬埔寨警用物资交接仪式举行。中国驻柬埔寨大使王文天与柬埔寨内政部国务秘书出席并签署了物资交接证书。',
    );
    expect(embassy.cn_signatory).toMatchObject({ name_zh: '王文天', title: 'embassy' });
    expect(embassy.cn_signing_body).toBe('embassy');
    expect(embassy.cn_signatory_ministerial).toBe(false);
  });

  it('leaves an unnamed signatory unknown', () => {
    const r = first('越南公安部代表团访华期间，中越两国公安部签署了《打击跨国犯罪合作协议》。');
    expect(r.cn_signatory).toEqual({ name_zh: null, name_en: null, title: 'unknown' });
    expect(r.cn_signatory_ministerial).toBeNull();
  });

  it('reads English titles', () => {
    const r = first(
      'Chinese Vice Minister of Public Security Meng Hongwei and Thai Deputy Prime Minister signed an MoU on Monday.',
      '2015-03-10',
    );
    expect(r.cn_signatory).toEqual({
      name_zh: '孟宏伟',
      name_en: 'Meng Hongwei',
      title: 'vice_minister',
    });
  });
});

describe('counterpart signatory and agency', () => {
  it('ranks ministers, vice ministers, state secretaries and police chiefs', () => {
    const cases: [string, string | null, string][] = [
      ['意大利内政部长阿尔法诺', '阿尔法诺', 'ministerial'],
      ['柬埔寨副首相兼内政大臣速卡', '速卡', 'ministerial'],
      ['俄罗斯内务部第一副部长戈洛夫', '戈洛夫', 'vice_ministerial'],
      ['塞尔维亚内务部国务秘书内博伊沙', '内博伊沙', 'vice_ministerial'],
      ['斐济警察总监奎里奎', '奎里奎', 'other'],
    ];
    for (const [who, name, rank] of cases) {
      const r = first(`公安部部长赵克志在京与${who}举行会谈。会后，双方签署了会议纪要。`);
      expect(r.counterpart_signatory, who).toEqual({ name, rank });
    }
  });

  it('codes the agency type from the agency attached to the country', () => {
    const cases: [string, string, string][] = [
      ['越南公安部部长苏林', 'public_security', 'Ministry of Public Security of Vietnam'],
      ['意大利内政部长阿尔法诺', 'interior', 'Ministry of the Interior of Italy'],
      ['俄罗斯联邦内务部部长', 'interior', 'Ministry of Internal Affairs of Russia'],
      [
        '美国国土安全部副部长',
        'homeland_security',
        'Department of Homeland Security of the United States',
      ],
      ['白俄罗斯国家安全委员会主席', 'state_security', 'State Security Committee of Belarus'],
      // A force's own English name where the data knows it.
      ['泰国皇家警察总监', 'national_police', 'Royal Thai Police'],
      ['缅甸内政部长', 'interior', 'Ministry of Home Affairs of Myanmar'],
      ['缅甸禁毒委员会主任', 'narcotics', 'Narcotics Control Commission of Myanmar'],
      ['乌兹别克斯坦司法部长', 'justice', 'Ministry of Justice of Uzbekistan'],
      ['吉尔吉斯斯坦边防局局长', 'immigration_border', 'Border Guard Service of Kyrgyzstan'],
    ];
    for (const [who, type, name] of cases) {
      const r = first(`公安部部长赵克志在京与${who}举行会谈。会后，双方签署了会议纪要。`);
      expect([r.counterpart_agency_type, r.counterpart_agency], who).toEqual([type, name]);
    }
  });

  it('reads English ranks and agencies', () => {
    const r = first(
      "China and Myanmar signed an MoU on Monday, following talks between Chinese Minister of Public Security Meng Jianzhu and Myanmar's Deputy Minister of Home Affairs Kyaw Kyaw Tun.",
      '2012-06-05',
    );
    expect(r.counterpart_signatory).toEqual({ name: 'Kyaw Kyaw Tun', rank: 'vice_ministerial' });
    expect(r.counterpart_agency_type).toBe('interior');
    expect(r.cn_signatory.title).toBe('minister');
  });
});
