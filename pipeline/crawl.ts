import { backoffMs } from '../crawlers/backoff.js';
import type { RendererOptions } from '../crawlers/renderer.js';
import { hostOf, urlKey } from '../crawlers/url.js';
import type { SourceDefinition } from '../schemas/source.js';
import { jobCounts, requeueRunning } from '../storage/jobs.js';
import type { App } from './app.js';
import {
  buildCrawlStages,
  CRAWL_DEFAULTS,
  type CrawlStageOptions,
  seedTraps,
  storedCrawlOptions,
} from './crawl-stages.js';
import { EmbeddedQueue } from './queue/embedded.js';
import type { QueueBackend, RunSummary } from './queue/types.js';
import { saveSources } from './sources.js';

export interface CrawlOptions extends CrawlStageOptions {
  readonly sources: readonly SourceDefinition[];
  /** Browser settings for pages that need rendering (contexts, time limits, Chromium path). */
  readonly renderer?: RendererOptions;
  /** Overrides every source's max pages. */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
  /** Called with the queue before the run starts, so a progress bar can listen. */
  readonly onQueue?: (queue: QueueBackend, crawlId: number) => void;
  /** Attempts per job before its failure is recorded. @default 4 */
  readonly maxAttempts?: number;
  /** First retry's delay bound (doubles per attempt). @default 1000 */
  readonly retryBaseMs?: number;
  /** Jobs held in memory at once (see EmbeddedQueue). @default 64 */
  readonly maxInFlight?: number;
  /** Parse and extract jobs at once (see EmbeddedQueue). @default 2 */
  readonly cpuConcurrency?: number;
  /**
   * Distributed mode (REDIS_URL): fetch jobs this process works on while it waits for the crawl;
   * 0 leaves the work to `pactwatch worker` processes.
   * @default 0
   */
  readonly concurrency?: number;
}

export interface SourceReport {
  readonly sourceId: string;
  readonly pagesFetched: number;
  readonly pagesFailed: number;
  /** Pages not fetched because robots.txt forbids them. */
  readonly pagesSkipped: number;
  readonly candidates: number;
  /** The most common failure reasons, most frequent first. */
  readonly failures: readonly { reason: string; count: number }[];
}

export interface CrawlReport {
  readonly crawlId: number;
  readonly resumed: boolean;
  readonly summary: RunSummary;
  readonly sources: readonly SourceReport[];
  readonly agreementsCreated: number;
}

function withMaxPages(
  sources: readonly SourceDefinition[],
  maxPages: number | undefined,
): SourceDefinition[] {
  if (maxPages === undefined) return [...sources];
  return sources.map((s) => ({ ...s, limits: { ...s.limits, max_pages: maxPages } }));
}

/**
 * Finds the crawl to resume (the newest unfinished one over the same sources) or starts one.
 * A killed run left its jobs in the database; those that were running go back to the queue.
 */
async function openCrawl(app: App, sources: readonly SourceDefinition[], options: CrawlOptions) {
  const ids = sources.map((s) => s.id).sort();
  const key = JSON.stringify(ids);
  const unfinished = await app.db
    .selectFrom('crawls')
    .select(['id', 'source_ids'])
    .where('status', '=', 'running')
    .orderBy('id', 'desc')
    .execute();
  const previous = unfinished.find((c) => c.source_ids === key);
  if (previous !== undefined) {
    const requeued = await requeueRunning(app.db, previous.id);
    app.logger.info({ crawlId: previous.id, requeued }, 'resuming crawl');
    return { crawlId: previous.id, resumed: true };
  }
  const inserted = await app.db
    .insertInto('crawls')
    .values({
      started_at: new Date().toISOString(),
      finished_at: null,
      status: 'running',
      source_ids: key,
      options: JSON.stringify(storedCrawlOptions(options)),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { crawlId: inserted.id, resumed: false };
}

export async function runCrawl(app: App, options: CrawlOptions): Promise<CrawlReport> {
  const sources = withMaxPages(options.sources, options.maxPages);
  await saveSources(app.db, sources);
  const logger = app.logger.child({ component: 'crawl' });
  // With REDIS_URL the crawl is queued on BullMQ and this process waits for the workers.
  const queue: QueueBackend =
    app.createDistributedQueue({
      logger,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.cpuConcurrency === undefined ? {} : { cpuConcurrency: options.cpuConcurrency }),
    }) ??
    new EmbeddedQueue({
      db: app.db,
      logger,
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      ...(options.cpuConcurrency === undefined ? {} : { cpuConcurrency: options.cpuConcurrency }),
    });
  const stages = buildCrawlStages(
    { db: app.db, store: app.store, config: app.config, logger, queue },
    sources,
    options,
  );

  const { crawlId, resumed } = await openCrawl(app, sources, options);
  if (!resumed) {
    await queue.enqueue(
      crawlId,
      sources.flatMap((s) =>
        [...s.start_urls, ...(s.sitemaps ?? [])].map((url) => ({
          stage: 'fetch' as const,
          key: urlKey(url),
          sourceId: s.id,
          url: urlKey(url),
          host: hostOf(url),
          depth: 0,
          pageType: 'start' as const,
        })),
      ),
    );
  }
  if (resumed) await seedTraps(app.db, crawlId, stages.traps);
  options.onQueue?.(queue, crawlId);
  const agreementsBefore = await countAgreements(app);
  const retryBaseMs = options.retryBaseMs ?? CRAWL_DEFAULTS.retryBaseMs;
  const summary = await queue
    .run({
      crawlId,
      handlers: stages.handlers,
      hostPolicy: stages.hostPolicy,
      retryDelayMs: (attempt, retryAfterMs) =>
        backoffMs(attempt, retryAfterMs, { baseMs: retryBaseMs }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    .finally(() => stages.close());
  const finished = !summary.aborted;
  if (finished) {
    await app.db
      .updateTable('crawls')
      .set({ status: 'done', finished_at: new Date().toISOString() })
      .where('id', '=', crawlId)
      .execute();
  }
  return {
    crawlId,
    resumed,
    summary,
    sources: await sourceReports(app, crawlId, sources),
    agreementsCreated: (await countAgreements(app)) - agreementsBefore,
  };
}

async function countAgreements(app: App): Promise<number> {
  const row = await app.db
    .selectFrom('agreements')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function sourceReports(
  app: App,
  crawlId: number,
  sources: readonly SourceDefinition[],
): Promise<SourceReport[]> {
  const out: SourceReport[] = [];
  for (const s of sources) {
    const fetches = await app.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('crawl_id', '=', crawlId)
      .where('source_id', '=', s.id)
      .where('stage', '=', 'fetch')
      .groupBy('state')
      .execute();
    const failures = await app.db
      .selectFrom('jobs')
      .select(['last_error', (eb) => eb.fn.countAll<number>().as('n')])
      .where('crawl_id', '=', crawlId)
      .where('source_id', '=', s.id)
      .where('state', '=', 'failed')
      .groupBy('last_error')
      .orderBy('n', 'desc')
      .limit(5)
      .execute();
    const candidates = await app.db
      .selectFrom('candidates')
      .innerJoin('snapshots', 'snapshots.id', 'candidates.snapshot_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('snapshots.crawl_id', '=', crawlId)
      .where('candidates.source_id', '=', s.id)
      .executeTakeFirstOrThrow();
    const n = (state: string) => Number(fetches.find((f) => f.state === state)?.n ?? 0);
    out.push({
      sourceId: s.id,
      pagesFetched: n('done'),
      pagesFailed: n('failed'),
      pagesSkipped: n('skipped'),
      candidates: Number(candidates.n),
      failures: failures.map((f) => ({ reason: f.last_error ?? 'unknown', count: Number(f.n) })),
    });
  }
  return out;
}

export { jobCounts };
