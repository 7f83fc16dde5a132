import { NonRetryableError } from '../../core/errors.js';
import { assertHostAllowed } from '../../crawlers/host-guard.js';
import { hostOf } from '../../crawlers/url.js';
import type { StageHandler } from '../queue/types.js';
import type { SourceRegistry, StageDeps } from './deps.js';

/** Content types parsed as pages. Anything else (PDFs, images) is kept but not parsed as HTML. */
const PARSEABLE = /^(text\/html|application\/xhtml\+xml|text\/xml|application\/xml|text\/plain)\b/i;

/**
 * fetch: checks the host and robots.txt, downloads the page, stores the body content-addressed
 * and hands the page to parse. The snapshot row and the parse job commit with the job's end.
 */
export function fetchStage(deps: StageDeps, sources: SourceRegistry): StageHandler {
  return async (job, { signal }) => {
    const { source } = sources.get(job.sourceId);
    const url = job.url;
    if (url === null) throw new NonRetryableError('INTERNAL', `Fetch job ${job.id} has no URL`);
    await assertHostAllowed(url, {
      allowedHosts: source.allowed_hosts,
      allowPrivate: source.allow_private_hosts,
      ...(deps.viaProxy === true ? { lookup: async () => [] } : {}),
    });
    if (source.respect_robots) {
      // Disallowed: recorded, never fetched. robots.txt unreachable: retried later (RFC 9309).
      await deps.robots.assertAllowed(url, deps.userAgent);
      const delay = await deps.robots.crawlDelayMs(url, deps.userAgent);
      if (delay !== undefined && delay > 0) deps.queue.slowHost(hostOf(url), delay);
    }
    const result = await deps.fetcher.fetch(url, { signal });
    const sha = await deps.store.put(result.body);
    const fetchedAt = new Date().toISOString();
    const parseable = result.contentType === null || PARSEABLE.test(result.contentType);
    if (!parseable) {
      deps.logger.info({ url, contentType: result.contentType }, 'stored, not parsed: not HTML');
    }
    return {
      httpStatus: result.status,
      commit: async (trx) => {
        await trx
          .insertInto('snapshots')
          .values({
            crawl_id: job.crawlId,
            url,
            final_url: result.finalUrl,
            source_id: job.sourceId,
            status: result.status,
            headers: JSON.stringify(result.headers),
            content_type: result.contentType,
            charset: null,
            body_sha256: sha,
            body_bytes: result.body.byteLength,
            fetched_at: fetchedAt,
          })
          .execute();
      },
      next: parseable
        ? [
            {
              stage: 'parse',
              key: job.key,
              sourceId: job.sourceId,
              url,
              depth: job.depth,
              pageType: job.pageType,
            },
          ]
        : [],
    };
  };
}
