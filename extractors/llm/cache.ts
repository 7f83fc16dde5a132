import { createHash } from 'node:crypto';
import type { ExtractionResult } from '../../schemas/agreement.js';
import type { DB } from '../../storage/database.js';

/**
 * Answers already paid for, by content hash: the same page text (with its URL and date), the
 * same model and the same prompt give the same answer, so a re-crawl or a re-run asks nothing.
 */
export interface LlmCache {
  get(key: string): Promise<ExtractionResult | undefined>;
  set(
    key: string,
    entry: { readonly model: string; readonly result: ExtractionResult; readonly tokens: number },
  ): Promise<void>;
}

/** The cache key: SHA-256 over the prompt version, the model and the page as the model sees it. */
export function cacheKey(parts: {
  readonly promptVersion: number;
  readonly model: string;
  readonly text: string;
  readonly url: string | null;
  readonly published: string | null;
}): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** In memory, for one process (tests, one-off runs). */
export class MemoryLlmCache implements LlmCache {
  readonly #entries = new Map<string, ExtractionResult>();

  async get(key: string): Promise<ExtractionResult | undefined> {
    return this.#entries.get(key);
  }

  async set(key: string, entry: { readonly result: ExtractionResult }): Promise<void> {
    this.#entries.set(key, entry.result);
  }
}

/** The `llm_cache` table (migration 0010): shared by every process on the same database. */
export class DbLlmCache implements LlmCache {
  readonly #db: DB;

  constructor(db: DB) {
    this.#db = db;
  }

  async get(key: string): Promise<ExtractionResult | undefined> {
    const row = await this.#db
      .selectFrom('llm_cache')
      .select('result')
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.result) as ExtractionResult);
  }

  async set(
    key: string,
    entry: { readonly model: string; readonly result: ExtractionResult; readonly tokens: number },
  ): Promise<void> {
    await this.#db
      .insertInto('llm_cache')
      .values({
        key,
        model: entry.model,
        result: JSON.stringify(entry.result),
        tokens: entry.tokens,
        created_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
}
