import type { App } from '../../../pipeline/app.js';
import type { CodedAgreement } from '../../../schemas/agreement.js';
import type { SourceKind } from '../../../schemas/codes.js';
import { addAgreementSource, insertAgreement } from '../../../storage/agreements.js';
import { createUser, type Role } from '../../../storage/users.js';

/** Test data for the review tests: records with real snapshots, documents and candidates. */

export interface SeedSource {
  readonly url: string;
  readonly kind?: SourceKind;
  /** The page as fetched (stored in the snapshot store). */
  readonly html?: string;
  /** The parsed text the evidence offsets index. */
  readonly text?: string;
  readonly published?: string | null;
  /** What the extractor coded from this page. @default the record */
  readonly record?: CodedAgreement;
}

export async function addRecord(
  app: App,
  record: CodedAgreement,
  sources: readonly SeedSource[],
  status: 'pending' | 'approved' | 'rejected' = 'pending',
): Promise<string> {
  const id = await insertAgreement(app.db, { record, status });
  for (const [i, s] of sources.entries()) {
    const html = s.html ?? `<html><body><p>${s.text ?? ''}</p></body></html>`;
    const body = Buffer.from(html, 'utf8');
    const sha = await app.store.put(body);
    const fetchedAt = new Date().toISOString();
    const snap = await app.db
      .insertInto('snapshots')
      .values({
        crawl_id: null,
        url: s.url,
        final_url: s.url,
        source_id: 'seed',
        status: 200,
        headers: '{}',
        content_type: 'text/html',
        charset: 'utf-8',
        body_sha256: sha,
        body_bytes: body.byteLength,
        fetched_at: fetchedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await app.db
      .insertInto('documents')
      .values({
        snapshot_id: snap.id,
        title: null,
        text: s.text ?? '',
        published: s.published ?? null,
      })
      .execute();
    const cand = await app.db
      .insertInto('candidates')
      .values({
        snapshot_id: snap.id,
        source_id: 'seed',
        source_kind: s.kind ?? 'mps',
        url: s.url,
        published: s.published ?? null,
        ordinal: i,
        record: JSON.stringify(s.record ?? record),
        agreement_id: id,
        created_at: fetchedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addAgreementSource(app.db, id, {
      candidateId: cand.id,
      url: s.url,
      source_kind: s.kind ?? 'mps',
      published: s.published ?? null,
      fetched_at: fetchedAt,
      snapshot_sha256: sha,
      archive_url: null,
    });
  }
  return id;
}

/** Cheap scrypt for tests only: the hash format and checks are the same as in production. */
export const TEST_COST = { N: 1024, r: 8, p: 1 } as const;

export async function addUser(app: App, name: string, password: string, role: Role = 'reviewer') {
  return createUser(app.db, { name, password, role, cost: TEST_COST });
}
