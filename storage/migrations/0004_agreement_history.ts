import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Id history: every creation, import, merge and split of a canonical agreement, append-only,
 * so that an id once published always leads to its current record (`merged_into` is the fast
 * path, this is the story). Aliases map other names of a record (the id it had in an imported
 * dataset, or the fingerprint of an imported row without one) to its id. Sources and
 * candidates get an index on their URL: a re-crawled page finds the agreements it fed.
 */
export function agreementHistory(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table = db.schema.createTable('agreement_history');
      await (dialect === 'sqlite'
        ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        : table.addColumn('id', 'serial', (c) => c.primaryKey())
      )
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('other_ids', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('agreement_history_agreement')
        .on('agreement_history')
        .column('agreement_id')
        .execute();

      await db.schema
        .createTable('agreement_aliases')
        .addColumn('alias', 'text', (c) => c.primaryKey())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createIndex('agreement_sources_url')
        .on('agreement_sources')
        .column('url')
        .execute();
      await db.schema.createIndex('candidates_url').on('candidates').column('url').execute();

      if (dialect === 'sqlite') {
        await sql`CREATE TRIGGER agreement_history_no_update BEFORE UPDATE ON agreement_history
        BEGIN SELECT RAISE(ABORT, 'agreement_history is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER agreement_history_no_delete BEFORE DELETE ON agreement_history
        BEGIN SELECT RAISE(ABORT, 'agreement_history is append-only'); END`.execute(db);
      }
    },
  };
}
