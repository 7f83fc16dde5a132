import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { AgreementSource, CodedAgreement } from '../schemas/agreement.js';
import {
  addAlias,
  aliasTarget,
  appendHistory,
  recordMerge,
  resolveId,
} from '../storage/agreement-history.js';
import {
  addAgreementSource,
  appendReview,
  candidatesOf,
  getAgreement,
  insertAgreement,
  type StoredAgreement,
  sourcesOf,
  updateAgreement,
} from '../storage/agreements.js';
import type { DB } from '../storage/database.js';
import { blockAgreements, hasReviewEntries } from '../storage/matching.js';
import { addConflicts, canonicalJson } from '../storage/review-items.js';
import { type FieldConflict, fieldConflicts } from './dedup/conflicts.js';
import { featuresOf } from './dedup/features.js';
import { type DedupOptions, dedupOptions, pairScore } from './dedup/score.js';
import { type ImportRow, parseImport } from './import/rows.js';

/**
 * `pactwatch import FILE`: loads an existing dataset (such as the hand-built version 2.0) as
 * approved canonical records, so that crawls attach their reports to them and surface only
 * what is new or different.
 *
 * Idempotent: a row with an id is the record with that id (or the record it was merged into);
 * a row without one is found again by the fingerprint of its coded fields. Re-importing the
 * same file changes nothing; a row that now says something else about an approved record files
 * `conflict` review items instead of overwriting it. A crawled record that is still pending
 * and matches a new imported row is merged into it, so the reviewers do not see it twice.
 * The whole file is one transaction, and nothing is written unless every row reads.
 */

export interface ImportOptions {
  /** Who the import is recorded as when a row names no reviewer. @default 'import' */
  readonly reviewer?: string;
  /** How the file is named in review items (`import:LABEL`). @default the file's base name */
  readonly label?: string;
  /** Matching of imported rows against crawled pending records. */
  readonly dedup?: DedupOptions;
}

export const IMPORT_DEFAULTS = { reviewer: 'import' } as const;

export interface ImportReport {
  readonly rows: number;
  readonly created: number;
  readonly unchanged: number;
  /** Pending records the import gave its values and approved. */
  readonly updated: number;
  /** Crawled pending records merged into a newly imported one. */
  readonly absorbed: number;
  /** Conflict review items filed (a row disagrees with a reviewed record). */
  readonly conflicts: number;
  readonly sourcesAdded: number;
  /** Rows whose review status is pending or rejected: not imported. */
  readonly skipped: number;
  /** Rows without an id that repeat an earlier row of the file. */
  readonly duplicates: number;
}

/** Fields compared between a stored record and a row (derived and free-text-only fields aside). */
function comparable(r: CodedAgreement): Record<string, unknown> {
  return {
    title_zh: r.title_zh,
    title_en: r.title_en,
    date_signed: r.date_signed,
    doc_type: r.doc_type,
    doc_type_term: r.doc_type_term,
    scope: r.scope,
    counterpart_countries: [...r.counterpart_countries].sort(),
    forum: r.forum,
    region: r.region,
    counterpart_agency: r.counterpart_agency,
    counterpart_agency_type: r.counterpart_agency_type,
    cn_signing_body: r.cn_signing_body,
    cn_signatory_name_zh: r.cn_signatory.name_zh,
    cn_signatory_name_en: r.cn_signatory.name_en,
    cn_signatory_title: r.cn_signatory.title,
    cn_signatory_ministerial: r.cn_signatory_ministerial,
    counterpart_signatory_name: r.counterpart_signatory.name,
    counterpart_signatory_rank: r.counterpart_signatory.rank,
    topics: [...r.topics].sort(),
  };
}

/** Every field on which the row differs from the stored record, as conflicts. */
export function recordDiff(stored: CodedAgreement, row: CodedAgreement): FieldConflict[] {
  const a = comparable(stored);
  const b = comparable(row);
  return Object.keys(a)
    .filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]))
    .map((k) => ({ field: k, canonical: a[k], candidate: b[k] }));
}

export function fingerprint(record: CodedAgreement): string {
  return `fp:${createHash('sha256')
    .update(canonicalJson(comparable(record)))
    .digest('hex')}`;
}

async function isProtected(trx: DB, a: StoredAgreement): Promise<boolean> {
  return a.status !== 'pending' || a.reviewer !== null || (await hasReviewEntries(trx, a.id));
}

/** Keeps the agreement counter past an imported `PW-n`, so no later id collides with it. */
async function reserveId(trx: DB, id: string): Promise<void> {
  const m = /^PW-(\d+)$/.exec(id);
  if (m === null) return;
  const n = Number(m[1]);
  const row = await trx
    .selectFrom('counters')
    .select('value')
    .where('name', '=', 'agreement')
    .executeTakeFirst();
  if (row === undefined)
    await trx.insertInto('counters').values({ name: 'agreement', value: n }).execute();
  else if (row.value < n) {
    await trx.updateTable('counters').set({ value: n }).where('name', '=', 'agreement').execute();
  }
}

async function addNewSources(
  trx: DB,
  agreementId: string,
  sources: readonly AgreementSource[],
): Promise<number> {
  const known = new Set(
    ((await sourcesOf(trx, [agreementId])).get(agreementId) ?? []).map((s) => s.url),
  );
  let added = 0;
  for (const s of sources) {
    if (known.has(s.url)) continue;
    known.add(s.url);
    await addAgreementSource(trx, agreementId, { ...s, candidateId: null });
    added++;
  }
  return added;
}

/** The crawled, still untouched pending record that a new imported row stands for, if any. */
async function absorbable(
  trx: DB,
  row: ImportRow,
  options: Required<DedupOptions>,
): Promise<StoredAgreement | undefined> {
  const f = featuresOf(row.record);
  if (f.partner === 'unknown' || Number.isNaN(f.startDay)) return undefined;
  const block = await blockAgreements(
    trx,
    f.partner,
    f.startDay - options.windowDays,
    f.endDay + options.windowDays,
  );
  let best: { a: StoredAgreement; score: number } | undefined;
  for (const a of block) {
    if (a.status !== 'pending' || (await isProtected(trx, a))) continue;
    const score = pairScore(f, featuresOf(a.record), options);
    if (score !== null && score >= options.minScore && (best === undefined || score > best.score)) {
      best = { a, score };
    }
  }
  return best?.a;
}

export async function importRows(
  db: DB,
  rows: readonly ImportRow[],
  options: ImportOptions = {},
): Promise<ImportReport> {
  const label = options.label ?? 'dataset';
  const matching = dedupOptions(options.dedup);
  const ids = new Map<string, number>();
  for (const r of rows) {
    if (r.id === null) continue;
    const earlier = ids.get(r.id);
    if (earlier !== undefined) {
      throw new UserError(`${label}: rows ${earlier} and ${r.row} both have id ${r.id}`);
    }
    ids.set(r.id, r.row);
  }
  const counts = {
    rows: rows.length,
    created: 0,
    unchanged: 0,
    updated: 0,
    absorbed: 0,
    conflicts: 0,
    sourcesAdded: 0,
    skipped: 0,
    duplicates: 0,
  };
  const source = `import:${label}`;
  await db.transaction().execute(async (trx) => {
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.review.status !== undefined && row.review.status !== 'approved') {
        counts.skipped++;
        continue;
      }
      const reviewer = row.review.reviewer ?? options.reviewer ?? IMPORT_DEFAULTS.reviewer;
      const fp = fingerprint(row.record);
      if (row.id === null && seen.has(fp)) {
        counts.duplicates++;
        continue;
      }
      seen.add(fp);
      const name = row.id ?? (await aliasTarget(trx, fp));
      const resolved = name === undefined ? undefined : await resolveId(trx, name);
      const existing = resolved === undefined ? undefined : await getAgreement(trx, resolved.id);
      const details = { file: label, row: row.row };

      if (existing !== undefined) {
        counts.sourcesAdded += await addNewSources(trx, existing.id, row.sources);
        const diff = recordDiff(existing.record, row.record);
        if (diff.length === 0) {
          counts.unchanged++;
        } else if (await isProtected(trx, existing)) {
          counts.conflicts += await addConflicts(trx, existing.id, diff, source);
        } else {
          await updateAgreement(
            trx,
            existing.id,
            {
              record: row.record,
              status: 'approved',
              reviewer,
              reviewedAt: new Date().toISOString(),
            },
            existing.version,
          );
          await appendReview(trx, {
            agreementId: existing.id,
            action: 'import',
            reviewer,
            details: { ...details, changed: diff.map((d) => d.field) },
          });
          await appendHistory(trx, {
            agreementId: existing.id,
            event: 'imported',
            actor: reviewer,
            details,
          });
          counts.updated++;
        }
        continue;
      }

      const pending = await absorbable(trx, row, matching);
      const id = await insertAgreement(trx, {
        record: row.record,
        status: 'approved',
        reviewer,
        note: row.review.note ?? null,
        ...(row.id === null ? {} : { id: row.id }),
      });
      if (row.id !== null) await reserveId(trx, row.id);
      else await addAlias(trx, fp, id, 'fingerprint');
      if (pending !== undefined) {
        await recordMerge(trx, pending.id, id, { actor: reviewer, note: `imported from ${label}` });
        for (const c of await candidatesOf(trx, id)) {
          counts.conflicts += await addConflicts(
            trx,
            id,
            fieldConflicts(row.record, c.record, { gaps: true }),
            c.url,
          );
        }
        counts.absorbed++;
      }
      counts.sourcesAdded += await addNewSources(trx, id, row.sources);
      await appendReview(trx, {
        agreementId: id,
        action: 'import',
        reviewer,
        details: { ...details, ...(pending === undefined ? {} : { absorbed: pending.id }) },
      });
      await appendHistory(trx, {
        agreementId: id,
        event: 'imported',
        otherIds: pending === undefined ? [] : [pending.id],
        actor: reviewer,
        details,
      });
      counts.created++;
    }
  });
  return counts;
}

/** Reads, validates and imports one file (CSV, JSON or JSON lines). */
export async function importFile(
  db: DB,
  file: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}`);
  }
  const label = options.label ?? path.basename(file);
  const rows = parseImport(content, label);
  return importRows(db, rows, { ...options, label });
}
