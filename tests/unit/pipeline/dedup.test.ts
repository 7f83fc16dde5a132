import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dateDistanceDays,
  dedupCandidate,
  matchScore,
  titleSimilarity,
} from '../../../pipeline/dedup.js';
import type { CodedAgreement } from '../../../schemas/agreement.js';
import type { SourceKind } from '../../../schemas/codes.js';
import {
  getAgreement,
  getCandidate,
  insertCandidates,
  sourcesOf,
  updateAgreement,
} from '../../../storage/agreements.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';

describe('matching rules', () => {
  it('measures date distance, treating a partial date as covering its period', () => {
    expect(dateDistanceDays('2016-11-22', '2016-11-23')).toBe(1);
    expect(dateDistanceDays('2016-11', '2016-11-23')).toBe(0);
    expect(dateDistanceDays('2016', '2017-01-01')).toBe(Number.POSITIVE_INFINITY);
    expect(dateDistanceDays(null, '2016-11-23')).toBe(Number.POSITIVE_INFINITY);
  });

  it('scores the same signing reported a day apart as a match', () => {
    const mps = codedRecord({
      title_zh: '中华人民共和国公安部和越南公安部关于打击跨国犯罪合作的谅解备忘录',
    });
    const embassy = codedRecord({
      date_signed: '2016-11-23',
      title_zh: '中越两国公安部关于打击跨国犯罪合作谅解备忘录',
    });
    expect(matchScore(embassy, mps)).not.toBeNull();
  });

  it('keeps apart a renewal with the same title in another year', () => {
    const a = codedRecord({ date_signed: '2016-11-22' });
    const b = codedRecord({ date_signed: '2018-11-22', year: 2018 });
    expect(matchScore(a, b)).toBeNull();
  });

  it('keeps apart other partners, incompatible document types and clearly different titles', () => {
    const base = codedRecord({ title_zh: '关于打击跨国犯罪合作的谅解备忘录' });
    expect(matchScore(codedRecord({ counterpart_countries: ['LAO'] }), base)).toBeNull();
    expect(matchScore(codedRecord({ doc_type: 'meeting_minutes' }), base)).toBeNull();
    expect(
      matchScore(codedRecord({ title_zh: '关于警务培训和装备援助的谅解备忘录' }), base),
    ).toBeNull();
    // An announcement that names no document type ("有关合作文件") may be the same signing.
    expect(
      matchScore(codedRecord({ doc_type: 'unspecified', title_zh: null }), base),
    ).not.toBeNull();
  });

  it('finds Chinese titles similar despite boilerplate and punctuation', () => {
    expect(
      titleSimilarity(
        '《中越关于边境管理合作的协定》',
        '中华人民共和国和越南关于边境管理合作的协定',
      ),
    ).toBeGreaterThanOrEqual(0.6);
    // Two memorandums signed the same day differ only in their subject: they must not merge.
    expect(titleSimilarity('关于禁毒合作的谅解备忘录', '关于反恐合作的谅解备忘录')).toBeLessThan(
      0.4,
    );
  });
});

describe('dedupCandidate', () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  let snapshot = 0;
  beforeEach(async () => {
    app = await tempApp();
    snapshot = 0;
  });
  afterEach(async () => {
    await app.cleanup();
  });

  async function candidate(url: string, kind: SourceKind, record: CodedAgreement, ordinal = 0) {
    if (ordinal === 0) {
      const row = await app.db
        .insertInto('snapshots')
        .values({
          crawl_id: null,
          url,
          final_url: url,
          source_id: kind,
          status: 200,
          headers: '{}',
          content_type: 'text/html',
          charset: 'utf-8',
          body_sha256: String(++snapshot).padStart(64, '0'),
          body_bytes: 1,
          fetched_at: '2026-01-01T00:00:00Z',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      snapshot = row.id;
    }
    await insertCandidates(app.db, [
      {
        snapshotId: snapshot,
        sourceId: kind,
        sourceKind: kind,
        url,
        published: null,
        ordinal,
        record,
      },
    ]);
    const c = await getCandidate(app.db, snapshot, ordinal);
    if (c === undefined) throw new Error('candidate not stored');
    return app.db.transaction().execute((trx) => dedupCandidate(trx, c, null, null));
  }

  it('merges reports of one signing from several sources into one record with all sources', async () => {
    const a = await candidate(
      'https://mps.test/c1/content.html',
      'mps',
      codedRecord({ title_zh: '关于打击跨国犯罪合作的谅解备忘录' }),
    );
    const b = await candidate(
      'https://news.test/world/1.htm',
      'news',
      codedRecord({
        date_signed: '2016-11-23',
        title_en: 'MoU on combating transnational crime',
        topics: ['counterdrug'],
      }),
    );
    expect(a.created).toBe(true);
    expect(b).toEqual({ agreementId: a.agreementId, created: false });
    const merged = await getAgreement(app.db, a.agreementId);
    // MPS's own date wins over the news report's; topics are the union of what sources say.
    expect(merged?.record.date_signed).toBe('2016-11-22');
    expect(merged?.record.title_en).toBe('MoU on combating transnational crime');
    expect(merged?.record.topics.sort()).toEqual(['counterdrug', 'transnational_crime']);
    expect((await sourcesOf(app.db, [a.agreementId])).get(a.agreementId)?.length).toBe(2);
  });

  it('keeps documents of one announcement apart even when they look alike', async () => {
    const url = 'https://mps.test/c2/content.html';
    const a = await candidate(
      url,
      'mps',
      codedRecord({ doc_type: 'unspecified', title_zh: null }),
      0,
    );
    const b = await candidate(url, 'mps', codedRecord({ doc_type: 'mou', title_zh: null }), 1);
    expect(b.agreementId).not.toBe(a.agreementId);
  });

  it('keeps the yearly meeting minutes of a series as one agreement per meeting', async () => {
    const minutes = (date: string) =>
      codedRecord({
        doc_type: 'meeting_minutes',
        date_signed: date,
        year: Number(date.slice(0, 4)),
        title_zh: null,
      });
    const y1 = await candidate('https://mps.test/2015.html', 'mps', minutes('2015-12-10'));
    const y2 = await candidate('https://mps.test/2016.html', 'mps', minutes('2016-12-08'));
    expect(y2.agreementId).not.toBe(y1.agreementId);
  });

  it('adds a source to an approved record without changing its reviewed values', async () => {
    const a = await candidate(
      'https://mps.test/c3.html',
      'mps',
      codedRecord({ topics: ['counterdrug'] }),
    );
    const before = await getAgreement(app.db, a.agreementId);
    await updateAgreement(
      app.db,
      a.agreementId,
      { status: 'approved', reviewer: 'ann' },
      before?.version,
    );
    const b = await candidate(
      'https://news.test/c3.html',
      'news',
      codedRecord({ topics: ['cybercrime'], date_signed: '2016-11-23' }),
    );
    expect(b.agreementId).toBe(a.agreementId);
    const after = await getAgreement(app.db, a.agreementId);
    expect(after?.record.topics).toEqual(['counterdrug']);
    expect(after?.status).toBe('approved');
  });
});
