import { createHash } from 'node:crypto';
import { clusterRecords } from '../pipeline/dedup/cluster.js';
import { dedupCandidate } from '../pipeline/dedup.js';
import { getCandidate, insertCandidates } from '../storage/agreements.js';
import type { DB } from '../storage/database.js';
import type { Category, TruthItem } from './dedup-data.js';
import { bcubed, pairwise, type Scores } from './dedup-metrics.js';

/**
 * Runs both dedup paths over a generated truth set and scores them: the batch clusterer in
 * memory, and the dedup stage itself, one candidate at a time into a real SQLite database, in
 * a shuffled order (a crawl meets the reports of one signing in any order).
 */

export interface Evaluation {
  readonly pairwise: Scores;
  readonly bcubed: Scores;
  readonly byCategory: Readonly<Record<Category, Scores & { reports: number }>>;
  readonly clusters: number;
  readonly signings: number;
  readonly ms: number;
  /** The predicted cluster of each report. */
  readonly labels: ArrayLike<number>;
}

const CATEGORIES: readonly Category[] = [
  'single',
  'multi',
  'series',
  'renewal',
  'near_miss',
  'neighbour',
];

export function score(
  items: readonly TruthItem[],
  labels: ArrayLike<number>,
  ms: number,
): Evaluation {
  const truth = Int32Array.from(items, (i) => i.truth);
  const byCategory = {} as Record<Category, Scores & { reports: number }>;
  for (const c of CATEGORIES) {
    const reports = items.filter((i) => i.category === c).length;
    byCategory[c] = { ...bcubed(truth, labels, (i) => items[i]?.category === c), reports };
  }
  return {
    pairwise: pairwise(truth, labels),
    bcubed: bcubed(truth, labels),
    byCategory,
    clusters: new Set(Array.from(labels)).size,
    signings: new Set(truth).size,
    ms,
    labels,
  };
}

export function evaluateBatch(items: readonly TruthItem[]): Evaluation {
  const t0 = performance.now();
  const { labels } = clusterRecords(items);
  return score(items, labels, performance.now() - t0);
}

function shuffled<T>(list: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Feeds every report through `dedupCandidate` on `db` (an empty, migrated database). */
export async function evaluateStage(
  db: DB,
  items: readonly TruthItem[],
  seed = 1,
): Promise<Evaluation> {
  const byUrl = new Map<string, number[]>();
  for (const [i, item] of items.entries()) {
    const list = byUrl.get(item.url) ?? [];
    list.push(i);
    byUrl.set(item.url, list);
  }
  const keys: { snapshotId: number; ordinal: number; index: number }[] = [];
  await db.transaction().execute(async (trx) => {
    for (const [url, indices] of byUrl) {
      const snap = await trx
        .insertInto('snapshots')
        .values({
          crawl_id: null,
          url,
          final_url: url,
          source_id: 'eval',
          status: 200,
          headers: '{}',
          content_type: 'text/html',
          charset: 'utf-8',
          body_sha256: createHash('sha256').update(url).digest('hex'),
          body_bytes: 0,
          fetched_at: '2026-01-01T00:00:00.000Z',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await insertCandidates(
        trx,
        indices.map((index, ordinal) => {
          keys.push({ snapshotId: snap.id, ordinal, index });
          const item = items[index] as TruthItem;
          return {
            snapshotId: snap.id,
            sourceId: 'eval',
            sourceKind: item.sourceKind,
            url,
            published: null,
            ordinal,
            record: item.record,
          };
        }),
      );
    }
  });
  const t0 = performance.now();
  for (const key of shuffled(keys, seed)) {
    const candidate = await getCandidate(db, key.snapshotId, key.ordinal);
    if (candidate === undefined) throw new Error(`candidate ${key.snapshotId}:${key.ordinal} lost`);
    await db.transaction().execute((trx) => dedupCandidate(trx, candidate, null, null));
  }
  const ms = performance.now() - t0;
  const labels = new Int32Array(items.length);
  const ids = new Map<string, number>();
  const rows = await db
    .selectFrom('candidates')
    .select(['snapshot_id', 'ordinal', 'agreement_id'])
    .execute();
  const final = new Map(rows.map((r) => [`${r.snapshot_id}:${r.ordinal}`, r.agreement_id ?? '']));
  for (const key of keys) {
    const id = final.get(`${key.snapshotId}:${key.ordinal}`) ?? '';
    if (!ids.has(id)) ids.set(id, ids.size);
    labels[key.index] = ids.get(id) ?? -1;
  }
  return score(items, labels, ms);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

export function formatEvaluation(title: string, e: Evaluation): string {
  const lines = [
    `${title}: ${e.clusters} clusters for ${e.signings} signings, ${e.ms.toFixed(0)} ms`,
    `  pairwise  precision ${pct(e.pairwise.precision)}  recall ${pct(e.pairwise.recall)}  F1 ${pct(e.pairwise.f1)}`,
    `  B-cubed   precision ${pct(e.bcubed.precision)}  recall ${pct(e.bcubed.recall)}  F1 ${pct(e.bcubed.f1)}`,
    '  B-cubed by case:',
  ];
  for (const [c, s] of Object.entries(e.byCategory)) {
    lines.push(
      `    ${c.padEnd(10)} ${String(s.reports).padStart(5)} reports  P ${pct(s.precision)}  R ${pct(s.recall)}  F1 ${pct(s.f1)}`,
    );
  }
  return lines.join('\n');
}
