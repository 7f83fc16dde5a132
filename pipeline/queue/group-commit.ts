import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { DB } from '../../storage/database.js';

/**
 * Group commit: the writes of jobs that finish close together go into one transaction instead
 * of one each. Each job still commits atomically with its completion (a crash keeps all of a
 * batch or none of it), and a job whose writes fail does not take the others down: the batch
 * is rolled back and its jobs are committed one by one, so only the failing one sees its error.
 */

export type Work = (trx: DB) => Promise<void>;

interface Pending {
  readonly work: Work;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  readonly db: DB;
  /** Jobs per transaction at most. @default 256 */
  readonly maxBatch?: number;
  /**
   * How long the first write of a batch waits for others to join it (0: one turn of the event
   * loop). Measured on the crawl benchmark, waiting longer only added idle time: jobs of one
   * process end one after another, so batches hardly grow.
   * @default 0
   */
  readonly lingerMs?: number;
}

export class GroupCommit {
  readonly #db: DB;
  readonly #maxBatch: number;
  readonly #lingerMs: number;
  #pending: Pending[] = [];
  #running = false;

  constructor(options: GroupCommitOptions) {
    this.#db = options.db;
    const max = options.maxBatch ?? 256;
    if (!Number.isInteger(max) || max <= 0) {
      throw new TypeError(`Expected \`maxBatch\` to be a positive integer, got \`${max}\``);
    }
    this.#maxBatch = max;
    const linger = options.lingerMs ?? 0;
    if (!Number.isFinite(linger) || linger < 0) {
      throw new TypeError(`Expected \`lingerMs\` to be a non-negative number, got \`${linger}\``);
    }
    this.#lingerMs = linger;
  }

  /** Resolves once `work` is committed; rejects with its own error if it failed. */
  submit(work: Work): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ work, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      // Let jobs finishing close together join the same batch.
      if (this.#lingerMs > 0) await sleep(this.#lingerMs);
      else await nextTurn();
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch);
        await this.#flush(batch);
      }
    } finally {
      this.#running = false;
      if (this.#pending.length > 0) void this.#drain();
    }
  }

  async #flush(batch: readonly Pending[]): Promise<void> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const p of batch) await p.work(trx);
      });
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      // Someone's writes failed and rolled the batch back: find out whose, one by one.
      for (const p of batch) {
        try {
          await this.#db.transaction().execute((trx) => p.work(trx));
          p.resolve();
        } catch (own) {
          p.reject(own);
        }
      }
      return;
    }
    for (const p of batch) p.resolve();
  }
}
