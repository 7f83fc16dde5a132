import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import { prepare } from '../../../extractors/text.js';
import { topicsIn } from '../../../extractors/topics.js';

function topics(text: string) {
  const doc = prepare(text, null, null);
  return topicsIn(doc, [{ start: 0, end: doc.text.length }]).topics;
}

describe('topicsIn', () => {
  it('codes each of the twelve topics from Chinese key terms', () => {
    expect(topics('维护社会稳定')).toEqual(['social_stability']);
    expect(topics('打击跨国有组织犯罪')).toEqual(['transnational_crime']);
    expect(topics('禁毒合作、打击毒品走私')).toEqual(['counterdrug']);
    expect(topics('打击电信网络诈骗')).toEqual(['telecom_fraud']);
    expect(topics('共同打击“三股势力”')).toEqual(['counterterrorism']);
    expect(topics('维护中国公民和机构安全与合法权益')).toEqual(['overseas_interests']);
    expect(topics('“一带一路”安保合作')).toEqual(['overseas_interests']);
    expect(topics('加强执法能力建设')).toEqual(['capacity_building']);
    expect(topics('大型活动安保')).toEqual(['event_security']);
    expect(topics('打击网络犯罪')).toEqual(['cybercrime']);
    expect(topics('打击跨境赌博和洗钱')).toEqual(['financial_crime_gambling']);
    expect(topics('反拐合作')).toEqual(['human_trafficking']);
    expect(topics('加强边境管理，打击非法出入境')).toEqual(['immigration_border']);
  });

  it('codes English key terms', () => {
    expect(
      topics(
        'drug trafficking, telecom fraud, terrorism, joint patrols, training, cybercrime, money laundering, human trafficking, illegal immigration and transnational crime',
      ),
    ).toEqual([
      'transnational_crime',
      'counterdrug',
      'telecom_fraud',
      'counterterrorism',
      'overseas_interests',
      'capacity_building',
      'cybercrime',
      'financial_crime_gambling',
      'human_trafficking',
      'immigration_border',
    ]);
  });

  it('lets the longest term decide (电信网络诈骗 is not cybercrime; cross-border crime is not border work)', () => {
    expect(topics('电信网络诈骗')).toEqual(['telecom_fraud']);
    expect(topics('cross-border crime and cross-border gambling')).toEqual([
      'transnational_crime',
      'financial_crime_gambling',
    ]);
  });

  it('returns generic when no topic is named', () => {
    expect(topics('双方签署了合作文件')).toEqual(['generic']);
  });
});

describe('topics of extracted documents', () => {
  it('codes a titled document from its title, and untitled minutes from the readout', () => {
    const r = extract({
      text: '9月24日，公安部部长赵克志在京与越南公安部部长苏林举行会谈。双方就禁毒、反恐合作交换意见。会后，双方签署了会议纪要和《关于打击电信网络诈骗犯罪的谅解备忘录》。',
      published: '2019-09-25',
    });
    const byType = Object.fromEntries(r.agreements.map((a) => [a.doc_type, a.topics]));
    expect(byType['mou']).toEqual(['telecom_fraud']);
    expect(byType['meeting_minutes']).toEqual(['counterdrug', 'counterterrorism']);
  });

  it('does not code topics from other items on a long page', () => {
    const other = '公安部部署打击跨境赌博专项行动，取得明显成效。\n'.repeat(20);
    const r = extract({
      text: `赵克志与越南公安部部长苏林举行会谈\n${other}9月24日，公安部部长赵克志在京与越南公安部部长苏林举行会谈。会后，双方签署了会议纪要。\n${other}`,
      published: '2019-09-25',
    });
    expect(r.agreements.map((a) => a.topics)).toEqual([['generic']]);
  });
});

describe('what a document is about, read past the signing sentence', () => {
  const topicsOf = (text: string, published = '2020-01-01') =>
    extract({ text, published }).agreements.map((a) => [a.doc_type, a.topics] as const);

  it('codes a handover by what the readout says the supplies are for', () => {
    expect(
      topicsOf(
        '6月4日，驻汤加大使曹小林在努库阿洛法与汤加警察总监共同签署了中国公安部援助汤加警方物资交接证书。此次移交的装备包括巡逻车和执法记录仪，将用于汤加警方打击毒品犯罪。',
        '2020-06-05',
      ),
    ).toEqual([['supply_handover', ['counterdrug', 'capacity_building']]]);
  });

  it('codes notes on police supplies by what the supplies are for, too', () => {
    expect(
      topicsOf(
        '2021年3月9日，驻斐济大使与斐济国防部长在苏瓦签署了中国政府向斐方援助警用装备的换文。这批装备将有助于斐济警方打击跨国犯罪。',
        '2021-03-10',
      ),
    ).toEqual([['exchange_of_notes', ['transnational_crime', 'capacity_building']]]);
  });

  it('reads "Under the MoU …" a few sentences on, after who signed and who witnessed', () => {
    expect(
      topicsOf(
        'PHNOM PENH, May 6 -- Cambodia and China on Monday signed a Memorandum of Understanding on Law Enforcement Cooperation at the Ministry of Interior. The MoU was signed by Interior Secretary of State Huy Vannak and the Chinese Ambassador to Cambodia. Deputy Prime Minister Sar Kheng witnessed the ceremony. Sar Kheng said the two countries are close friends. Under the MoU, the two sides will share intelligence on online gambling rings.',
        '2019-05-06',
      ),
    ).toEqual([['mou', ['financial_crime_gambling']]]);
  });

  it('gives "Under the MoU" to the MoU, not to a plan signed with it', () => {
    const found = topicsOf(
      'HANOI, Oct. 2 -- Vietnamese Minister of Public Security To Lam and Chinese Minister of Public Security Zhao Kezhi on Wednesday signed a cooperation plan for 2020-2021 and a memorandum of understanding. Under the MoU, the two ministries will fight human trafficking along the border.',
      '2019-10-02',
    );
    expect(Object.fromEntries(found)).toEqual({
      cooperation_plan: ['generic'],
      mou: ['human_trafficking', 'immigration_border'],
    });
  });

  it('reads "The joint statement commits …" after the signers are listed', () => {
    expect(
      topicsOf(
        "BEIJING, Dec. 5 (Xinhua) -- China, Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan on Thursday signed a Joint Statement on Security Cooperation at a ministerial meeting in Xi'an. The statement was signed by the six ministers of public security and internal affairs. The joint statement commits the six countries to fighting terrorism and drug trafficking.",
        '2024-12-05',
      ),
    ).toEqual([['joint_statement', ['counterdrug', 'counterterrorism']]]);
  });

  it('codes voice phishing as telecom fraud and joint police patrols in a title as overseas interests', () => {
    expect(topics('a crackdown on voice phishing rings')).toEqual(['telecom_fraud']);
    expect(
      topicsOf(
        'BUDAPEST, May 9 -- Hungarian Interior Minister Sandor Pinter and Chinese Minister of Public Security Wang Xiaohong signed the Action Plan on Joint Police Patrols for 2024-2025.',
        '2024-05-09',
      ),
    ).toEqual([['action_plan', ['overseas_interests']]]);
  });
});
