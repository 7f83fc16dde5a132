import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../core/errors.js';
import { dedupCandidate } from '../../../pipeline/dedup.js';
import { parseImport } from '../../../pipeline/import/rows.js';
import { importFile, importRows } from '../../../pipeline/import.js';
import { loadExportRecords, toCsv, toJson } from '../../../pipeline/records.js';
import { resolveId } from '../../../storage/agreement-history.js';
import {
  getAgreement,
  getCandidate,
  insertCandidates,
  listAgreements,
  nextAgreementId,
  reviewLog,
  sourcesOf,
} from '../../../storage/agreements.js';
import { listReviewItems } from '../../../storage/review-items.js';
import { runCli } from '../../helpers/cli.js';
import { tempApp } from '../../helpers/temp.js';

/** A hand-built file in the style of dataset version 2.0: its own column names and words. */
const HAND_BUILT = `ID,Title (Chinese),title_en,Date,Country,Type,Topics,Signatory Title
V2-001,《中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录》,,2016/11/22,Vietnam,谅解备忘录,transnational crime; counterdrug,minister
V2-002,,MoU on counter-terrorism cooperation,22 April 2017,巴基斯坦,MoU,counter-terrorism,
V2-003,上海合作组织成员国公安内务部长会议联合声明,,2018年5月23日,SCO,joint statement,,minister
V2-004,,Protocol on police training,2019-06,KH,protocol,capacity building,vice_minister
`;

let app: Awaited<ReturnType<typeof tempApp>>;
beforeEach(async () => {
  app = await tempApp();
});
afterEach(async () => {
  await app.cleanup();
});

function write(name: string, content: string): string {
  const file = path.join(app.dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('reading a dataset', () => {
  it('reads a hand-built CSV: its column names, country names, dates and document terms', () => {
    const rows = parseImport(HAND_BUILT, 'v2.csv');
    expect(
      rows.map((r) => [
        r.id,
        r.record.counterpart_countries,
        r.record.forum,
        r.record.date_signed,
        r.record.doc_type,
      ]),
    ).toEqual([
      ['V2-001', ['VNM'], null, '2016-11-22', 'mou'],
      ['V2-002', ['PAK'], null, '2017-04-22', 'mou'],
      ['V2-003', [], 'SCO', '2018-05-23', 'joint_statement'],
      ['V2-004', ['KHM'], null, '2019-06', 'protocol'],
    ]);
    const [vnm, pak, sco] = rows;
    expect(vnm?.record.title_zh).toBe(
      '中华人民共和国公安部和越南社会主义共和国公安部关于打击跨国犯罪合作的谅解备忘录',
    );
    expect(vnm?.record.topics).toEqual(['transnational_crime', 'counterdrug']);
    expect(vnm?.record.region).toBe('southeast_asia');
    expect(vnm?.record.cn_signatory_ministerial).toBe(true);
    expect(pak?.record.title_en).toBe('MoU on counter-terrorism cooperation');
    expect(pak?.record.topics).toEqual(['counterterrorism']);
    expect(sco?.record.scope).toBe('multilateral');
    expect(sco?.record.topics).toEqual(['generic']);
  });

  it('names the row, line and field of the first thing it cannot read', () => {
    const bad = (line: string) => () =>
      parseImport(`id,date,country,type\nA1,2016-11-22,VNM,mou\n${line}\n`, 'x.csv');
    expect(bad('A2,22/11/2016,VNM,mou')).toThrow(
      /^x\.csv row 2 \(line 3\) \(id A2\): date_signed: cannot read the date "22\/11\/2016"/,
    );
    expect(bad('A2,2016-11-22,Narnia,mou')).toThrow(
      /row 2 .*counterpart_countries: unknown country "Narnia"/,
    );
    expect(bad('A2,2016-11-22,VNM,treaty of friendship')).toThrow(
      /row 2 .*doc_type: "treaty of friendship" is neither/,
    );
    expect(bad('A 2,2016-11-22,VNM,mou')).toThrow(/row 2 .*id: "A 2" is not a usable id/);
    expect(() =>
      parseImport(
        '[{"id": "x", "date_signed": "2016-02-30", "counterpart_countries": ["VNM"]}]',
        'y.json',
      ),
    ).toThrow(/^y\.json row 1 \(id x\): date_signed:/);
    expect(() => parseImport('[{"id": "x",', 'z.json')).toThrow(UserError);
  });
});

describe('importing', () => {
  it('loads approved records under their own ids and logs each import', async () => {
    const report = await importFile(app.db, write('v2.csv', HAND_BUILT), { reviewer: 'team' });
    expect(report).toMatchObject({ rows: 4, created: 4, unchanged: 0, conflicts: 0 });
    const all = await listAgreements(app.db, { status: 'approved' });
    expect(all.map((a) => a.id).sort()).toEqual(['V2-001', 'V2-002', 'V2-003', 'V2-004']);
    expect((await reviewLog(app.db, 'V2-001')).map((l) => [l.action, l.reviewer])).toEqual([
      ['import', 'team'],
    ]);
  });

  it('is idempotent: importing the same file again changes nothing', async () => {
    const file = write('v2.csv', HAND_BUILT);
    await importFile(app.db, file);
    const before = await loadExportRecords(app.db, 'any');
    const again = await importFile(app.db, file);
    expect(again).toMatchObject({ created: 0, unchanged: 4, updated: 0, conflicts: 0 });
    expect(await loadExportRecords(app.db, 'any')).toEqual(before);
    // Rows without ids are recognised by their coded values.
    const noIds = write('noids.csv', HAND_BUILT.replace(/V2-00\d/g, ''));
    expect(await importFile(app.db, noIds)).toMatchObject({ created: 4 });
    expect(await importFile(app.db, noIds)).toMatchObject({ created: 0, unchanged: 4 });
  });

  it('round-trips an export: JSON and CSV give back the same records under the same ids', async () => {
    await importFile(app.db, write('v2.csv', HAND_BUILT));
    const exported = await loadExportRecords(app.db, 'approved');
    const other = await tempApp();
    try {
      await importFile(other.db, write('export.json', toJson(exported)));
      const back = await loadExportRecords(other.db, 'approved');
      const coded = (rs: typeof exported) => rs.map(({ review: _r, ...rest }) => rest);
      expect(coded(back)).toEqual(coded(exported));
      const third = await tempApp();
      try {
        await importFile(third.db, write('export.csv', toCsv(exported)));
        expect(coded(await loadExportRecords(third.db, 'approved'))).toEqual(coded(exported));
      } finally {
        await third.cleanup();
      }
    } finally {
      await other.cleanup();
    }
  });

  it('turns a changed row about an approved record into conflicts, never an overwrite', async () => {
    await importFile(app.db, write('v2.csv', HAND_BUILT));
    const changed = write('v2.1.csv', HAND_BUILT.replace('2016/11/22', '2016/11/21'));
    expect(await importFile(app.db, changed)).toMatchObject({ unchanged: 3, conflicts: 1 });
    expect(await importFile(app.db, changed)).toMatchObject({ conflicts: 0 });
    expect((await getAgreement(app.db, 'V2-001'))?.record.date_signed).toBe('2016-11-22');
    const [item] = await listReviewItems(app.db, { agreementId: 'V2-001' });
    expect(item?.details).toEqual({
      field: 'date_signed',
      canonical: '2016-11-22',
      candidate: '2016-11-21',
      candidate_url: 'import:v2.1.csv',
    });
  });

  it('skips rows that are not approved and refuses one id twice', async () => {
    const json = JSON.stringify([
      {
        id: 'P1',
        date_signed: '2016-11-22',
        counterpart_countries: ['VNM'],
        doc_type: 'mou',
        review: { status: 'pending' },
      },
      {
        id: 'P2',
        date_signed: '2016-11-22',
        counterpart_countries: ['VNM'],
        doc_type: 'mou',
        review_status: 'rejected',
      },
    ]);
    expect(await importFile(app.db, write('a.json', json))).toMatchObject({
      created: 0,
      skipped: 2,
    });
    const rows = parseImport('id,date,country\nD,2016,VNM\nD,2017,LAO\n', 'dup.csv');
    await expect(importRows(app.db, rows, { label: 'dup.csv' })).rejects.toThrow(
      /rows 1 and 2 both have id D/,
    );
  });

  it('keeps issuing new ids after an imported PW- id', async () => {
    const file = write('pw.csv', 'id,date,country,type\nPW-000050,2016-11-22,VNM,mou\n');
    await importFile(app.db, file);
    expect(await nextAgreementId(app.db)).toBe('PW-000051');
  });
});

describe('imported records and crawls', () => {
  async function crawlCandidate(
    url: string,
    record: Awaited<ReturnType<typeof parseImport>>[number]['record'],
  ) {
    const snap = await app.db
      .insertInto('snapshots')
      .values({
        crawl_id: null,
        url,
        final_url: url,
        source_id: 'mps',
        status: 200,
        headers: '{}',
        content_type: 'text/html',
        charset: 'utf-8',
        body_sha256: 'a'.repeat(64),
        body_bytes: 1,
        fetched_at: '2026-01-01T00:00:00Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertCandidates(app.db, [
      {
        snapshotId: snap.id,
        sourceId: 'mps',
        sourceKind: 'mps',
        url,
        published: null,
        ordinal: 0,
        record,
      },
    ]);
    const c = await getCandidate(app.db, snap.id, 0);
    if (c === undefined) throw new Error('no candidate');
    return app.db.transaction().execute((trx) => dedupCandidate(trx, c, null, null));
  }

  it('attaches a later report to the imported record and surfaces only what differs', async () => {
    await importFile(app.db, write('v2.csv', HAND_BUILT));
    const [row] = parseImport(HAND_BUILT, 'v2.csv');
    if (row === undefined) throw new Error('no row');
    const report = { ...row.record, topics: [...row.record.topics, 'immigration_border' as const] };
    const r = await crawlCandidate('https://www.mps.gov.cn/n1/c5545871/content.html', report);
    expect(r).toEqual({ agreementId: 'V2-001', created: false });
    const items = await listReviewItems(app.db, { agreementId: 'V2-001' });
    expect(items.map((i) => i.field)).toEqual(['topics']);
  });

  it('merges a crawled pending record into the imported one that stands for it', async () => {
    const [row] = parseImport(HAND_BUILT.replace('V2-001', ''), 'v2.csv');
    if (row === undefined) throw new Error('no row');
    const crawled = await crawlCandidate('https://www.mps.gov.cn/n1/c1/content.html', row.record);
    const report = await importFile(app.db, write('v2.csv', HAND_BUILT.replace('V2-001', '')));
    expect(report).toMatchObject({ created: 4, absorbed: 1 });
    const live = await resolveId(app.db, crawled.agreementId);
    expect(live?.id).not.toBe(crawled.agreementId);
    const sources = (await sourcesOf(app.db, [live?.id ?? ''])).get(live?.id ?? '') ?? [];
    expect(sources.map((s) => s.url)).toEqual(['https://www.mps.gov.cn/n1/c1/content.html']);
    expect(await listAgreements(app.db, { status: 'pending' })).toEqual([]);
  });
});

describe('pactwatch import', () => {
  it('prints what it did, and one line for a bad file', async () => {
    const env = { PACTWATCH_DATA_DIR: path.join(app.dir, 'cli') };
    const file = write('v2.csv', HAND_BUILT);
    const ok = await runCli(['import', file], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/imported 4 rows from .*v2\.csv: 4 new, 0 unchanged/);
    const bad = await runCli(['import', write('bad.csv', 'id,date,country\nX,someday,VNM\n')], {
      env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'pactwatch: bad.csv row 1 (line 2) (id X): date_signed: cannot read the date "someday"; write YYYY-MM-DD, YYYY-MM or YYYY',
    ]);
  });
});
