import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * The first schema: sources, crawls and their jobs (the frontier), snapshots and parsed
 * documents, candidates, canonical agreements with their sources, the review log, releases.
 */
export function initial(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
        dialect === 'sqlite'
          ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'serial', (c) => c.primaryKey());

      await db.schema
        .createTable('sources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await id(db.schema.createTable('crawls'))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source_ids', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .execute();

      await id(db.schema.createTable('jobs'))
        .addColumn('crawl_id', 'integer', (c) => c.notNull().references('crawls.id'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('host', 'text')
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addColumn('page_type', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('not_before', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('http_status', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('jobs_crawl_stage_key', ['crawl_id', 'stage', 'key'])
        .execute();
      await db.schema
        .createIndex('jobs_ready')
        .on('jobs')
        .columns(['state', 'not_before'])
        .execute();
      await db.schema
        .createIndex('jobs_crawl_source')
        .on('jobs')
        .columns(['crawl_id', 'source_id', 'stage', 'state'])
        .execute();

      await id(db.schema.createTable('snapshots'))
        .addColumn('crawl_id', 'integer')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('final_url', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('headers', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text')
        .addColumn('charset', 'text')
        .addColumn('body_sha256', 'text', (c) => c.notNull())
        .addColumn('body_bytes', 'integer', (c) => c.notNull())
        .addColumn('fetched_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('snapshots_url').on('snapshots').column('url').execute();

      await db.schema
        .createTable('documents')
        .addColumn('snapshot_id', 'integer', (c) => c.primaryKey().references('snapshots.id'))
        .addColumn('title', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('published', 'text')
        .execute();

      await id(db.schema.createTable('candidates'))
        .addColumn('snapshot_id', 'integer', (c) => c.notNull().references('snapshots.id'))
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('published', 'text')
        .addColumn('ordinal', 'integer', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('agreement_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('candidates_snapshot_ordinal', ['snapshot_id', 'ordinal'])
        .execute();
      await db.schema
        .createIndex('candidates_agreement')
        .on('candidates')
        .column('agreement_id')
        .execute();

      await db.schema
        .createTable('agreements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('partner_key', 'text', (c) => c.notNull())
        .addColumn('date_signed', 'text')
        .addColumn('doc_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text')
        .addColumn('reviewed_at', 'text')
        .addColumn('note', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('merged_into', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agreements_status').on('agreements').column('status').execute();
      // Dedup blocks on partner and a date window.
      await db.schema
        .createIndex('agreements_block')
        .on('agreements')
        .columns(['partner_key', 'date_signed'])
        .execute();

      await id(db.schema.createTable('agreement_sources'))
        .addColumn('agreement_id', 'text', (c) => c.notNull().references('agreements.id'))
        .addColumn('candidate_id', 'integer')
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('published', 'text')
        .addColumn('fetched_at', 'text')
        .addColumn('snapshot_sha256', 'text')
        .addColumn('archive_url', 'text')
        .execute();
      await db.schema
        .createIndex('agreement_sources_agreement')
        .on('agreement_sources')
        .column('agreement_id')
        .execute();

      await id(db.schema.createTable('review_log'))
        .addColumn('agreement_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reviewer', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('releases')
        .addColumn('version', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('records', 'integer', (c) => c.notNull())
        .addColumn('files', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();

      // The review log is append-only: the database itself refuses edits and deletions.
      if (dialect === 'sqlite') {
        await sql`CREATE TRIGGER review_log_no_update BEFORE UPDATE ON review_log
        BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
        BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END`.execute(db);
      } else {
        // One plpgsql function refuses row updates and deletes and, at statement level,
        // TRUNCATE (which skips row triggers). It lives in the schema the tables are in.
        await sql`CREATE FUNCTION review_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'review_log is append-only' USING ERRCODE = 'restrict_violation';
        END $$`.execute(db);
        await sql`CREATE TRIGGER review_log_no_update BEFORE UPDATE OR DELETE ON review_log
        FOR EACH ROW EXECUTE FUNCTION review_log_append_only()`.execute(db);
        await sql`CREATE TRIGGER review_log_no_truncate BEFORE TRUNCATE ON review_log
        FOR EACH STATEMENT EXECUTE FUNCTION review_log_append_only()`.execute(db);
      }
    },
  };
}
