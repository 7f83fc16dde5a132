import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001_initial.js';
import { reviewItems } from './0002_review_items.js';
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
