import { NonRetryableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Fetcher } from '../../crawlers/fetcher.js';
import type { PageLoader } from '../../crawlers/page-loader.js';
import type { RobotsCache } from '../../crawlers/robots.js';
import type { ExtractionResult } from '../../schemas/agreement.js';
import type { ExtractInput } from '../../schemas/document.js';
import type { SourceDefinition } from '../../schemas/source.js';
import type { DB } from '../../storage/database.js';
import type { SnapshotStore } from '../../storage/snapshot-store.js';
import type { QueueBackend } from '../queue/types.js';
import { SourceMatcher } from '../sources.js';

/** Everything the stage functions talk to, injected so tests pass real local ones. */
export interface StageDeps {
  readonly db: DB;
  readonly store: SnapshotStore;
  readonly fetcher: Fetcher;
  /**
   * Loads pages with the plain client or the browser, as each host needs (crawlers/page-loader).
   * Without it pages are fetched plainly and `render: browser` is not honoured.
   */
  readonly loader?: PageLoader;
  readonly robots: RobotsCache;
  readonly queue: QueueBackend;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly extract: (input: ExtractInput) => ExtractionResult;
  /** Skip articles published before this date (`YYYY-MM-DD`). */
  readonly since?: string;
  /** When a proxy is configured, host names are resolved by the proxy, not here. */
  readonly viaProxy?: boolean;
}

export class SourceRegistry {
  readonly #matchers: Map<string, SourceMatcher>;

  constructor(sources: readonly SourceDefinition[]) {
    this.#matchers = new Map(sources.map((s) => [s.id, new SourceMatcher(s)]));
  }

  get(id: string): SourceMatcher {
    const m = this.#matchers.get(id);
    // A job whose source was removed from the configuration cannot run; record it and go on.
    if (m === undefined)
      throw new NonRetryableError('NOT_FOUND', `Source ${id} is no longer configured`);
    return m;
  }

  all(): SourceDefinition[] {
    return [...this.#matchers.values()].map((m) => m.source);
  }
}
