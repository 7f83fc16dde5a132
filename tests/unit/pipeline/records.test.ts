import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { markRenewals, toCsv } from '../../../pipeline/records.js';
import { Agreement } from '../../../schemas/agreement.js';
import { codedRecord } from '../../helpers/records.js';

describe('renewals', () => {
  it('marks a later agreement with the same partner as a renewal, the first not', () => {
    const items = markRenewals([
      { id: 'b', record: codedRecord({ date_signed: '2018-05-01' }) },
      { id: 'a', record: codedRecord({ date_signed: '2016-11-22' }) },
      {
        id: 'c',
        record: codedRecord({ date_signed: '2018-05-01', counterpart_countries: ['LAO'] }),
      },
      {
        id: 'd',
        record: codedRecord({
          forum: 'SCO',
          counterpart_countries: [],
          scope: 'multilateral',
          date_signed: '2019',
        }),
      },
    ]);
    expect(Object.fromEntries(items.map((i) => [i.id, i.record.is_renewal]))).toEqual({
      a: false,
      b: true,
      c: false,
      d: false,
    });
  });

  it('does not count two documents signed the same day as renewals of each other', () => {
    const items = markRenewals([
      { id: 'a', record: codedRecord({ doc_type: 'meeting_minutes' }) },
      { id: 'b', record: codedRecord({ doc_type: 'mou' }) },
    ]);
    expect(items.map((i) => i.record.is_renewal)).toEqual([false, false]);
  });
});

describe('CSV export', () => {
  it('flattens nested fields and joins lists so a spreadsheet reads it', () => {
    const record = Agreement.parse({
      id: 'PW-000001',
      ...codedRecord({
        title_zh: '关于打击跨国犯罪合作的谅解备忘录',
        topics: ['counterdrug', 'transnational_crime'],
      }),
      sources: [
        {
          url: 'https://a.test/1',
          source_kind: 'mps',
          published: '2016-11-22',
          fetched_at: null,
          snapshot_sha256: null,
          archive_url: null,
        },
        {
          url: 'https://b.test/2',
          source_kind: 'news',
          published: null,
          fetched_at: null,
          snapshot_sha256: null,
          archive_url: null,
        },
      ],
      review: {
        status: 'approved',
        reviewer: 'ann',
        reviewed_at: '2026-01-01T00:00:00Z',
        note: 'ok, "quoted"',
      },
    });
    const rows = parse(toCsv([record]), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: 'PW-000001',
      title_zh: '关于打击跨国犯罪合作的谅解备忘录',
      counterpart_countries: 'VNM',
      cn_signatory_title: 'minister',
      topics: 'counterdrug;transnational_crime',
      source_urls: 'https://a.test/1;https://b.test/2',
      review_note: 'ok, "quoted"',
    });
  });
});
