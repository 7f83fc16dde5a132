import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001_initial.js';
import { reviewItems } from './0002_review_items.js';
import { schedules } from './0003_schedules.js';
import { agreementHistory } from './0004_agreement_history.js';
import { releaseMeta } from './0005_release_meta.js';
import { users } from './0006_users.js';
import { hostRenderModes } from './0007_host_render_modes.js';
import { pages } from './0008_pages.js';
import { llmCache } from './0010_llm_cache.js';
import type { Dialect } from './dialect.js';

export type { Dialect } from './dialect.js';

/**
 * Versioned migrations, applied in name order on start. Each takes the dialect so that one list
 * serves SQLite and PostgreSQL; add a migration as a new file `NNNN_name.ts` and one line here.
 * Never edit a migration that has shipped: add another.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_review_items': reviewItems(dialect),
    '0003_schedules': schedules(dialect),
    '0004_agreement_history': agreementHistory(dialect),
    '0005_release_meta': releaseMeta(dialect),
    '0006_users': users(dialect),
    '0007_host_render_modes': hostRenderModes(dialect),
    '0008_pages': pages(dialect),
    '0010_llm_cache': llmCache(dialect),
  };
}

export class StaticMigrationProvider implements MigrationProvider {
  readonly #dialect: Dialect;
  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.#dialect);
  }
}
