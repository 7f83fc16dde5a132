import { z } from 'zod';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { Fetcher, type FetcherOptions } from '../crawlers/fetcher.js';
import { PageLoader } from '../crawlers/page-loader.js';
import type { RendererOptions } from '../crawlers/renderer.js';
import { RobotsCache } from '../crawlers/robots.js';
import { TrapGuard } from '../crawlers/traps.js';
import { WaybackClient } from '../crawlers/wayback.js';
import { stageExtractor } from '../extractors/llm/pipeline.js';
import type { Stage } from '../schemas/crawl-job.js';
import type { SourceDefinition } from '../schemas/source.js';
import type { DB } from '../storage/database.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import type { HostPolicy, QueueBackend, StageHandlers } from './queue/types.js';
import { dedupStage } from './stages/dedup.js';
import { SourceRegistry, type StageDeps } from './stages/deps.js';
import { extractStage } from './stages/extract.js';
import { fetchStage } from './stages/fetch.js';
import { parseStage } from './stages/parse.js';

/** Where a wayback look-up goes; `true` is web.archive.org. */
export type WaybackSetting =
  | boolean
  | { readonly cdxUrl?: string; readonly archiveBaseUrl?: string };

/**
 * The options that shape a crawl's stages. They are saved with the crawl (`crawls.options`),
 * so a worker on another machine builds the very same stages from the database.
 */
export interface CrawlStageOptions {
  /** Request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Skip articles published before this date. */
  readonly since?: string;
  /**
   * Conditional requests and content hashes against earlier crawls; off, every page is
   * fetched and processed as new.
   * @default true
   */
  readonly incremental?: boolean;
  /** Look up archived copies of vanished pages that agreements cite. @default false */
  readonly wayback?: WaybackSetting;
  /** List pages followed per URL shape and source (trap budget). @default 200 */
  readonly maxListPagesPerShape?: number;
}

/** `crawls.options`: what a crawl was started with, as JSON. */
export interface StoredCrawlOptions extends CrawlStageOptions {
  /** The crawl's page budget per source, overriding the definitions'. */
  readonly maxPages?: number | null;
}

/** What to save of a crawl's options (undefined fields are left out). */
export function storedCrawlOptions(
  options: CrawlStageOptions & { readonly maxPages?: number },
): StoredCrawlOptions {
  const { timeoutMs, since, incremental, wayback, maxListPagesPerShape } = options;
  return JSON.parse(
    JSON.stringify({
      maxPages: options.maxPages ?? null,
      since: since ?? null,
      timeoutMs,
      incremental,
      wayback,
      maxListPagesPerShape,
    }),
  ) as StoredCrawlOptions;
}

const optional = <T extends z.ZodType>(t: T) => t.optional().catch(undefined);
const StoredOptions = z.object({
  maxPages: optional(z.number().int().positive().nullable()),
  since: optional(z.string().nullable()),
  timeoutMs: optional(z.number().int().positive()),
  incremental: optional(z.boolean()),
  wayback: optional(
    z.union([
      z.boolean(),
      z.object({ cdxUrl: z.string().optional(), archiveBaseUrl: z.string().optional() }),
    ]),
  ),
  maxListPagesPerShape: optional(z.number().int().positive()),
});

/**
 * Reads `crawls.options` back; crawls saved by older versions hold only `maxPages` and `since`,
 * and a field of the wrong type is dropped (its default applies).
 */
export function parseStoredCrawlOptions(json: string): StoredCrawlOptions {
  const parsed = StoredOptions.parse(JSON.parse(json));
  const { since, ...rest } = parsed;
  return Object.fromEntries(
    Object.entries({ ...rest, since: since ?? undefined }).filter(([, v]) => v !== undefined),
  ) as StoredCrawlOptions;
}

export const CRAWL_DEFAULTS = {
  timeoutMs: 30_000,
  retryBaseMs: 1000,
  maxAttempts: 4,
} as const;

export interface CrawlStageContext {
  readonly db: DB;
  readonly store: SnapshotStore;
  readonly config: Config;
  readonly logger: Logger;
  /** The backend the stages report to (`slowHost`). */
  readonly queue: QueueBackend;
}

export interface CrawlStages {
  readonly registry: SourceRegistry;
  readonly handlers: StageHandlers;
  /** Per-host politeness from each job's source. */
  readonly hostPolicy: (job: { readonly sourceId: string }) => HostPolicy;
  /** Trap budgets; a resumed crawl seeds them with `seedTraps`. */
  readonly traps: TrapGuard;
  /** Closes the browser (if one started) and every connection pool. */
  close(): Promise<void>;
}

/**
 * The stage handlers of a crawl over `sources`: fetcher, page loader (plain or browser),
 * robots.txt, trap guard, optional Wayback client and the configured extractor. `pactwatch
 * crawl` and distributed workers both build their stages here, so a job runs the same way
 * whichever process picks it up.
 */
export function buildCrawlStages(
  ctx: CrawlStageContext,
  sources: readonly SourceDefinition[],
  options: CrawlStageOptions & { readonly renderer?: RendererOptions },
): CrawlStages {
  const { config, logger } = ctx;
  const registry = new SourceRegistry(sources);
  const proxy = config.httpsProxy ?? config.httpProxy;
  const timeoutMs = options.timeoutMs ?? CRAWL_DEFAULTS.timeoutMs;
  const proxies = {
    ...(config.httpProxy === undefined ? {} : { httpProxy: config.httpProxy }),
    ...(config.httpsProxy === undefined ? {} : { httpsProxy: config.httpsProxy }),
  };
  const fetcherOptions: FetcherOptions = {
    userAgent: config.userAgent,
    timeoutMs,
    logger,
    // Per-connection address checks are all-or-nothing per Fetcher; when a source explicitly
    // allows private hosts (fixtures, the demo), the per-source host guard in fetch decides.
    allowPrivateAddresses: sources.some((s) => s.allow_private_hosts),
    ...proxies,
  };
  const fetcher = new Fetcher(fetcherOptions);
  // Static or browser per host and page type; the browser starts only when a page needs it.
  const loader = new PageLoader({
    fetcher,
    fetcherOptions,
    db: ctx.db,
    logger,
    rendererOptions: {
      userAgent: config.userAgent,
      logger,
      ...(proxy === undefined ? {} : { proxy }),
      ...options.renderer,
    },
  });
  const robots = new RobotsCache({
    fetch: (u) => fetcher.fetch(u),
    userAgent: config.userAgent,
    logger,
  });
  const archive = waybackClient(options.wayback, { config, logger, timeoutMs, proxies });
  const traps = new TrapGuard(
    options.maxListPagesPerShape === undefined
      ? {}
      : { maxListPagesPerShape: options.maxListPagesPerShape },
  );
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
    ...(options.since === undefined ? {} : { since: options.since }),
    viaProxy: proxy !== undefined,
  };
  const handlers = {
    fetch: fetchStage(deps, registry, {
      incremental: options.incremental ?? true,
      ...(archive === undefined ? {} : { wayback: archive.client }),
    }),
    parse: parseStage(deps, registry, { traps }),
    extract: extractStage(deps, registry),
    dedup: dedupStage(deps),
  } satisfies Record<Stage, unknown>;
  return {
    registry,
    handlers,
    hostPolicy: (job) => {
      const p = registry.get(job.sourceId).source.politeness;
      return { concurrency: p.concurrency, delayMs: p.delay_ms };
    },
    traps,
    async close() {
      try {
        await loader.close();
      } finally {
        await fetcher.close();
        await archive?.close();
      }
    },
  };
}

/**
 * The Wayback client of a crawl, with its own Fetcher: the CDX endpoint is configuration, not
 * scraped input, so it may live on a private address (a self-hosted pywb, a test server).
 */
function waybackClient(
  setting: WaybackSetting | undefined,
  o: {
    config: Config;
    logger: Logger;
    timeoutMs: number;
    proxies: Pick<FetcherOptions, 'httpProxy' | 'httpsProxy'>;
  },
) {
  if (setting === undefined || setting === false) return undefined;
  const where = setting === true ? {} : setting;
  const fetcher = new Fetcher({
    userAgent: o.config.userAgent,
    timeoutMs: o.timeoutMs,
    logger: o.logger,
    allowPrivateAddresses: true,
    ...o.proxies,
  });
  const client = new WaybackClient({
    fetch: (url, init) => fetcher.fetch(url, init),
    logger: o.logger,
    ...(where.cdxUrl === undefined ? {} : { cdxUrl: where.cdxUrl }),
    ...(where.archiveBaseUrl === undefined ? {} : { archiveBaseUrl: where.archiveBaseUrl }),
  });
  return { client, close: () => fetcher.close() };
}

/** A resumed crawl's trap budgets start from the list pages it already holds, whoever fetched them. */
export async function seedTraps(db: DB, crawlId: number, traps: TrapGuard): Promise<void> {
  const rows = await db
    .selectFrom('jobs')
    .select(['source_id', 'key'])
    .where('crawl_id', '=', crawlId)
    .where('stage', '=', 'fetch')
    .where('page_type', '=', 'list')
    .execute();
  for (const r of rows) traps.seed(r.source_id, [r.key]);
}
