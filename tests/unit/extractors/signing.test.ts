import { describe, expect, it } from 'vitest';
import { hasMpsOfficial } from '../../../extractors/signatories.js';
import { findSigningEvents } from '../../../extractors/signing.js';
import { prepare } from '../../../extractors/text.js';

function events(text: string) {
  const doc = prepare(text, null, '2020-01-01');
  return findSigningEvents(doc, { hasMpsOfficial }).map((e) => ({
    sentence: doc.text.slice(e.sentence.start, e.sentence.end),
    witnessed: e.witnessed,
    docs: e.docs.map((d) => ({
      type: d.type,
      term: d.term,
      titleZh: d.titleZh,
      titleEn: d.titleEn,
    })),
  }));
}

const READOUT = '9月24日，国务委员、公安部部长赵克志在京与越南公安部部长苏林举行会谈。';

describe('signing events', () => {
  it('splits minutes plus two witnessed titled documents into three documents', () => {
    const found = events(
      `${READOUT}会后，双方签署了会议纪要，并见证签署了《关于打击跨国犯罪合作的谅解备忘录》和《关于开展联合巡逻的合作安排》。`,
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.witnessed).toBe(true);
    expect(found[0]?.docs).toEqual([
      {
        type: 'mou',
        term: '谅解备忘录',
        titleZh: '关于打击跨国犯罪合作的谅解备忘录',
        titleEn: null,
      },
      {
        type: 'cooperation_plan',
        term: '合作安排',
        titleZh: '关于开展联合巡逻的合作安排',
        titleEn: null,
      },
      { type: 'meeting_minutes', term: '会议纪要', titleZh: null, titleEn: null },
    ]);
  });

  it('codes 有关合作文件 alone as one unspecified document, and drops it beside named ones', () => {
    expect(events(`${READOUT}会谈后，双方签署了有关合作文件。`)[0]?.docs).toEqual([
      { type: 'unspecified', term: '有关合作文件', titleZh: null, titleEn: null },
    ]);
    expect(events(`${READOUT}双方签署了《中越边境管理合作协定》等合作文件。`)[0]?.docs).toEqual([
      { type: 'accord', term: '合作协定', titleZh: '中越边境管理合作协定', titleEn: null },
    ]);
  });

  it('counts documents when a number is given', () => {
    expect(events(`${READOUT}双方签署了两份谅解备忘录。`)[0]?.docs.map((d) => d.type)).toEqual([
      'mou',
      'mou',
    ]);
  });

  it('reads English documents, one per kind, and capitalised titles', () => {
    const found = events(
      'Chinese Minister of Public Security Guo Shengkun and Vietnamese Minister of Public Security To Lam signed a memorandum of understanding (MoU) on combating crime and the Agreement on Border Management Cooperation.',
    );
    // Two ministers' "agreement" is their ministries' protocol (协议).
    expect(found[0]?.docs).toEqual([
      { type: 'mou', term: 'memorandum of understanding', titleZh: null, titleEn: null },
      {
        type: 'protocol',
        term: 'Agreement',
        titleZh: null,
        titleEn: 'Agreement on Border Management Cooperation',
      },
    ]);
  });

  it('codes an English agreement between governments as an accord', () => {
    const found = events(
      'Sri Lanka and China on Tuesday signed an intergovernmental agreement on combating transnational crime, the Ministry of Public Security said.',
    );
    expect(found[0]?.docs.map((d) => d.type)).toEqual(['accord']);
  });

  it('takes a quoted English title', () => {
    const found = events(
      'The Ministry of Public Security and Italy\'s Ministry of the Interior signed the "Memorandum of Understanding on Joint Police Patrols" on Monday.',
    );
    expect(found[0]?.docs[0]?.titleEn).toBe('Memorandum of Understanding on Joint Police Patrols');
  });

  it('ignores meetings with no document, plans and negations', () => {
    expect(events(`${READOUT}双方就深化执法合作交换了意见。`)).toEqual([]);
    expect(events(`${READOUT}双方同意尽快签署《关于打击跨国犯罪的合作协议》。`)).toEqual([]);
    expect(events(`${READOUT}双方将于年内签署合作协议。`)).toEqual([]);
    expect(events(`${READOUT}该协议尚未签署。`)).toEqual([]);
    expect(
      events(
        'China and Laos will sign an agreement on police cooperation, the Ministry of Public Security said.',
      ),
    ).toEqual([]);
    expect(
      events(
        'The Ministry of Public Security said China and Laos are expected to sign an MoU next month.',
      ),
    ).toEqual([]);
  });

  it('ignores documents that are only referred to', () => {
    expect(
      events(`${READOUT}双方表示，要认真落实2015年签署的《关于打击跨国犯罪的合作协议》。`),
    ).toEqual([]);
    expect(events('近年来，中越两国公安部已签署30余份合作文件。')).toEqual([]);
    expect(
      events(
        'Since the signing of the memorandum of understanding in 2015, Chinese and Vietnamese police have arrested 500 suspects.',
      ),
    ).toEqual([]);
    expect(
      events(
        'China has signed more than 400 law enforcement cooperation documents with other countries.',
      ),
    ).toEqual([]);
  });

  it('accepts past-tense English reports whatever else the sentence says', () => {
    const lead = 'Chinese Minister of Public Security Zhao Kezhi';
    expect(
      events(`Earlier on Monday, ${lead} and Lao Minister of Public Security signed an MoU.`),
    ).toHaveLength(1);
    expect(
      events(`The ministry has said that ${lead} and his Lao counterpart signed an agreement.`),
    ).toHaveLength(1);
    expect(events(`${lead} said the agreement signed in 2015 had worked well.`)).toEqual([]);
  });

  it('accepts a signing when the relative clause marks it as this one (此次签署的)', () => {
    const found = events(`${READOUT}此次双方签署的《边境管理合作协定》为两国合作提供了法律保障。`);
    expect(found[0]?.docs.map((d) => d.type)).toEqual(['accord']);
  });

  it('requires a Chinese public-security party', () => {
    expect(
      events(
        '11月12日，商务部部长王文涛与越南工贸部部长在河内签署了《关于加强电子商务合作的谅解备忘录》。',
      ),
    ).toEqual([]);
    expect(events('2014年10月28日，外交部长王毅与阿富汗外长签署了《中阿引渡条约》。')).toEqual([]);
    // The public-security party may be named in the readout before the signing sentence.
    expect(events(`${READOUT}会后，双方签署了会议纪要。`)).toHaveLength(1);
  });

  it('reads a signing ceremony with no document named as one unspecified document', () => {
    expect(events(`${READOUT}会后，双方举行了签约仪式。`)[0]?.docs.map((d) => d.type)).toEqual([
      'unspecified',
    ]);
  });
});

describe('signings China is no party to', () => {
  it('drops two other governments signing, whatever the subject or the police named', () => {
    expect(
      events(
        '新华社乌兰巴托6月3日电 蒙古国和吉尔吉斯斯坦2日在乌兰巴托签署了两国警察部门打击毒品走私合作协议。蒙古国警察总局局长和吉尔吉斯斯坦内务部副部长代表两国签字。',
      ),
    ).toEqual([]);
    expect(
      events(
        'VIENTIANE, March 4 -- Vietnam and Cambodia on Tuesday signed a memorandum of understanding on police cooperation against drug trafficking in their border provinces.',
      ),
    ).toEqual([]);
  });

  it('drops a document whose title names two other parties (Taiwan and its partner)', () => {
    expect(
      events(
        '（中央社記者台北5日電）內政部長今天與來訪的巴拉圭國家警察總監簽署「臺灣與巴拉圭警政合作協定」，雙方將加強打擊犯罪情資交換。',
      ),
    ).toEqual([]);
  });

  it('drops a ceremony of other ministries when the police official only met someone', () => {
    expect(
      events(
        '5月10日，国务院总理在内罗毕与肯尼亚总统举行会谈。会谈后，两国领导人出席了合作文件签字仪式。随访的公安部副部长当天与肯尼亚内政部官员进行了工作会晤。',
      ),
    ).toEqual([]);
  });

  it('keeps a signing whose public-security party the next sentence names as signer', () => {
    expect(
      events(
        'Serbia and China signed a protocol on police cooperation in Belgrade on Friday. It was signed on behalf of China by Vice Minister of Public Security Lin Rui.',
      ),
    ).toHaveLength(1);
  });
});

describe('one document reported twice', () => {
  it('reads "The MoU was signed by …" as the document just reported, not another one', () => {
    const found = events(
      'Ghana and China on Thursday signed a Memorandum of Understanding on Police Training in Accra. The MoU was signed by the Inspector-General of Police and the Chinese Ambassador.',
    );
    expect(found).toHaveLength(1);
    expect(
      events(
        `${READOUT}会后，双方签署了禁毒合作谅解备忘录。该备忘录由两国公安部副部长代表双方签署。`,
      ),
    ).toHaveLength(1);
  });

  it('still reads a second document signed in a later sentence', () => {
    expect(
      events(
        `${READOUT}会后，双方签署了禁毒合作谅解备忘录。双方还签署了《2020—2022年警务合作计划》。`,
      ),
    ).toHaveLength(2);
  });
});
