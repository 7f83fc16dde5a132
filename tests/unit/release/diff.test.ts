import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../core/errors.js';
import { readDatasetFile } from '../../../pipeline/dataset.js';
import { type DatasetDiff, diffDatasets } from '../../../pipeline/diff.js';
import { formatDiff } from '../../../pipeline/diff-format.js';
import { cutRelease, readRelease, releaseDir, resolveDataset } from '../../../pipeline/release.js';
import { approve } from '../../../pipeline/review.js';
import type { Agreement } from '../../../schemas/agreement.js';
import { getAgreement, updateAgreement } from '../../../storage/agreements.js';
import { tempApp } from '../../helpers/temp.js';
import { idOf, seedFixture } from './fixture.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

const HAND_BUILT = new URL('../../fixtures/release/hand-built-v2.csv', import.meta.url).pathname;

let app: TempApp;
let ids: Map<string, string>;
let d: DatasetDiff;

/** 1.0.0 is the fixture; 1.1.0 adds P01, drops F22, adds a topic to F10 and an agency to F12. */
beforeAll(async () => {
  app = await tempApp();
  ids = await seedFixture(app);
  await cutRelease(app, '1.0.0');
  await approve(app.db, { id: idOf(ids, 'P01'), reviewer: 'ann' });
  const edit = async (key: string, change: Partial<Agreement>) => {
    const stored = await getAgreement(app.db, idOf(ids, key));
    await updateAgreement(app.db, idOf(ids, key), { record: { ...stored!.record, ...change } });
  };
  const f10 = await getAgreement(app.db, idOf(ids, 'F10'));
  await edit('F10', { topics: [...f10!.record.topics, 'cybercrime'] });
  await edit('F12', { counterpart_agency: 'Criminal Investigation Bureau' });
  await updateAgreement(app.db, idOf(ids, 'F22'), { status: 'rejected' });
  await cutRelease(app, '1.1.0');
  d = diffDatasets(await readRelease(app, '1.0.0'), await readRelease(app, '1.1.0'));
});
afterAll(async () => {
  await app.cleanup();
});

const changedRow = (dim: keyof DatasetDiff['summary']) =>
  d.summary[dim].filter((r) => r.delta !== 0).map((r) => [r.value, r.a, r.b, r.delta]);

describe('release diff', () => {
  it('lists records added, removed and changed, matched by id', () => {
    expect(d.matchedBy).toBe('id');
    expect(d.a).toEqual({ label: '1.0.0', kind: 'release', records: 23 });
    expect(d.b).toEqual({ label: '1.1.0', kind: 'release', records: 23 });
    expect(d.added).toEqual([
      { id: idOf(ids, 'P01'), date: '2021-05-01', partner: 'IDN', doc_type: 'mou', title: null },
    ]);
    expect(d.removed).toEqual([
      { id: idOf(ids, 'F22'), date: '2015-07-01', partner: 'USA', doc_type: 'other', title: null },
    ]);
    expect(d.unchanged).toBe(20);
  });

  it('gives each changed field before and after', () => {
    expect(d.changed.map((c) => [c.after.id, c.changes])).toEqual([
      [
        idOf(ids, 'F10'),
        [
          {
            field: 'topics',
            before: 'counterterrorism;transnational_crime;telecom_fraud',
            after: 'counterterrorism;transnational_crime;telecom_fraud;cybercrime',
          },
        ],
      ],
      [
        idOf(ids, 'F12'),
        [{ field: 'counterpart_agency', before: '', after: 'Criminal Investigation Bureau' }],
      ],
    ]);
  });

  it('counts by year, country, topic and document type', () => {
    expect(changedRow('year')).toEqual([
      ['2015', 1, 0, -1],
      ['2021', 0, 1, 1],
    ]);
    expect(changedRow('country')).toEqual([
      ['IDN', 0, 1, 1],
      ['USA', 2, 1, -1],
    ]);
    expect(changedRow('topic')).toEqual([
      ['cybercrime', 0, 2, 2],
      ['generic', 2, 1, -1],
    ]);
    expect(changedRow('doc_type')).toEqual([
      ['mou', 5, 6, 1],
      ['other', 1, 0, -1],
    ]);
    // Unchanged values are kept in the summary with a zero delta.
    expect(d.summary.country.find((r) => r.value === 'VNM')).toEqual({
      value: 'VNM',
      a: 5,
      b: 5,
      delta: 0,
    });
  });

  it('prints text, Markdown and JSON', () => {
    const text = formatDiff(d, 'text');
    expect(text).toContain('23 → 23 records: 1 added, 1 removed, 2 changed, 20 unchanged');
    expect(text).toContain(`  + ${idOf(ids, 'P01')}  2021-05-01  IDN  mou`);
    expect(text).toContain(`  - ${idOf(ids, 'F22')}  2015-07-01  USA  other`);
    expect(text).toContain('      counterpart_agency: ∅ → Criminal Investigation Bureau');
    expect(text).toMatch(/ {2}cybercrime {2}\s*0 {2}\s*2 {2}\s*\+2/);
    const md = formatDiff(d, 'md');
    expect(md).toContain('# Diff 1.0.0 → 1.1.0');
    expect(md).toContain(
      `| ${idOf(ids, 'F10')} | topics | \`counterterrorism;transnational_crime;telecom_fraud\` | \`counterterrorism;transnational_crime;telecom_fraud;cybercrime\` |`,
    );
    expect(md).toContain('| USA | 2 | 1 | -1 |');
    expect(JSON.parse(formatDiff(d, 'json'))).toEqual(JSON.parse(JSON.stringify(d)));
  });
});

describe('diff against a dataset pactwatch did not make', () => {
  it('pairs a hand-built CSV with the release by partner, date and document type', async () => {
    const hand = await resolveDataset(app, HAND_BUILT);
    expect(hand.kind).toBe('csv');
    const x = diffDatasets(await readRelease(app, '1.0.0'), hand);
    expect(x.matchedBy).toBe('key');
    expect(x.fields).toEqual([
      'date_signed',
      'year',
      'doc_type',
      'scope',
      'counterpart_countries',
      'forum',
      'cn_signatory_title',
      'topics',
    ]);
    expect(x.added.map((r) => [r.id, r.partner, r.date])).toEqual([['CISD-004', 'KHM', '2014-05']]);
    expect(x.removed).toHaveLength(20);
    expect(x.unchanged).toBe(1);
    expect(x.changed.map((c) => [c.before.id, c.after.id, c.changes])).toEqual([
      [
        idOf(ids, 'F06'),
        'CISD-003',
        [{ field: 'cn_signatory_title', before: 'minister', after: 'vice_minister' }],
      ],
      [
        idOf(ids, 'F11'),
        'CISD-002',
        [
          {
            field: 'topics',
            before: 'immigration_border',
            after: 'immigration_border;counterdrug',
          },
        ],
      ],
    ]);
    expect(formatDiff(x, 'text')).toContain(
      `  ~ ${idOf(ids, 'F06')} = CISD-003  2009  SCO  accord`,
    );
  });

  it('reads a JSON array of export records and compares full sources', async () => {
    const records = JSON.parse(
      fs.readFileSync(path.join(releaseDir(app, '1.0.0'), 'agreements.json'), 'utf8'),
    ) as Agreement[];
    const [first, second, ...rest] = records;
    const edited = {
      ...second!,
      title_en: 'Memorandum on counter-narcotics',
      sources: [{ ...second!.sources[0]!, archive_url: 'https://web.archive.org/web/0/x' }],
    };
    const file = path.join(app.dir, 'team-copy.json');
    fs.writeFileSync(file, JSON.stringify([edited, ...rest]));
    const x = diffDatasets(await readRelease(app, '1.0.0'), await readDatasetFile(file));
    expect(x.matchedBy).toBe('id');
    expect(x.removed.map((r) => r.id)).toEqual([first!.id]);
    expect(x.changed).toHaveLength(1);
    expect(x.changed[0]!.changes.map((c) => c.field)).toEqual(['title_en', 'sources']);
    expect(x.changed[0]!.changes[0]).toEqual({
      field: 'title_en',
      before: '',
      after: 'Memorandum on counter-narcotics',
    });
  });

  it('explains a file it cannot read in one line', async () => {
    const bad = async (name: string, body: string) => {
      const file = path.join(app.dir, name);
      fs.writeFileSync(file, body);
      try {
        await readDatasetFile(file);
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return (error as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(await bad('a.csv', 'id,partner\nX,VNM\n')).toBe(
      'a.csv: unknown column partner; columns are those of `pactwatch export --format csv`',
    );
    expect(await bad('b.csv', 'date_signed,doc_type\n2016,mou\n')).toBe(
      'b.csv: the CSV needs an `id` column',
    );
    expect(await bad('c.csv', 'id,doc_type\nX,treaty\n')).toMatch(/^c\.csv row 1: doc_type: /);
    expect(await bad('d.json', '{"id": 1}')).toBe(
      'd.json: expected a JSON array of export records',
    );
    expect(await bad('e.csv', 'id,year\nX,2016\nX,2017\n')).toBe('e.csv: id X appears twice');
    await expect(resolveDataset(app, '9.9.9')).rejects.toThrow(
      'No release 9.9.9; `pactwatch release list` shows the releases',
    );
    await expect(resolveDataset(app, 'nope.csv')).rejects.toThrow(
      /^No release or file `nope\.csv`/,
    );
  });
});
