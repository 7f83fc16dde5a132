import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendReview, insertAgreement, nextAgreementId } from '../../../storage/agreements.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';

describe('storage', () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  beforeAll(async () => {
    app = await tempApp();
  });
  afterAll(async () => {
    await app.cleanup();
  });

  it('opens SQLite in WAL mode with every table migrated', async () => {
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(app.db);
    expect(mode.rows[0]?.journal_mode).toBe('wal');
    const tables = await sql<{
      name: string;
    }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(app.db);
    const names = tables.rows.map((r) => r.name);
    for (const t of [
      'sources',
      'jobs',
      'snapshots',
      'documents',
      'candidates',
      'agreements',
      'agreement_sources',
      'review_log',
      'releases',
    ]) {
      expect(names).toContain(t);
    }
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
    const rows = await app.db.selectFrom('review_log').select('reviewer').execute();
    expect(rows.map((r) => r.reviewer)).toEqual(['ann']);
  });

  it('never reuses an agreement id', async () => {
    const a = await nextAgreementId(app.db);
    const b = await nextAgreementId(app.db);
    expect(a).toMatch(/^PW-\d{6}$/);
    expect(Number(b.slice(3))).toBe(Number(a.slice(3)) + 1);
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
