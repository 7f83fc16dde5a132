import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import type pg from 'pg';
import { FatalError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { type Dialect, StaticMigrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type DB = Kysely<Database>;

export interface OpenDatabaseOptions {
  /** SQLite file; created with its folder when missing. Used when `url` is not given. */
  readonly file?: string;
  /**
   * PostgreSQL connection string (`DATABASE_URL`). A `?options=-c search_path=NAME` parameter
   * puts every table in that (existing) schema.
   */
  readonly url?: string;
  /** PostgreSQL connections this process opens at most. @default 10 */
  readonly maxConnections?: number;
  /** Where a connection that died while idle is reported. @default silent */
  readonly logger?: Logger;
}

export const OPEN_DATABASE_DEFAULTS = {
  maxConnections: 10,
} as const;

export interface OpenedDatabase {
  readonly db: DB;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the store and applies pending migrations: PostgreSQL when `url` is given, else the
 * embedded SQLite file in WAL mode. Callers get a Kysely instance and never see the driver.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (options.url !== undefined) return openPostgres(options.url, options);
  if (options.file === undefined) {
    throw new TypeError('Expected `file` or `url` to name the database, got neither');
  }
  return openSqlite(options.file);
}

/** Prepared statements kept per SQL text; a few hundred distinct texts cover the pipeline. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh; compiling the same few statements again
 * for each of a crawl's jobs was a sixth of its CPU time. Statements are reused (better-sqlite3
 * statements are reusable, and Kysely runs each to completion before the next).
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        // `IN (?, ?, ...)` lists make many texts: forget them all now and then.
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

async function openSqlite(file: string): Promise<OpenedDatabase> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(file);
  } catch (cause) {
    throw new FatalError('STORAGE', `Cannot open database ${file}`, { cause });
  }
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the
  // last transactions, which a rerun then redoes.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): a frontier of a million URLs keeps its indexes
  // in memory, which makes seeding it 1.5x faster; small databases never fill it.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  await migrate(db, 'sqlite');
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
  };
}

const INT8_OID = 20;

/**
 * bigint columns (`jobs.not_before`, epoch milliseconds) and `count(*)` come back from pg as
 * strings, because int8 can exceed a double. Ours never come near 2^53, and the SQLite driver
 * returns numbers, so both dialects hand the same types to the same queries. A value that
 * would lose precision is refused rather than silently rounded.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new FatalError('STORAGE', `bigint value ${text} does not fit a JavaScript number`);
  }
  return n;
}

function pgTypes(types: typeof pg.types) {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary'
        ? parseInt8
        : types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
  };
}

/** Hides the password of a connection string in messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const max = options.maxConnections ?? OPEN_DATABASE_DEFAULTS.maxConnections;
  if (!Number.isInteger(max) || max <= 0) {
    throw new TypeError(`Expected \`maxConnections\` to be a positive integer, got \`${max}\``);
  }
  const logger = (options.logger ?? silentLogger).child({ component: 'database' });
  // Loaded on demand: the embedded mode never needs the PostgreSQL driver.
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: url,
    max,
    types: pgTypes(driver.types),
    connectionTimeoutMillis: 10_000,
    application_name: 'pactwatch',
  });
  // An idle connection killed by the server (restart, pg_terminate_backend) is reported here;
  // without a listener it would crash the process. The pool drops it and opens another.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle database connection lost'));
  // pg drops its idle listener while a connection is checked out: a connection killed between
  // two statements of a transaction would emit an unhandled 'error' and end the process. With
  // this listener the next statement fails instead (the transaction rolls back, the caller
  // retries) and the pool discards the connection when it comes back.
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err: err.message }, 'database connection lost'));
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new FatalError('STORAGE', `Cannot connect to PostgreSQL at ${redactUrl(url)}`, {
      cause,
    });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Kysely looks for its bookkeeping tables in every schema of the database; name ours, or
    // another schema's tables (a second deployment, a test) would be taken for these.
    const { rows } = await sql<{
      schema: string | null;
    }>`SELECT current_schema() AS schema`.execute(db);
    const schema = rows[0]?.schema ?? null;
    if (schema === null) {
      throw new FatalError('STORAGE', 'The search_path of DATABASE_URL names no existing schema');
    }
    // Kysely's bookkeeping reads the catalog of every schema; one dropped at that moment by
    // someone else (another deployment's teardown) fails the read. Migrations are
    // transactional on PostgreSQL, so trying again is safe.
    for (let attempt = 1; ; attempt++) {
      try {
        await migrate(db, 'postgres', schema);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        logger.warn({ attempt, err: String(err) }, 'migration failed; trying again');
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    db,
    dialect: 'postgres',
    close: () => db.destroy(),
  };
}

export async function migrate(db: DB, dialect: Dialect, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(dialect),
    // Migrations 0003-0008 were written side by side; a database created between them must
    // still take the ones that sort earlier.
    allowUnorderedMigrations: true,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new FatalError('STORAGE', `Database migration ${failed} failed`, { cause: error });
  }
}
