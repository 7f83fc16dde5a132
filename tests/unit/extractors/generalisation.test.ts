import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';

/**
 * Failure classes found by the second blind set (tests/fixtures/extract/blind2.jsonl), each
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

describe('signing verbs', () => {
  it('does not read 执行 inside a body’s name (执行委员会主任) as implementing an old document', () => {
    const r = only(
      '新华社阿斯塔纳5月12日电 公安部副部长刘钊与独联体反恐中心执行委员会主任卡里莫夫12日在阿斯塔纳签署了《中华人民共和国公安部与哈萨克斯坦共和国内务部反恐合作议定书》。',
      '2021-05-13',
    );
    expect(r.doc_type).toBe('protocol');
    expect(r.date_signed).toBe('2021-05-12');
  });

  it('reads a negation a few words before the verb (并未与…签署)', () => {
    expect(
      records(
        '图瓦卢政府发言人表示，图瓦卢并未与中国签署任何警务合作协议，澳大利亚对此表示欢迎。',
        '2022-04-02',
      ),
    ).toEqual([]);
  });

  it('does not take a running total written after the verb (签署…文件300余份) for a signing', () => {
    expect(
      records(
        '公安部国际合作局负责人介绍，近十年来，公安部与60多个国家警察部门签署执法合作文件300余份，合作机制不断完善。',
        '2022-09-20',
      ),
    ).toEqual([]);
  });

  it('does not count “after the MoU is signed” as another signing', () => {
    const r = only(
      '菲律宾国家警察总长阿尔瓦雷斯今天与公安部副部长林锐在马尼拉签署「菲中警务合作谅解备忘录」。备忘录签署后，两国警方将建立热线联系。',
      '2023-02-14',
    );
    expect(r.counterpart_countries).toEqual(['PHL']);
  });
});

describe('dates from the lead', () => {
  it('dates a signing reported after a lead that says 近日 by the report’s month', () => {
    const r = only(
      '近日，公安部副部长许甘露在京会见了土库曼斯坦内务部长哈伊特穆拉多夫。\n双方就打击跨国犯罪交换了意见。\n会见后，许甘露与哈伊特穆拉多夫签署了《中华人民共和国公安部与土库曼斯坦内务部关于打击跨国有组织犯罪的协议》。',
      '2021-03-09',
    );
    expect(r.date_signed).toBe('2021-03');
  });

  it('reads 上月 in the lead as the month before the report', () => {
    const r = only(
      '公安部刑事侦查局局长刘忠义上月率团访问泰国，在曼谷与泰国皇家警察副总监举行会谈。\n访问期间，刘忠义与泰方签署了《关于打击跨国电信诈骗犯罪的合作备忘录》。',
      '2019-03-05',
    );
    expect(r.date_signed).toBe('2019-02');
  });

  it('reads “recently” in an English lead the same way', () => {
    const r = only(
      'Chinese Vice Minister of Public Security Xu Datong recently visited Fiji.\nDuring the visit, Xu and Fijian Police Commissioner Rusiate Tudravu signed a Memorandum of Understanding on Police Training.',
      '2024-08-21',
    );
    expect(r.date_signed).toBe('2024-08');
  });
});

describe('the Chinese signatory', () => {
  it('writes a Chinese signer named on a Traditional page in Simplified', () => {
    const r = only(
      '中國駐斐濟大使周劍與斐濟警察總監圖德拉武今天在蘇瓦簽署一批警用車輛的交接證書。',
      '2023-05-04',
    );
    expect(r.cn_signatory.name_zh).toBe('周剑');
    expect(r.cn_signatory.title).toBe('embassy');
    // No transliteration the page does not write.
    expect(r.cn_signatory.name_en).toBeNull();
  });

  it('reads a Chinese embassy’s police liaison officer as the embassy’s signer', () => {
    const r = only(
      'The Ghana Police Service on Tuesday signed a Memorandum of Understanding with the Ministry of Public Security of the People’s Republic of China on police training. The MoU was signed on behalf of the Chinese Ministry by the Police Liaison Officer at the Embassy of the People’s Republic of China in Accra, Mr. Zhang Wei, and by Inspector-General of Police George Akuffo Dampare.',
      '2022-10-12',
    );
    expect(r.cn_signatory).toEqual({ name_zh: null, name_en: 'Zhang Wei', title: 'embassy' });
    // The ministry is the party; its man at the embassy signed for it.
    expect(r.cn_signing_body).toBe('mps');
  });

  it('reads the director of an MPS bureau named after his title in English', () => {
    const found = records(
      'Following the talks, the Director of the Criminal Investigation Bureau of the Ministry of Public Security of China Liu Zhongyi and the Head of the Criminal Police Department of Serbia Milan Petrovic signed a Memorandum of Understanding on the exchange of information.',
      '2021-06-01',
    );
    expect(found[0]?.cn_signatory).toEqual({
      name_zh: '刘忠义',
      name_en: 'Liu Zhongyi',
      title: 'bureau_head',
    });
  });

  it('reads an unnamed “Chinese Vice Minister” as a vice minister', () => {
    const r = only(
      'WINDHOEK - Inspector-General Joseph Shikongo received a delegation of China’s Ministry of Public Security on Monday. General Shikongo and the Chinese Vice Minister then signed an Action Plan on Police Cooperation for 2024-2026.',
      '2024-03-12',
    );
    expect(r.cn_signatory.title).toBe('vice_minister');
    expect(r.counterpart_signatory.name).toBe('Joseph Shikongo');
  });

  it('does not take a former MPS leader who now heads a forum’s body for the Chinese signer', () => {
    const r = only(
      '新华社塔什干4月8日电 公安部副部长孟庆丰与上海合作组织地区反恐怖机构执行委员会主任张新枫8日在塔什干签署了《中华人民共和国公安部与上海合作组织地区反恐怖机构执行委员会关于反恐培训合作的谅解备忘录》。',
      '2016-04-09',
    );
    expect(r.cn_signatory.name_zh).toBe('孟庆丰');
    expect(r.counterpart_signatory.name).toBe('张新枫');
    expect(r.counterpart_agency).toBe(
      'Executive Committee of the SCO Regional Anti-Terrorist Structure',
    );
  });
});

describe('the counterpart signatory', () => {
  it('does not take the visiting Chinese minister for the host country’s signer', () => {
    const r = only(
      '5月9日，正在蒙古国进行正式访问的国务委员、公安部部长郭声琨在乌兰巴托与蒙古国司法与内务部长尼亚木道尔吉举行会谈。会谈结束时，两位部长签署了《中华人民共和国公安部与蒙古国司法与内务部合作协议》。',
      '2016-05-10',
    );
    expect(r.counterpart_signatory).toEqual({ name: '尼亚木道尔吉', rank: 'ministerial' });
  });

  it('gives the full name when the signing sentence uses one part of it', () => {
    const zh = only(
      '6月3日，国务委员、公安部部长王小洪在北京与莫桑比克内政部长帕斯科亚尔·龙达举行会谈。会谈后，王小洪与龙达签署了《中华人民共和国公安部与莫桑比克共和国内政部警务合作谅解备忘录》。',
      '2023-06-04',
    );
    expect(zh.counterpart_signatory.name).toBe('帕斯科亚尔·龙达');
    const en = only(
      'LUSAKA - The Inspector General of Police, Graphel Musamba, hosted a delegation of China’s Ministry of Public Security led by Vice Minister Liu Zhao. Musamba and Liu then signed a Memorandum of Understanding on Police Training.',
      '2023-09-20',
    );
    expect(en.counterpart_signatory).toEqual({ name: 'Graphel Musamba', rank: 'other' });
  });

  it('drops a rank written after the name (准将) and reads 秘书 as a civil servant’s title', () => {
    const r = only(
      '公安部禁毒局局长梁云在内比都与缅甸禁毒委员会秘书长丹吞准将举行会谈。会谈后，梁云与丹吞签署了《关于合作打击跨境毒品犯罪的谅解备忘录》。',
      '2018-03-02',
    );
    expect(r.counterpart_signatory).toEqual({ name: '丹吞', rank: 'other' });
    const secretary = only(
      '驻孟加拉国大使姚文与孟加拉国内政部秘书哈菲兹签署警用装备交接证书。',
      '2020-07-01',
    );
    expect(secretary.counterpart_signatory).toEqual({ name: '哈菲兹', rank: 'other' });
  });

  it('takes a rank the page states for the title', () => {
    const r = only(
      '（中央社記者東京10日專電）日本警察廳長官露木康浩今天與訪日的中國公安部副部長王志忠簽署「日中警察合作諒解備忘錄」。日本警察廳長官為副部長級官員。',
      '2023-07-10',
    );
    expect(r.counterpart_signatory.rank).toBe('vice_ministerial');
  });

  it('reads a forum of ministers as having no one signer from one member state', () => {
    const r = only(
      '上海合作组织成员国公安内务部长会议5月15日在北京举行。国务委员、公安部部长赵克志主持会议。哈萨克斯坦、乌兹别克斯坦等成员国公安内务部长或其代表出席。会议结束时，各成员国代表团团长签署了《上海合作组织成员国公安内务部长会议联合声明》。',
      '2019-05-16',
    );
    expect(r.forum).toBe('SCO');
    expect(r.counterpart_signatory).toEqual({ name: null, rank: 'unknown' });
    expect(r.counterpart_agency).toBeNull();
  });

  it('reads names after honorifics and with the particles of Arabic names', () => {
    const malay = only(
      'KUALA LUMPUR, 3 March 2023 - Tan Sri Acryl Sani Abdullah Sani, the Inspector-General of Police, and Chinese Vice Minister of Public Security Xu Datong signed a Letter of Intent on Police Training.',
      '2023-03-03',
    );
    expect(malay.counterpart_signatory.name).toBe('Acryl Sani Abdullah Sani');
    const arab = only(
      'Abu Dhabi, 18 July 2019 - Minister of Interior Sheikh Saif bin Zayed bin Sultan Al Nahyan and Chinese State Councilor and Minister of Public Security Zhao Kezhi signed a memorandum of understanding on security cooperation.',
      '2019-07-18',
    );
    expect(arab.counterpart_signatory.name).toBe('Saif bin Zayed bin Sultan Al Nahyan');
    const prince = only(
      'Riyadh, 2 May 2023, SPA -- Minister of Interior Prince Abdulaziz bin Saud bin Naif and Chinese Minister of Public Security Wang Xiaohong signed a memorandum of understanding on combating drug trafficking.',
      '2023-05-02',
    );
    expect(prince.counterpart_signatory.name).toBe('Abdulaziz bin Saud bin Naif');
    const igp = only(
      'ABUJA - The Inspector-General of Police, IGP Kayode Egbetokun, on Monday signed a Memorandum of Understanding with the Ministry of Public Security of the People’s Republic of China on police training.',
      '2024-02-05',
    );
    expect(igp.counterpart_signatory.name).toBe('Kayode Egbetokun');
  });

  it('reads the body a title names before the name, and the name after it', () => {
    const r = only(
      'Bogota, 9 May 2019. The Director of the Anti-Narcotics Directorate of the National Police of Colombia (DIRAN), Fabian Cardenas Leonel, and Chinese Vice Minister of Public Security Du Hangwei signed a cooperation agreement on combating drug trafficking.',
      '2019-05-09',
    );
    expect(r.counterpart_signatory).toEqual({ name: 'Fabian Cardenas Leonel', rank: 'other' });
    const head = records(
      'After the talks, the ministers signed a Plan of Cooperation for 2024-2026. In addition, the Head of the Main Directorate for Migration of the Kazakh Interior Ministry Aibek Sultanov and the Director of the Exit and Entry Administration Bureau of the Ministry of Public Security of China Wang Li signed a Memorandum of Understanding on migration control.',
      '2024-05-20',
    );
    expect(head.at(-1)?.counterpart_signatory).toEqual({ name: 'Aibek Sultanov', rank: 'other' });
  });

  it('reads unnamed heads of both sides’ bodies (两国…局长) as unnamed, with the partner’s body', () => {
    const found = records(
      '3月8日，国务委员、公安部部长王小洪在北京与老挝公安部部长维莱举行会谈。会谈后，两位部长签署了《中华人民共和国公安部与老挝人民民主共和国公安部合作计划》。同日，两国公安部移民局局长签署了关于口岸通关合作的谅解备忘录。',
      '2024-03-09',
    );
    const mou = found.find((r) => r.doc_type === 'mou');
    expect(mou?.counterpart_signatory).toEqual({ name: null, rank: 'other' });
    expect(mou?.counterpart_agency).toBe('Immigration Department of Laos');
    expect(mou?.topics).toEqual(['immigration_border']);
  });

  it('reads unnamed officials of the two ministries as unnamed signers', () => {
    const found = records(
      'ASTANA, Oct. 2 (Xinhua) -- Chinese Minister of Public Security Wang Xiaohong held talks with Kazakh Interior Minister Yerzhan Sadenov on Wednesday. After the talks, the two ministers signed a cooperation plan. They also attended a ceremony at which officials of the two ministries signed the handover certificate for police vehicles donated by China.',
      '2024-10-02',
    );
    const handover = found.find((r) => r.doc_type === 'supply_handover');
    expect(handover?.counterpart_signatory).toEqual({ name: null, rank: 'unknown' });
    expect(handover?.cn_signatory.name_en).toBeNull();
  });
});

describe('the counterpart agency', () => {
  it('takes a title’s parties, not the bodies its subject names (…关于援助X警察培训的换文)', () => {
    const r = only(
      '3月3日，驻瓦努阿图大使李名刚与瓦努阿图内政部长在维拉港签署《中华人民共和国政府和瓦努阿图共和国政府关于中国援助瓦努阿图警察装备项目的换文》。',
      '2021-03-04',
    );
    expect(r.counterpart_agency).toBe('Ministry of Internal Affairs of Vanuatu');
  });

  it('names a forum’s secretariat when its secretary-general signs', () => {
    const r = only(
      'JAKARTA, Aug. 10 -- The Association of Southeast Asian Nations (ASEAN) and China on Thursday signed a Memorandum of Understanding on Cooperation in Combating Transnational Crime. ASEAN Secretary-General Kao Kim Hourn and Chinese Vice Minister of Public Security Xu Datong signed the MoU.',
      '2023-08-10',
    );
    expect(r.counterpart_agency).toBe('ASEAN Secretariat');
    expect(r.counterpart_agency_type).toBe('other');
  });

  it('knows a few more agencies by their own names', () => {
    const zambia = only(
      '9月5日，国务委员、公安部部长王小洪在北京与赞比亚内政与内部安全部长穆维姆布举行会谈。会谈后，两人签署了《中华人民共和国公安部与赞比亚共和国内政与内部安全部警务合作协议》。',
      '2024-09-06',
    );
    expect(zambia.counterpart_agency).toBe(
      'Ministry of Home Affairs and Internal Security of Zambia',
    );
    const mongolia = only(
      '7月2日，国家移民管理局局长王志忠在京会见蒙古国边防总局局长巴特额尔德尼，双方签署了《中华人民共和国国家移民管理局与蒙古国边防总局关于口岸管理合作的谅解备忘录》。',
      '2024-07-03',
    );
    expect(mongolia.counterpart_agency).toBe('General Authority for Border Protection of Mongolia');
    const greece = only(
      'Athens, 3 June 2024. The Chief of the Hellenic Police, Lieutenant General Dimitrios Mallios, and the Vice Minister of Public Security of the People’s Republic of China, Xu Datong, today signed a Memorandum of Understanding on joint police patrols.',
      '2024-06-03',
    );
    expect(greece.counterpart_agency).toBe('Hellenic Police');
  });
});

describe('documents', () => {
  it('does not take a free trade agreement among a summit’s documents for a police one', () => {
    const r = only(
      'President Xi Jinping and Ecuadorian President Guillermo Lasso witnessed the signing of several cooperation documents in Beijing on Friday, covering trade, the bilateral free trade agreement and law enforcement.\nAmong them was a memorandum of understanding between China’s Ministry of Public Security and Ecuador’s Ministry of the Interior on combating drug trafficking.',
      '2023-02-10',
    );
    expect(r.doc_type).toBe('mou');
    expect(r.counterpart_agency).toBe('Ministry of the Interior of Ecuador');
  });

  it('reads Guidelines as a document, and “or” inside an English title', () => {
    const r = only(
      'WASHINGTON, June 14 - Secretary of Homeland Security Jeh Johnson and Chinese State Councilor and Minister of Public Security Guo Shengkun signed the Guidelines for Cooperation on Repatriation or Removal of Illegal Immigrants on Tuesday.',
      '2016-06-15',
    );
    expect(r.doc_type).toBe('other');
    expect(r.title_en).toBe(
      'Guidelines for Cooperation on Repatriation or Removal of Illegal Immigrants',
    );
  });

  it('reads “a <Term> between X and Y on <Title Case subject>” as a title, not a bare description', () => {
    const titled = only(
      'The Commissioner of the Royal Solomon Islands Police Force, Mostyn Mangau, and Chinese Vice Minister of Public Security Liu Zhao signed a Memorandum of Understanding between the Royal Solomon Islands Police Force and the Ministry of Public Security of China on Police Capacity Building.',
      '2022-08-03',
    );
    expect(titled.title_en).toBe(
      'Memorandum of Understanding between the Royal Solomon Islands Police Force and the Ministry of Public Security of China on Police Capacity Building',
    );
    const described = only(
      'The Commissioner of the Royal Solomon Islands Police Force, Mostyn Mangau, and Chinese Vice Minister of Public Security Liu Zhao signed a Memorandum of Understanding on police capacity building.',
      '2022-08-03',
    );
    expect(described.title_en).toBeNull();
  });

  it('drops a bare document of another field signed beside police ones (就投资事宜发表共同声明)', () => {
    const r = only(
      '国务委员、公安部部长王小洪与塞尔维亚内务部长达契奇13日在贝尔格莱德签署了《中华人民共和国公安部与塞尔维亚共和国内务部关于联合巡逻的合作协议》，双方并就两国企业投资便利化事宜发表共同声明。',
      '2023-09-14',
    );
    expect(r.doc_type).toBe('protocol');
  });

  it('does not make a new record of a signing ceremony that restates a signing already reported', () => {
    expect(
      records(
        '【本報消息】治安警察局局長梁文昌昨日與到訪的葡萄牙治安警察局局長簽署合作協議。保安司司長見證簽署儀式。',
        '2023-11-09',
      ),
    ).toEqual([]);
  });

  it('skips a Chinese ministry other than MPS signing on the same day (English)', () => {
    expect(
      records(
        'Dhaka, 5 May 2022: Home Minister Asaduzzaman Khan Kamal held a meeting with Chinese Minister of Public Security Wang Xiaohong. Separately, the Legislative Division and China’s Ministry of Justice signed a Memorandum of Understanding on legal exchanges.',
        '2022-05-05',
      ),
    ).toEqual([]);
  });
});

describe('topics', () => {
  it('gives a handover signed after another document what the supplies are for, not the talks', () => {
    const found = records(
      'BISHKEK, May 6 (Xinhua) -- Chinese Minister of Public Security Wang Xiaohong held talks with Tajik Interior Minister Ramazon Rahimzoda on Monday. Wang said the two sides should fight terrorism and drug trafficking. After the talks, the two ministers signed a protocol on police training. They also signed the handover certificate for police equipment donated by China. The equipment will be used to strengthen border control.',
      '2024-05-07',
    );
    const handover = found.find((r) => r.doc_type === 'supply_handover');
    expect(handover?.topics).toEqual(['capacity_building', 'immigration_border']);
  });

  it('ends the readout after a signing where the next signing is reported', () => {
    const found = records(
      '4月20日，国务委员、公安部部长王小洪在哈瓦那与古巴内政部长阿尔瓦雷斯举行会谈，双方表示愿进一步深化合作。会谈后，两人签署了《中华人民共和国公安部与古巴共和国内政部合作谅解备忘录》。随后，驻古巴大使马辉与古巴内政部副部长签署了警用物资交接证书。这批物资将用于古方打击毒品犯罪。',
      '2023-04-21',
    );
    const mou = found.find((r) => r.doc_type === 'mou');
    expect(mou?.topics).toEqual(['generic']);
  });

  it('reads on past a sentence that only says who signed', () => {
    const r = only(
      'NAIROBI, Nov. 4 (Xinhua) -- China and Kenya on Monday signed an agreement on police cooperation.\nThe agreement was signed by visiting Chinese Vice Minister of Public Security Lin Rui and Kenyan Inspector General Hillary Mutyambai.\nLin said the two sides should protect Chinese citizens and fight cybercrime.',
      '2019-11-04',
    );
    expect(r.topics).toEqual(['overseas_interests', 'cybercrime']);
  });

  it('reads 依照备忘录 a sentence later as describing the document', () => {
    const r = only(
      '（中央社記者首爾5日專電）南韓海洋警察廳長今天與中國公安部副部長在首爾簽署「韓中海上執法合作諒解備忘錄」。南韓海洋警察廳長為副部長級官員。依照備忘錄，雙方將合作打擊毒品走私及偷渡。',
      '2019-06-05',
    );
    expect(r.topics).toEqual(['counterdrug', 'immigration_border']);
  });

  it('codes public order during major events as event security only', () => {
    const r = only(
      'MINSK, 3 July 2023. The ministers discussed ensuring public order during major international events. Following the talks, Belarusian Interior Minister Ivan Kubrakov and Chinese Minister of Public Security Wang Xiaohong signed a Plan of Cooperation for 2023-2025.',
      '2023-07-03',
    );
    expect(r.topics).toEqual(['event_security']);
  });
});

describe('more of the same classes', () => {
  it('ends a name before 以视讯方式 / 通过', () => {
    const r = only(
      '（中央社記者台北8日電）據新華社報導，中國公安部部長王小洪日前與亞美尼亞內務部長奧西波夫以視訊方式會談，雙方簽署《中華人民共和國公安部與亞美尼亞共和國內務部2024—2026年合作計劃》。',
      '2024-01-08',
    );
    expect(r.counterpart_signatory.name).toBe('奧西波夫');
    expect(r.date_signed).toBe('2024-01');
  });

  it('reads “Trafficking in Persons” as part of an English title', () => {
    const r = only(
      'VIENTIANE, Nov 22 - The Ministry of Public Security of Laos and China’s Ministry of Public Security signed a Memorandum of Understanding on Cooperation in Combating Trafficking in Persons yesterday.',
      '2017-11-23',
    );
    expect(r.title_en).toBe(
      'Memorandum of Understanding on Cooperation in Combating Trafficking in Persons',
    );
  });

  it('codes a title between MPS and a foreign bureau as the ministry’s, whoever signs', () => {
    const r = only(
      '4月2日，公安部国际合作局局长廖进荣与秘鲁国家警察总局局长在利马签署了《中华人民共和国公安部与秘鲁国家警察总局合作协议》。',
      '2019-04-03',
    );
    expect(r.cn_signing_body).toBe('mps');
    expect(r.cn_signatory.title).toBe('bureau_head');
  });

  it('merges a headline’s loose word for the document into the one the body reports', () => {
    const r = only(
      'Austria, China sign police cooperation agreement\nVIENNA, Oct. 19 -- The Director General for Public Security of Austria, Franz Ruf, and China’s Vice Minister of Public Security Zhang Mingfa on Wednesday signed a memorandum of understanding on police training.',
      '2022-10-19',
    );
    expect(r.doc_type).toBe('mou');
    expect(r.cn_signatory).toEqual({
      name_zh: null,
      name_en: 'Zhang Mingfa',
      title: 'vice_minister',
    });
  });

  it('ranks a civil servant secretary as other, and reads “was signed on behalf of MPS” a sentence later', () => {
    const r = only(
      'COLOMBO, 14 March 2019: Secretary of Defence Hemasiri Fernando and Chinese Ambassador Cheng Xueyuan signed a Memorandum of Understanding on the Security of Chinese Projects in Sri Lanka. The MoU was signed on behalf of the Ministry of Public Security of China.',
      '2019-03-14',
    );
    expect(r.cn_signing_body).toBe('mps');
    const secretary = only(
      'KATHMANDU, 2 April 2019: Federal Home Secretary Maheshwar Neupane and Chinese Vice Minister of Public Security Wang Xiaohong signed a memorandum of understanding on border security.',
      '2019-04-02',
    );
    expect(secretary.counterpart_signatory).toEqual({ name: 'Maheshwar Neupane', rank: 'other' });
  });

  it('reads “will train … police officers” as capacity building', () => {
    const r = only(
      'SAN SALVADOR, June 9 -- Salvadoran Security Minister Gustavo Villatoro and Chinese Vice Minister of Public Security Liu Zhao signed a memorandum of understanding on police cooperation. Under the memorandum, China will train Salvadoran police officers.',
      '2023-06-09',
    );
    expect(r.topics).toEqual(['capacity_building']);
  });
});
