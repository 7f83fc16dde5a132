import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, UserError } from '../../../core/errors.js';
import {
  approve,
  edit,
  merge,
  PermissionError,
  queryLog,
  reject,
  reopen,
  settleReviewItem,
  split,
  undo,
  undoStack,
} from '../../../pipeline/review.js';
import { resolveId } from '../../../storage/agreement-history.js';
import { getAgreement, sourcesOf } from '../../../storage/agreements.js';
import { addConflicts, listReviewItems } from '../../../storage/review-items.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';
import { addRecord } from './seed.js';

let app: Awaited<ReturnType<typeof tempApp>>;
beforeEach(async () => {
  app = await tempApp();
});
afterEach(async () => {
  await app.cleanup();
});

const one = (url: string, text = '') => [{ url, text }];

describe('approve and reject', () => {
  it('refuses a decision on a record changed since the reviewer loaded it, naming who changed it', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    const seen = (await getAgreement(app.db, id))?.version ?? 0;
    await approve(app.db, { id, reviewer: 'ann', expectedVersion: seen });
    const second = reject(app.db, { id, reviewer: 'bob', note: 'dup', expectedVersion: seen });
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    await expect(second).rejects.toThrow(/approve.*by ann/);
    expect((await getAgreement(app.db, id))?.status).toBe('approved');
  });

  it('needs a reason to reject and keeps it in the log', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    await expect(reject(app.db, { id, reviewer: 'ann', note: ' ' })).rejects.toBeInstanceOf(
      UserError,
    );
    await reject(app.db, { id, reviewer: 'ann', note: 'a courtesy call, nothing signed' });
    const [entry] = await queryLog(app.db, { agreementId: id });
    expect(entry).toMatchObject({
      action: 'reject',
      reviewer: 'ann',
      note: 'a courtesy call, nothing signed',
    });
  });
});

describe('edit', () => {
  it('changes any field, validated by the schema, logging each field before and after', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    const a = await edit(app.db, {
      id,
      reviewer: 'ann',
      changes: {
        doc_type: 'protocol',
        date_signed: '2016-11-23',
        cn_signatory: { title: 'vice_minister' },
      },
    });
    expect(a.record.doc_type).toBe('protocol');
    // The year follows a changed date unless it is given.
    expect(a.record.year).toBe(2016);
    expect(a.record.cn_signatory).toEqual({
      name_zh: '郭声琨',
      name_en: 'Guo Shengkun',
      title: 'vice_minister',
    });
    const [entry] = await queryLog(app.db, { agreementId: id, action: 'edit' });
    expect(entry?.details['changes']).toEqual([
      { field: 'date_signed', before: '2016-11-22', after: '2016-11-23' },
      { field: 'doc_type', before: 'mou', after: 'protocol' },
      { field: 'cn_signatory.title', before: 'minister', after: 'vice_minister' },
    ]);
  });

  it('refuses values the schema rejects, unknown fields, and edits that change nothing', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    await expect(
      edit(app.db, { id, reviewer: 'ann', changes: { doc_type: 'treaty' } }),
    ).rejects.toThrow(/doc_type/);
    await expect(
      edit(app.db, { id, reviewer: 'ann', changes: { date_signed: '2016-13-01' } }),
    ).rejects.toThrow(/date_signed/);
    await expect(edit(app.db, { id, reviewer: 'ann', changes: { colour: 'red' } })).rejects.toThrow(
      /Unknown field colour/,
    );
    await expect(
      edit(app.db, { id, reviewer: 'ann', changes: { doc_type: 'mou' } }),
    ).rejects.toThrow(/Nothing/);
    expect((await getAgreement(app.db, id))?.version).toBe(1);
  });

  it('does not edit a decided record until an admin reopens it', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    await approve(app.db, { id, reviewer: 'ann' });
    await expect(
      edit(app.db, { id, reviewer: 'ann', changes: { doc_type: 'accord' } }),
    ).rejects.toThrow(/reopen/);
    await expect(reopen(app.db, { id, reviewer: 'ann', role: 'reviewer' })).rejects.toBeInstanceOf(
      PermissionError,
    );
    const a = await reopen(app.db, { id, reviewer: 'root', role: 'admin', note: 'wrong partner' });
    expect(a.status).toBe('pending');
    await edit(app.db, { id, reviewer: 'ann', changes: { doc_type: 'accord' } });
  });
});

describe('merge and split', () => {
  it('merges B into A: sources move, B points at A, the id history is kept', async () => {
    const a = await addRecord(app, codedRecord({ title_zh: null }), one('http://mps.test/1'));
    const b = await addRecord(
      app,
      codedRecord({ title_zh: '中越打击跨国犯罪合作谅解备忘录', date_signed: '2016-11-23' }),
      [{ url: 'http://news.test/2', kind: 'news' }],
    );
    const kept = await merge(app.db, { survivor: a, merged: b, reviewer: 'ann' });
    // The survivor keeps its coding but fills what it did not know.
    expect(kept.record.title_zh).toBe('中越打击跨国犯罪合作谅解备忘录');
    expect(kept.record.date_signed).toBe('2016-11-22');
    const sources = await sourcesOf(app.db, [a, b]);
    expect((sources.get(a) ?? []).map((s) => s.url).sort()).toEqual([
      'http://mps.test/1',
      'http://news.test/2',
    ]);
    expect(sources.get(b)).toBeUndefined();
    expect((await getAgreement(app.db, b))?.mergedInto).toBe(a);
    expect((await resolveId(app.db, b))?.id).toBe(a);
    const log = await queryLog(app.db, { action: 'merge' });
    expect(log.map((e) => e.agreement_id).sort()).toEqual([a, b].sort());
  });

  it('splits chosen sources into a new record with a new id, leaving the rest', async () => {
    const record = codedRecord({
      evidence: [
        { field: 'doc_type', source_url: 'http://mps.test/1', quote: '谅解备忘录' },
        { field: 'doc_type', source_url: 'http://emb.test/9', quote: '协议' },
      ],
    });
    const id = await addRecord(app, record, [
      { url: 'http://mps.test/1', text: '签署了谅解备忘录' },
      {
        url: 'http://emb.test/9',
        kind: 'embassy',
        text: '签署了协议',
        record: codedRecord({ doc_type: 'protocol' }),
      },
    ]);
    const { original, created } = await split(app.db, {
      id,
      reviewer: 'ann',
      sourceUrls: ['http://emb.test/9'],
    });
    expect(created.id).not.toBe(id);
    expect(created.status).toBe('pending');
    // The new record is coded from its own source's candidate.
    expect(created.record.doc_type).toBe('protocol');
    expect(original.record.evidence.map((e) => e.source_url)).toEqual(['http://mps.test/1']);
    const sources = await sourcesOf(app.db, [id, created.id]);
    expect(sources.get(created.id)?.map((s) => s.url)).toEqual(['http://emb.test/9']);
    expect(sources.get(id)?.map((s) => s.url)).toEqual(['http://mps.test/1']);
    expect((await resolveId(app.db, id))?.splitInto).toEqual([created.id]);
  });

  it('refuses a split that names no known source or would leave the record empty', async () => {
    const id = await addRecord(app, codedRecord(), [
      { url: 'http://a.test/1' },
      { url: 'http://b.test/2' },
    ]);
    await expect(
      split(app.db, { id, reviewer: 'ann', sourceUrls: ['http://c.test/3'] }),
    ).rejects.toThrow(/no source/);
    await expect(
      split(app.db, { id, reviewer: 'ann', sourceUrls: ['http://a.test/1', 'http://b.test/2'] }),
    ).rejects.toThrow(/at least one/);
  });
});

describe('undo', () => {
  it('undoes the reviewer’s own decisions newest first, each undo logged', async () => {
    const x = await addRecord(app, codedRecord(), one('http://a.test/1'));
    const y = await addRecord(
      app,
      codedRecord({ counterpart_countries: ['LAO'] }),
      one('http://a.test/2'),
    );
    await approve(app.db, { id: x, reviewer: 'ann' });
    await edit(app.db, { id: y, reviewer: 'ann', changes: { doc_type: 'accord' } });
    await approve(app.db, { id: y, reviewer: 'bob' });

    // bob approved y after ann's edit: that edit cannot be undone silently any more, but it
    // does not block undoing ann's earlier decision on another record.
    const r = await undo(app.db, 'ann');
    expect(r.undone).toMatchObject({ action: 'approve', agreement_id: x });
    expect((await getAgreement(app.db, x))?.status).toBe('pending');
    await expect(undo(app.db, 'ann')).rejects.toBeInstanceOf(ConflictError);
    expect((await getAgreement(app.db, y))?.record.doc_type).toBe('accord');
    await undo(app.db, 'bob');
    expect((await getAgreement(app.db, y))?.status).toBe('pending');
    await expect(undo(app.db, 'bob')).rejects.toThrow(/Nothing to undo/);
    expect((await queryLog(app.db, { action: 'undo' })).length).toBe(2);
  });

  it('keeps at most the last ten decisions', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(
        await addRecord(
          app,
          codedRecord({ date_signed: `2010-01-${String(i + 1).padStart(2, '0')}` }),
          one(`http://a.test/${i}`),
        ),
      );
    for (const id of ids) await approve(app.db, { id, reviewer: 'ann' });
    const stack = await undoStack(app.db, 'ann');
    expect(stack.map((e) => e.agreement_id)).toEqual(ids.slice(2).reverse());
  });

  it('undoes a merge and a split exactly', async () => {
    const a = await addRecord(app, codedRecord(), one('http://mps.test/1'));
    const b = await addRecord(app, codedRecord({ title_en: 'MoU' }), [
      { url: 'http://news.test/2', kind: 'news' },
    ]);
    await merge(app.db, { survivor: a, merged: b, reviewer: 'ann' });
    await undo(app.db, 'ann');
    expect((await getAgreement(app.db, b))?.mergedInto).toBeNull();
    expect((await getAgreement(app.db, a))?.record.title_en).toBeNull();
    const sources = await sourcesOf(app.db, [a, b]);
    expect(sources.get(b)?.map((s) => s.url)).toEqual(['http://news.test/2']);
    expect(sources.get(a)?.map((s) => s.url)).toEqual(['http://mps.test/1']);

    const c = await addRecord(app, codedRecord({ counterpart_countries: ['LAO'] }), [
      { url: 'http://x.test/1' },
      { url: 'http://x.test/2' },
    ]);
    const { created } = await split(app.db, {
      id: c,
      reviewer: 'ann',
      sourceUrls: ['http://x.test/2'],
    });
    await undo(app.db, 'ann');
    expect((await sourcesOf(app.db, [c])).get(c)?.length).toBe(2);
    // The split-off id is never reused: it leads back to the record.
    expect((await resolveId(app.db, created.id))?.id).toBe(c);
  });
});

describe('review items', () => {
  it('takes a source’s value for a conflicting field, or keeps the record’s, closing the item', async () => {
    const id = await addRecord(app, codedRecord(), one('http://a.test/1'));
    await addConflicts(
      app.db,
      id,
      [{ field: 'doc_type', canonical: 'mou', candidate: 'protocol' }],
      'http://b.test/2',
    );
    await addConflicts(
      app.db,
      id,
      [{ field: 'scope', canonical: 'bilateral', candidate: 'multilateral' }],
      'http://b.test/2',
    );
    const [first, second] = await listReviewItems(app.db, { agreementId: id });
    await settleReviewItem(app.db, { id, itemId: first?.id ?? 0, choice: 'take', reviewer: 'ann' });
    await settleReviewItem(app.db, {
      id,
      itemId: second?.id ?? 0,
      choice: 'keep',
      reviewer: 'ann',
    });
    const a = await getAgreement(app.db, id);
    expect(a?.record.doc_type).toBe('protocol');
    expect(a?.record.scope).toBe('bilateral');
    expect(await listReviewItems(app.db, { agreementId: id })).toEqual([]);
    expect((await queryLog(app.db, { action: 'resolve' })).map((e) => e.details['choice'])).toEqual(
      ['take', 'keep'],
    );
  });
});
