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
