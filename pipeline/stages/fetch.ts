import { NonRetryableError, PipelineError } from '../../core/errors.js';
import { TruncatedBodyError } from '../../crawlers/fetcher.js';
import { assertHostAllowed } from '../../crawlers/host-guard.js';
import { httpStatusOf, isVanished } from '../../crawlers/http-errors.js';
import { isRateLimited, SendSpacing } from '../../crawlers/spacing.js';
import { hostOf } from '../../crawlers/url.js';
import type { WaybackClient } from '../../crawlers/wayback.js';
import type { NewJob } from '../../storage/jobs.js';
import { getPage, recordUnchanged, recordVanished, recordVersion } from '../../storage/pages.js';
import { citedUrls, recordArchiveUrl } from '../incremental.js';
import type { StageHandler } from '../queue/types.js';
import type { SourceRegistry, StageDeps } from './deps.js';

export interface FetchStageOptions {
  /**
   * Send conditional requests (ETag / Last-Modified of the last good version) and skip pages
   * whose content did not change.
   * @default true
   */
  readonly incremental?: boolean;
  /**
   * Looks up an archived copy when a page that agreements cite has vanished (404/410).
   * @default undefined (no look-ups)
   */
  readonly wayback?: WaybackClient;
}

export type ContentKind = 'html' | 'xml' | 'text' | 'pdf' | 'other';

/** Kinds parsed as pages; PDFs are stored and flagged for a person, anything else only stored. */
const PARSED: ReadonlySet<ContentKind> = new Set(['html', 'xml', 'text']);

/**
 * What a body is, from its Content-Type and its first bytes: servers label PDFs as
 * octet-stream or even text/html, and a binary body is never parsed as a page.
 */
export function contentKind(contentType: string | null, body: Uint8Array): ContentKind {
  const head = Buffer.from(body.subarray(0, 1024));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/pdf') return 'pdf';
  if (head.includes(0)) return 'other';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'text/plain') return 'text';
  if (type === '') return /^\s*</.test(head.toString('latin1')) ? 'html' : 'text';
  return 'other';
}

const followedForLinks = (pageType: string | null) => pageType === 'start' || pageType === 'list';

/**
 * fetch: checks the host and robots.txt, downloads the page (conditionally when an earlier
 * crawl holds it), stores the body content-addressed and hands the page to parse. The
 * snapshot row, the page's bookkeeping and the parse job commit with the job's end.
 *
 * A page that did not change (304, or the same body hash) gets no new snapshot and no parse,
 * unless it is a list page: those are parsed again from the stored body for new links.
 */
export function fetchStage(
  deps: StageDeps,
  sources: SourceRegistry,
  options: FetchStageOptions = {},
): StageHandler {
  const incremental = options.incremental ?? true;
  const spacing = new SendSpacing();
  return async (job, { signal, finalAttempt }) => {
    const { source } = sources.get(job.sourceId);
    const url = job.url;
    if (url === null) throw new NonRetryableError('INTERNAL', `Fetch job ${job.id} has no URL`);
    await assertHostAllowed(url, {
      allowedHosts: source.allowed_hosts,
      allowPrivate: source.allow_private_hosts,
      ...(deps.viaProxy === true ? { lookup: async () => [] } : {}),
    });
    let crawlDelay = 0;
    if (source.respect_robots) {
      // Disallowed: recorded, never fetched. robots.txt unreachable: retried later (RFC 9309).
      await deps.robots.assertAllowed(url, deps.userAgent);
      const delay = await deps.robots.crawlDelayMs(url, deps.userAgent);
      if (delay !== undefined && delay > 0) {
        deps.queue.slowHost(hostOf(url), delay);
        crawlDelay = delay;
      }
    }
    const known = incremental ? await getPage(deps.db, job.sourceId, url) : undefined;
    let previous =
      known?.bodySha256 != null &&
      known.snapshotId !== null &&
      known.vanishedAt === null &&
      // A page kept truncated is asked for whole again, never with its validators.
      known.flag !== 'truncated'
        ? { sha: known.bodySha256, snapshotId: known.snapshotId }
        : undefined;
    // A list page answering 304 is read again from its stored body: ask for the whole page
    // when that body is gone from the store.
    if (previous !== undefined && followedForLinks(job.pageType)) {
      if (!(await deps.store.has(previous.sha))) previous = undefined;
    }
    const conditional =
      previous === undefined ? {} : { etag: known?.etag, lastModified: known?.lastModified };

    // The queue's host gate spaces job starts, but it learns a Crawl-delay only after letting
    // the host's first requests go, and work between a job's start and its request (look-ups,
    // an event loop busy parsing) can bunch requests up again: space the sends themselves.
    const host = hostOf(url);
    await spacing.wait(host, Math.max(source.politeness.delay_ms, crawlDelay), signal);
    let result: Awaited<ReturnType<StageDeps['fetcher']['fetch']>>;
    let truncated = false;
    try {
      result =
        deps.loader === undefined
          ? await deps.fetcher.fetch(url, { signal, ...conditional })
          : await deps.loader.load(url, { signal, source, pageType: job.pageType, ...conditional });
    } catch (err) {
      if (isVanished(err)) await vanished(deps, options.wayback, job.sourceId, url, err, signal);
      if (isRateLimited(err)) {
        spacing.rateLimited(host, err instanceof PipelineError ? err.retryAfterMs : undefined);
      }
      // Every attempt broke off mid-body: keep what arrived (flagged) rather than nothing.
      if (!(err instanceof TruncatedBodyError) || !finalAttempt) throw err;
      deps.logger.warn(
        { url, bytes: err.partial.body.byteLength },
        'connection dropped mid-body on the last attempt: keeping the partial page, flagged',
      );
      result = err.partial;
      truncated = true;
    }
    const fetchedAt = new Date().toISOString();
    const seen = {
      sourceId: job.sourceId,
      url,
      status: result.status,
      fetchedAt,
      etag: result.headers['etag'] ?? null,
      lastModified: result.headers['last-modified'] ?? null,
    };
    // Unchanged: a list page is read again from the body we hold, for links only.
    const reparse = (snapshotId: number): NewJob[] =>
      followedForLinks(job.pageType)
        ? [
            {
              stage: 'parse',
              key: job.key,
              sourceId: job.sourceId,
              url,
              depth: job.depth,
              pageType: job.pageType,
              payload: { snapshotId, unchanged: true },
            },
          ]
        : [];

    if (result.notModified) {
      if (previous === undefined) {
        throw new NonRetryableError('HTTP_STATUS', `304 from ${url} without a conditional request`);
      }
      return {
        httpStatus: 304,
        commit: (trx) => recordUnchanged(trx, seen),
        next: reparse(previous.snapshotId),
      };
    }

    const sha = await deps.store.put(result.body);
    if (previous !== undefined && sha === previous.sha) {
      return {
        httpStatus: result.status,
        commit: (trx) => recordUnchanged(trx, seen),
        next: reparse(previous.snapshotId),
      };
    }

    const kind = contentKind(result.contentType, result.body);
    if (!PARSED.has(kind)) {
      deps.logger.info(
        { url, contentType: result.contentType, kind },
        kind === 'pdf' ? 'PDF stored and flagged for review, not parsed' : 'stored, not parsed',
      );
    }
    return {
      httpStatus: result.status,
      commit: async (trx) => {
        const row = await trx
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
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordVersion(trx, {
          ...seen,
          finalUrl: result.finalUrl,
          contentType: result.contentType,
          bodySha256: sha,
          snapshotId: row.id,
          flag: truncated ? 'truncated' : kind === 'pdf' ? 'pdf' : null,
        });
      },
      next: PARSED.has(kind)
        ? [
            {
              stage: 'parse',
              key: job.key,
              sourceId: job.sourceId,
              url,
              depth: job.depth,
              pageType: job.pageType,
              ...(previous === undefined
                ? {}
                : { payload: { previousSnapshotId: previous.snapshotId } }),
            },
          ]
        : [],
    };
  };
}

/**
 * Records a page that answered 404/410. Its snapshots and the agreement sources citing it stay;
 * with a Wayback client, those sources gain the newest archived copy's URL.
 */
async function vanished(
  deps: StageDeps,
  wayback: WaybackClient | undefined,
  sourceId: string,
  url: string,
  err: unknown,
  signal: AbortSignal,
): Promise<void> {
  const status = httpStatusOf(err) ?? 404;
  const fetchedAt = new Date().toISOString();
  const hadVersion = await recordVanished(deps.db, { sourceId, url, status, fetchedAt });
  if (wayback === undefined || !hadVersion) return;
  const page = await getPage(deps.db, sourceId, url);
  const urls = await citedUrls(deps.db, [url, ...(page?.finalUrl == null ? [] : [page.finalUrl])]);
  if (urls.length === 0) return;
  try {
    const copy = await wayback.lookup(urls[0] ?? url, { signal });
    if (copy === null) {
      deps.logger.info({ url }, 'page vanished; no archived copy found');
      return;
    }
    const n = await recordArchiveUrl(deps.db, urls, copy.archiveUrl);
    deps.logger.info(
      { url, archiveUrl: copy.archiveUrl, sources: n },
      'page vanished; archived copy recorded',
    );
  } catch (lookupErr) {
    // The page's failure is what the job records; a failed look-up only costs the archive link.
    deps.logger.warn(
      { url, err: lookupErr instanceof Error ? lookupErr.message : String(lookupErr) },
      'wayback look-up failed',
    );
  }
}
