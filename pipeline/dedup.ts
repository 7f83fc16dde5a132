import type { CodedAgreement } from '../schemas/agreement.js';
import { appendHistory, resolveId } from '../storage/agreement-history.js';
import {
  addAgreementSource,
  candidatesOf,
  insertAgreement,
  linkCandidate,
  type StoredAgreement,
  type StoredCandidate,
  updateAgreement,
} from '../storage/agreements.js';
import type { DB } from '../storage/database.js';
import {
  agreementIdsCiting,
  agreementsById,
  blockAgreements,
  hasReviewEntries,
  refreshSourceRow,
  siblingAgreementIds,
  sourceRowFor,
} from '../storage/matching.js';
import {
  addConflicts,
  addReviewItem,
  canonicalJson,
  supersedeConflicts,
} from '../storage/review-items.js';
import { fieldConflicts, fieldValue } from './dedup/conflicts.js';
import { featuresOf, type MatchFeatures } from './dedup/features.js';
import { mergeRecords, SOURCE_PRIORITY } from './dedup/merge.js';
import { type DedupOptions, dedupOptions, pairScore } from './dedup/score.js';

/**
 * The dedup stage's work on one candidate: attach it to the canonical record of the same
 * signing, or start a new one. Matching rules live in `dedup/score.ts` and are shared with the
 * batch clusterer (`dedup/cluster.ts`).
 *
 * Stable ids: a re-crawled page finds the records it fed before (through its URL among their
 * sources) and attaches to them again, refreshing the source row instead of adding a second
 * one; merged records are followed to the record that absorbed them. Reviewed values are never
 * overwritten: a report that says otherwise files a `conflict` review item showing both.
 */

export { clusterRecords, clustersOf } from './dedup/cluster.js';
export { type FieldConflict, fieldConflicts } from './dedup/conflicts.js';
export { mergeRecords, SOURCE_PRIORITY } from './dedup/merge.js';
export {
  DEDUP_DEFAULTS,
  type DedupOptions,
  dateDistanceDays,
  docTypesCompatible,
  matchScore,
  pairScore,
  titleSimilarity,
} from './dedup/score.js';

export interface DedupResult {
  readonly agreementId: string;
  readonly created: boolean;
}

/** A re-crawled page prefers the records it fed before, all else being nearly equal. */
const SAME_PAGE_BONUS = 0.1;

/** Who the dedup stage is in history entries and review items. */
const ACTOR = 'dedup';

/** Pending and untouched by reviewers: its values may still be recomputed from its reports. */
async function isProtected(trx: DB, a: StoredAgreement): Promise<boolean> {
  return a.status !== 'pending' || a.reviewer !== null || (await hasReviewEntries(trx, a.id));
}

/** The reports of a record, the newest per page, most authoritative first. */
function currentReports(reports: readonly StoredCandidate[]): StoredCandidate[] {
  const newest = new Map<string, StoredCandidate>();
  for (const r of reports) {
    const seen = newest.get(r.url);
    if (seen === undefined || r.id > seen.id) newest.set(r.url, r);
  }
  return [...newest.values()].sort(
    (a, b) => SOURCE_PRIORITY[a.sourceKind] - SOURCE_PRIORITY[b.sourceKind] || a.id - b.id,
  );
}

/** The live records this candidate could belong to, with their scores, best first. */
async function rankMatches(
  trx: DB,
  candidate: StoredCandidate,
  features: MatchFeatures,
  options: Required<DedupOptions>,
): Promise<{ agreement: StoredAgreement; score: number }[]> {
  const pool = new Map<string, StoredAgreement>();
  if (features.partner !== 'unknown' && !Number.isNaN(features.startDay)) {
    const block = await blockAgreements(
      trx,
      features.partner,
      features.startDay - options.windowDays,
      features.endDay + options.windowDays,
    );
    for (const a of block) pool.set(a.id, a);
  }
  const cited = new Set<string>();
  for (const id of await agreementIdsCiting(trx, candidate.url)) {
    const live = await resolveId(trx, id);
    if (live !== undefined) cited.add(live.id);
  }
  const missing = [...cited].filter((id) => !pool.has(id));
  for (const a of await agreementsById(trx, missing)) pool.set(a.id, a);

  // Two documents of one announcement are two agreements, never one.
  const siblings = new Set<string>();
  for (const id of await siblingAgreementIds(trx, candidate.snapshotId, candidate.id)) {
    siblings.add((await resolveId(trx, id))?.id ?? id);
  }
  const ranked: { agreement: StoredAgreement; score: number }[] = [];
  for (const agreement of pool.values()) {
    if (siblings.has(agreement.id) || agreement.mergedInto !== null) continue;
    const score = pairScore(features, featuresOf(agreement.record), options);
    if (score === null) continue;
    const total = Math.min(1, score + (cited.has(agreement.id) ? SAME_PAGE_BONUS : 0));
    if (total >= options.minScore) ranked.push({ agreement, score: total });
  }
  return ranked.sort((a, b) => b.score - a.score || (a.agreement.id < b.agreement.id ? -1 : 1));
}

/**
 * Every report already in the record must be compatible with the new one (complete linkage),
 * so a vague report cannot pull two different documents together. Earlier reads of the same
 * page are not compared: this report replaces them.
 */
function fitsMembers(
  features: MatchFeatures,
  url: string,
  members: readonly StoredCandidate[],
  options: Required<DedupOptions>,
): boolean {
  return members.every(
    (m) => m.url === url || pairScore(features, featuresOf(m.record), options) !== null,
  );
}

/**
 * Attaches one candidate to the canonical record of the same signing, or creates one.
 * Pending records are re-merged from all their reports; reviewed ones gain the source but keep
 * their values, and each differing field becomes an open `conflict` review item.
 */
export async function dedupCandidate(
  trx: DB,
  candidate: StoredCandidate,
  fetchedAt: string | null,
  snapshotSha256: string | null,
  options: DedupOptions = {},
): Promise<DedupResult> {
  if (candidate.agreementId !== null) return { agreementId: candidate.agreementId, created: false };
  const opts = dedupOptions(options);
  const record = candidate.record;
  const features = featuresOf(record);

  let target: StoredAgreement | undefined;
  for (const { agreement } of await rankMatches(trx, candidate, features, opts)) {
    if (fitsMembers(features, candidate.url, await candidatesOf(trx, agreement.id), opts)) {
      target = agreement;
      break;
    }
  }

  const source = {
    candidateId: candidate.id,
    url: candidate.url,
    source_kind: candidate.sourceKind,
    published: candidate.published,
    fetched_at: fetchedAt,
    snapshot_sha256: snapshotSha256,
    archive_url: null,
  };

  if (target === undefined) {
    const agreementId = await insertAgreement(trx, { record, status: 'pending' });
    await addAgreementSource(trx, agreementId, source);
    await linkCandidate(trx, candidate.id, agreementId);
    await appendHistory(trx, {
      agreementId,
      event: 'created',
      actor: ACTOR,
      details: { url: candidate.url, candidate_id: candidate.id },
    });
    return { agreementId, created: true };
  }

  const agreementId = target.id;
  const known = await sourceRowFor(trx, agreementId, candidate.url);
  if (known === undefined) await addAgreementSource(trx, agreementId, source);
  else {
    await refreshSourceRow(trx, known.id, {
      candidateId: candidate.id,
      published: candidate.published,
      fetchedAt,
      snapshotSha256,
    });
  }
  await linkCandidate(trx, candidate.id, agreementId);

  if (await isProtected(trx, target)) {
    if (target.status === 'rejected') return { agreementId, created: false };
    const changed =
      known?.snapshot_sha256 != null &&
      snapshotSha256 !== null &&
      known.snapshot_sha256 !== snapshotSha256;
    if (changed && target.status === 'approved') {
      await addReviewItem(trx, {
        agreementId,
        kind: 'source_changed',
        field: null,
        details: { url: candidate.url, before: known.snapshot_sha256, after: snapshotSha256 },
      });
    }
    await addConflicts(
      trx,
      agreementId,
      fieldConflicts(target.record, record, { gaps: target.status === 'approved' }),
      candidate.url,
    );
    return { agreementId, created: false };
  }

  const reports = currentReports(await candidatesOf(trx, agreementId));
  const merged = mergeRecords(reports.map((r) => r.record));
  await updateAgreement(trx, agreementId, { record: merged });
  await recordPendingConflicts(trx, agreementId, merged, reports);
  return { agreementId, created: false };
}

/**
 * A pending record's conflicts follow its merged values: items whose `canonical` value is no
 * longer the record's are superseded, and each report that disagrees files (or keeps) one.
 */
async function recordPendingConflicts(
  trx: DB,
  agreementId: string,
  merged: CodedAgreement,
  reports: readonly StoredCandidate[],
): Promise<void> {
  const byUrl = new Map(reports.map((r) => [r.url, r.record]));
  await supersedeConflicts(
    trx,
    agreementId,
    (d) => {
      const report = d.candidate_url === null ? undefined : byUrl.get(d.candidate_url);
      return (
        report !== undefined &&
        canonicalJson(fieldValue(merged, d.field)) === canonicalJson(d.canonical) &&
        canonicalJson(fieldValue(report, d.field)) === canonicalJson(d.candidate)
      );
    },
    ACTOR,
  );
  for (const r of reports) {
    await addConflicts(trx, agreementId, fieldConflicts(merged, r.record), r.url);
  }
}
