import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssignments } from '../../../storage/assignments.js';
import { addConflicts } from '../../../storage/review-items.js';
import type { User } from '../../../storage/users.js';
import { changesFromForm, formValuesOf } from '../../../web/forms.js';
import { highlight, locateQuote } from '../../../web/highlight.js';
import { h } from '../../../web/html.js';
import { loadQueue, neighbours, parseFilter } from '../../../web/queue.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';
import { addRecord } from './seed.js';

describe('escaping', () => {
  it('escapes interpolated text, including quotes and backticks, and keeps trusted parts', () => {
    const hostile = `"><script>alert('x')</script>\``;
    expect(h`<a title="${hostile}">${hostile}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#96;</a>',
    );
    expect(h`<p>${[h`<b>${'<i>'}</b>`, null, false, 2]}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>2</p>',
    );
  });
});

describe('evidence highlighting', () => {
  const text = '2016年11月22日，双方签署了《打击跨国犯罪合作谅解备忘录》。';
  it('uses the extractor’s offsets when they hold, else finds the quote, even across spacing', () => {
    const at = text.indexOf('谅解备忘录');
    expect(
      locateQuote(text, {
        field: 'doc_type',
        source_url: null,
        quote: '谅解备忘录',
        start: at,
        end: at + 5,
      }),
    ).toEqual([at, at + 5]);
    // Wrong offsets (another version of the text) fall back to a search.
    expect(
      locateQuote(text, {
        field: 'doc_type',
        source_url: null,
        quote: '谅解备忘录',
        start: 0,
        end: 5,
      }),
    ).toEqual([at, at + 5]);
    expect(
      locateQuote('signed a  memorandum\nof understanding', {
        field: 'doc_type',
        source_url: null,
        quote: 'memorandum of understanding',
      }),
    ).toEqual([10, 37]);
    expect(locateQuote(text, { field: 'x', source_url: null, quote: '不存在' })).toBeNull();
  });

  it('marks overlapping quotes piece by piece, naming every field, and escapes the text', () => {
    const out = highlight('<b>签署了谅解备忘录</b>', [
      { field: 'doc_type', source_url: null, quote: '谅解备忘录' },
      { field: 'is_signing', source_url: null, quote: '签署了谅解' },
      { field: 'title_zh', source_url: null, quote: 'missing' },
    ]);
    expect(out.html.value).toBe(
      '&lt;b&gt;<mark data-fields="is_signing" title="is_signing">签署了</mark><mark data-fields="doc_type is_signing" title="doc_type, is_signing">谅解<sup>is_signing</sup></mark><mark data-fields="doc_type" title="doc_type">备忘录<sup>doc_type</sup></mark>&lt;/b&gt;',
    );
    expect(out.missing.map((e) => e.field)).toEqual(['title_zh']);
  });
});

describe('the edit form', () => {
  it('turns submitted fields into a partial coding, empty nullable fields into null', () => {
    const values = formValuesOf(codedRecord());
    expect(values['counterpart_countries']).toBe('VNM');
    expect(values['cn_signatory.title']).toBe('minister');
    const changes = changesFromForm({
      'f.title_en': '  ',
      'f.year': '2017',
      'f.counterpart_countries': 'vnm, lao',
      'f.cn_signatory.title': 'vice_minister',
      'f.cn_signatory.name_en': 'Wang',
      'f.cn_signatory_ministerial': '',
      'f.topics.shown': '1',
      'f.topics': ['counterdrug', 'cybercrime'],
      'f.confidence': 'high',
    });
    expect(changes).toEqual({
      title_en: null,
      year: 2017,
      counterpart_countries: ['VNM', 'LAO'],
      cn_signatory: { name_en: 'Wang', title: 'vice_minister' },
      cn_signatory_ministerial: null,
      topics: ['counterdrug', 'cybercrime'],
      // Left as typed so the schema's message names the field.
      confidence: 'high',
    });
    expect(changesFromForm({ 'f.topics.shown': '1' })).toEqual({ topics: [] });
  });
});

describe('the queue', () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  const ids: Record<string, string> = {};
  const ann: User = { id: 1, name: 'ann', role: 'reviewer', createdAt: '' };
  beforeAll(async () => {
    app = await tempApp();
    ids['sure'] = await addRecord(app, codedRecord({ confidence: 0.95 }), [
      { url: 'http://mps.test/1' },
    ]);
    ids['unsure'] = await addRecord(
      app,
      codedRecord({
        confidence: 0.4,
        date_signed: '2019-05-01',
        year: 2019,
        counterpart_countries: ['LAO'],
        topics: ['counterdrug'],
      }),
      [{ url: 'http://news.test/2', kind: 'news' }],
    );
    ids['conflict'] = await addRecord(
      app,
      codedRecord({ confidence: 0.9, counterpart_countries: ['KHM'] }),
      [{ url: 'http://mps.test/3' }],
    );
    ids['mine'] = await addRecord(
      app,
      codedRecord({ confidence: 0.99, forum: 'SCO', counterpart_countries: [] }),
      [{ url: 'http://emb.test/4', kind: 'embassy' }],
    );
    ids['done'] = await addRecord(app, codedRecord(), [{ url: 'http://mps.test/5' }], 'approved');
    await addConflicts(
      app.db,
      ids['conflict'] as string,
      [{ field: 'doc_type', canonical: 'mou', candidate: 'accord' }],
      'http://x.test',
    );
    await createAssignments(app.db, {
      batch: 'b',
      agreementIds: [ids['mine'] as string],
      reviewers: ['ann'],
      assignedBy: 'root',
    });
  });
  afterAll(async () => {
    await app.cleanup();
  });
  const order = async (q: Record<string, string>) =>
    (
      await loadQueue(
        app.db,
        parseFilter((k) => q[k]),
        ann,
      )
    ).rows.map((r) => r.agreement.id);

  it('puts my double reviews first, then conflicts, then the least confident', async () => {
    expect(await order({})).toEqual([ids['mine'], ids['conflict'], ids['unsure'], ids['sure']]);
    expect(await order({ sort: 'confidence' })).toEqual([
      ids['mine'],
      ids['sure'],
      ids['conflict'],
      ids['unsure'],
    ]);
  });

  it('filters by status, source kind, year, country or forum, and topic', async () => {
    expect(await order({ status: 'approved' })).toEqual([ids['done']]);
    expect(await order({ source: 'kind:news' })).toEqual([ids['unsure']]);
    expect(await order({ year: '2019' })).toEqual([ids['unsure']]);
    expect(await order({ country: 'KHM' })).toEqual([ids['conflict']]);
    expect(await order({ country: 'forum:SCO' })).toEqual([ids['mine']]);
    expect(await order({ topic: 'counterdrug' })).toEqual([ids['unsure']]);
    // Junk in the query string falls back to defaults instead of failing.
    expect(parseFilter((k) => ({ status: 'drop table', year: '19', page: '-2' })[k])).toMatchObject(
      { status: 'pending', year: '', page: 1 },
    );
  });

  it('finds the next record after one that left the queue', async () => {
    const f = parseFilter(() => undefined);
    const q = await loadQueue(app.db, f, ann);
    expect(neighbours(q, ids['conflict'] as string, f.sort)).toEqual({
      index: 1,
      prev: ids['mine'],
      next: ids['unsure'],
    });
  });
});
