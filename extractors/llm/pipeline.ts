import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { dedupCandidate } from '../../pipeline/dedup.js';
import type { CodedAgreement, ExtractionResult } from '../../schemas/agreement.js';
import type { ExtractInput } from '../../schemas/document.js';
import { getCandidate } from '../../storage/agreements.js';
import type { DB } from '../../storage/database.js';
import { addReviewItem } from '../../storage/review-items.js';
import { extract as extractByRules } from '../index.js';
import { DbLlmCache } from './cache.js';
import type { Disagreement } from './compare.js';
import type { LlmExtractor } from './extractor.js';
import { codePage, llmFromConfig } from './modes.js';

/**
 * The LLM second opinion in the crawl pipeline. The extract stage's injected function stays the
 * rules (synchronous, exact evidence offsets); when `PACTWATCH_LLM_MODEL` is set it also carries
 * a second opinion, which the stage awaits: records only the model found become candidates too,
 * and every disagreement becomes an `extractor_disagreement` review item on the agreement the
 * candidate joins.
 */

/** A disagreement about candidate `ordinal` of the page (rules' records first, then the model's). */
export interface PendingDisagreement {
  readonly ordinal: number;
  readonly field: string;
  readonly rules: unknown;
  readonly llm: unknown;
}

export interface SecondOpinionResult {
  /** Records only the model found: candidates after the rules' ones. */
  readonly extra: readonly CodedAgreement[];
  readonly items: readonly PendingDisagreement[];
}

export interface SecondOpinion {
  review(input: ExtractInput, rules: ExtractionResult): Promise<SecondOpinionResult>;
}

export type StageExtractor = ((input: ExtractInput) => ExtractionResult) & {
  readonly secondOpinion?: SecondOpinion;
};

/** Spread disagreements over candidate ordinals; a page-level one lands on every rules record. */
function pending(rules: ExtractionResult, found: readonly Disagreement[]): SecondOpinionResult {
  const extra: CodedAgreement[] = [];
  const items: PendingDisagreement[] = [];
  for (const d of found) {
    if (d.field === 'record' && d.ordinal === null) {
      const ordinal = rules.agreements.length + extra.length;
      extra.push(d.llm as CodedAgreement);
      items.push({ ordinal, field: 'record', rules: null, llm: 'found' });
    } else if (d.ordinal !== null) {
      items.push({ ordinal: d.ordinal, field: d.field, rules: d.rules, llm: d.llm });
    } else {
      // is_signing: the model says no signing where the rules coded records.
      rules.agreements.forEach((_, ordinal) => {
        items.push({ ordinal, field: d.field, rules: d.rules, llm: d.llm });
      });
    }
  }
  return { extra, items };
}

/** The rules, with the model as a second opinion the extract stage asks. */
export function withSecondOpinion(
  llm: LlmExtractor,
  rules: (input: ExtractInput) => ExtractionResult = extractByRules,
): StageExtractor {
  const secondOpinion: SecondOpinion = {
    async review(input, own) {
      const coding = await codePage('both', input, llm, () => own);
      return coding.disagreements === null
        ? { extra: [], items: [] }
        : pending(own, coding.disagreements);
    },
  };
  return Object.assign((input: ExtractInput) => rules(input), { secondOpinion });
}

export function secondOpinionOf(
  extract: (input: ExtractInput) => ExtractionResult,
): SecondOpinion | undefined {
  return (extract as StageExtractor).secondOpinion;
}

/**
 * Files the page's disagreements as review items, inside the extract job's transaction. The
 * candidate is attached to its agreement here (the dedup job that follows finds it attached and
 * does nothing), because a review item belongs to an agreement.
 */
export async function fileDisagreements(
  trx: DB,
  snapshotId: number,
  url: string,
  items: readonly PendingDisagreement[],
  logger?: Logger,
): Promise<number> {
  if (items.length === 0) return 0;
  const snap = await trx
    .selectFrom('snapshots')
    .select(['fetched_at', 'body_sha256'])
    .where('id', '=', snapshotId)
    .executeTakeFirst();
  let filed = 0;
  for (const item of items) {
    const candidate = await getCandidate(trx, snapshotId, item.ordinal);
    if (candidate === undefined) continue;
    const { agreementId } = await dedupCandidate(
      trx,
      candidate,
      snap?.fetched_at ?? null,
      snap?.body_sha256 ?? null,
    );
    const id = await addReviewItem(trx, {
      agreementId,
      kind: 'extractor_disagreement',
      field: item.field,
      details: { field: item.field, rules: item.rules, llm: item.llm, url },
    });
    if (id !== null) filed += 1;
  }
  logger?.info({ snapshotId, filed }, 'extractor disagreements filed for review');
  return filed;
}

/**
 * What the crawl pipeline injects as `StageDeps.extract`: the rules, with the model's second
 * opinion when `PACTWATCH_LLM_MODEL` is set (answers cached in the database's `llm_cache`).
 */
export function stageExtractor(config: Config, db: DB, logger: Logger): StageExtractor {
  const llm = llmFromConfig(config, { cache: new DbLlmCache(db), logger });
  return llm === undefined ? extractByRules : withSecondOpinion(llm);
}
