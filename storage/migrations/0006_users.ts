import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Reviewers of the web app: accounts (scrypt password hashes, role reviewer or admin), their
 * sessions (the token is stored only as its sha256, so a copy of the database signs nobody in)
 * and double-review assignments, where two reviewers code the same record independently.
 */
export function users(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const withId = (name: string) => {
        const t = db.schema.createTable(name);
        return dialect === 'sqlite'
          ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'serial', (c) => c.primaryKey());
      };

      await withId('users')
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

      await withId('review_assignments')
        .addColumn('batch', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text', (c) => c.notNull())
        .addColumn('assigned_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decision', 'text')
        .addColumn('record', 'text')
        .addColumn('note', 'text')
        .addColumn('decided_at', 'text')
        .addUniqueConstraint('review_assignments_once', ['agreement_id', 'reviewer'])
        .execute();
      await db.schema
        .createIndex('review_assignments_reviewer')
        .on('review_assignments')
        .columns(['reviewer', 'decided_at'])
        .execute();
    },
  };
}
