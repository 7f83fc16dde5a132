import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  f1,
  type LabelledDocument,
  loadLabelled,
  pairRecords,
  precision,
  recall,
} from '../../../extractors/evaluation.js';
import { extract } from '../../../extractors/index.js';
import { DOC_TYPES } from '../../../schemas/codes.js';

/**
 * The regression guard: the rule-based extractor on every labelled document of
 * tests/fixtures/extract/ must stay at or above the floors in floors.json (set from the measured
 * figures, a little below them). Lower a floor only with a reason in the commit.
 */

const DIR = fileURLToPath(new URL('../../fixtures/extract/', import.meta.url));
const docs: LabelledDocument[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .flatMap((f) => loadLabelled(path.join(DIR, f)));
const floors = JSON.parse(readFileSync(path.join(DIR, 'floors.json'), 'utf8')) as {
  fields: Record<string, number>;
  is_signing: number;
  records: number;
};
const result = evaluate(docs, extract);

describe('the labelled corpus', () => {
  it('covers the three scripts, every document type, negatives and multi-document pages', () => {
    expect(docs.length).toBeGreaterThanOrEqual(150);
    const byLang = (lang: string) => docs.filter((d) => d.lang === lang).length;
    expect(byLang('zh-Hans')).toBeGreaterThanOrEqual(50);
    expect(byLang('zh-Hant')).toBeGreaterThanOrEqual(25);
    expect(byLang('en')).toBeGreaterThanOrEqual(40);
    expect(docs.filter((d) => !d.expected.is_signing).length).toBeGreaterThanOrEqual(40);
    expect(docs.filter((d) => d.expected.agreements.length > 1).length).toBeGreaterThanOrEqual(10);
    const types = new Set(docs.flatMap((d) => d.expected.agreements.map((a) => a['doc_type'])));
    expect([...DOC_TYPES].filter((t) => !types.has(t))).toEqual([]);
    expect(new Set(docs.map((d) => d.id)).size).toBe(docs.length);
  });
});

describe('per-field scores stay above their floors', () => {
  it.each(result.fields.map((f) => [f.field, f] as const))('%s', (field, score) => {
    const floor = floors.fields[field];
    expect(floor, `no floor for ${field} in floors.json`).toBeDefined();
    expect(Math.round(f1(score) * 1000) / 1000).toBeGreaterThanOrEqual(floor ?? 1);
  });

  it('finds the signing pages and their records', () => {
    expect(f1(result.signing)).toBeGreaterThanOrEqual(floors.is_signing);
    expect(f1(result.records)).toBeGreaterThanOrEqual(floors.records);
  });
});

describe('scoring', () => {
  it('computes precision, recall and F1, treating no claims as nothing wrong', () => {
    expect(precision({ tp: 3, fp: 1, fn: 0 })).toBe(0.75);
    expect(recall({ tp: 3, fp: 0, fn: 3 })).toBe(0.5);
    expect(f1({ tp: 0, fp: 0, fn: 0 })).toBe(1);
    expect(f1({ tp: 0, fp: 2, fn: 2 })).toBe(0);
  });

  it('pairs a page’s records by what they have in common, not by their order', () => {
    const page = docs.find((d) => d.id === 'zh-vnm-2019-minutes-and-two-titles');
    if (page === undefined) throw new Error('fixture missing');
    const actual = extract({ text: page.text, url: page.url, published: page.published });
    const pairs = pairRecords([...page.expected.agreements].reverse(), actual.agreements);
    expect(pairs.every((p) => p.want !== undefined && p.got?.doc_type === p.want['doc_type'])).toBe(
      true,
    );
  });

  it('counts a wrong value as a false positive and a false negative', () => {
    const wrong = evaluate(
      [
        {
          id: 't',
          lang: 'zh-Hans',
          text: '9月24日，公安部部长赵克志与越南公安部部长苏林签署了谅解备忘录。',
          url: null,
          published: '2019-09-25',
          expected: {
            is_signing: true,
            agreements: [{ doc_type: 'mou', date_signed: '2019-09-23' }],
          },
        },
      ],
      extract,
    );
    const date = wrong.fields.find((f) => f.field === 'date_signed');
    expect(date).toMatchObject({ tp: 0, fp: 1, fn: 1, labelled: 1 });
    expect(wrong.confusion.get('mou')?.get('mou')).toBe(1);
  });
});
