import { describe, expect, it } from 'vitest';
import { classifyTitle, findDocTerms } from '../../../extractors/doctype.js';
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
