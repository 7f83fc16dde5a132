import { NonRetryableError } from '../../core/errors.js';
import { getCandidate } from '../../storage/agreements.js';
import { dedupCandidate } from '../dedup.js';
import type { StageHandler } from '../queue/types.js';
import type { StageDeps } from './deps.js';

/** dedup: attaches the candidate to its canonical agreement, inside the job's transaction. */
export function dedupStage(_deps: StageDeps): StageHandler {
  return async (job) => {
    const snapshotId = job.payload['snapshotId'];
    const ordinal = job.payload['ordinal'];
    if (typeof snapshotId !== 'number' || typeof ordinal !== 'number') {
      throw new NonRetryableError('INTERNAL', 'Dedup job without snapshotId/ordinal');
    }
    return {
      commit: async (trx) => {
        const candidate = await getCandidate(trx, snapshotId, ordinal);
        if (candidate === undefined)
          throw new NonRetryableError('NOT_FOUND', `No candidate ${snapshotId}:${ordinal}`);
        const snap = await trx
          .selectFrom('snapshots')
          .select(['fetched_at', 'body_sha256'])
          .where('id', '=', snapshotId)
          .executeTakeFirst();
        await dedupCandidate(trx, candidate, snap?.fetched_at ?? null, snap?.body_sha256 ?? null);
      },
    };
  };
}
