import { describe, expect, it } from 'vitest';
import { fieldChanges, textDiff } from '../../../pipeline/incremental.js';
import { codedRecord } from '../../helpers/records.js';

describe('textDiff', () => {
  const before =
    '郭声琨部长与越南公安部部长苏林举行会谈\n2016年11月22日，双方签署了谅解备忘录。根据备忘录，双方将加强合作。\n访华期间，苏林部长还将赴云南参观。';

  it('shows only the sentences that changed, old then new', () => {
    const after = `${before.replace('赴云南参观。', '赴云南、广西参观。')}\n双方还同意加强禁毒情报交流。`;
    expect(textDiff(before, after)).toBe(
      [
        '- 访华期间，苏林部长还将赴云南参观。',
        '+ 访华期间，苏林部长还将赴云南、广西参观。',
        '+ 双方还同意加强禁毒情报交流。',
      ].join('\n'),
    );
  });

  it('is empty for the same text and short for a long rewrite', () => {
    expect(textDiff(before, before)).toBe('');
    const long = Array.from({ length: 40 }, (_, i) => `第${i}句。`).join('');
    const diff = textDiff('', long, { maxLines: 5, maxLineChars: 20 });
    expect(diff.split('\n')).toHaveLength(6);
    expect(diff).toMatch(/… 35 more changed sentences$/);
  });

  it('cuts very long sentences', () => {
    const diff = textDiff('a.', `${'x'.repeat(500)}.`, { maxLineChars: 50 });
    expect(diff.split('\n').every((l) => l.length <= 52)).toBe(true);
  });
});

describe('fieldChanges', () => {
  it('lists coded fields whose values differ, ignoring list order', () => {
    const a = codedRecord({ topics: ['counterdrug', 'transnational_crime'] });
    const b = codedRecord({
      topics: ['transnational_crime', 'counterdrug'],
      date_signed: '2016-11-23',
    });
    expect(fieldChanges(a, b)).toEqual([
      { field: 'date_signed', before: '2016-11-22', after: '2016-11-23' },
    ]);
  });
});
