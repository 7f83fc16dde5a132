import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { backoffMs } from '../../crawlers/backoff.js';
import { Fetcher, type FetcherOptions } from '../../crawlers/fetcher.js';
import { PageLoader } from '../../crawlers/page-loader.js';
import { RobotsCache } from '../../crawlers/robots.js';
import { TrapGuard } from '../../crawlers/traps.js';
import { stageExtractor } from '../../extractors/llm/pipeline.js';
import { SourceDefinition } from '../../schemas/source.js';
import type { DB } from '../../storage/database.js';
import type { SnapshotStore } from '../../storage/snapshot-store.js';
import { dedupStage } from '../stages/dedup.js';
import { SourceRegistry, type StageDeps } from '../stages/deps.js';
import { extractStage } from '../stages/extract.js';
import { fetchStage } from '../stages/fetch.js';
import { parseStage } from '../stages/parse.js';
import type { CrawlRuntime } from './bullmq.js';
import type { QueueBackend } from './types.js';

export interface CrawlRuntimeContext {
  readonly db: DB;
  readonly store: SnapshotStore;
  readonly config: Config;
  readonly logger: Logger;
  /** The backend the stages report to (`slowHost`). */
  readonly queue: QueueBackend;
  /** Request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** First retry's delay bound (doubles per attempt). @default 1000 */
  readonly retryBaseMs?: number;
  /** Attempts per job before its failure is recorded. @default 4 */
  readonly maxAttempts?: number;
}

export const CRAWL_RUNTIME_DEFAULTS = {
  timeoutMs: 30_000,
  retryBaseMs: 1000,
  maxAttempts: 4,
} as const;

interface StoredCrawlOptions {
  readonly maxPages?: number | null;
  readonly since?: string | null;
}

/**
 * The stage handlers of a crawl that another process started, built from what the database
 * holds: the crawl's source ids and options, and the source definitions it saved. A worker on
 * any machine thus runs exactly the sources the crawl was started with. The construction
 * mirrors `runCrawl` (pipeline/crawl.ts) with its defaults, as `pactwatch crawl` uses them
 * (incremental fetches, default trap budget, no Wayback look-ups); keep the two in step.
 * Returns null when the crawl does not exist.
 */
export async function loadCrawlRuntime(
  ctx: CrawlRuntimeContext,
  crawlId: number,
): Promise<CrawlRuntime | null> {
  const crawl = await ctx.db
    .selectFrom('crawls')
    .select(['source_ids', 'options'])
    .where('id', '=', crawlId)
    .executeTakeFirst();
  if (crawl === undefined) return null;
  const ids = JSON.parse(crawl.source_ids) as string[];
  const options = JSON.parse(crawl.options) as StoredCrawlOptions;
  const rows =
    ids.length === 0
      ? []
      : await ctx.db
          .selectFrom('sources')
          .select(['id', 'definition'])
          .where('id', 'in', ids)
          .execute();
  const sources = rows.map((r) => {
    const source = SourceDefinition.parse(JSON.parse(r.definition));
    // The definition row is shared by later crawls; the crawl's own page budget wins.
    return typeof options.maxPages === 'number'
      ? { ...source, limits: { ...source.limits, max_pages: options.maxPages } }
      : source;
  });
  const registry = new SourceRegistry(sources);
  const logger = ctx.logger.child({ component: 'crawl', crawlId });
  const { config } = ctx;
  const proxy = config.httpsProxy ?? config.httpProxy;
  const fetcherOptions: FetcherOptions = {
    userAgent: config.userAgent,
    timeoutMs: ctx.timeoutMs ?? CRAWL_RUNTIME_DEFAULTS.timeoutMs,
    logger,
    allowPrivateAddresses: sources.some((s) => s.allow_private_hosts),
    ...(config.httpProxy === undefined ? {} : { httpProxy: config.httpProxy }),
    ...(config.httpsProxy === undefined ? {} : { httpsProxy: config.httpsProxy }),
  };
  const fetcher = new Fetcher(fetcherOptions);
  const loader = new PageLoader({
    fetcher,
    fetcherOptions,
    db: ctx.db,
    logger,
    rendererOptions: {
      userAgent: config.userAgent,
      logger,
      ...(proxy === undefined ? {} : { proxy }),
    },
  });
  const robots = new RobotsCache({
    fetch: (u) => fetcher.fetch(u),
    userAgent: config.userAgent,
    logger,
  });
  // Trap budgets count the list pages the crawl already holds, whoever fetched them.
  const traps = new TrapGuard({});
  const lists = await ctx.db
    .selectFrom('jobs')
    .select(['source_id', 'key'])
    .where('crawl_id', '=', crawlId)
    .where('stage', '=', 'fetch')
    .where('page_type', '=', 'list')
    .execute();
  for (const r of lists) traps.seed(r.source_id, [r.key]);
  const deps: StageDeps = {
    db: ctx.db,
    store: ctx.store,
    fetcher,
    loader,
    robots,
    queue: ctx.queue,
    logger,
    userAgent: config.userAgent,
    extract: stageExtractor(config, ctx.db, logger),
    ...(typeof options.since === 'string' ? { since: options.since } : {}),
    viaProxy: proxy !== undefined,
  };
  const retryBaseMs = ctx.retryBaseMs ?? CRAWL_RUNTIME_DEFAULTS.retryBaseMs;
  return {
    handlers: {
      fetch: fetchStage(deps, registry, { incremental: true }),
      parse: parseStage(deps, registry, { traps }),
      extract: extractStage(deps, registry),
      dedup: dedupStage(deps),
    },
    hostPolicy: (job) => {
      const p = registry.get(job.sourceId).source.politeness;
      return { concurrency: p.concurrency, delayMs: p.delay_ms };
    },
    retryDelayMs: (attempt, retryAfterMs) =>
      backoffMs(attempt, retryAfterMs, { baseMs: retryBaseMs }),
    maxAttempts: ctx.maxAttempts ?? CRAWL_RUNTIME_DEFAULTS.maxAttempts,
    close: async () => {
      await loader.close();
      await fetcher.close();
    },
  };
}
