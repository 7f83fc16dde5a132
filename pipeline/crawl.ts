import { backoffMs } from '../crawlers/backoff.js';
import { Fetcher, type FetcherOptions } from '../crawlers/fetcher.js';
import { PageLoader } from '../crawlers/page-loader.js';
import type { RendererOptions } from '../crawlers/renderer.js';
import { RobotsCache } from '../crawlers/robots.js';
import { TrapGuard } from '../crawlers/traps.js';
import { hostOf, urlKey } from '../crawlers/url.js';
import { WaybackClient } from '../crawlers/wayback.js';
import { stageExtractor } from '../extractors/llm/pipeline.js';
import type { Stage } from '../schemas/crawl-job.js';
import type { SourceDefinition } from '../schemas/source.js';
import { jobCounts, requeueRunning } from '../storage/jobs.js';
import type { App } from './app.js';
import { EmbeddedQueue } from './queue/embedded.js';
import type { QueueBackend, RunSummary, StageHandlers } from './queue/types.js';
import { saveSources } from './sources.js';
import { dedupStage } from './stages/dedup.js';
import { SourceRegistry as Registry, type SourceRegistry, type StageDeps } from './stages/deps.js';
import { extractStage } from './stages/extract.js';
import { fetchStage } from './stages/fetch.js';
import { parseStage } from './stages/parse.js';

export interface CrawlOptions {
  readonly sources: readonly SourceDefinition[];
  /** Browser settings for pages that need rendering (contexts, time limits, Chromium path). */
  readonly renderer?: RendererOptions;
  /** Overrides every source's max pages. */
  readonly maxPages?: number;
  /** Skip articles published before this date. */
  readonly since?: string;
  readonly signal?: AbortSignal;
  /** Called with the queue before the run starts, so a progress bar can listen. */
  readonly onQueue?: (queue: QueueBackend, crawlId: number) => void;
  /** Request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts per job before its failure is recorded. @default 4 */
  readonly maxAttempts?: number;
  /** First retry's delay bound (doubles per attempt). @default 1000 */
  readonly retryBaseMs?: number;
  /**
   * Conditional requests and content hashes against earlier crawls: unchanged pages get no new
   * snapshot and no extraction. Off, every page is fetched and processed as new.
   * @default true
   */
  readonly incremental?: boolean;
  /**
   * Look up archived copies of vanished pages that agreements cite, through a Wayback CDX API.
   * `true` uses web.archive.org.
   * @default false
   */
  readonly wayback?: boolean | { readonly cdxUrl?: string; readonly archiveBaseUrl?: string };
  /**
   * List pages followed per URL shape and source (calendar / pagination trap budget).
   * @default 200
   */
  readonly maxListPagesPerShape?: number;
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

interface HandlerOptions {
  readonly incremental: boolean;
  readonly wayback: WaybackClient | undefined;
  readonly traps: TrapGuard;
}

function handlers(deps: StageDeps, registry: SourceRegistry, o: HandlerOptions): StageHandlers {
  return {
    fetch: fetchStage(deps, registry, {
      incremental: o.incremental,
      ...(o.wayback === undefined ? {} : { wayback: o.wayback }),
    }),
    parse: parseStage(deps, registry, { traps: o.traps }),
    extract: extractStage(deps, registry),
    dedup: dedupStage(deps),
  } satisfies Record<Stage, unknown>;
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
      options: JSON.stringify({ maxPages: options.maxPages ?? null, since: options.since ?? null }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { crawlId: inserted.id, resumed: false };
}

export async function runCrawl(app: App, options: CrawlOptions): Promise<CrawlReport> {
  const sources = withMaxPages(options.sources, options.maxPages);
  await saveSources(app.db, sources);
  const registry = new Registry(sources);
  const logger = app.logger.child({ component: 'crawl' });
  const proxy = app.config.httpsProxy ?? app.config.httpProxy;
  const fetcherOptions: FetcherOptions = {
    userAgent: app.config.userAgent,
    timeoutMs: options.timeoutMs ?? 30_000,
    logger,
    // Per-connection address checks are all-or-nothing per Fetcher; when a source explicitly
    // allows private hosts (fixtures, the demo), the per-source host guard in fetch decides.
    allowPrivateAddresses: sources.some((s) => s.allow_private_hosts),
    ...(app.config.httpProxy === undefined ? {} : { httpProxy: app.config.httpProxy }),
    ...(app.config.httpsProxy === undefined ? {} : { httpsProxy: app.config.httpsProxy }),
  };
  const fetcher = new Fetcher(fetcherOptions);
  // Static or browser per host and page type; the browser starts only when a page needs it.
  const loader = new PageLoader({
    fetcher,
    fetcherOptions,
    db: app.db,
    logger,
    rendererOptions: {
      userAgent: app.config.userAgent,
      logger,
      ...(proxy === undefined ? {} : { proxy }),
      ...options.renderer,
    },
  });
  const robots = new RobotsCache({
    fetch: (u) => fetcher.fetch(u),
    userAgent: app.config.userAgent,
    logger,
  });
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
  const archive = waybackClient(app, options, logger);
  const deps: StageDeps = {
    db: app.db,
    store: app.store,
    fetcher,
    loader,
    robots,
    queue,
    logger,
    userAgent: app.config.userAgent,
    extract: stageExtractor(app.config, app.db, logger),
    ...(options.since === undefined ? {} : { since: options.since }),
    viaProxy: proxy !== undefined,
  };

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
  const traps = new TrapGuard(
    options.maxListPagesPerShape === undefined
      ? {}
      : { maxListPagesPerShape: options.maxListPagesPerShape },
  );
  if (resumed) await seedTraps(app, crawlId, traps);
  options.onQueue?.(queue, crawlId);
  const agreementsBefore = await countAgreements(app);
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const summary = await queue
    .run({
      crawlId,
      handlers: handlers(deps, registry, {
        incremental: options.incremental ?? true,
        wayback: archive?.client,
        traps,
      }),
      hostPolicy: (job) => {
        const p = registry.get(job.sourceId).source.politeness;
        return { concurrency: p.concurrency, delayMs: p.delay_ms };
      },
      retryDelayMs: (attempt, retryAfterMs) =>
        backoffMs(attempt, retryAfterMs, { baseMs: retryBaseMs }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    .finally(() => loader.close());
  await fetcher.close();
  await archive?.close();
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

/** A resumed crawl's trap budgets start from the list pages it already holds. */
async function seedTraps(app: App, crawlId: number, traps: TrapGuard): Promise<void> {
  const rows = await app.db
    .selectFrom('jobs')
    .select(['source_id', 'key'])
    .where('crawl_id', '=', crawlId)
    .where('stage', '=', 'fetch')
    .where('page_type', '=', 'list')
    .execute();
  for (const r of rows) traps.seed(r.source_id, [r.key]);
}

/**
 * The Wayback client of a crawl, with its own Fetcher: the CDX endpoint is configuration, not
 * scraped input, so it may live on a private address (a self-hosted pywb, a test server).
 */
function waybackClient(app: App, options: CrawlOptions, logger: App['logger']) {
  if (options.wayback === undefined || options.wayback === false) return undefined;
  const config = options.wayback === true ? {} : options.wayback;
  const fetcher = new Fetcher({
    userAgent: app.config.userAgent,
    timeoutMs: options.timeoutMs ?? 30_000,
    logger,
    allowPrivateAddresses: true,
    ...(app.config.httpProxy === undefined ? {} : { httpProxy: app.config.httpProxy }),
    ...(app.config.httpsProxy === undefined ? {} : { httpsProxy: app.config.httpsProxy }),
  });
  const client = new WaybackClient({
    fetch: (url, init) => fetcher.fetch(url, init),
    logger,
    ...(config.cdxUrl === undefined ? {} : { cdxUrl: config.cdxUrl }),
    ...(config.archiveBaseUrl === undefined ? {} : { archiveBaseUrl: config.archiveBaseUrl }),
  });
  return { client, close: () => fetcher.close() };
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
