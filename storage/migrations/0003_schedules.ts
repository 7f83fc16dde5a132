import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Scheduled crawls: a source and a cron expression. In the embedded mode a long-running
 * `pactwatch worker` fires them from `next_run_at`; in the distributed mode they are mirrored
 * into BullMQ job schedulers and `last_fired_at` makes one firing start one crawl, however
 * often it is delivered. Times are epoch milliseconds.
 */
export function schedules(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table = db.schema.createTable('schedules');
      await (dialect === 'sqlite'
        ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        : table.addColumn('id', 'serial', (c) => c.primaryKey())
      )
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('timezone', 'text', (c) => c.notNull())
        .addColumn('max_pages', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('next_run_at', 'bigint', (c) => c.notNull())
        .addColumn('last_fired_at', 'bigint')
        .addColumn('last_crawl_id', 'integer')
        .addColumn('last_status', 'text')
        .addUniqueConstraint('schedules_source_cron', ['source_id', 'cron'])
        .execute();
    },
  };
}
