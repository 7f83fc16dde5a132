import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { FatalError } from '../core/errors.js';
import { type Dialect, StaticMigrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type DB = Kysely<Database>;

export interface OpenDatabaseOptions {
  /** SQLite file; created with its folder when missing. */
  readonly file: string;
}

export interface OpenedDatabase {
  readonly db: DB;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the embedded SQLite store in WAL mode and applies pending migrations. Callers get a
 * Kysely instance and never see the driver, so a PostgreSQL dialect can be added here alone.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(options.file);
  } catch (cause) {
    throw new FatalError('STORAGE', `Cannot open database ${options.file}`, { cause });
  }
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the
  // last transactions, which a rerun then redoes.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
  };
}

export async function migrate(db: DB, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new FatalError('STORAGE', `Database migration ${failed} failed`, { cause: error });
  }
}
