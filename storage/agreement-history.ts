import { UserError } from '../core/errors.js';
import { getAgreement, updateAgreement } from './agreements.js';
import type { DB } from './database.js';

/**
 * Stable ids. An agreement id, once issued, is never reused and always leads somewhere: a
 * record merged into another keeps its row with `merged_into` set, and `resolveId` follows
 * that chain to the record that carries it now. Merges, splits, creations and imports are
 * kept in the append-only `agreement_history`; other names of a record (its id in an imported
 * dataset) in `agreement_aliases`.
 *
 * The review actions (merge, split) call `recordMerge` / `recordSplit` inside their own
 * transaction, next to their record changes and their review-log entry.
 */

export type HistoryEvent =
  | 'created'
  | 'imported'
  | 'merged_into'
  | 'absorbed'
  | 'split_into'
  | 'split_from';

export interface HistoryEntry {
  readonly id: number;
  readonly agreementId: string;
  readonly event: HistoryEvent;
  readonly otherIds: readonly string[];
  readonly actor: string;
  readonly at: string;
  readonly details: Record<string, unknown>;
}

export interface NewHistoryEntry {
  readonly agreementId: string;
  readonly event: HistoryEvent;
  readonly otherIds?: readonly string[];
  /** Who did it: a reviewer's name, `dedup`, `import`. */
  readonly actor: string;
  readonly details?: Record<string, unknown>;
}

export async function appendHistory(trx: DB, entry: NewHistoryEntry): Promise<void> {
  await trx
    .insertInto('agreement_history')
    .values({
      agreement_id: entry.agreementId,
      event: entry.event,
      other_ids: JSON.stringify(entry.otherIds ?? []),
      actor: entry.actor,
      at: new Date().toISOString(),
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** The history of one id, oldest first. */
export async function agreementHistory(db: DB, agreementId: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('agreement_history')
    .selectAll()
    .where('agreement_id', '=', agreementId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    agreementId: r.agreement_id,
    event: r.event as HistoryEvent,
    otherIds: JSON.parse(r.other_ids) as string[],
    actor: r.actor,
    at: r.at,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}

export interface Resolution {
  /** The id asked for. */
  readonly requested: string;
  /** The live record that carries it now. */
  readonly id: string;
  /** The ids passed on the way (the requested one first), when it was merged away. */
  readonly via: readonly string[];
  /** When the live record was split, the records split off it (newest split). */
  readonly splitInto: readonly string[];
}

/** Longer chains than this mean a cycle, which recordMerge never creates. */
const MAX_HOPS = 64;

/**
 * The record an id (or an alias, such as an imported dataset's own id) stands for now,
 * following merges; undefined when the name is unknown.
 */
export async function resolveId(db: DB, name: string): Promise<Resolution | undefined> {
  let id = name;
  let row = await db
    .selectFrom('agreements')
    .select(['id', 'merged_into'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) {
    const alias = await db
      .selectFrom('agreement_aliases')
      .select('agreement_id')
      .where('alias', 'in', [name, `import:${name}`])
      .executeTakeFirst();
    if (alias === undefined) return undefined;
    id = alias.agreement_id;
    row = await db
      .selectFrom('agreements')
      .select(['id', 'merged_into'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
  }
  const via: string[] = [];
  for (let hops = 0; row.merged_into !== null; hops++) {
    if (hops >= MAX_HOPS) throw new UserError(`Agreement ${name} has a merge cycle`);
    via.push(row.id);
    const next: { id: string; merged_into: string | null } | undefined = await db
      .selectFrom('agreements')
      .select(['id', 'merged_into'])
      .where('id', '=', row.merged_into)
      .executeTakeFirst();
    if (next === undefined) break;
    row = next;
  }
  const split = await db
    .selectFrom('agreement_history')
    .select('other_ids')
    .where('agreement_id', '=', row.id)
    .where('event', '=', 'split_into')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return {
    requested: name,
    id: row.id,
    via,
    splitInto: split === undefined ? [] : (JSON.parse(split.other_ids) as string[]),
  };
}

export interface HistoryActor {
  /** Who merges or splits (reviewer name). */
  readonly actor: string;
  readonly note?: string | null;
}

/** Callers should say who acted; the history then at least says nobody did. */
const UNNAMED: HistoryActor = { actor: 'unnamed' };

/**
 * Bookkeeping of a merge: `from` ends up merged into (the current record of) `into`. Its
 * sources, candidates, open review items and aliases move along, records merged into `from`
 * earlier now point at the target directly, and both ids get a history entry. The caller sets
 * the target's values and writes the review log; returns the target's id.
 */
export async function recordMerge(
  trx: DB,
  from: string,
  into: string,
  by: HistoryActor = UNNAMED,
): Promise<string> {
  const source = await getAgreement(trx, from);
  if (source === undefined) throw new UserError(`No agreement ${from}`);
  if (source.mergedInto !== null) {
    throw new UserError(`Agreement ${from} was already merged into ${source.mergedInto}`);
  }
  const target = await resolveId(trx, into);
  if (target === undefined) throw new UserError(`No agreement ${into}`);
  if (target.id === from) throw new UserError(`Cannot merge ${from} into itself`);

  await updateAgreement(trx, from, { mergedInto: target.id }, source.version);
  await trx
    .updateTable('agreements')
    .set({ merged_into: target.id })
    .where('merged_into', '=', from)
    .execute();
  await trx
    .updateTable('agreement_sources')
    .set({ agreement_id: target.id })
    .where('agreement_id', '=', from)
    .execute();
  await trx
    .updateTable('candidates')
    .set({ agreement_id: target.id })
    .where('agreement_id', '=', from)
    .execute();
  await trx
    .updateTable('review_items')
    .set({ agreement_id: target.id })
    .where('agreement_id', '=', from)
    .where('status', '=', 'open')
    .execute();
  await trx
    .updateTable('agreement_aliases')
    .set({ agreement_id: target.id })
    .where('agreement_id', '=', from)
    .execute();
  const details = by.note === undefined || by.note === null ? {} : { note: by.note };
  await appendHistory(trx, {
    agreementId: from,
    event: 'merged_into',
    otherIds: [target.id],
    actor: by.actor,
    details,
  });
  await appendHistory(trx, {
    agreementId: target.id,
    event: 'absorbed',
    otherIds: [from],
    actor: by.actor,
    details,
  });
  return target.id;
}

/**
 * Bookkeeping of a split: `newIds` (already inserted by the caller) were split off `from`,
 * which stays a live record with what is left. Use `moveSources` to hand each part its pages,
 * so that a re-crawl of a page attaches to the part that holds it.
 */
export async function recordSplit(
  trx: DB,
  from: string,
  newIds: readonly string[],
  by: HistoryActor = UNNAMED,
): Promise<void> {
  const source = await getAgreement(trx, from);
  if (source === undefined) throw new UserError(`No agreement ${from}`);
  if (source.mergedInto !== null) {
    throw new UserError(`Agreement ${from} was merged into ${source.mergedInto}; split that one`);
  }
  if (newIds.length === 0) throw new UserError(`A split of ${from} needs at least one new record`);
  if (new Set(newIds).size !== newIds.length || newIds.includes(from)) {
    throw new UserError(`The parts of a split of ${from} must be distinct new records`);
  }
  for (const id of newIds) {
    if ((await getAgreement(trx, id)) === undefined) throw new UserError(`No agreement ${id}`);
  }
  const details = by.note === undefined || by.note === null ? {} : { note: by.note };
  await appendHistory(trx, {
    agreementId: from,
    event: 'split_into',
    otherIds: newIds,
    actor: by.actor,
    details,
  });
  for (const id of newIds) {
    await appendHistory(trx, {
      agreementId: id,
      event: 'split_from',
      otherIds: [from],
      actor: by.actor,
      details,
    });
  }
}

/**
 * Moves the sources with these URLs (and the candidates read from them) from one agreement to
 * another; returns how many source rows moved.
 */
export async function moveSources(
  trx: DB,
  from: string,
  to: string,
  urls: readonly string[],
): Promise<number> {
  if (urls.length === 0) return 0;
  const moved = await trx
    .updateTable('agreement_sources')
    .set({ agreement_id: to })
    .where('agreement_id', '=', from)
    .where('url', 'in', urls)
    .executeTakeFirst();
  await trx
    .updateTable('candidates')
    .set({ agreement_id: to })
    .where('agreement_id', '=', from)
    .where('url', 'in', urls)
    .execute();
  return Number(moved.numUpdatedRows);
}

export type AliasKind = 'import_id' | 'fingerprint';

/** Records another name of a record; an alias already taken keeps its first record. */
export async function addAlias(
  trx: DB,
  alias: string,
  agreementId: string,
  kind: AliasKind,
): Promise<void> {
  await trx
    .insertInto('agreement_aliases')
    .values({ alias, agreement_id: agreementId, kind, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('alias').doNothing())
    .execute();
}

export async function aliasTarget(db: DB, alias: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('agreement_aliases')
    .select('agreement_id')
    .where('alias', '=', alias)
    .executeTakeFirst();
  return row?.agreement_id;
}
