import { sql } from 'kysely';
import type { DB } from '../storage/database.js';
import { pageStats } from '../storage/pages.js';

/**
 * What `pactwatch status` shows per source: its last crawl, what that crawl fetched (new or
 * changed versions vs unchanged pages), what failed and why, what is still queued, the
 * candidates it produced, and what the crawls know about the source's pages overall.
 */

export interface FailureReason {
  /** Stable grouping key: the error code, with the HTTP status or system code when there is one. */
  readonly reason: string;
  readonly count: number;
  /** One full message of the group, to see a URL. */
  readonly example: string;
}

export interface SourceStatus {
  readonly sourceId: string;
  readonly kind: string;
  readonly lastCrawl: {
    readonly id: number;
    readonly startedAt: string;
    readonly finishedAt: string | null;
    readonly status: string;
  } | null;
  /** Fetches done in the last crawl. */
  readonly fetched: number;
  /** Of those, pages with a new or changed body (a new snapshot). */
  readonly newVersions: number;
  /** Of those, pages that had not changed (304, or the same body hash). */
  readonly unchanged: number;
  readonly failed: number;
  readonly skipped: number;
  /** Jobs of every stage still queued or running. */
  readonly queued: number;
  readonly candidates: number;
  readonly failures: readonly FailureReason[];
  readonly pages: {
    readonly known: number;
    readonly vanished: number;
    readonly changed: number;
    readonly pdfs: number;
    /** Pages kept as far as they arrived: the connection dropped mid-body on every attempt. */
    readonly truncated: number;
  };
}

/** Groups `HTTP_STATUS: HTTP 404 from http://...` as `HTTP_STATUS 404`, `NETWORK: ECONNRESET ...` as `NETWORK ECONNRESET`. */
export function reasonKey(lastError: string | null, httpStatus: number | null): string {
  if (lastError === null) return 'unknown';
  const colon = lastError.indexOf(':');
  const code = colon < 0 ? lastError.slice(0, 40) : lastError.slice(0, colon);
  if (httpStatus !== null) return `${code} ${httpStatus}`;
  const detail = /^([A-Z][A-Z0-9_]{2,})\b/.exec(lastError.slice(colon + 1).trim())?.[1];
  return detail === undefined || detail === code ? code : `${code} ${detail}`;
}

export async function sourceStatuses(db: DB): Promise<SourceStatus[]> {
  const sources = await db.selectFrom('sources').select(['id', 'kind']).orderBy('id').execute();
  const crawls = await db
    .selectFrom('crawls')
    .select(['id', 'started_at', 'finished_at', 'status', 'source_ids'])
    .orderBy('id', 'desc')
    .execute();
  const pages = await pageStats(db);
  const out: SourceStatus[] = [];
  for (const s of sources) {
    const crawl = crawls.find((c) => (JSON.parse(c.source_ids) as string[]).includes(s.id));
    const p = pages.get(s.id);
    const pageSummary = {
      known: p?.known ?? 0,
      vanished: p?.vanished ?? 0,
      changed: p?.changed ?? 0,
      pdfs: p?.pdfs ?? 0,
      truncated: p?.truncated ?? 0,
    };
    if (crawl === undefined) {
      out.push({
        sourceId: s.id,
        kind: s.kind,
        lastCrawl: null,
        fetched: 0,
        newVersions: 0,
        unchanged: 0,
        failed: 0,
        skipped: 0,
        queued: 0,
        candidates: 0,
        failures: [],
        pages: pageSummary,
      });
      continue;
    }
    const byState = await db
      .selectFrom('jobs')
      .select(['stage', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('crawl_id', '=', crawl.id)
      .where('source_id', '=', s.id)
      .groupBy(['stage', 'state'])
      .execute();
    const count = (stage: string | null, state: string) =>
      byState
        .filter((r) => (stage === null || r.stage === stage) && r.state === state)
        .reduce((n, r) => n + Number(r.n), 0);
    const snapshots = await db
      .selectFrom('snapshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('crawl_id', '=', crawl.id)
      .where('source_id', '=', s.id)
      .executeTakeFirstOrThrow();
    const candidates = await db
      .selectFrom('candidates')
      .innerJoin('snapshots', 'snapshots.id', 'candidates.snapshot_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('snapshots.crawl_id', '=', crawl.id)
      .where('candidates.source_id', '=', s.id)
      .executeTakeFirstOrThrow();
    const failedRows = await db
      .selectFrom('jobs')
      .select([
        'last_error',
        'http_status',
        (eb) => eb.fn.countAll<number>().as('n'),
        sql<string>`min(last_error)`.as('example'),
      ])
      .where('crawl_id', '=', crawl.id)
      .where('source_id', '=', s.id)
      .where('state', '=', 'failed')
      .groupBy(['last_error', 'http_status'])
      .execute();
    const grouped = new Map<string, { count: number; example: string }>();
    for (const r of failedRows) {
      const key = reasonKey(r.last_error, r.http_status);
      const g = grouped.get(key) ?? { count: 0, example: r.example ?? '' };
      g.count += Number(r.n);
      grouped.set(key, g);
    }
    const fetched = count('fetch', 'done');
    const newVersions = Math.min(Number(snapshots.n), fetched);
    out.push({
      sourceId: s.id,
      kind: s.kind,
      lastCrawl: {
        id: crawl.id,
        startedAt: crawl.started_at,
        finishedAt: crawl.finished_at,
        status: crawl.status,
      },
      fetched,
      newVersions,
      unchanged: fetched - newVersions,
      failed: count(null, 'failed'),
      skipped: count(null, 'skipped'),
      queued: count(null, 'queued') + count(null, 'running'),
      candidates: Number(candidates.n),
      failures: [...grouped]
        .map(([reason, g]) => ({ reason, count: g.count, example: g.example }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
      pages: pageSummary,
    });
  }
  return out;
}
