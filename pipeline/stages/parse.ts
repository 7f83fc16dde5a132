import { NonRetryableError } from '../../core/errors.js';
import { decodeBody } from '../../crawlers/charset.js';
import { parseHtml } from '../../crawlers/html.js';
import { readSitemap, sitemapDocument } from '../../crawlers/sitemap.js';
import type { TrapGuard } from '../../crawlers/traps.js';
import { hostMatches, hostOf, urlKey } from '../../crawlers/url.js';
import type { ExtractionResult } from '../../schemas/agreement.js';
import { agreementsSupportedBy, changedPageOutcome } from '../incremental.js';
import type { NewJob, StageHandler, StageOutcome } from '../queue/types.js';
import type { SourceRegistry, StageDeps } from './deps.js';

export interface ParseStageOptions {
  /**
   * Decides which discovered links may enter the frontier (calendar and pagination traps).
   * @default undefined (every link the source's patterns accept)
   */
  readonly traps?: TrapGuard;
}

/**
 * parse: decodes the stored body (charset from header, meta or the source's hint), keeps the
 * page's main text for extraction and evidence, and queues the links the source's patterns
 * recognise. Only start and list pages are followed, so a crawl stays inside the listings.
 *
 * A body already parsed under another URL in this crawl is not parsed again. An unchanged list
 * page (payload `unchanged`) is read for links only. A changed article that supports
 * agreements is re-extracted here and the reviewer is told what changed.
 */
export function parseStage(
  deps: StageDeps,
  sources: SourceRegistry,
  options: ParseStageOptions = {},
): StageHandler {
  return async (job) => {
    const matcher = sources.get(job.sourceId);
    const { source } = matcher;
    const unchanged = job.payload['unchanged'] === true;
    const givenId = job.payload['snapshotId'];
    let q = deps.db
      .selectFrom('snapshots')
      .select(['id', 'url', 'final_url', 'content_type', 'body_sha256']);
    q =
      typeof givenId === 'number'
        ? q.where('id', '=', givenId)
        : q
            .where('crawl_id', '=', job.crawlId)
            .where('url', '=', job.url ?? '')
            .orderBy('id', 'desc');
    const snapshot = await q.executeTakeFirst();
    if (snapshot === undefined)
      throw new NonRetryableError('NOT_FOUND', `No snapshot for ${job.url}`);

    if (!unchanged) {
      const twin = await deps.db
        .selectFrom('snapshots')
        .select('url')
        .where('crawl_id', '=', job.crawlId)
        .where('body_sha256', '=', snapshot.body_sha256)
        .where('id', '<', snapshot.id)
        .where('url', '!=', snapshot.url)
        .limit(1)
        .executeTakeFirst();
      if (twin !== undefined) {
        deps.logger.debug({ url: job.url, sameAs: twin.url }, 'same body as another page: skipped');
        return {};
      }
    }

    const body = await deps.store.get(snapshot.body_sha256);
    const decoded = decodeBody(body, snapshot.content_type, source.charset);
    // A sitemap is read like a list page; a sitemap index's entries are further sitemaps.
    const sitemap = readSitemap(body, snapshot.content_type, snapshot.final_url);
    const doc =
      sitemap !== null
        ? sitemapDocument(sitemap, snapshot.final_url)
        : parseHtml(decoded.text, snapshot.final_url, {
            ...(source.content_selector === undefined
              ? {}
              : { contentSelector: source.content_selector }),
            ...(source.link_selector === undefined ? {} : { linkSelector: source.link_selector }),
          });
    const pageType =
      sitemap !== null
        ? 'list'
        : job.pageType === 'start'
          ? (matcher.classify(snapshot.final_url) ?? 'list')
          : job.pageType;
    const next: NewJob[] = [];
    if (pageType === 'list' && job.depth < source.limits.max_depth) {
      for (const link of doc.links) {
        const type = sitemap?.kind === 'sitemapindex' ? 'list' : matcher.classify(link.url);
        if (type === null) continue;
        let host: string;
        try {
          host = hostOf(link.url);
        } catch {
          continue;
        }
        if (!hostMatches(host, source.allowed_hosts)) continue;
        const key = urlKey(link.url);
        const verdict = options.traps?.admit(job.sourceId, key, type) ?? { admit: true };
        if (!verdict.admit) {
          if (options.traps?.firstTrip(job.sourceId, key) === true) {
            deps.logger.warn(
              { sourceId: job.sourceId, url: link.url, reason: verdict.reason },
              'crawler trap suspected: links of this shape are no longer followed',
            );
          }
          continue;
        }
        next.push({
          stage: 'fetch',
          key,
          sourceId: job.sourceId,
          url: link.url,
          host,
          depth: job.depth + 1,
          pageType: type,
        });
      }
    }
    // The same body as last time: its text and candidates are already in the database.
    if (unchanged) return { maxFetchJobs: source.limits.max_pages, next };

    const writeDocument = async (trx: Parameters<NonNullable<StageOutcome['commit']>>[0]) => {
      await trx
        .updateTable('snapshots')
        .set({ charset: decoded.charset })
        .where('id', '=', snapshot.id)
        .execute();
      await trx
        .insertInto('documents')
        .values({
          snapshot_id: snapshot.id,
          title: doc.title,
          text: doc.text,
          published: doc.published,
        })
        .onConflict((oc) =>
          oc
            .column('snapshot_id')
            .doUpdateSet({ title: doc.title, text: doc.text, published: doc.published }),
        )
        .execute();
    };

    const previousId = job.payload['previousSnapshotId'];
    if (pageType === 'article' && typeof previousId === 'number') {
      const changed = await changedArticle(deps, job.url ?? snapshot.url, previousId, {
        sourceId: job.sourceId,
        sourceKind: source.kind,
        finalUrl: snapshot.final_url,
        snapshot: { id: snapshot.id, sha256: snapshot.body_sha256 },
        text: doc.text,
        published: doc.published,
      });
      if (changed !== null) {
        return {
          maxFetchJobs: source.limits.max_pages,
          next: [...next, ...(changed.next ?? [])],
          commit: async (trx) => {
            await writeDocument(trx);
            await changed.commit?.(trx);
          },
        };
      }
    }

    if (pageType === 'article') {
      next.push({
        stage: 'extract',
        key: job.key,
        sourceId: job.sourceId,
        url: snapshot.final_url,
        depth: job.depth,
        pageType,
        payload: { snapshotId: snapshot.id },
      });
    }
    return { maxFetchJobs: source.limits.max_pages, next, commit: writeDocument };
  };
}

/**
 * A changed article: when earlier versions support agreements, re-extract it and tell the
 * reviewer (null: it supports none, so it goes through extract and dedup like a new page).
 */
async function changedArticle(
  deps: StageDeps,
  url: string,
  previousId: number,
  page: {
    sourceId: string;
    sourceKind: Parameters<typeof changedPageOutcome>[0]['sourceKind'];
    finalUrl: string;
    snapshot: { id: number; sha256: string };
    text: string;
    published: string | null;
  },
): Promise<StageOutcome | null> {
  const supported = await agreementsSupportedBy(deps.db, url);
  if (supported.length === 0) return null;
  const before = await deps.db
    .selectFrom('snapshots')
    .leftJoin('documents', 'documents.snapshot_id', 'snapshots.id')
    .select(['snapshots.body_sha256', 'documents.text'])
    .where('snapshots.id', '=', previousId)
    .executeTakeFirst();
  const previousText = before?.text ?? '';
  // Only the chrome around the text changed (a counter, a menu): nothing for a reviewer.
  if (previousText === page.text) return { next: [] };
  let extraction: ExtractionResult;
  try {
    extraction = deps.extract({ text: page.text, url: page.finalUrl, published: page.published });
  } catch (cause) {
    throw new NonRetryableError('EXTRACT', `Extractor failed on ${page.finalUrl}`, { cause });
  }
  return changedPageOutcome(
    {
      url,
      finalUrl: page.finalUrl,
      sourceId: page.sourceId,
      sourceKind: page.sourceKind,
      published: page.published,
      snapshot: page.snapshot,
      previous: { id: previousId, sha256: before?.body_sha256 ?? '', text: previousText },
      text: page.text,
      extraction,
    },
    supported,
  );
}
