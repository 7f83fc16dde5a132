import { NonRetryableError } from '../../core/errors.js';
import { decodeBody } from '../../crawlers/charset.js';
import { parseHtml } from '../../crawlers/html.js';
import { hostMatches, hostOf, urlKey } from '../../crawlers/url.js';
import type { NewJob, StageHandler } from '../queue/types.js';
import type { SourceRegistry, StageDeps } from './deps.js';

/**
 * parse: decodes the stored body (charset from header, meta or the source's hint), keeps the
 * page's main text for extraction and evidence, and queues the links the source's patterns
 * recognise. Only start and list pages are followed, so a crawl stays inside the listings.
 */
export function parseStage(deps: StageDeps, sources: SourceRegistry): StageHandler {
  return async (job) => {
    const matcher = sources.get(job.sourceId);
    const { source } = matcher;
    const snapshot = await deps.db
      .selectFrom('snapshots')
      .select(['id', 'final_url', 'content_type', 'body_sha256'])
      .where('crawl_id', '=', job.crawlId)
      .where('url', '=', job.url ?? '')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (snapshot === undefined)
      throw new NonRetryableError('NOT_FOUND', `No snapshot for ${job.url}`);
    const body = await deps.store.get(snapshot.body_sha256);
    const decoded = decodeBody(body, snapshot.content_type, source.charset);
    const doc = parseHtml(decoded.text, snapshot.final_url, {
      ...(source.content_selector === undefined
        ? {}
        : { contentSelector: source.content_selector }),
      ...(source.link_selector === undefined ? {} : { linkSelector: source.link_selector }),
    });
    const pageType =
      job.pageType === 'start' ? (matcher.classify(snapshot.final_url) ?? 'list') : job.pageType;
    const next: NewJob[] = [];
    if (pageType === 'list' && job.depth < source.limits.max_depth) {
      for (const link of doc.links) {
        const type = matcher.classify(link.url);
        if (type === null) continue;
        let host: string;
        try {
          host = hostOf(link.url);
        } catch {
          continue;
        }
        if (!hostMatches(host, source.allowed_hosts)) continue;
        next.push({
          stage: 'fetch',
          key: urlKey(link.url),
          sourceId: job.sourceId,
          url: link.url,
          host,
          depth: job.depth + 1,
          pageType: type,
        });
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
    return {
      maxFetchJobs: source.limits.max_pages,
      next,
      commit: async (trx) => {
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
      },
    };
  };
}
