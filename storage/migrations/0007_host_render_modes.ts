import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Which hosts need the browser: one row per host and page type (`list`, `article`), written
 * when the page loader decides (a script challenge, script-filled pages, or a re-check that
 * found plain requests work again), so the next crawl does not rediscover it page by page.
 */
export function hostRenderModes(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('host_render_modes')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('page_type', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('host_render_modes_pk', ['host', 'page_type'])
        .execute();
    },
  };
}
