import type { Config } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { DB } from '../storage/database.js';
import { openDatabase } from '../storage/database.js';
import { SnapshotStore } from '../storage/snapshot-store.js';

/** The opened stores of one process: what every command works on. */
export interface App {
  readonly config: Config;
  readonly db: DB;
  readonly store: SnapshotStore;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  readonly logger?: Logger;
}

export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<App> {
  if (config.databaseUrl !== undefined || config.redisUrl !== undefined) {
    throw new UserError(
      'DATABASE_URL / REDIS_URL (distributed mode) are not supported yet; unset them to use the embedded SQLite store',
    );
  }
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const { db, close } = await openDatabase({ file: config.dbFile });
  return {
    config,
    db,
    store: new SnapshotStore({ dir: config.snapshotDir }),
    logger,
    close,
  };
}
