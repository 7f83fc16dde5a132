import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schemaFingerprint } from '../../../pipeline/datapackage.js';
import { validateDataPackage } from '../../../pipeline/datapackage-validate.js';
import { cutRelease, listReleases, releaseDir } from '../../../pipeline/release.js';
import { DOC_TYPES, REGIONS } from '../../../schemas/codes.js';
import { tempApp } from '../../helpers/temp.js';
import { idOf, seedFixture } from './fixture.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

let app: TempApp;
let ids: Map<string, string>;
let pristine: string;
let dir: string;

beforeAll(async () => {
  app = await tempApp();
  ids = await seedFixture(app);
  await cutRelease(app, '1.0.0');
  pristine = releaseDir(app, '1.0.0');
});
afterAll(async () => {
  await app.cleanup();
});

/** Each test damages its own copy of the release. */
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(app.dir, 'copy-'));
  fs.cpSync(pristine, dir, { recursive: true });
});

const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const write = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), body);

/** Replaces one cell of agreements.csv (by record id and column) keeping the file a valid CSV. */
function setCell(id: string, column: string, value: string): number {
  const lines = read('agreements.csv').split('\n');
  const header = lines[0]!.split(',');
  const col = header.indexOf(column);
  // The fixture has no commas before the evidence column, so simple splitting finds the cell.
  const row = lines.findIndex((l) => l.startsWith(`${id},`));
  const cells = lines[row]!.split(',');
  cells[col] = value;
  lines[row] = cells.join(',');
  write('agreements.csv', lines.join('\n'));
  return row;
}

/** Makes the descriptor's hashes and sizes match the edited files, so only cell checks fail. */
function rehash(): void {
  const pkg = JSON.parse(read('datapackage.json'));
  for (const r of pkg.resources) {
    const file = path.join(dir, r.path);
    if (!fs.existsSync(file)) continue;
    const body = fs.readFileSync(file);
    r.bytes = body.length;
    r.hash = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }
  write('datapackage.json', JSON.stringify(pkg));
}

describe('datapackage.json', () => {
  it('validates against its own schema, file by file and cell by cell', async () => {
    expect(await validateDataPackage(pristine)).toEqual({ valid: true, issues: [] });
  });

  it('types every column from the zod schema, with the coding scheme’s enumerations', () => {
    const pkg = JSON.parse(read('datapackage.json'));
    expect(pkg.profile).toBe('tabular-data-package');
    expect(pkg.version).toBe('1.0.0');
    const [agreements, sources, json] = pkg.resources;
    const field = (name: string) =>
      agreements.schema.fields.find((f: { name: string }) => f.name === name);
    expect(field('doc_type')).toMatchObject({
      type: 'string',
      constraints: { required: true, enum: [...DOC_TYPES] },
    });
    expect(field('region').constraints).toEqual({ required: false, enum: [...REGIONS] });
    expect(field('year')).toMatchObject({
      type: 'integer',
      constraints: { minimum: 1949, maximum: 2100 },
    });
    expect(field('confidence')).toMatchObject({
      type: 'number',
      constraints: { minimum: 0, maximum: 1 },
    });
    expect(field('is_renewal')).toMatchObject({
      type: 'boolean',
      trueValues: ['true'],
      falseValues: ['false'],
    });
    expect(field('evidence').type).toBe('array');
    expect(field('id').constraints).toEqual({ required: true, unique: true });
    expect(field('counterpart_countries').constraints.pattern).toBe('([A-Z]{3})(;([A-Z]{3}))*');
    expect(field('doc_type').description).toBe('Document type, coded from the term as written.');
    expect(agreements.schema.primaryKey).toBe('id');
    expect(sources.schema.foreignKeys).toEqual([
      { fields: 'agreement_id', reference: { resource: 'agreements', fields: 'id' } },
    ]);
    expect(json.jsonSchema.type).toBe('array');
    expect(pkg.pactwatch.schema_fingerprint).toBe(schemaFingerprint());
  });

  it('records the schema fingerprint in the release index too', async () => {
    const [row] = await listReleases(app);
    expect(row?.schema_fingerprint).toBe(schemaFingerprint());
  });

  it('fails a CSV whose cells break the types, codes and constraints', async () => {
    const f10 = idOf(ids, 'F10');
    const row = setCell(f10, 'doc_type', 'treaty');
    setCell(f10, 'year', 'MMXVI');
    setCell(f10, 'topics', 'counterterrorism;piracy');
    setCell(idOf(ids, 'F11'), 'scope', '');
    setCell(idOf(ids, 'F12'), 'is_renewal', 'maybe');
    setCell(idOf(ids, 'F13'), 'id', f10);
    const before = await validateDataPackage(dir);
    expect(before.valid).toBe(false);
    // Before the hashes are fixed, the edit itself is caught.
    expect(before.issues).toContainEqual({
      resource: 'agreements',
      message: 'agreements.csv does not match its hash in the descriptor',
    });
    rehash();
    const { valid, issues } = await validateDataPackage(dir);
    expect(valid).toBe(false);
    const at = (field: string) => issues.filter((i) => i.field === field).map((i) => i.message);
    expect(issues.find((i) => i.field === 'doc_type')).toMatchObject({
      resource: 'agreements',
      row,
    });
    expect(at('doc_type')[0]).toMatch(/^`treaty` is not one of protocol, accord, mou/);
    expect(at('year')).toEqual(['`MMXVI` is not an integer']);
    expect(at('topics')[0]).toMatch(/^`counterterrorism;piracy` does not match the pattern/);
    expect(at('scope')).toEqual(['a value is required']);
    expect(at('is_renewal')).toEqual(['`maybe` is not a boolean']);
    expect(at('id')).toEqual([`\`${f10}\` is not unique`]);
    expect(issues.some((i) => i.message.startsWith('duplicate primary key'))).toBe(true);
  });

  it('fails a source that points at no agreement, and a JSON record off its schema', async () => {
    write('sources.csv', read('sources.csv').replace(`${idOf(ids, 'F05')},`, 'PW-999999,'));
    write(
      'agreements.json',
      read('agreements.json').replace('"confidence": 0.9', '"confidence": 9'),
    );
    rehash();
    const { issues } = await validateDataPackage(dir);
    expect(issues).toContainEqual({
      resource: 'sources',
      row: 5,
      field: 'agreement_id',
      message: '`PW-999999` is not in agreements',
    });
    expect(issues).toContainEqual({
      resource: 'agreements-json',
      row: 1,
      field: 'confidence',
      message: '/0/confidence must be <= 1',
    });
  });

  it('fails a header that does not match, a missing file and a descriptor off the spec', async () => {
    write('agreements.csv', read('agreements.csv').replace('doc_type_term', 'doc_term'));
    fs.rmSync(path.join(dir, 'sources.csv'));
    rehash();
    const { issues } = await validateDataPackage(dir);
    expect(issues).toContainEqual({ resource: 'sources', message: 'file sources.csv is missing' });
    expect(issues.find((i) => i.resource === 'agreements')).toMatchObject({ row: 0 });
    expect(issues.find((i) => i.resource === 'agreements')?.message).toMatch(
      /^header is id,title_zh,title_en,date_signed,year,doc_type,doc_term,/,
    );

    const pkg = JSON.parse(read('datapackage.json'));
    pkg.resources[0].path = '../../etc/passwd';
    pkg.resources[1].schema.fields[0].type = 'uuid';
    write('datapackage.json', JSON.stringify(pkg));
    const bad = await validateDataPackage(dir);
    expect(bad.valid).toBe(false);
    expect(bad.issues.every((i) => i.resource === null && i.message.startsWith('descriptor'))).toBe(
      true,
    );
    expect(bad.issues.length).toBeGreaterThanOrEqual(2);
  });
});
