import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { DB } from '../storage/database.js';
import { openDatabase } from '../storage/database.js';
import type { Dialect } from '../storage/migrations/index.js';
import { SnapshotStore } from '../storage/snapshot-store.js';
import type { BullmqQueue, BullmqQueueOptions } from './queue/bullmq.js';
import { EmbeddedQueue } from './queue/embedded.js';
import type { QueueBackend } from './queue/types.js';

/** Tuning of the distributed backend; the connection and stores come from the app. */
export type DistributedQueueOptions = Partial<
  Omit<BullmqQueueOptions, 'db' | 'dialect' | 'logger' | 'redisUrl'>
>;

export interface CreateQueueOptions extends DistributedQueueOptions {
  readonly logger?: Logger;
}

/** The opened stores of one process: what every command works on. */
export interface App {
  readonly config: Config;
  readonly db: DB;
  /** `postgres` when `DATABASE_URL` is set, else `sqlite`. */
  readonly dialect: Dialect;
  readonly store: SnapshotStore;
  readonly logger: Logger;
  /**
   * The queue backend crawls run on: BullMQ when `REDIS_URL` is set (closed with the app),
   * else the embedded in-process queue.
   */
  createQueue(options?: CreateQueueOptions): QueueBackend;
  /** The BullMQ backend, or undefined in the embedded mode (no `REDIS_URL`). */
  createDistributedQueue(options?: CreateQueueOptions): BullmqQueue | undefined;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  readonly logger?: Logger;
  /** Defaults for every distributed queue this app creates (tests: a key prefix per test). */
  readonly queue?: DistributedQueueOptions;
}

/**
 * Opens the stores the configuration names: PostgreSQL when `DATABASE_URL` is set, else the
 * SQLite file; BullMQ queues on Redis when `REDIS_URL` is set, else in-process queues. Both
 * switches are independent: REDIS_URL with SQLite runs workers on one machine sharing the
 * file; DATABASE_URL alone runs the embedded queue on PostgreSQL.
 */
export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const { db, dialect, close } = await openDatabase(
    config.databaseUrl === undefined
      ? { file: config.dbFile }
      : { url: config.databaseUrl, logger },
  );
  const store = new SnapshotStore({ dir: config.snapshotDir });
  const queues: BullmqQueue[] = [];
  // Loaded only in the distributed mode: BullMQ and the stage code cost a second of start-up.
  const distributed =
    config.redisUrl === undefined
      ? undefined
      : await Promise.all([import('./queue/bullmq.js'), import('./queue/crawl-runtime.js')]);

  const createDistributedQueue = (opts: CreateQueueOptions = {}): BullmqQueue | undefined => {
    if (config.redisUrl === undefined || distributed === undefined) return undefined;
    const [{ BullmqQueue }, { loadCrawlRuntime }] = distributed;
    const { logger: queueLogger, ...tuning } = opts;
    const log = queueLogger ?? logger;
    const queue = new BullmqQueue({
      db,
      dialect,
      logger: log,
      redisUrl: config.redisUrl,
      runtimeFor: (crawlId, q) =>
        loadCrawlRuntime({ db, store, config, logger: log, queue: q }, crawlId),
      ...options.queue,
      ...tuning,
    });
    queues.push(queue);
    return queue;
  };

  return {
    config,
    db,
    dialect,
    store,
    logger,
    createDistributedQueue,
    createQueue: (opts = {}) =>
      createDistributedQueue(opts) ?? new EmbeddedQueue({ db, logger: opts.logger ?? logger }),
    async close() {
      await Promise.all(queues.splice(0).map((q) => q.close()));
      await close();
    },
  };
}
