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

describe('Chinese signatory: who signed, not who was there', () => {
  it('leaves a document two bodies signed before the ministers unsigned by them (见证X部与Y部签署)', () => {
    const found = extract({
      text: '11月5日，柬埔寨副首相兼内政大臣苏庆与中国公安部部长赵克志在金边共同主持两国执法合作会议。会议结束后，苏庆大臣与赵克志部长签署了会议纪要，并共同见证柬埔寨内政部与中国公安部签署《关于打击网络赌博犯罪的合作备忘录》。',
      published: '2019-11-06',
    }).agreements;
    const minutes = found.find((r) => r.doc_type === 'meeting_minutes');
    const mou = found.find((r) => r.doc_type === 'mou');
    expect(minutes?.cn_signatory).toEqual({
      name_zh: '赵克志',
      name_en: 'Zhao Kezhi',
      title: 'minister',
    });
    expect(minutes?.counterpart_signatory).toEqual({ name: '苏庆', rank: 'ministerial' });
    expect(mou?.cn_signatory.title).toBe('unknown');
    expect(mou?.counterpart_signatory).toEqual({ name: null, rank: 'unknown' });
  });

  it('codes an ambassador named only by title, not the minister of an earlier sentence', () => {
    const found = extract({
      text: '国务委员、公安部部长王小洪与老挝公安部部长维莱在北京签署了《中老警务合作谅解备忘录》。同日，中国驻老挝大使与老挝外交部副部长在万象互换了关于中方向老方援助警用装备的换文。',
      published: '2023-04-12',
    }).agreements;
    const notes = found.find((r) => r.doc_type === 'exchange_of_notes');
    expect(notes?.cn_signatory).toEqual({ name_zh: null, name_en: null, title: 'embassy' });
    expect(notes?.cn_signing_body).toBe('embassy');
    expect(notes?.counterpart_signatory).toEqual({ name: null, rank: 'vice_ministerial' });
    expect(notes?.counterpart_agency).toBe('Ministry of Foreign Affairs of Laos');
  });

  it('codes an ambassador signing on behalf of the ministry as the ministry’s document', () => {
    const r = first(
      'KAMPALA, June 3 -- Uganda and China on Monday signed an agreement on police cooperation at the Ministry of Internal Affairs. The agreement was signed by Internal Affairs Minister Jeje Odongo and the Chinese Ambassador to Uganda on behalf of the Ministry of Public Security of China.',
      '2019-06-04',
    );
    expect(r.cn_signatory).toEqual({ name_zh: null, name_en: null, title: 'embassy' });
    expect(r.cn_signing_body).toBe('mps');
    expect(r.counterpart_signatory).toEqual({ name: 'Jeje Odongo', rank: 'ministerial' });
  });

  it('codes an unnamed bureau director who signed for the ministry as a bureau head of the ministry', () => {
    const r = first(
      "Amman, Sept. 9 -- Jordan's Public Security Directorate signed on Sunday a protocol on police training with the Ministry of Public Security of China. The protocol was signed by Brigadier General Omar Khalid Haddad and the Director General of the Criminal Investigation Bureau of the Ministry of Public Security.",
      '2019-09-09',
    );
    expect(r.cn_signatory).toEqual({ name_zh: null, name_en: null, title: 'bureau_head' });
    expect(r.cn_signing_body).toBe('mps');
    expect(r.counterpart_signatory).toEqual({ name: 'Omar Khalid Haddad', rank: 'other' });
    expect(r.counterpart_agency).toBe('Public Security Directorate of Jordan');
  });

  it('finds a bureau head named with the title in the readout and alone at the signing', () => {
    const r = first(
      '中泰警方会谈在曼谷举行\n6月12日，公安部国际合作局局长王建新与泰国移民局局长在曼谷举行会谈。\n会谈结束时，王建新与对方签署了《中华人民共和国公安部国际合作局与泰王国移民局合作会谈纪要》。',
      '2019-06-13',
    );
    expect(r.cn_signatory).toEqual({ name_zh: '王建新', name_en: null, title: 'bureau_head' });
    expect(r.cn_signing_body).toBe('mps_bureau');
  });

  it('codes a handover the ministry gives as the ministry’s, whoever of a bureau attends', () => {
    const r = first(
      '中国援老挝警用物资交接仪式在万象举行\n2021年5月18日，中国公安部援助老挝公安部执法物资交接仪式在万象举行。公安部禁毒局副局长率工作组出席。\n仪式上，双方代表签署了交接证书。',
      '2021-05-19',
    );
    expect(r.cn_signing_body).toBe('mps');
  });

  it('takes the signers of the document just signed for the next one (两人还签署了)', () => {
    const found = extract({
      text: '4月8日，国务委员、公安部部长郭声琨在雅加达与印度尼西亚政治法律安全统筹部长卢胡特举行会谈。会谈后，郭声琨与印度尼西亚国家警察总长巴德罗丁签署了《中国公安部与印尼国家警察关于打击跨国犯罪的谅解备忘录》。两人还签署了《2015—2016年禁毒合作行动计划》。',
      published: '2015-04-09',
    }).agreements;
    expect(found.map((r) => r.counterpart_signatory)).toEqual([
      { name: '巴德罗丁', rank: 'other' },
      { name: '巴德罗丁', rank: 'other' },
    ]);
    expect(found.map((r) => r.cn_signatory.name_zh)).toEqual(['郭声琨', '郭声琨']);
  });
});
