import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';

/** The counterpart side: who signed for the partner, at what rank, and the partner's agency. */

function records(text: string, published = '2020-01-01') {
  return extract({ text, published }).agreements;
}

function first(text: string, published = '2020-01-01') {
  const r = records(text, published)[0];
  if (r === undefined) throw new Error('no agreement extracted');
  return r;
}

describe('several counterparts signing together', () => {
  it('ranks a collective title of the members’ ministers (与各成员国…部长共同签署)', () => {
    const r = first(
      '10月16日，第二次中国—东盟打击跨国犯罪部长级会议在曼谷举行。会议期间，国务委员、公安部部长王小洪与东盟各国负责执法的部长共同签署了《中国—东盟执法安全合作联合声明》。会前，王小洪会见了老挝公安部部长维莱。',
      '2023-10-17',
    );
    expect(r.forum).toBe('ASEAN');
    expect(r.counterpart_signatory).toEqual({ name: null, rank: 'ministerial' });
    // The minister of the meeting held before the signing signed nothing for ASEAN.
    expect(r.counterpart_agency).toBeNull();
  });

  it('ranks the named signers of a multilateral document when they share a rank', () => {
    const r = first(
      'ASTANA, June 4 (Xinhua) -- China, Kazakhstan, Kyrgyzstan and Tajikistan on Tuesday signed a joint statement on border security cooperation. The statement was signed by Chinese Minister of Public Security Zhao Kezhi, Kazakh Interior Minister Yerlan Turgumbayev, Kyrgyz Interior Minister Kashkar Junushaliev and Tajik Deputy Prime Minister Azim Ibrohim.',
      '2019-06-05',
    );
    expect(r.counterpart_countries).toEqual(['KAZ', 'KGZ', 'TJK']);
    expect(r.counterpart_signatory).toEqual({ name: null, rank: 'ministerial' });
  });

  it('reads the ministers of the countries as a rank', () => {
    const r = first(
      'VIENTIANE, Dec. 2 -- Chinese Minister of Public Security Zhao Kezhi and the ministers of the three Mekong countries signed a joint statement on law enforcement cooperation along the Mekong River.',
      '2019-12-02',
    );
    expect(r.counterpart_signatory.rank).toBe('ministerial');
  });
});

describe('the head of a forum’s body', () => {
  it('signs for the forum, in either script', () => {
    const unodc = first(
      '公安部与联合国毒罪办签署禁毒合作意向书\n3月2日，公安部副部长林锐在维也纳会见联合国毒品和犯罪问题办公室执行主任瓦里。会见后，林锐与瓦里签署了《中华人民共和国公安部与联合国毒品和犯罪问题办公室关于禁毒合作的意向书》。',
      '2023-03-03',
    );
    expect(unodc.forum).toBe('UNODC');
    expect(unodc.counterpart_signatory).toEqual({ name: '瓦里', rank: 'other' });
    expect(unodc.counterpart_agency).toBe('United Nations Office on Drugs and Crime');
    const interpol = first(
      'LYON, Nov. 7 -- INTERPOL Secretary General Valdecy Urquiza and Chinese Vice Minister of Public Security Xu Datong on Thursday signed a letter of intent on cooperation against online fraud.',
      '2024-11-07',
    );
    expect(interpol.forum).toBe('INTERPOL');
    expect(interpol.counterpart_signatory).toEqual({ name: 'Valdecy Urquiza', rank: 'other' });
  });
});

describe('the signer, not the people around the signing', () => {
  it('takes the officer a "signed by" sentence names over the minister of the talks', () => {
    const r = first(
      'COLOMBO, Aug. 2 -- Sri Lankan Minister of Public Security Tiran Alles held talks with Chinese Vice Minister of Public Security Lin Rui on Friday. The two sides signed a memorandum of understanding on police training. The memorandum was signed by Inspector General of Police Deshabandu Tennakoon and Lin Rui.',
      '2024-08-02',
    );
    expect(r.counterpart_signatory).toEqual({ name: 'Deshabandu Tennakoon', rank: 'other' });
    const zh = first(
      '8月2日，公安部副部长林锐在科伦坡与斯里兰卡公共安全部长阿勒斯举行会谈。会后，双方签署了《关于警务培训合作的谅解备忘录》，由斯里兰卡警察总监特纳库恩代表斯方签署。',
      '2024-08-03',
    );
    expect(zh.counterpart_signatory).toEqual({ name: '特纳库恩', rank: 'other' });
  });

  it('does not take a witness or a minister named only in "the directives of"', () => {
    const r = first(
      "Rabat, May 21, 2019 - The General Directorate of National Security signed on Monday a memorandum on police cooperation with China's Ministry of Public Security, in line with the directives of Minister of Interior Abdelouafi Laftit. The memorandum was signed by Director General Abdellatif Hammouchi and Chinese Vice Minister of Public Security Meng Qingfeng. Prime Minister Saad Eddine El Othmani witnessed the signing.",
      '2019-05-21',
    );
    expect(r.counterpart_signatory).toEqual({ name: 'Abdellatif Hammouchi', rank: 'other' });
  });

  it('keeps ranks out of names, and a head of government who visited out of the signers', () => {
    expect(
      first(
        'JAKARTA, Jan. 9 -- Indonesian National Police chief Police General Listyo Sigit Prabowo and Chinese Minister of Public Security Wang Xiaohong signed a memorandum of understanding on combating online gambling.',
        '2024-01-09',
      ).counterpart_signatory,
    ).toEqual({ name: 'Listyo Sigit Prabowo', rank: 'other' });
    expect(
      first(
        'BOGOTA, Feb. 3 -- Colombian National Police Director General William Salamanca and Chinese Vice Minister of Public Security Liu Zhao on Monday signed a protocol on police training.',
        '2025-02-04',
      ).counterpart_signatory.name,
    ).toBe('William Salamanca');
    const r = first(
      '（中央社台北6日電）正在中國訪問的瓦努阿圖總理與國家主席會面。據新華社報導，中國公安部與瓦努阿圖警察部隊簽署了警務合作計畫。',
      '2024-07-06',
    );
    expect(r.counterpart_signatory).toEqual({ name: null, rank: 'unknown' });
    expect(r.counterpart_agency).toBe('Vanuatu Police Force');
  });

  it('ranks a federal secretary as a civil servant and a deputy prime minister as a minister', () => {
    expect(
      first(
        'Islamabad, 14 May 2022: Pakistan and China on Friday signed a memorandum of understanding on police training. The memorandum was signed by the Federal Secretary Interior, Aftab Akbar Durrani, and the Chinese Ambassador.',
        '2022-05-14',
      ).counterpart_signatory,
    ).toEqual({ name: 'Aftab Akbar Durrani', rank: 'other' });
    expect(
      first(
        'BANGKOK, Aug. 30 -- Thai Deputy Prime Minister Prawit Wongsuwan and Chinese Minister of Public Security Zhao Kezhi on Friday signed a memorandum of understanding on combating transnational crime.',
        '2019-08-30',
      ).counterpart_signatory,
    ).toEqual({ name: 'Prawit Wongsuwan', rank: 'ministerial' });
  });
});

describe('the counterpart agency', () => {
  it('takes the party the document title names over a signer’s own title', () => {
    const r = first(
      '5月7日，云南省公安厅与老挝国家禁毒委员会在昆明签署《云南省公安厅与老挝国家禁毒委员会禁毒合作备忘录》。云南省公安厅厅长与老挝国家禁毒委员会副主席、警察少将坎萨签字。',
      '2019-05-08',
    );
    expect(r.counterpart_agency).toBe('Narcotics Control Commission of Laos');
    expect(r.counterpart_agency_type).toBe('narcotics');
  });

  it('labels police forces by their own English names', () => {
    const zh = (country: string) =>
      first(
        `9月3日，公安部副部长林锐在北京会见${country}警察总监一行。会见后，双方签署了警务合作谅解备忘录。`,
        '2019-09-04',
      ).counterpart_agency;
    expect(zh('马来西亚')).toBe('Royal Malaysia Police');
    expect(zh('加纳')).toBe('Ghana Police Service');
    expect(zh('坦桑尼亚')).toBe('Tanzania Police Force');
    expect(zh('巴布亚新几内亚')).toBe('Royal Papua New Guinea Constabulary');
    expect(
      first(
        'GEORGETOWN, Oct. 4 -- The Guyana Police Force and the Ministry of Public Security of China on Friday signed a memorandum of understanding on police training.',
        '2024-10-04',
      ).counterpart_agency,
    ).toBe('Guyana Police Force');
  });

  it('finds the partner in an upper-case dateline when a release names only its own service', () => {
    const r = first(
      "ACCRA, March 8 -- The Police Service on Friday signed a memorandum of understanding with the Ministry of Public Security of the People's Republic of China on police training.",
      '2024-03-08',
    );
    expect(r.counterpart_countries).toEqual(['GHA']);
    expect(r.counterpart_agency).toBe('Ghana Police Service');
    expect(r.cn_signing_body).toBe('mps');
  });

  it('prefers the force the sentence names to the "Police" of a rank', () => {
    const r = first(
      'KAMPALA, March 8 -- The Uganda Police Force on Friday signed a memorandum of understanding with the Ministry of Public Security of China on police training. The Inspector General of Police, Martin Okoth Ochola, signed for the Force.',
      '2024-03-08',
    );
    expect(r.counterpart_agency).toBe('Uganda Police Force');
    expect(r.counterpart_signatory).toEqual({ name: 'Martin Okoth Ochola', rank: 'other' });
  });

  it('reads a long ministry name with 与 inside it', () => {
    const r = first(
      '3月1日，国务委员、公安部部长王小洪在北京与肯尼亚内政与国家行政协调部长基图雷·金迪基举行会谈，并签署了《关于打击跨国犯罪的合作谅解备忘录》。',
      '2024-03-02',
    );
    expect(r.counterpart_agency).toBe('Ministry of Interior and National Administration of Kenya');
    expect(r.counterpart_signatory).toEqual({ name: '基图雷·金迪基', rank: 'ministerial' });
  });

  it('takes the parties a bare document names after "between"', () => {
    const found = records(
      "VIENTIANE, Sept. 5 -- Lao Minister of Public Security Vilay Lakhamphong and Chinese Minister of Public Security Wang Xiaohong on Tuesday signed an action plan on combating telecom fraud. The two ministers also witnessed the signing of a memorandum of understanding on exit and entry management between Laos' Immigration Department and China's National Immigration Administration.",
      '2023-09-05',
    );
    const plan = found.find((r) => r.doc_type === 'action_plan');
    const mou = found.find((r) => r.doc_type === 'mou');
    expect(plan?.counterpart_agency).toBe('Ministry of Public Security of Laos');
    expect(plan?.cn_signing_body).toBe('mps');
    expect(mou?.counterpart_agency).toBe('Immigration Department of Laos');
    expect(mou?.counterpart_agency_type).toBe('immigration_border');
    expect(mou?.cn_signing_body).toBe('mps_bureau');
  });
});
