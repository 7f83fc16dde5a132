import type { CodedAgreement, ExtractionResult } from '../schemas/agreement.js';
import type { SourceKind } from '../schemas/codes.js';
import { insertCandidates } from '../storage/agreements.js';
import type { DB } from '../storage/database.js';
import type { NewJob } from '../storage/jobs.js';
import { matchScore } from './dedup.js';
import type { StageOutcome } from './queue/types.js';

/**
 * What a re-crawl does with a page whose content changed: it is re-extracted, and for every
 * agreement the page supported a reviewer gets a `source_changed` item with the old and new
 * snapshot and a short diff, instead of the pipeline silently re-coding reviewed records.
 */

// ---------------------------------------------------------------------------------------------
// Text diff

export interface TextDiffOptions {
  /** Changed sentences shown. @default 12 */
  readonly maxLines?: number;
  /** Characters kept per sentence. @default 160 */
  readonly maxLineChars?: number;
}

export const TEXT_DIFF_DEFAULTS = { maxLines: 12, maxLineChars: 160 } as const;

/** Above this many cells the diff gives up on alignment and shows a plain replacement. */
const MAX_DIFF_CELLS = 250_000;

/** Sentences: Chinese pages have few line breaks, so a paragraph is too coarse a unit. */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    for (const s of line.split(/(?<=[。！？；!?;])|(?<=\.)\s+/u)) {
      const t = s.trim();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

type Op = { readonly sign: '-' | '+'; readonly text: string };

/** Longest common subsequence alignment of two short sentence lists. */
function align(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_DIFF_CELLS) {
    return [
      ...a.map((text) => ({ sign: '-' as const, text })),
      ...b.map((text) => ({ sign: '+' as const, text })),
    ];
  }
  const w = m + 1;
  const lcs = new Int32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j >= m || (i < n && (lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0))) {
      ops.push({ sign: '-', text: a[i++] ?? '' });
    } else {
      ops.push({ sign: '+', text: b[j++] ?? '' });
    }
  }
  return ops;
}

/**
 * A short, human-readable diff of two page texts, sentence by sentence: `- old` / `+ new`
 * lines, long sentences cut, at most `maxLines` lines. Empty when the texts say the same.
 */
export function textDiff(before: string, after: string, options: TextDiffOptions = {}): string {
  const maxLines = options.maxLines ?? TEXT_DIFF_DEFAULTS.maxLines;
  const maxChars = options.maxLineChars ?? TEXT_DIFF_DEFAULTS.maxLineChars;
  const a = sentences(before);
  const b = sentences(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (
    end < a.length - start &&
    end < b.length - start &&
    a[a.length - 1 - end] === b[b.length - 1 - end]
  )
    end++;
  const ops = align(a.slice(start, a.length - end), b.slice(start, b.length - end));
  const cut = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  const lines = ops.slice(0, maxLines).map((op) => `${op.sign} ${cut(op.text)}`);
  if (ops.length > maxLines) lines.push(`… ${ops.length - maxLines} more changed sentences`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Agreements a page supports

export interface SupportedAgreement {
  readonly agreementId: string;
  readonly candidateId: number;
  readonly ordinal: number;
  readonly record: CodedAgreement;
  readonly snapshotId: number;
}

/** The agreements that candidates from earlier versions of `url` were merged into. */
export async function agreementsSupportedBy(db: DB, url: string): Promise<SupportedAgreement[]> {
  const rows = await db
    .selectFrom('candidates')
    .innerJoin('snapshots', 'snapshots.id', 'candidates.snapshot_id')
    .select([
      'candidates.id as candidate_id',
      'candidates.agreement_id',
      'candidates.ordinal',
      'candidates.record',
      'snapshots.id as snapshot_id',
    ])
    .where('snapshots.url', '=', url)
    .where('candidates.agreement_id', 'is not', null)
    .orderBy('snapshots.id', 'desc')
    .execute();
  // The newest version's report per agreement is what the reviewer last saw.
  const out = new Map<string, SupportedAgreement>();
  for (const r of rows) {
    if (r.agreement_id === null || out.has(r.agreement_id)) continue;
    out.set(r.agreement_id, {
      agreementId: r.agreement_id,
      candidateId: r.candidate_id,
      ordinal: r.ordinal,
      record: JSON.parse(r.record) as CodedAgreement,
      snapshotId: r.snapshot_id,
    });
  }
  return [...out.values()];
}

const COMPARED_FIELDS = [
  'title_zh',
  'title_en',
  'date_signed',
  'doc_type',
  'scope',
  'counterpart_countries',
  'forum',
  'counterpart_agency',
  'cn_signatory',
  'counterpart_signatory',
  'topics',
] as const satisfies readonly (keyof CodedAgreement)[];

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export function fieldChanges(before: CodedAgreement, after: CodedAgreement): FieldChange[] {
  const norm = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v);
  return COMPARED_FIELDS.filter((f) => norm(before[f]) !== norm(after[f])).map((field) => ({
    field,
    before: before[field],
    after: after[field],
  }));
}

/** Pairs each supported agreement with the new report that matches it best (if any). */
function pair(
  supported: readonly SupportedAgreement[],
  fresh: readonly CodedAgreement[],
): Map<string, number> {
  const scored: { agreementId: string; ordinal: number; score: number }[] = [];
  for (const s of supported) {
    for (const [ordinal, record] of fresh.entries()) {
      const score = matchScore(record, s.record, { windowDays: 31, minTitleSimilarity: 0 });
      // Same position on the page is the tie-breaker when the coding moved too much to match.
      const value = score ?? (ordinal === s.ordinal ? 0.01 : null);
      if (value !== null) scored.push({ agreementId: s.agreementId, ordinal, score: value });
    }
  }
  scored.sort((x, y) => y.score - x.score);
  const byAgreement = new Map<string, number>();
  const taken = new Set<number>();
  for (const s of scored) {
    if (byAgreement.has(s.agreementId) || taken.has(s.ordinal)) continue;
    byAgreement.set(s.agreementId, s.ordinal);
    taken.add(s.ordinal);
  }
  return byAgreement;
}

export interface ChangedPage {
  readonly url: string;
  readonly finalUrl: string;
  readonly sourceId: string;
  readonly sourceKind: SourceKind;
  readonly published: string | null;
  readonly snapshot: { readonly id: number; readonly sha256: string };
  readonly previous: { readonly id: number; readonly sha256: string; readonly text: string };
  readonly text: string;
  readonly extraction: ExtractionResult;
}

/**
 * The outcome for a changed page that supports agreements: the new reports become candidates
 * (those that match a supported agreement are attached to it, the others go through dedup like
 * any new report), and every supported agreement gets a `source_changed` review item.
 */
export function changedPageOutcome(
  page: ChangedPage,
  supported: readonly SupportedAgreement[],
): StageOutcome {
  const fresh = page.extraction.is_signing ? page.extraction.agreements : [];
  const pairs = pair(supported, fresh);
  const paired = new Set(pairs.values());
  const diff = textDiff(page.previous.text, page.text);
  const now = new Date().toISOString();
  const next: NewJob[] = fresh.flatMap((_, ordinal) =>
    paired.has(ordinal)
      ? []
      : [
          {
            stage: 'dedup' as const,
            key: `${page.snapshot.id}:${ordinal}`,
            sourceId: page.sourceId,
            url: page.finalUrl,
            payload: { snapshotId: page.snapshot.id, ordinal },
          },
        ],
  );
  return {
    next,
    commit: async (trx) => {
      await insertCandidates(
        trx,
        fresh.map((record, ordinal) => ({
          snapshotId: page.snapshot.id,
          sourceId: page.sourceId,
          sourceKind: page.sourceKind,
          url: page.finalUrl,
          published: page.published,
          ordinal,
          record,
        })),
      );
      for (const s of supported) {
        const ordinal = pairs.get(s.agreementId);
        const after = ordinal === undefined ? undefined : fresh[ordinal];
        if (ordinal !== undefined) {
          await trx
            .updateTable('candidates')
            .set({ agreement_id: s.agreementId })
            .where('snapshot_id', '=', page.snapshot.id)
            .where('ordinal', '=', ordinal)
            .execute();
        }
        await trx
          .insertInto('review_items')
          .values({
            agreement_id: s.agreementId,
            kind: 'source_changed',
            field: null,
            status: 'open',
            created_at: now,
            resolved_at: null,
            resolved_by: null,
            details: JSON.stringify({
              url: page.url,
              old_snapshot_id: page.previous.id,
              old_snapshot_sha256: page.previous.sha256,
              new_snapshot_id: page.snapshot.id,
              new_snapshot_sha256: page.snapshot.sha256,
              diff,
              still_reported: after !== undefined,
              field_changes: after === undefined ? [] : fieldChanges(s.record, after),
            }),
          })
          .execute();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Vanished pages

/** URLs under which agreements cite a page (its own and where it redirected to). */
export async function citedUrls(db: DB, urls: readonly string[]): Promise<string[]> {
  if (urls.length === 0) return [];
  const rows = await db
    .selectFrom('agreement_sources')
    .select('url')
    .distinct()
    .where('url', 'in', [...new Set(urls)])
    .execute();
  return rows.map((r) => r.url);
}

/** Records an archived copy on the sources that cite the page and have none yet. */
export async function recordArchiveUrl(
  db: DB,
  urls: readonly string[],
  archiveUrl: string,
): Promise<number> {
  if (urls.length === 0) return 0;
  const r = await db
    .updateTable('agreement_sources')
    .set({ archive_url: archiveUrl })
    .where('url', 'in', [...new Set(urls)])
    .where('archive_url', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
