import { describe, expect, it } from 'vitest';
import { classifyTitle, codedTermSpan, findDocTerms } from '../../../extractors/doctype.js';
import { extract } from '../../../extractors/index.js';
import { prepare } from '../../../extractors/text.js';

function typesIn(text: string): [string, string][] {
  const doc = prepare(text, null, null);
  return findDocTerms(doc, 0, doc.text.length).map((m) => [
    m.value,
    doc.text.slice(m.start, m.end),
  ]);
}

function titleType(title: string): string | undefined {
  const doc = prepare(`《${title}》`, null, null);
  return classifyTitle(doc, 1, doc.text.length - 1)?.value;
}

describe('document terms', () => {
  it('maps every scheme term to its doc type, longest term first', () => {
    expect(typesIn('谅解备忘录 意向备忘录 合作交流备忘录 备忘录')).toEqual([
      ['mou', '谅解备忘录'],
      ['mou', '意向备忘录'],
      ['mou', '合作交流备忘录'],
      ['mou', '备忘录'],
    ]);
    expect(typesIn('合作协定 协定书 协议书 协议 会议纪要 会谈纪要 联合声明 意向书 换文')).toEqual([
      ['accord', '合作协定'],
      ['accord', '协定书'],
      ['protocol', '协议书'],
      ['protocol', '协议'],
      ['meeting_minutes', '会议纪要'],
      ['meeting_minutes', '会谈纪要'],
      ['joint_statement', '联合声明'],
      ['letter_of_intent', '意向书'],
      ['exchange_of_notes', '换文'],
    ]);
    expect(
      typesIn('合作安排 合作计划 行动方案 行动计划 成果清单 成果声明 物资交接书 有关合作文件'),
    ).toEqual([
      ['cooperation_plan', '合作安排'],
      ['cooperation_plan', '合作计划'],
      ['action_plan', '行动方案'],
      ['action_plan', '行动计划'],
      ['outcomes_list', '成果清单'],
      ['outcomes_list', '成果声明'],
      ['supply_handover', '物资交接书'],
      ['unspecified', '有关合作文件'],
    ]);
  });

  it('reads English terms in any case', () => {
    expect(
      typesIn(
        'a Memorandum of Understanding, an MoU, the minutes, a joint statement, an action plan',
      ).map(([t]) => t),
    ).toEqual(['mou', 'mou', 'meeting_minutes', 'joint_statement', 'action_plan']);
    expect(typesIn('a letter of intent and an exchange of notes').map(([t]) => t)).toEqual([
      'letter_of_intent',
      'exchange_of_notes',
    ]);
  });

  it('does not take "reached an agreement" or "90 minutes" as documents', () => {
    expect(typesIn('The two sides reached an agreement after 90 minutes.')).toEqual([]);
    expect(typesIn('双方达成协议')).toEqual([]);
  });
});

describe('classifyTitle', () => {
  it('uses the term that ends the title', () => {
    expect(titleType('关于落实〈合作协定〉的行动计划')).toBe('action_plan');
    expect(
      titleType('中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录'),
    ).toBe('mou');
    expect(titleType('中吉两国内务部门边境合作议定书')).toBe('protocol');
    expect(titleType('人民日报')).toBeUndefined();
  });
});

describe('doc_type_term: the document word as DESIGN.md lists it', () => {
  const terms = (text: string) =>
    extract({ text, published: '2019-05-10' }).agreements.map((a) => a.doc_type_term);
  const MEETING = '5月9日，国务委员、公安部部长赵克志在北京与白俄罗斯内务部长卡拉耶夫举行会谈。';

  it('codes the longest listed word a term ends in (合作协议 -> 协议, 合作意向书 -> 意向书)', () => {
    expect(
      terms(
        `${MEETING}会后，双方签署了《中华人民共和国公安部与白俄罗斯共和国内务部关于打击网络犯罪的合作协议》。`,
      ),
    ).toEqual(['协议']);
    expect(terms(`${MEETING}会后，双方签署了警务合作意向书。`)).toEqual(['意向书']);
    expect(terms(`${MEETING}会后，双方签署了《中白警务合作协议书》。`)).toEqual(['协议书']);
  });

  it('keeps a listed word that is longer (合作协定, 合作计划) and an unlisted term as written', () => {
    expect(
      terms(
        `${MEETING}会后，双方签署了《中华人民共和国政府和白俄罗斯共和国政府打击犯罪合作协定》。`,
      ),
    ).toEqual(['合作协定']);
    expect(terms(`${MEETING}会后，双方签署了《2020—2021年合作计划》。`)).toEqual(['合作计划']);
    expect(terms(`${MEETING}会后，双方签署了《关于边境执法的合作备忘录》。`)).toEqual([
      '合作备忘录',
    ]);
    expect(
      terms(
        'MINSK, May 9 (Xinhua) -- Chinese Minister of Public Security Zhao Kezhi and Belarusian Interior Minister Yuri Karayev on Thursday signed a cooperation agreement on fighting cybercrime.',
      ),
    ).toEqual(['cooperation agreement']);
  });

  it('cuts the term in the page’s own script', () => {
    expect(
      terms(
        '國務委員、公安部部長趙克志9日在北京與匈牙利內政部長平特爾舉行會談。會後，雙方簽署了《中華人民共和國公安部與匈牙利內政部警務合作協議》。',
      ),
    ).toEqual(['協議']);
    const doc = prepare('合作協議', null, null);
    expect(codedTermSpan(doc, { start: 0, end: 4 })).toEqual({ start: 2, end: 4 });
  });
});
