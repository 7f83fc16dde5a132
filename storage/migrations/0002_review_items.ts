import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Review items: things a reviewer must decide about a canonical record beyond approving it:
 * a field on which sources disagree (`conflict`), a rules-vs-LLM disagreement
 * (`extractor_disagreement`), a changed source page (`source_changed`). `details` holds the
 * competing values and where each came from.
 */
export function reviewItems(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table = db.schema.createTable('review_items');
      await (dialect === 'sqlite'
        ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        : table.addColumn('id', 'serial', (c) => c.primaryKey())
      )
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('field', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('resolved_at', 'text')
        .addColumn('resolved_by', 'text')
        .execute();
      await db.schema
        .createIndex('review_items_open')
        .on('review_items')
        .columns(['status', 'agreement_id'])
        .execute();
    },
  };
}
