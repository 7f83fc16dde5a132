import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * What the version rule needs from the release index: the schema fingerprint each release was
 * cut with, the release it was compared with, and the bump it stands for. Null for releases cut
 * before these were kept.
 */
export function releaseMeta(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // One column per statement: SQLite's ALTER TABLE adds one column at a time.
      await db.schema.alterTable('releases').addColumn('schema_fingerprint', 'text').execute();
      await db.schema.alterTable('releases').addColumn('previous_version', 'text').execute();
      await db.schema.alterTable('releases').addColumn('bump', 'text').execute();
    },
  };
}
