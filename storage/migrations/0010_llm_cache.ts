import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './dialect.js';

/**
 * Answers of the optional LLM extractor, by content hash (prompt version, model, page text, URL
 * and date): a re-crawl of an unchanged page, or a second run over the same documents, pays for
 * nothing. `result` is the validated ExtractionResult as JSON; `tokens` what the call cost.
 */
export function llmCache(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('llm_cache')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
