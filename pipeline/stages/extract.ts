import { NonRetryableError } from '../../core/errors.js';
import { fileDisagreements, secondOpinionOf } from '../../extractors/llm/pipeline.js';
import { insertCandidates } from '../../storage/agreements.js';
import type { StageHandler } from '../queue/types.js';
import type { SourceRegistry, StageDeps } from './deps.js';

function snapshotIdOf(payload: Record<string, unknown>): number {
  const id = payload['snapshotId'];
  if (typeof id !== 'number')
    throw new NonRetryableError('INTERNAL', 'Extract job without snapshotId');
  return id;
}

/** extract: codes the page's agreements; each becomes a candidate and a dedup job. */
export function extractStage(deps: StageDeps, sources: SourceRegistry): StageHandler {
  return async (job) => {
    const { source } = sources.get(job.sourceId);
    const snapshotId = snapshotIdOf(job.payload);
    const doc = await deps.db
      .selectFrom('documents')
      .select(['text', 'published'])
      .where('snapshot_id', '=', snapshotId)
      .executeTakeFirst();
    if (doc === undefined)
      throw new NonRetryableError('NOT_FOUND', `No parsed document for snapshot ${snapshotId}`);
    if (deps.since !== undefined && doc.published !== null && doc.published < deps.since) return {};
    let result: ReturnType<StageDeps['extract']>;
    try {
      result = deps.extract({ text: doc.text, url: job.url, published: doc.published });
    } catch (cause) {
      throw new NonRetryableError('EXTRACT', `Extractor failed on ${job.url}`, { cause });
    }
    // The LLM second opinion (when configured): its extra records and the disagreements.
    const opinion = secondOpinionOf(deps.extract);
    const second =
      opinion === undefined
        ? null
        : await opinion.review({ text: doc.text, url: job.url, published: doc.published }, result);
    const agreements = [...(result.is_signing ? result.agreements : []), ...(second?.extra ?? [])];
    if (agreements.length === 0) return {};
    const url = job.url ?? '';
    return {
      commit: async (trx) => {
        await insertCandidates(
          trx,
          agreements.map((record, ordinal) => ({
            snapshotId,
            sourceId: job.sourceId,
            sourceKind: source.kind,
            url,
            published: doc.published,
            ordinal,
            record,
          })),
        );
        if (second !== null)
          await fileDisagreements(trx, snapshotId, url, second.items, deps.logger);
      },
      next: agreements.map((_, ordinal) => ({
        stage: 'dedup' as const,
        key: `${snapshotId}:${ordinal}`,
        sourceId: job.sourceId,
        url,
        payload: { snapshotId, ordinal },
      })),
    };
  };
}
