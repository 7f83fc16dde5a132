import { sql } from 'kysely';
import type { DB } from './database.js';

/**
 * What the crawls know about each URL of a source, across crawls: the validators to send in a
 * conditional request, the hash and snapshot of the last good version, and whether the page has
 * vanished. A re-crawl reads this to ask "changed since?" and to skip unchanged pages.
 */

export interface PageState {
  readonly sourceId: string;
  readonly url: string;
  readonly finalUrl: string | null;
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly contentType: string | null;
  readonly bodySha256: string | null;
  readonly snapshotId: number | null;
  readonly versions: number;
  readonly lastStatus: number | null;
  readonly lastFetchedAt: string | null;
  readonly vanishedAt: string | null;
  readonly flag: string | null;
}

export async function getPage(
  db: DB,
  sourceId: string,
  url: string,
): Promise<PageState | undefined> {
  const r = await db
    .selectFrom('pages')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('url', '=', url)
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return {
    sourceId: r.source_id,
    url: r.url,
    finalUrl: r.final_url,
    etag: r.etag,
    lastModified: r.last_modified,
    contentType: r.content_type,
    bodySha256: r.body_sha256,
    snapshotId: r.snapshot_id,
    versions: r.versions,
    lastStatus: r.last_status,
    lastFetchedAt: r.last_fetched_at,
    vanishedAt: r.vanished_at,
    flag: r.flag,
  };
}

export interface PageFetch {
  readonly sourceId: string;
  readonly url: string;
  readonly status: number;
  readonly fetchedAt: string;
  /** Validators the server sent with this answer (kept when it sent none). */
  readonly etag?: string | null;
  readonly lastModified?: string | null;
}

export interface PageVersion extends PageFetch {
  readonly finalUrl: string;
  readonly contentType: string | null;
  readonly bodySha256: string;
  readonly snapshotId: number;
  /** `pdf`: stored, not parsed; a person has to read it. */
  readonly flag?: string | null;
}

const validators = (p: PageFetch) => ({
  ...(p.etag === undefined || p.etag === null ? {} : { etag: p.etag }),
  ...(p.lastModified === undefined || p.lastModified === null
    ? {}
    : { last_modified: p.lastModified }),
});

/** A new good version (first sight or changed body): one more version, validators replaced. */
export async function recordVersion(db: DB, v: PageVersion): Promise<void> {
  const row = {
    final_url: v.finalUrl,
    etag: v.etag ?? null,
    last_modified: v.lastModified ?? null,
    content_type: v.contentType,
    body_sha256: v.bodySha256,
    snapshot_id: v.snapshotId,
    last_status: v.status,
    last_fetched_at: v.fetchedAt,
    last_changed_at: v.fetchedAt,
    vanished_at: null,
    flag: v.flag ?? null,
  };
  await db
    .insertInto('pages')
    .values({
      source_id: v.sourceId,
      url: v.url,
      versions: 1,
      first_seen_at: v.fetchedAt,
      ...row,
    })
    .onConflict((oc) =>
      oc.columns(['source_id', 'url']).doUpdateSet({ ...row, versions: sql`pages.versions + 1` }),
    )
    .execute();
}

/** The page answered 304, or 200 with the body we already hold: only the bookkeeping moves. */
export async function recordUnchanged(db: DB, p: PageFetch): Promise<void> {
  await db
    .updateTable('pages')
    .set({
      last_status: p.status,
      last_fetched_at: p.fetchedAt,
      vanished_at: null,
      ...validators(p),
    })
    .where('source_id', '=', p.sourceId)
    .where('url', '=', p.url)
    .execute();
}

/**
 * The page answered 404/410. The first time is kept as `vanished_at`; its snapshots, and the
 * sources of the agreements it supported, stay as they are.
 * @returns true when the page had a good version before (it really vanished).
 */
export async function recordVanished(db: DB, p: PageFetch): Promise<boolean> {
  const before = await db
    .selectFrom('pages')
    .select(['body_sha256', 'vanished_at'])
    .where('source_id', '=', p.sourceId)
    .where('url', '=', p.url)
    .executeTakeFirst();
  await db
    .insertInto('pages')
    .values({
      source_id: p.sourceId,
      url: p.url,
      first_seen_at: p.fetchedAt,
      last_status: p.status,
      last_fetched_at: p.fetchedAt,
      vanished_at: p.fetchedAt,
    })
    .onConflict((oc) =>
      oc.columns(['source_id', 'url']).doUpdateSet({
        last_status: p.status,
        last_fetched_at: p.fetchedAt,
        vanished_at: sql`coalesce(pages.vanished_at, ${p.fetchedAt})`,
      }),
    )
    .execute();
  return before?.body_sha256 !== undefined && before.body_sha256 !== null;
}

export interface PageStats {
  readonly sourceId: string;
  readonly known: number;
  readonly vanished: number;
  /** Pages whose current version is a PDF (stored, flagged for a person, not parsed). */
  readonly pdfs: number;
  /** Pages whose current version is what arrived before the connection dropped. */
  readonly truncated: number;
  /** Pages with more than one good version: changed since first seen. */
  readonly changed: number;
}

export async function pageStats(db: DB): Promise<Map<string, PageStats>> {
  const rows = await db
    .selectFrom('pages')
    .select((eb) => [
      'source_id',
      eb.fn.countAll<number>().as('known'),
      eb.fn.count<number>('vanished_at').as('vanished'),
      eb.fn.sum<number>(sql`case when flag = 'pdf' then 1 else 0 end`).as('pdfs'),
      eb.fn.sum<number>(sql`case when flag = 'truncated' then 1 else 0 end`).as('truncated'),
      eb.fn.sum<number>(sql`case when versions > 1 then 1 else 0 end`).as('changed'),
    ])
    .groupBy('source_id')
    .execute();
  return new Map(
    rows.map((r) => [
      r.source_id,
      {
        sourceId: r.source_id,
        known: Number(r.known),
        vanished: Number(r.vanished),
        pdfs: Number(r.pdfs ?? 0),
        truncated: Number(r.truncated ?? 0),
        changed: Number(r.changed ?? 0),
      },
    ]),
  );
}
