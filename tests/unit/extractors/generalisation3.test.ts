import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';

/**
 * Failure classes found by the third blind set (tests/fixtures/extract/blind3.jsonl), each
 * checked on sentences written for these tests: other countries, other names, other phrasing.
 */

function records(text: string, published = '2021-06-15') {
  return extract({ text, published }).agreements;
}

function only(text: string, published = '2021-06-15') {
  const found = records(text, published);
  expect(found).toHaveLength(1);
  const r = found[0];
  if (r === undefined) throw new Error('no agreement extracted');
  return r;
}

describe('a state visit’s tally of documents', () => {
  it('does not count "N agreements were signed in the areas of …" as police documents', () => {
    const found = records(
      [
        'Chile and China deepen police ties',
        'SANTIAGO, 3 March - Interior Minister Carolina Toha and Chinese Vice Minister of Public Security Xu Datong today signed a Memorandum of Understanding on Police Training.',
        'The visit of the Chinese delegation came a week after the presidential summit, at which 12 agreements had been signed covering mining, agriculture and education.',
      ].join('\n'),
      '2023-03-03',
    );
    expect(found.map((r) => r.doc_type)).toEqual(['mou']);
  });

  it('reads "The signing was one of seven documents signed during the visit" as the same signing', () => {
    const found = records(
      [
        'Vanuatu and China sign police memorandum',
        'Port Vila, 9 May 2024 - Minister of Internal Affairs Andrew Napuat and China’s Minister of Public Security Wang Xiaohong signed a Memorandum of Understanding on Police Cooperation.',
        'The signing was one of seven cooperation documents signed during the Prime Minister’s visit, covering fisheries, health and tourism.',
      ].join('\n'),
      '2024-05-09',
    );
    expect(found.map((r) => r.doc_type)).toEqual(['mou']);
  });

  it('still counts a passive tally of police documents', () => {
    const found = records(
      'During the visit of Vice Minister of Public Security Chen Siyuan to Lima, two agreements were signed on police training and on combating drug trafficking with the Peruvian National Police.',
      '2022-10-11',
    );
    expect(found.length).toBeGreaterThanOrEqual(1);
  });
});

describe('document names', () => {
  it('types a Roadmap by its own name (other), not by a later "cooperation documents"', () => {
    const r = only(
      [
        'Nauru and China sign Roadmap on Law Enforcement Cooperation',
        'Yaren, 2 April 2024 - Minister for Justice Rennier Gadabu and China’s Vice Minister of Public Security Liu Zhongyi signed a Roadmap on Law Enforcement Cooperation between the two ministries.',
        'The signing was one of five cooperation documents signed during the visit, covering health and education.',
      ].join('\n'),
      '2024-04-02',
    );
    expect(r.doc_type).toBe('other');
    expect(r.doc_type_term).toBe('Roadmap');
  });

  it('reads a Deed of Donation as a supply handover', () => {
    const r = only(
      'The Chinese Ambassador to Sri Lanka Qi Zhenhong and Inspector General of Police Deshabandu Tennakoon signed the Deed of Donation for 150 motorcycles at Police Headquarters today.',
      '2023-08-20',
    );
    expect(r.doc_type).toBe('supply_handover');
  });
});

describe('not a signing', () => {
  it('does not take "agreed to work towards signing" for a signing', () => {
    expect(
      records(
        'The Chinese police delegation met the Inspector General of Police of Bhutan. Both sides agreed to work towards signing a Memorandum of Understanding on police training.',
        '2019-04-02',
      ),
    ).toEqual([]);
  });

  it('does not take another country’s Minister of Public Security for China’s', () => {
    expect(
      records(
        'The Commissioner of the Cambodian National Police and the Vietnamese Minister of Public Security on Friday signed a Memorandum of Understanding on combating human trafficking along their border.',
        '2019-11-08',
      ),
    ).toEqual([]);
  });

  it('does not take another country’s 公安部 for MPS, even under a source line naming China', () => {
    expect(
      records(
        [
          '老挝与泰国签署禁毒合作协议',
          '2019年03月12日 10:05　来源：中国日报网',
          '中国日报网3月12日电 据老挝通讯社报道，老挝公安部与泰国肃毒委员会11日在万象签署关于合作打击毒品走私的协议。',
        ].join('\n'),
        '2019-03-12',
      ),
    ).toEqual([]);
  });

  it('ignores the headlines listed under 更多新闻 and "Related:" lines', () => {
    expect(
      records(
        [
          '菲律宾与印尼举行警务会谈',
          '菲律宾国家警察与印度尼西亚国家警察10日在马尼拉举行会谈，双方同意加强情报交流。',
          '更多新闻',
          '中菲两国公安部签署打击毒品犯罪合作谅解备忘录（2017年）',
        ].join('\n'),
        '2020-02-11',
      ),
    ).toEqual([]);
    expect(
      records(
        [
          'Indonesia and Malaysia police hold talks',
          'JAKARTA, Feb 10 - The chiefs of the two national police forces met to discuss border crime.',
          'Related: China, Indonesia sign MoU on police cooperation',
        ].join('\n'),
        '2020-02-11',
      ),
    ).toEqual([]);
  });
});

describe('the counterpart signer', () => {
  it('does not take an MPS leader’s surname ("Vice Minister Chen") for the foreign signer', () => {
    const r = only(
      [
        'Vanuatu and China sign police MOU',
        'Port Vila, 4 June 2019 - China’s Vice Minister of Public Security, Mr Chen Zhimin, arrived for a three-day visit.',
        'Police Commissioner Robson Iavro and Vice Minister Chen then signed a Memorandum of Understanding on Police Cooperation at Police Headquarters.',
      ].join('\n'),
      '2019-06-04',
    );
    expect(r.counterpart_signatory.name).toBe('Robson Iavro');
  });

  it('drops a Cambodian honorific style and keeps a particle of the name', () => {
    const r = only(
      'Samdech Krolahom Sok Leap, Minister of Interior of Cambodia, and Vice Minister of Public Security Lin Rui signed a Memorandum of Understanding on Police Training today.',
      '2024-02-02',
    );
    expect(r.counterpart_signatory.name).toBe('Sok Leap');
    const s = only(
      'Philippine National Police Chief General Juan dela Cruz and Chinese Ambassador Huang Xilian signed the Deed of Donation for 40 patrol cars in Manila on Monday.',
      '2022-03-08',
    );
    expect(s.counterpart_signatory.name).toBe('Juan dela Cruz');
  });

  it('reads a ministry whose name lists its portfolios, and the name after it', () => {
    const r = only(
      [
        'Tonga and China sign police MoU',
        'The Minister of Police, Fire and Emergency Services, Hon. Tevita Lavemaau, and Vice Minister of Public Security Xu Datong signed a Memorandum of Understanding on Police Training in Nuku’alofa on Monday.',
      ].join('\n'),
      '2023-09-11',
    );
    expect(r.counterpart_signatory.name).toBe('Tevita Lavemaau');
    expect(r.counterpart_signatory.rank).toBe('ministerial');
    expect(r.counterpart_agency).toBe('Ministry of Police, Fire and Emergency Services of Tonga');
  });

  it('keeps a body’s name that a comma ends together, and a name written with an initial', () => {
    const r = only(
      'Following the talks, the Chief of the National Police Headquarters, Police Colonel B. Ganzorig, and Vice Minister of Public Security Chen Siyuan signed a Memorandum of Understanding on Police Training in Ulaanbaatar on Tuesday.',
      '2023-05-09',
    );
    expect(r.counterpart_signatory.name).toBe('B. Ganzorig');
  });
});

describe('the Chinese signer', () => {
  it('reads a name written before a bureau head’s title', () => {
    const r = only(
      'The MoU on Anti-Narcotics Cooperation was signed in Dhaka by the Inspector General of Police of Bangladesh and Mr. Li Ming, Director General of the Narcotics Control Bureau of the Ministry of Public Security.',
      '2022-01-20',
    );
    expect(r.cn_signatory.name_en).toBe('Li Ming');
    expect(r.cn_signatory.title).toBe('bureau_head');
  });

  it('reads "H.E." before an ambassador’s name, and the ministry he signed for', () => {
    const r = only(
      [
        'The Ministry of Internal Affairs of Tuvalu and the Ministry of Public Security of the People’s Republic of China on Monday signed a Memorandum of Understanding on Police Training in Funafuti.',
        'The MoU was signed by the Minister of Internal Affairs, Hon. Katepu Laoi, and by the Ambassador of the People’s Republic of China to Tuvalu, H.E. Zhou Ning, on behalf of the Ministry of Public Security.',
      ].join('\n'),
      '2025-02-03',
    );
    expect(r.cn_signatory.name_en).toBe('Zhou Ning');
    expect(r.cn_signatory.title).toBe('embassy');
    expect(r.cn_signing_body).toBe('mps');
  });
});

describe('English titles', () => {
  it('runs through "in the Fight against …" and stops before "in Beijing"', () => {
    const r = only(
      'Bulgarian Interior Minister Mauro Kirov and Vice Minister of Public Security Liu Zhongyi signed a Memorandum of Understanding on Cooperation in the Fight against Drug Trafficking and Money Laundering in Beijing on Monday.',
      '2022-06-13',
    );
    expect(r.title_en).toBe(
      'Memorandum of Understanding on Cooperation in the Fight against Drug Trafficking and Money Laundering',
    );
    const s = only(
      'Moldovan Interior Minister Ana Petrova and State Councilor and Minister of Public Security Wang Xiaohong signed a Memorandum of Understanding on Police Training and Combating Cybercrime in Beijing.',
      '2024-03-12',
    );
    expect(s.title_en).toBe(
      'Memorandum of Understanding on Police Training and Combating Cybercrime',
    );
  });
});

describe('dates', () => {
  it('reads a day written in Chinese numerals (九日)', () => {
    const r = only(
      '【新华社维也纳九日电】国务委员、公安部部长王小洪九日在维也纳与奥地利内政部长卡纳举行会谈，会谈后双方签署了《中华人民共和国公安部与奥地利共和国内政部关于打击跨国犯罪的合作协议》。',
      '2024-05-11',
    );
    expect(r.date_signed).toBe('2024-05-09');
  });

  it('reads 前日 as the day before yesterday', () => {
    const r = only(
      '【明報專訊】公安部部長郭聲琨前日在北京與意大利內政部長會談，雙方簽署《中華人民共和國公安部與意大利共和國內政部關於警務合作的諒解備忘錄》。',
      '2015-09-26',
    );
    expect(r.date_signed).toBe('2015-09-24');
  });
});

describe('a summit’s documents', () => {
  it('reads "Among the instruments is the …" as the police document of the tally', () => {
    const found = records(
      [
        'Mexico and China sign 20 agreements during state visit',
        'President Claudia Sheinbaum and President Xi Jinping witnessed on Friday the signing of 20 cooperation instruments in areas such as energy, trade, health and public security.',
        'Among the instruments is the Memorandum of Understanding between the Secretariat of Security and Citizen Protection of the United Mexican States and the Ministry of Public Security of the People’s Republic of China on Cooperation against Drug Trafficking.',
        'Other instruments include protocols on the export of Mexican avocados and a memorandum on tourism promotion, signed by the respective ministries.',
        'The two presidents also issued a joint statement on their comprehensive strategic partnership.',
      ].join('\n'),
      '2025-10-17',
    );
    expect(found.map((r) => r.doc_type)).toEqual(['mou']);
    expect(found[0]?.title_en).toMatch(/^Memorandum of Understanding between the Secretariat/);
  });

  it('drops a titled programme of another field beside the police MoU the leaders witnessed', () => {
    const found = records(
      '会谈后，两国元首共同见证了《中华人民共和国政府和突尼斯共和国政府关于深化战略伙伴关系的实施纲要》以及《中华人民共和国公安部与突尼斯共和国内政部关于打击恐怖主义合作的谅解备忘录》等合作文件的签署。',
      '2024-05-31',
    );
    expect(found.map((r) => r.doc_type)).toEqual(['mou']);
  });

  it('takes an exchange of notes on law-enforcement equipment aid as a police document', () => {
    const r = only(
      '3月5日，驻老挝大使姜再冬与老挝公安部部长维莱在万象共同签署《关于中国援助老挝公安部执法装备项目的换文》。',
      '2024-03-06',
    );
    expect(r.doc_type).toBe('exchange_of_notes');
    expect(r.cn_signatory.title).toBe('embassy');
  });
});

describe('topics', () => {
  it('reads someone’s words about the document just signed ("X said the MoU would …")', () => {
    const r = only(
      [
        'JAKARTA, 2 May - The Chief of the Indonesian National Police, General Listyo Sigit Prabowo, and the Vice Minister of Public Security of the People’s Republic of China, Lin Rui, today signed a Memorandum of Understanding on Police Cooperation.',
        'Listyo said the MoU would help both forces track syndicates behind online gambling and people smuggling, which often operate across borders.',
      ].join('\n'),
      '2024-05-02',
    );
    expect(r.topics).toContain('financial_crime_gambling');
    expect(r.topics).not.toContain('immigration_border');
  });

  it('reads the security of a regional games or a leaders’ meeting as event security', () => {
    const r = only(
      [
        'Apia, 3 June 2019 - The Minister of Police and China’s Vice Minister of Public Security Du Hangwei met to discuss training and security arrangements for the Pacific Games in July.',
        'The two then signed a Memorandum of Understanding on Police Cooperation between the two ministries.',
      ].join('\n'),
      '2019-06-03',
    );
    expect(r.topics).toContain('event_security');
    const s = only(
      '中国驻瓦努阿图大使李名刚上月与瓦努阿图警察总监签署《中国政府援助瓦努阿图警察部队警用物资交接证书》。大使馆表示，这批物资将用于年底在维拉港举行的领导人会议的安保工作。',
      '2023-08-02',
    );
    expect(s.topics).toEqual(expect.arrayContaining(['capacity_building', 'event_security']));
  });
});

describe('the counterpart named in full first', () => {
  it('keeps the full name a dateline-led first sentence gives ("Beijing, China - The Minister …")', () => {
    const r = only(
      [
        'Solomon Islands and China sign police cooperation memorandum',
        'Beijing, China - The Minister of Home Affairs, Hon. Peter Shanel Agovaka, and China’s Minister of Public Security, Wang Xiaohong, held talks on police training.',
        'Minister Agovaka and Minister Wang then signed a Memorandum of Understanding on Police Cooperation between the two ministries.',
      ].join('\n'),
      '2024-07-08',
    );
    expect(r.counterpart_signatory.name).toBe('Peter Shanel Agovaka');
  });
});
