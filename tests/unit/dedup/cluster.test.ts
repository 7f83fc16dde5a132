import { describe, expect, it } from 'vitest';
import { clusterRecords, clustersOf } from '../../../pipeline/dedup/cluster.js';
import { codedRecord } from '../../helpers/records.js';

const r = codedRecord;

describe('clusterRecords', () => {
  it('puts the reports of one signing together and labels each cluster by its first item', () => {
    const items = [
      { url: 'https://mps/1', record: r({ title_zh: '关于打击跨国犯罪合作的谅解备忘录' }) },
      {
        url: 'https://other/9',
        record: r({ counterpart_countries: ['LAO'], region: 'southeast_asia' }),
      },
      {
        url: 'https://embassy/2',
        record: r({ date_signed: '2016-11-23', title_zh: '中越打击跨国犯罪谅解备忘录' }),
      },
      {
        url: 'https://news/3',
        record: r({ title_zh: null, title_en: 'MoU on combating transnational crime' }),
      },
    ];
    const { labels, clusterCount } = clusterRecords(items);
    expect([...labels]).toEqual([0, 1, 0, 0]);
    expect(clusterCount).toBe(2);
    expect(clustersOf(labels)).toEqual([[0, 2, 3], [1]]);
  });

  it('never puts two reports read from one page together', () => {
    const { labels } = clusterRecords([
      { url: 'https://mps/1', record: r({ title_zh: null }) },
      { url: 'https://mps/1', record: r({ title_zh: null }) },
    ]);
    expect(labels[0]).not.toBe(labels[1]);
  });

  it('does not let a vague report chain two different documents into one', () => {
    const drugs = r({ title_zh: '关于禁毒合作的谅解备忘录' });
    const terror = r({ title_zh: '关于反恐合作的谅解备忘录' });
    const vague = r({ doc_type: 'unspecified', doc_type_term: '合作文件', title_zh: null });
    const { labels } = clusterRecords([
      { url: 'https://a/1', record: drugs },
      { url: 'https://b/1', record: vague },
      { url: 'https://c/1', record: terror },
    ]);
    expect(labels[0]).not.toBe(labels[2]);
    // The vague report joins one of them, not both.
    expect(labels[1] === labels[0] || labels[1] === labels[2]).toBe(true);
  });

  it('keeps renewals, other partners, undated and partnerless reports apart', () => {
    const items = [
      { record: r() },
      { record: r({ date_signed: '2018-11-22', year: 2018 }) },
      { record: r({ counterpart_countries: ['KHM'] }) },
      { record: r({ date_signed: null, year: null }) },
      { record: r({ date_signed: null, year: null }) },
      { record: r({ counterpart_countries: [], forum: null }) },
      { record: r({ counterpart_countries: [], forum: null }) },
    ];
    expect(clusterRecords(items).clusterCount).toBe(items.length);
  });

  it('caps a cluster at maxClusterSize reports', () => {
    const items = Array.from({ length: 6 }, (_, i) => ({ url: `https://x/${i}`, record: r() }));
    const { clusterCount } = clusterRecords(items, { maxClusterSize: 3 });
    expect(clusterCount).toBe(2);
    expect(() => clusterRecords(items, { maxClusterSize: 0 })).toThrow(/`maxClusterSize`.*`0`/);
  });

  it('compares only within blocks: reports of other partners or far dates are never scored', () => {
    const items = [
      ...Array.from({ length: 50 }, (_, i) => ({
        record: r({
          counterpart_countries: [`A${String.fromCharCode(65 + (i % 26))}${i < 26 ? 'A' : 'B'}`],
        }),
      })),
      ...Array.from({ length: 50 }, (_, i) => ({
        record: r({
          date_signed: `20${String(10 + (i % 15)).padStart(2, '0')}-0${1 + (i % 9)}-15`,
        }),
      })),
    ];
    const { comparisons } = clusterRecords(items);
    // Far fewer than the 4950 pairs a comparison of everything with everything would score.
    expect(comparisons).toBeLessThan(200);
  });
});
