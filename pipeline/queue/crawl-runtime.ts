import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { backoffMs } from '../../crawlers/backoff.js';
import { SourceDefinition } from '../../schemas/source.js';
import type { DB } from '../../storage/database.js';
import type { SnapshotStore } from '../../storage/snapshot-store.js';
import {
  buildCrawlStages,
  CRAWL_DEFAULTS,
  parseStoredCrawlOptions,
  seedTraps,
} from '../crawl-stages.js';
import type { CrawlRuntime } from './bullmq.js';
import type { QueueBackend } from './types.js';

export interface CrawlRuntimeContext {
  readonly db: DB;
  readonly store: SnapshotStore;
  readonly config: Config;
  readonly logger: Logger;
  /** The backend the stages report to (`slowHost`). */
  readonly queue: QueueBackend;
  /** First retry's delay bound (doubles per attempt). @default 1000 */
  readonly retryBaseMs?: number;
  /** Attempts per job before its failure is recorded. @default 4 */
  readonly maxAttempts?: number;
}

/**
 * The stage handlers of a crawl that another process started, built from what the database
 * holds: the crawl's source ids, the source definitions it saved and the options it was
 * started with (page budget, since, incremental, Wayback, trap budget). The stages come from
 * the same builder as `pactwatch crawl`'s, so a worker on any machine runs a job exactly as
 * the process that started the crawl would. Returns null when the crawl does not exist.
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
  const { maxPages, ...options } = parseStoredCrawlOptions(crawl.options);
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
    return typeof maxPages === 'number'
      ? { ...source, limits: { ...source.limits, max_pages: maxPages } }
      : source;
  });
  const logger = ctx.logger.child({ component: 'crawl', crawlId });
  const stages = buildCrawlStages({ ...ctx, logger }, sources, options);
  await seedTraps(ctx.db, crawlId, stages.traps);
  const retryBaseMs = ctx.retryBaseMs ?? CRAWL_DEFAULTS.retryBaseMs;
  return {
    handlers: stages.handlers,
    hostPolicy: stages.hostPolicy,
    retryDelayMs: (attempt, retryAfterMs) =>
      backoffMs(attempt, retryAfterMs, { baseMs: retryBaseMs }),
    maxAttempts: ctx.maxAttempts ?? CRAWL_DEFAULTS.maxAttempts,
    close: () => stages.close(),
  };
}
