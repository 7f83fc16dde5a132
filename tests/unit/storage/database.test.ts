import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { silentLogger } from '../../../core/logger.js';
import { type App, openApp } from '../../../pipeline/app.js';
import { appendReview, insertAgreement, nextAgreementId } from '../../../storage/agreements.js';
import { insertJobs, jobCounts } from '../../../storage/jobs.js';
import { codedRecord } from '../../helpers/records.js';
import { createSchema, needServices, type TestSchema } from '../../helpers/services.js';

/**
 * The storage suite, run on both databases the storage layer serves: the embedded SQLite file
 * and PostgreSQL (a schema of its own on the shared server, dropped afterwards).
 */

const TABLES = [
  'sources',
  'crawls',
  'jobs',
  'snapshots',
  'documents',
  'candidates',
  'agreements',
  'agreement_sources',
  'review_log',
  'releases',
  'review_items',
  'schedules',
];

const backends: ('sqlite' | 'postgres')[] = ['sqlite'];
if (await needServices('postgres')) backends.push('postgres');

describe.each(backends)('storage on %s', (dialect) => {
  let app: App;
  let dir: string;
  let schema: TestSchema | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-storage-'));
    schema = dialect === 'postgres' ? await createSchema() : undefined;
    const env: Record<string, string> = { PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent' };
    if (schema !== undefined) env['DATABASE_URL'] = schema.url;
    app = await openApp(loadConfig(env, dir), { logger: silentLogger });
  });
  afterAll(async () => {
    await app?.close();
    await schema?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens the database with every table migrated', async () => {
    expect(app.dialect).toBe(dialect);
    let names: string[];
    if (dialect === 'sqlite') {
      const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(app.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      const tables = await sql<{
        name: string;
      }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(app.db);
      names = tables.rows.map((r) => r.name);
    } else {
      // Everything lands in the schema named by the connection's search_path, nowhere else.
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema?.name}`.execute(
        app.db,
      );
      names = tables.rows.map((r) => r.table_name);
    }
    for (const t of TABLES) expect(names).toContain(t);
  });

  it('keeps the review log append-only', async () => {
    await app.db.transaction().execute(async (trx) => {
      const id = await insertAgreement(trx, { record: codedRecord(), status: 'pending' });
      await appendReview(trx, { agreementId: id, action: 'approve', reviewer: 'ann' });
    });
    await expect(sql`UPDATE review_log SET reviewer = 'mallory'`.execute(app.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM review_log`.execute(app.db)).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') {
      // TRUNCATE skips row triggers; a statement trigger refuses it too.
      await expect(sql`TRUNCATE review_log`.execute(app.db)).rejects.toThrow(/append-only/);
    }
    const rows = await app.db.selectFrom('review_log').select('reviewer').execute();
    expect(rows.map((r) => r.reviewer)).toEqual(['ann']);
  });

  it('never reuses an agreement id', async () => {
    const a = await nextAgreementId(app.db);
    const b = await nextAgreementId(app.db);
    expect(a).toMatch(/^PW-\d{6}$/);
    expect(Number(b.slice(3))).toBe(Number(a.slice(3)) + 1);
  });

  it('adds a job once per (crawl, stage, key) and returns bigint times and counts as numbers', async () => {
    const crawl = await app.db
      .insertInto('crawls')
      .values({
        started_at: '',
        finished_at: null,
        status: 'running',
        source_ids: '[]',
        options: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const due = Date.UTC(2031, 0, 2, 3, 4, 5, 678);
    const job = { stage: 'fetch' as const, key: 'k', sourceId: 's', url: 'u', notBefore: due };
    expect(await insertJobs(app.db, crawl.id, [job, job])).toBe(1);
    expect(await insertJobs(app.db, crawl.id, [job])).toBe(0);
    const row = await app.db
      .selectFrom('jobs')
      .select('not_before')
      .where('crawl_id', '=', crawl.id)
      .executeTakeFirstOrThrow();
    expect(row.not_before).toBe(due);
    expect(await jobCounts(app.db, crawl.id)).toEqual([{ stage: 'fetch', state: 'queued', n: 1 }]);
  });

  it('rolls a failed transaction back whole', async () => {
    const before = await app.db.selectFrom('agreements').select('id').execute();
    await expect(
      app.db.transaction().execute(async (trx) => {
        await insertAgreement(trx, { record: codedRecord(), status: 'pending' });
        throw new Error('late failure');
      }),
    ).rejects.toThrow('late failure');
    expect(await app.db.selectFrom('agreements').select('id').execute()).toEqual(before);
  });

  it('stores bodies content-addressed: same bytes, one file', async () => {
    const body = new TextEncoder().encode('<html>同一页面</html>');
    const sha1 = await app.store.put(body);
    const sha2 = await app.store.put(body);
    expect(sha1).toBe(sha2);
    expect(sha1).toBe(createHash('sha256').update(body).digest('hex'));
    expect(fs.readFileSync(app.store.pathOf(sha1)).equals(Buffer.from(body))).toBe(true);
    expect((await app.store.get(sha1)).toString('utf8')).toBe('<html>同一页面</html>');
  });
});
