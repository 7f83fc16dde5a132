import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, UserError } from '../../../core/errors.js';
import {
  addAlias,
  agreementHistory,
  moveSources,
  recordMerge,
  recordSplit,
  resolveId,
} from '../../../storage/agreement-history.js';
import {
  addAgreementSource,
  getAgreement,
  insertAgreement,
  sourcesOf,
} from '../../../storage/agreements.js';
import {
  addConflicts,
  addReviewItem,
  closeReviewItem,
  listReviewItems,
  openItemCounts,
} from '../../../storage/review-items.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';

let app: Awaited<ReturnType<typeof tempApp>>;
beforeEach(async () => {
  app = await tempApp();
});
afterEach(async () => {
  await app.cleanup();
});

const source = (url: string) => ({
  candidateId: null,
  url,
  source_kind: 'mps' as const,
  published: null,
  fetched_at: null,
  snapshot_sha256: null,
  archive_url: null,
});

async function agreement(...urls: string[]): Promise<string> {
  const id = await insertAgreement(app.db, { record: codedRecord(), status: 'pending' });
  for (const url of urls) await addAgreementSource(app.db, id, source(url));
  return id;
}

describe('stable ids', () => {
  it('resolves a merged id to the record that absorbed it, through chains of merges', async () => {
    const a = await agreement('https://a');
    const b = await agreement('https://b');
    const c = await agreement('https://c');
    await app.db.transaction().execute(async (trx) => {
      await recordMerge(trx, a, b, { actor: 'ann' });
      await recordMerge(trx, b, c, { actor: 'ann', note: 'same signing' });
    });
    const r = await resolveId(app.db, a);
    expect(r?.id).toBe(c);
    // Older merges were re-pointed straight at the survivor.
    expect((await getAgreement(app.db, a))?.mergedInto).toBe(c);
    expect(
      (await sourcesOf(app.db, [c]))
        .get(c)
        ?.map((s) => s.url)
        .sort(),
    ).toEqual(['https://a', 'https://b', 'https://c']);
    expect((await agreementHistory(app.db, c)).map((h) => [h.event, h.otherIds])).toEqual([
      ['absorbed', [b]],
    ]);
    expect((await agreementHistory(app.db, b)).map((h) => h.event)).toEqual([
      'absorbed',
      'merged_into',
    ]);
  });

  it('follows a merge target that was itself merged away later', async () => {
    const a = await agreement();
    const b = await agreement();
    const c = await agreement();
    await app.db.transaction().execute((trx) => recordMerge(trx, a, b, { actor: 'ann' }));
    // Merging into b, which is merged into nothing yet; then b into c.
    await app.db.transaction().execute((trx) => recordMerge(trx, b, c, { actor: 'bob' }));
    const d = await agreement();
    // A merge into a merged-away id lands on its current record.
    const target = await app.db
      .transaction()
      .execute((trx) => recordMerge(trx, d, a, { actor: 'bob' }));
    expect(target).toBe(c);
    expect((await resolveId(app.db, d))?.via).toEqual([d]);
  });

  it('refuses merges that make no sense, with a user error', async () => {
    const a = await agreement();
    const b = await agreement();
    await expect(
      app.db.transaction().execute((trx) => recordMerge(trx, a, a, { actor: 'x' })),
    ).rejects.toThrow(UserError);
    await expect(
      app.db.transaction().execute((trx) => recordMerge(trx, a, 'PW-404', { actor: 'x' })),
    ).rejects.toThrow(/No agreement PW-404/);
    await app.db.transaction().execute((trx) => recordMerge(trx, a, b, { actor: 'x' }));
    await expect(
      app.db.transaction().execute((trx) => recordMerge(trx, a, b, { actor: 'x' })),
    ).rejects.toThrow(/already merged/);
  });

  it('records a split and moves the pages of a part, so the part keeps them', async () => {
    const a = await agreement('https://mps/1', 'https://news/2');
    const b = await agreement();
    await app.db.transaction().execute(async (trx) => {
      expect(await moveSources(trx, a, b, ['https://news/2'])).toBe(1);
      await recordSplit(trx, a, [b], { actor: 'ann' });
    });
    const r = await resolveId(app.db, a);
    expect(r).toEqual({ requested: a, id: a, via: [], splitInto: [b] });
    expect((await sourcesOf(app.db, [b])).get(b)?.map((s) => s.url)).toEqual(['https://news/2']);
    expect((await agreementHistory(app.db, b)).map((h) => [h.event, h.otherIds])).toEqual([
      ['split_from', [a]],
    ]);
    await expect(
      app.db.transaction().execute((trx) => recordSplit(trx, a, [a], { actor: 'x' })),
    ).rejects.toThrow(UserError);
  });

  it('resolves an alias, and the history cannot be rewritten', async () => {
    const a = await agreement();
    await addAlias(app.db, 'fp:abc', a, 'fingerprint');
    expect((await resolveId(app.db, 'fp:abc'))?.id).toBe(a);
    expect(await resolveId(app.db, 'nothing')).toBeUndefined();
    const b = await agreement();
    await app.db.transaction().execute((trx) => recordSplit(trx, a, [b], { actor: 'x' }));
    await expect(app.db.deleteFrom('agreement_history').execute()).rejects.toThrow(/append-only/);
    await expect(
      app.db.updateTable('agreement_history').set({ actor: 'eve' }).execute(),
    ).rejects.toThrow(/append-only/);
  });
});

describe('review items', () => {
  it('files a conflict once however often the same report says it', async () => {
    const a = await agreement();
    const conflict = { field: 'date_signed', canonical: '2016-11-22', candidate: '2016-11-23' };
    expect(await addConflicts(app.db, a, [conflict], 'https://news/1')).toBe(1);
    expect(await addConflicts(app.db, a, [conflict], 'https://news/1')).toBe(0);
    expect(await addConflicts(app.db, a, [conflict], 'https://news/2')).toBe(1);
    const items = await listReviewItems(app.db, { agreementId: a });
    expect(items.map((i) => [i.kind, i.field, i.status])).toEqual([
      ['conflict', 'date_signed', 'open'],
      ['conflict', 'date_signed', 'open'],
    ]);
    expect(items[0]?.details).toEqual({ ...conflict, candidate_url: 'https://news/1' });
    expect((await openItemCounts(app.db, [a])).get(a)).toBe(2);
  });

  it('closes an item once; a second decision on it is a conflict', async () => {
    const a = await agreement();
    const id = await addReviewItem(app.db, {
      agreementId: a,
      kind: 'source_changed',
      details: { url: 'u' },
    });
    expect(id).not.toBeNull();
    await closeReviewItem(app.db, id ?? 0, { status: 'resolved', by: 'ann' });
    await expect(
      closeReviewItem(app.db, id ?? 0, { status: 'dismissed', by: 'bob' }),
    ).rejects.toThrow(ConflictError);
    expect(await listReviewItems(app.db, { agreementId: a })).toEqual([]);
    const [closed] = await listReviewItems(app.db, { agreementId: a, status: 'any' });
    expect([closed?.status, closed?.resolvedBy]).toEqual(['resolved', 'ann']);
  });
});
