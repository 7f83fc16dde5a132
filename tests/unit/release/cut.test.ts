import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError, UserError } from '../../../core/errors.js';
import {
  cutRelease,
  listReleases,
  readRelease,
  releaseDir,
  verifyRelease,
} from '../../../pipeline/release.js';
import { approve } from '../../../pipeline/review.js';
import type { Agreement } from '../../../schemas/agreement.js';
import { getAgreement, updateAgreement } from '../../../storage/agreements.js';
import { tempApp } from '../../helpers/temp.js';
import { idOf, seedFixture } from './fixture.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

let app: TempApp;
let ids: Map<string, string>;

beforeEach(async () => {
  app = await tempApp();
  ids = await seedFixture(app);
});
afterEach(async () => {
  await app.cleanup();
});

const RELEASE_FILES = [
  'CHANGELOG.md',
  'CODEBOOK.md',
  'SHA256SUMS',
  'agreements.csv',
  'agreements.json',
  'datapackage.json',
  'sources.csv',
];

async function editRecord(key: string, change: (r: Agreement) => Partial<Agreement>) {
  const id = idOf(ids, key);
  const stored = await getAgreement(app.db, id);
  if (stored === undefined) throw new Error(`missing ${id}`);
  const record = { ...stored.record, ...change({ ...stored.record, id } as Agreement) };
  await updateAgreement(app.db, id, { record });
}

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('release cut', () => {
  it('writes every release file from the approved records only', async () => {
    const info = await cutRelease(app, '1.0.0');
    expect(info).toMatchObject({ version: '1.0.0', records: 23, previous: null, bump: null });
    const dir = releaseDir(app, '1.0.0');
    expect(fs.readdirSync(dir).sort()).toEqual(RELEASE_FILES);

    const json = JSON.parse(
      fs.readFileSync(path.join(dir, 'agreements.json'), 'utf8'),
    ) as Agreement[];
    expect(json.map((r) => r.id)).not.toContain(idOf(ids, 'P01'));
    expect(json.map((r) => r.id)).not.toContain(idOf(ids, 'R01'));
    expect(new Set(json.map((r) => r.review.status))).toEqual(new Set(['approved']));

    const csv = parse(fs.readFileSync(path.join(dir, 'agreements.csv')), {
      columns: true,
    }) as Record<string, string>[];
    expect(csv).toHaveLength(23);
    const f10 = csv.find((r) => r['id'] === idOf(ids, 'F10'));
    expect(f10?.['topics']).toBe('counterterrorism;transnational_crime;telecom_fraud');
    expect(JSON.parse(f10?.['evidence'] ?? '[]')[0].quote).toBe('签署了"F10", 合作文件\n(fixture)');

    const sources = parse(fs.readFileSync(path.join(dir, 'sources.csv')), {
      columns: true,
    }) as Record<string, string>[];
    expect(sources).toHaveLength(23);
    expect(sources.find((s) => s['agreement_id'] === idOf(ids, 'F03'))).toMatchObject({
      url: 'https://www.mps.gov.cn/fixture/F03.html',
      source_kind: 'mps',
      published: '2006-09',
    });

    // SHA256SUMS covers every other file, and the index row points at the same checksums.
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((l) => l.split('  ')[1]).sort()).toEqual(
      RELEASE_FILES.filter((f) => f !== 'SHA256SUMS'),
    );
    expect(await verifyRelease(app, '1.0.0')).toEqual({ ok: true, problems: [] });
    const [row] = await listReleases(app);
    expect(row).toMatchObject({ version: '1.0.0', records: 23, previous_version: null });
    expect(JSON.parse(row!.files)['agreements.csv']).toBe(info.files['agreements.csv']);

    expect(fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8')).toContain(
      'First release: 23 agreements.',
    );
  });

  it('generates the codebook from the schema: every column, type and code list', async () => {
    await cutRelease(app, '1.0.0');
    const book = fs.readFileSync(path.join(releaseDir(app, '1.0.0'), 'CODEBOOK.md'), 'utf8');
    for (const column of [
      'cn_signatory_title',
      'counterpart_countries',
      'is_renewal',
      'source_urls',
    ])
      expect(book).toContain(`| \`${column}\` |`);
    expect(book).toMatch(/\| `year` \| integer 1949–2100, or null \| Year of signing\. \|/);
    expect(book).toMatch(/\| `doc_type` \| string \| yes \| code \(doc_type\) \|/);
    expect(book).toContain('`protocol` · `accord` · `mou`');
    expect(book).toContain('meeting_minutes 会议纪要/会谈纪要');
    expect(book).toContain('| `cn_signatory.title` | code (cn_signatory_title) |');
    expect(book).toContain('This release holds 23 agreements');
  });

  it('refuses to overwrite a release, whether indexed or only on disk', async () => {
    await cutRelease(app, '1.0.0');
    const again = await failure(cutRelease(app, '1.0.0'));
    expect(again).toBeInstanceOf(PipelineError);
    expect((again as PipelineError).code).toBe('RELEASE_EXISTS');

    fs.mkdirSync(releaseDir(app, '3.0.0'));
    const onDisk = await failure(cutRelease(app, '3.0.0'));
    expect((onDisk as PipelineError).code).toBe('RELEASE_EXISTS');
    expect((await listReleases(app)).map((r) => r.version)).toEqual(['1.0.0']);
  });

  it('rejects a malformed version', async () => {
    const e = await failure(cutRelease(app, 'v1'));
    expect(e).toBeInstanceOf(UserError);
  });

  it('leaves no folder, temporary files or index row when a write fails midway', async () => {
    let written = 0;
    const failing = async (file: string, body: string) => {
      if (path.basename(file) === 'CODEBOOK.md') throw new Error('disk full (simulated)');
      fs.writeFileSync(file, body);
      written++;
    };
    const e = await failure(cutRelease(app, '1.0.0', { writeFile: failing }));
    expect(e).toBeInstanceOf(PipelineError);
    expect(written).toBeGreaterThan(0);
    expect(fs.readdirSync(app.config.releasesDir)).toEqual([]);
    expect(await listReleases(app)).toEqual([]);

    // The same version can then be cut normally.
    await cutRelease(app, '1.0.0');
    expect(await verifyRelease(app, '1.0.0')).toEqual({ ok: true, problems: [] });
  });

  it('sweeps the temporary folder a killed cut left behind', async () => {
    fs.mkdirSync(app.config.releasesDir, { recursive: true });
    const stale = path.join(app.config.releasesDir, '.1.0.0.dead.tmp');
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'agreements.csv'), 'half');
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    await cutRelease(app, '1.0.0');
    expect(fs.readdirSync(app.config.releasesDir)).toEqual(['1.0.0']);
  });

  it('notices a damaged release and refuses to read it', async () => {
    await cutRelease(app, '1.0.0');
    const file = path.join(releaseDir(app, '1.0.0'), 'agreements.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"mou"', '"accord"'));
    fs.writeFileSync(path.join(releaseDir(app, '1.0.0'), 'notes.txt'), 'extra');
    expect(await verifyRelease(app, '1.0.0')).toEqual({
      ok: false,
      problems: ['agreements.json does not match its checksum', 'notes.txt is not in SHA256SUMS'],
    });
    const e = await failure(readRelease(app, '1.0.0'));
    expect(e).toBeInstanceOf(PipelineError);
    expect((e as Error).message).toBe(
      'Release 1.0.0 is damaged: agreements.json does not match SHA256SUMS',
    );
  });
});

describe('the version rule', () => {
  it('asks for minor when records are added, patch for value fixes, major for a schema change', async () => {
    await cutRelease(app, '1.0.0');

    const same = await failure(cutRelease(app, '1.0.1'));
    expect((same as Error).message).toBe(
      'Nothing to release: the approved records are identical to release 1.0.0',
    );

    await approve(app.db, { id: idOf(ids, 'P01'), reviewer: 'ann' });
    for (const wrong of ['1.0.1', '2.0.0', '1.2.0']) {
      const e = await failure(cutRelease(app, wrong));
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toBe(
        `Version ${wrong} breaks the version rule: since 1.0.0 records 1 added (a minor change), so this release must be 1.1.0`,
      );
    }
    expect(await cutRelease(app, '1.1.0')).toMatchObject({
      bump: 'minor',
      previous: '1.0.0',
      records: 24,
      changes: { added: 1, removed: 0, changed: 0 },
    });

    await editRecord('F12', () => ({ counterpart_agency: 'Criminal Investigation Bureau' }));
    const notMinor = await failure(cutRelease(app, '1.2.0'));
    expect((notMinor as Error).message).toMatch(
      /1 records changed \(a patch change\), so this release must be 1\.1\.1$/,
    );
    expect(await cutRelease(app, '1.1.1')).toMatchObject({
      bump: 'patch',
      changes: { changed: 1 },
    });

    await updateAgreement(app.db, idOf(ids, 'F22'), { status: 'rejected' });
    const removal = await failure(cutRelease(app, '1.1.2'));
    expect((removal as Error).message).toMatch(
      /records 1 removed \(a minor change\), so this release must be 1\.2\.0$/,
    );
    await cutRelease(app, '1.2.0');

    const schema = { schemaFingerprint: 'sha256:another-schema' };
    const notMajor = await failure(cutRelease(app, '1.2.1', schema));
    expect((notMajor as Error).message).toMatch(
      /the schema changed \(a major change\), so this release must be 2\.0\.0$/,
    );
    expect(await cutRelease(app, '2.0.0', schema)).toMatchObject({ bump: 'major' });

    const rows = await listReleases(app);
    expect(rows.map((r) => [r.version, r.previous_version, r.bump])).toEqual([
      ['1.0.0', null, null],
      ['1.1.0', '1.0.0', 'minor'],
      ['1.1.1', '1.1.0', 'patch'],
      ['1.2.0', '1.1.1', 'minor'],
      ['2.0.0', '1.2.0', 'major'],
    ]);
    expect(rows.at(-1)?.schema_fingerprint).toBe('sha256:another-schema');

    // The changelog grows newest first and names each change.
    const log = fs.readFileSync(path.join(releaseDir(app, '2.0.0'), 'CHANGELOG.md'), 'utf8');
    const order = ['## 2.0.0', '## 1.2.0', '## 1.1.1', '## 1.1.0', '## 1.0.0'].map((h) =>
      log.indexOf(h),
    );
    expect(order.every((pos, i) => pos >= 0 && (i === 0 || pos > order[i - 1]!))).toBe(true);
    expect(log).toContain(
      `| ${idOf(ids, 'F12')} | counterpart_agency | ∅ | \`Criminal Investigation Bureau\` |`,
    );
    expect(log).toContain('Against 1.1.0 (patch release).');
  });
});
