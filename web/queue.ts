import { REVIEW_STATUSES, TOPICS } from '../schemas/codes.js';
import {
  listAgreements,
  type SourceRow,
  type StoredAgreement,
  sourcesOf,
} from '../storage/agreements.js';
import { listAssignments } from '../storage/assignments.js';
import type { DB } from '../storage/database.js';
import type { User } from '../storage/users.js';
import { h, query, type SafeHtml, trusted } from './html.js';

/** The review queue: which records, in which order, with which filters. */

export const SORTS = {
  priority: 'Priority, then lowest confidence',
  confidence: 'Highest confidence first',
  date: 'Date signed',
  id: 'Id',
} as const;
export type Sort = keyof typeof SORTS;

export interface QueueFilter {
  readonly status: (typeof REVIEW_STATUSES)[number] | 'any';
  /** `kind:mps` (a kind of source) or `site:ID` (one configured source). */
  readonly source: string;
  readonly year: string;
  readonly country: string;
  readonly topic: string;
  readonly sort: Sort;
  readonly page: number;
}

export const PAGE_SIZE = 50;

const pick = <T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T =>
  value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

/** Reads filters from a query string; anything unexpected falls back to the default. */
export function parseFilter(q: (name: string) => string | undefined): QueueFilter {
  const clean = (v: string | undefined, re: RegExp) => (v !== undefined && re.test(v) ? v : '');
  const page = Number(q('page') ?? '1');
  return {
    status: pick(q('status'), [...REVIEW_STATUSES, 'any'], 'pending'),
    source: clean(q('source'), /^(kind|site):[A-Za-z0-9._-]{1,64}$/),
    year: clean(q('year'), /^\d{4}$/),
    country: clean(q('country'), /^[A-Z]{3}$|^forum:[A-Za-z0-9 _-]{1,40}$/),
    topic: clean(q('topic'), /^[a-z_]{1,40}$/),
    sort: pick(q('sort'), Object.keys(SORTS) as Sort[], 'priority'),
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

/** The filter as query parameters (for links that keep the reviewer's place). */
export function filterParams(f: QueueFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.status !== 'pending') out['status'] = f.status;
  if (f.source !== '') out['source'] = f.source;
  if (f.year !== '') out['year'] = f.year;
  if (f.country !== '') out['country'] = f.country;
  if (f.topic !== '') out['topic'] = f.topic;
  if (f.sort !== 'priority') out['sort'] = f.sort;
  return out;
}

export interface QueueRow {
  readonly agreement: StoredAgreement;
  readonly sources: readonly SourceRow[];
  readonly sites: readonly string[];
  readonly openItems: number;
  readonly assignedToMe: boolean;
  /** 2: waiting for my double review; 1: sources disagree (open review items); 0: plain. */
  readonly priority: number;
}

export interface Queue {
  readonly rows: readonly QueueRow[];
  readonly facets: {
    readonly years: readonly string[];
    readonly partners: readonly string[];
    readonly kinds: readonly string[];
    readonly sites: readonly string[];
  };
}

export const partnerOf = (a: StoredAgreement) =>
  a.record.forum !== null ? `forum:${a.record.forum}` : a.record.counterpart_countries.join('+');

function compare(sort: Sort): (x: QueueRow, y: QueueRow) => number {
  const date = (r: QueueRow) => r.agreement.record.date_signed ?? '';
  const byId = (x: QueueRow, y: QueueRow) => x.agreement.id.localeCompare(y.agreement.id);
  switch (sort) {
    case 'confidence':
      return (x, y) => y.agreement.record.confidence - x.agreement.record.confidence || byId(x, y);
    case 'date':
      return (x, y) => date(x).localeCompare(date(y)) || byId(x, y);
    case 'id':
      return byId;
    default:
      // Items that block others first; then those the extractor was least sure of.
      return (x, y) =>
        y.priority - x.priority ||
        x.agreement.record.confidence - y.agreement.record.confidence ||
        date(x).localeCompare(date(y)) ||
        byId(x, y);
  }
}

export async function loadQueue(db: DB, f: QueueFilter, user: User): Promise<Queue> {
  const all = await listAgreements(db, { status: 'any' });
  const ids = all.map((a) => a.id);
  const sources = await sourcesOf(db, ids);
  const sites = new Map<string, Set<string>>();
  for (const r of await db
    .selectFrom('candidates')
    .select(['agreement_id', 'source_id'])
    .where('agreement_id', 'is not', null)
    .execute()) {
    if (r.agreement_id === null) continue;
    const set = sites.get(r.agreement_id) ?? new Set<string>();
    set.add(r.source_id);
    sites.set(r.agreement_id, set);
  }
  const open = new Map<string, number>();
  for (const r of await db
    .selectFrom('review_items')
    .select(['agreement_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'open')
    .groupBy('agreement_id')
    .execute())
    open.set(r.agreement_id, Number(r.n));
  const mine = new Set(
    (await listAssignments(db, { reviewer: user.name, decided: false })).map((a) => a.agreementId),
  );

  const rows: QueueRow[] = all.map((a) => {
    const openItems = open.get(a.id) ?? 0;
    const assignedToMe = mine.has(a.id);
    return {
      agreement: a,
      sources: sources.get(a.id) ?? [],
      sites: [...(sites.get(a.id) ?? [])].sort(),
      openItems,
      assignedToMe,
      priority: assignedToMe ? 2 : openItems > 0 ? 1 : 0,
    };
  });
  const facets = {
    years: [
      ...new Set(all.map((a) => a.record.date_signed?.slice(0, 4) ?? '').filter(Boolean)),
    ].sort(),
    partners: [
      ...new Set(
        all.flatMap((a) =>
          a.record.forum !== null ? [`forum:${a.record.forum}`] : a.record.counterpart_countries,
        ),
      ),
    ].sort(),
    kinds: [...new Set(rows.flatMap((r) => r.sources.map((s) => s.source_kind)))].sort(),
    sites: [...new Set(rows.flatMap((r) => r.sites))].sort(),
  };
  const wanted = rows.filter((r) => {
    const rec = r.agreement.record;
    if (f.status !== 'any' && r.agreement.status !== f.status) return false;
    if (f.year !== '' && !(rec.date_signed ?? '').startsWith(f.year)) return false;
    if (f.country !== '') {
      const ok = f.country.startsWith('forum:')
        ? rec.forum === f.country.slice(6)
        : rec.counterpart_countries.includes(f.country);
      if (!ok) return false;
    }
    if (f.topic !== '' && !(rec.topics as readonly string[]).includes(f.topic)) return false;
    if (f.source.startsWith('kind:') && !r.sources.some((s) => s.source_kind === f.source.slice(5)))
      return false;
    if (f.source.startsWith('site:') && !r.sites.includes(f.source.slice(5))) return false;
    return true;
  });
  return { rows: wanted.sort(compare(f.sort)), facets };
}

/** Previous and next record around `id` in the queue order (for j/k and after a decision). */
export function neighbours(
  q: Queue,
  id: string,
  sort: Sort,
  current?: QueueRow,
): { index: number; prev?: string; next?: string } {
  const i = q.rows.findIndex((r) => r.agreement.id === id);
  if (i >= 0)
    return { index: i, prev: q.rows[i - 1]?.agreement.id, next: q.rows[i + 1]?.agreement.id };
  // The record left the queue (decided): its neighbours are where it would sort.
  if (current === undefined) return { index: -1, next: q.rows[0]?.agreement.id };
  const cmp = compare(sort);
  const j = q.rows.findIndex((r) => cmp(r, current) > 0);
  const k = j < 0 ? q.rows.length : j;
  return { index: -1, prev: q.rows[k - 1]?.agreement.id, next: q.rows[k]?.agreement.id };
}

/** A record's title, or what it is and with whom when no title was reported. */
export function displayTitle(a: StoredAgreement): SafeHtml {
  const r = a.record;
  if (r.title_zh !== null || r.title_en !== null) return h`${r.title_zh ?? r.title_en}`;
  const what = r.doc_type_term ?? r.doc_type.replace(/_/g, ' ');
  return h`<em class="untitled">${what} · ${r.counterpart_agency ?? partnerOf(a)}</em>`;
}

export function statusBadge(status: string): SafeHtml {
  return h`<span class="badge ${status}">${status}</span>`;
}

export function confidenceBar(c: number): SafeHtml {
  return h`<meter class="conf" min="0" max="1" low="0.5" high="0.8" optimum="1" value="${c}" aria-hidden="true"></meter>${c.toFixed(2)}`;
}

function select(
  name: string,
  label: string,
  value: string,
  options: readonly (readonly [string, string])[],
) {
  return h`<label>${label}<select name="${name}">${options.map(
    ([v, text]) =>
      h`<option value="${v}"${v === value ? trusted(' selected') : ''}>${text}</option>`,
  )}</select></label>`;
}

export function renderQueue(q: Queue, f: QueueFilter, toolbar: SafeHtml = h``): SafeHtml {
  const total = q.rows.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pageNo = Math.min(f.page, pages);
  const shown = q.rows.slice((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
  const params = filterParams(f);
  const filters = h`<form class="panel filters" method="get" action="/queue" aria-label="Filters">
  ${select('status', 'Status', f.status, [
    ['pending', 'pending'],
    ['approved', 'approved'],
    ['rejected', 'rejected'],
    ['any', 'any'],
  ])}
  ${select('source', 'Source', f.source, [
    ['', 'any source'],
    ...q.facets.kinds.map((k) => [`kind:${k}`, `kind: ${k}`] as const),
    ...q.facets.sites.map((s) => [`site:${s}`, `site: ${s}`] as const),
  ])}
  ${select('year', 'Year', f.year, [['', 'any year'], ...q.facets.years.map((y) => [y, y] as const)])}
  ${select('country', 'Country / forum', f.country, [
    ['', 'any partner'],
    ...q.facets.partners.map((p) => [p, p] as const),
  ])}
  ${select('topic', 'Topic', f.topic, [['', 'any topic'], ...[...TOPICS, 'generic'].map((t) => [t, t] as const)])}
  ${select('sort', 'Sort', f.sort, Object.entries(SORTS))}
  <button type="submit" class="accent">Apply</button>
  <a class="btn" href="/queue">Reset</a>
</form>`;
  const body = shown.map((r) => {
    const a = r.agreement;
    const href = `/items/${encodeURIComponent(a.id)}${query(params)}`;
    const kinds = [...new Set(r.sources.map((s) => s.source_kind))];
    return h`<tr data-href="${href}">
  <td><a href="${href}">${a.id}</a></td>
  <td>${statusBadge(a.status)} ${r.assignedToMe ? h`<span class="badge info">double review</span>` : ''} ${r.openItems > 0 ? h`<span class="badge conflict">${r.openItems} conflict${r.openItems > 1 ? 's' : ''}</span>` : ''}</td>
  <td>${a.record.date_signed ?? '?'}</td>
  <td>${partnerOf(a)}</td>
  <td>${a.record.doc_type}</td>
  <td class="title"><a href="${href}">${displayTitle(a)}</a>${a.record.title_zh !== null && a.record.title_en !== null ? h`<div class="muted small">${a.record.title_en}</div>` : ''}</td>
  <td>${r.sources.length} <span class="muted small">${kinds.join(', ')}</span></td>
  <td class="num">${confidenceBar(a.record.confidence)}</td>
</tr>`;
  });
  const pager =
    pages > 1
      ? h`<div class="pager">${pageNo > 1 ? h`<a class="btn" href="/queue${query({ ...params, page: pageNo - 1 })}">← Previous</a>` : ''}
      <span class="muted">page ${pageNo} of ${pages}</span>
      ${pageNo < pages ? h`<a class="btn" href="/queue${query({ ...params, page: pageNo + 1 })}">Next →</a>` : ''}</div>`
      : '';
  const first = shown[0];
  return h`<div class="itemhead"><h1>Review queue</h1><span class="muted">${total} record${total === 1 ? '' : 's'}</span>
  <span class="pos">${toolbar}${first === undefined ? '' : h`<a class="btn" data-key="s" href="/items/${encodeURIComponent(first.agreement.id)}${query(params)}">Start reviewing <kbd>s</kbd></a>`}</span></div>
${filters}
<div class="panel"><table class="queue"><caption class="muted small">Keyboard: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open</caption>
<thead><tr><th scope="col">Id</th><th scope="col">Status</th><th scope="col">Signed</th><th scope="col">Partner</th><th scope="col">Type</th><th scope="col">Title</th><th scope="col">Sources</th><th scope="col" class="num">Confidence</th></tr></thead>
<tbody>${body}</tbody></table>
${total === 0 ? h`<p class="muted">Nothing matches these filters.</p>` : ''}${pager}</div>`;
}
