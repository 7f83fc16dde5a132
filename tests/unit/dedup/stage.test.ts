import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedupCandidate } from '../../../pipeline/dedup.js';
import type { CodedAgreement } from '../../../schemas/agreement.js';
import type { SourceKind } from '../../../schemas/codes.js';
import { recordMerge } from '../../../storage/agreement-history.js';
import {
  appendReview,
  getAgreement,
  getCandidate,
  insertAgreement,
  insertCandidates,
  listAgreements,
  sourcesOf,
  updateAgreement,
} from '../../../storage/agreements.js';
import { listReviewItems } from '../../../storage/review-items.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';

let app: Awaited<ReturnType<typeof tempApp>>;
beforeEach(async () => {
  app = await tempApp();
});
afterEach(async () => {
  await app.cleanup();
});

const sha = (n: number) => n.toString(16).padStart(64, '0');

/** One read of a page (a snapshot) with its coded agreements, each through the dedup stage. */
async function crawlPage(
  url: string,
  kind: SourceKind,
  records: readonly CodedAgreement[],
  body = 1,
): Promise<string[]> {
  const snap = await app.db
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
      body_sha256: sha(body),
      body_bytes: 1,
      fetched_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertCandidates(
    app.db,
    records.map((record, ordinal) => ({
      snapshotId: snap.id,
      sourceId: kind,
      sourceKind: kind,
      url,
      published: null,
      ordinal,
      record,
    })),
  );
  const ids: string[] = [];
  for (let ordinal = 0; ordinal < records.length; ordinal++) {
    const c = await getCandidate(app.db, snap.id, ordinal);
    if (c === undefined) throw new Error('candidate not stored');
    const r = await app.db.transaction().execute((trx) => dedupCandidate(trx, c, null, sha(body)));
    ids.push(r.agreementId);
  }
  return ids;
}

const sourceUrls = async (id: string) =>
  ((await sourcesOf(app.db, [id])).get(id) ?? []).map((s) => s.url).sort();

const mou = (overrides: Partial<CodedAgreement> = {}) =>
  codedRecord({ title_zh: '关于打击跨国犯罪合作的谅解备忘录', ...overrides });
const protocol = (overrides: Partial<CodedAgreement> = {}) =>
  codedRecord({
    doc_type: 'protocol',
    doc_type_term: '协议',
    title_zh: '关于警务培训的合作协议',
    ...overrides,
  });

async function approve(id: string) {
  const a = await getAgreement(app.db, id);
  await updateAgreement(app.db, id, { status: 'approved', reviewer: 'ann' }, a?.version);
}

describe('re-crawling the same pages', () => {
  it('attaches to the same ids without adding a source twice', async () => {
    const [first] = await crawlPage('https://mps/1', 'mps', [mou()]);
    const [news] = await crawlPage('https://news/1', 'news', [mou({ date_signed: '2016-11-23' })]);
    const [again] = await crawlPage('https://mps/1', 'mps', [mou()], 2);
    const [newsAgain] = await crawlPage('https://news/1', 'news', [
      mou({ date_signed: '2016-11-23' }),
    ]);
    expect(news).toBe(first);
    expect([again, newsAgain]).toEqual([first, first]);
    expect(await sourceUrls(first ?? '')).toEqual(['https://mps/1', 'https://news/1']);
    expect(await listAgreements(app.db)).toHaveLength(1);
    // The source row points at the newest read of the page.
    const [mpsSource] = (await sourcesOf(app.db, [first ?? ''])).get(first ?? '') ?? [];
    expect(mpsSource?.snapshot_sha256).toBe(sha(2));
  });

  it('gives each document of a multi-document page its own record, again on every crawl', async () => {
    const page = [mou(), protocol()];
    const before = await crawlPage('https://mps/2', 'mps', page);
    const after = await crawlPage('https://mps/2', 'mps', page, 3);
    expect(new Set(before).size).toBe(2);
    expect(after).toEqual(before);
  });

  it('follows a record merged away to the record that absorbed it', async () => {
    const [a] = await crawlPage('https://mps/3', 'mps', [mou()]);
    const b = await insertAgreement(app.db, { record: mou(), status: 'pending' });
    // A merge that leaves the sources where they were still leads the page to the survivor.
    await updateAgreement(app.db, a ?? '', { mergedInto: b });
    const [again] = await crawlPage('https://mps/3', 'mps', [mou()], 4);
    expect(again).toBe(b);
    const c = await insertAgreement(app.db, { record: mou(), status: 'pending' });
    await app.db.transaction().execute((trx) => recordMerge(trx, b, c, { actor: 'ann' }));
    expect(await crawlPage('https://mps/3', 'mps', [mou()], 5)).toEqual([c]);
  });
});

describe('reviewed records', () => {
  it('keeps approved values and files each disagreement once, showing both values', async () => {
    const [id] = await crawlPage('https://mps/1', 'mps', [mou()]);
    await approve(id ?? '');
    const news = mou({
      date_signed: '2016-11-23',
      topics: ['counterdrug'],
      counterpart_signatory: { name: 'Bui Van Nam', rank: 'vice_ministerial' },
    });
    expect(await crawlPage('https://news/1', 'news', [news])).toEqual([id]);
    expect(await crawlPage('https://news/1', 'news', [news])).toEqual([id]);
    const after = await getAgreement(app.db, id ?? '');
    expect(after?.record).toEqual(mou());
    expect(after?.status).toBe('approved');
    const items = await listReviewItems(app.db, { agreementId: id ?? '' });
    expect(items.map((i) => i.field).sort()).toEqual([
      'counterpart_signatory_name',
      'counterpart_signatory_rank',
      'date_signed',
      'topics',
    ]);
    expect(items.find((i) => i.field === 'date_signed')?.details).toEqual({
      field: 'date_signed',
      canonical: '2016-11-22',
      candidate: '2016-11-23',
      candidate_url: 'https://news/1',
    });
  });

  it('flags a changed page behind an approved record', async () => {
    const [id] = await crawlPage('https://mps/1', 'mps', [mou()], 1);
    await approve(id ?? '');
    await crawlPage('https://mps/1', 'mps', [mou()], 2);
    const items = await listReviewItems(app.db, { agreementId: id ?? '', kind: 'source_changed' });
    expect(items.map((i) => i.details)).toEqual([
      { url: 'https://mps/1', before: sha(1), after: sha(2) },
    ]);
  });

  it('does not recompute a pending record a reviewer has edited', async () => {
    const [id] = await crawlPage('https://mps/1', 'mps', [mou({ topics: ['counterdrug'] })]);
    await appendReview(app.db, { agreementId: id ?? '', action: 'edit', reviewer: 'ann' });
    await crawlPage('https://news/1', 'news', [mou({ topics: ['cybercrime'] })]);
    expect((await getAgreement(app.db, id ?? ''))?.record.topics).toEqual(['counterdrug']);
    expect((await listReviewItems(app.db, { agreementId: id ?? '' })).map((i) => i.field)).toEqual([
      'topics',
    ]);
  });
});

describe('pending records', () => {
  it('recomputes values from all reports and keeps conflicts in step with them', async () => {
    const [id] = await crawlPage('https://news/1', 'news', [mou({ date_signed: '2016-11-23' })]);
    expect(await crawlPage('https://mps/1', 'mps', [mou()])).toEqual([id]);
    // MPS is the authority: its date wins, and the news date is an open conflict.
    expect((await getAgreement(app.db, id ?? ''))?.record.date_signed).toBe('2016-11-22');
    const open = await listReviewItems(app.db, { agreementId: id ?? '' });
    expect(open.map((i) => [i.field, i.details['candidate']])).toEqual([
      ['date_signed', '2016-11-23'],
    ]);
    // The news page is corrected: the conflict no longer holds.
    await crawlPage('https://news/1', 'news', [mou()], 9);
    expect(await listReviewItems(app.db, { agreementId: id ?? '' })).toEqual([]);
    const closed = await listReviewItems(app.db, { agreementId: id ?? '', status: 'superseded' });
    expect(closed.map((i) => i.resolvedBy)).toEqual(['dedup']);
  });

  it('finds a record dated by month only from a report with the full date', async () => {
    const imported = await insertAgreement(app.db, {
      record: mou({ date_signed: '2016-11' }),
      status: 'approved',
      reviewer: 'import',
    });
    expect(await crawlPage('https://mps/1', 'mps', [mou()])).toEqual([imported]);
    const items = await listReviewItems(app.db, { agreementId: imported });
    // A more precise date is news for a reviewed record, not something to fill in silently.
    expect(items.map((i) => [i.field, i.details['candidate']])).toEqual([
      ['date_signed', '2016-11-22'],
    ]);
  });
});
