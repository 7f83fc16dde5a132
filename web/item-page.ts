import type { LogEntry } from '../pipeline/review.js';
import type { CodedAgreement } from '../schemas/agreement.js';
import type { StoredAgreement } from '../storage/agreements.js';
import type { ReviewItem } from '../storage/review-items.js';
import type { User } from '../storage/users.js';
import { editInputs, type FormValues, formValuesOf } from './forms.js';
import { highlight } from './highlight.js';
import { type Html, h, query, type SafeHtml, trusted } from './html.js';
import type { ItemData, SourceView } from './item-data.js';
import { csrfField, type PageContext } from './layout.js';
import { confidenceBar, displayTitle, statusBadge } from './queue.js';

/** The item page: the coded record, its evidence in the sources, and every action on it. */

export interface ItemView {
  readonly data: ItemData;
  readonly user: User;
  /** Queue position and neighbours under the reviewer's current filters. */
  readonly position: { index: number; total: number; prev?: string; next?: string };
  /** The reviewer's filters, carried through every link and form. */
  readonly filters: Readonly<Record<string, string>>;
  /** Submitted edit values to show again after a validation error. */
  readonly editValues?: FormValues;
}

/** Display order and labels of the coded fields (nested ones flattened). */
const FIELDS: readonly (readonly [string, (r: CodedAgreement) => unknown])[] = [
  ['title_zh', (r) => r.title_zh],
  ['title_en', (r) => r.title_en],
  ['date_signed', (r) => r.date_signed],
  ['year', (r) => r.year],
  ['doc_type', (r) => r.doc_type],
  ['doc_type_term', (r) => r.doc_type_term],
  ['scope', (r) => r.scope],
  ['counterpart_countries', (r) => r.counterpart_countries],
  ['forum', (r) => r.forum],
  ['region', (r) => r.region],
  ['counterpart_agency', (r) => r.counterpart_agency],
  ['counterpart_agency_type', (r) => r.counterpart_agency_type],
  ['cn_signing_body', (r) => r.cn_signing_body],
  ['cn_signatory.name_zh', (r) => r.cn_signatory.name_zh],
  ['cn_signatory.name_en', (r) => r.cn_signatory.name_en],
  ['cn_signatory.title', (r) => r.cn_signatory.title],
  ['cn_signatory_ministerial', (r) => r.cn_signatory_ministerial],
  ['counterpart_signatory.name', (r) => r.counterpart_signatory.name],
  ['counterpart_signatory.rank', (r) => r.counterpart_signatory.rank],
  ['topics', (r) => r.topics],
  ['is_renewal', (r) => r.is_renewal],
  ['confidence', (r) => r.confidence],
];

export function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.map(show).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Evidence `field` names are top-level; nested rows match on their parent. */
const evidenceFor = (r: CodedAgreement, field: string) =>
  r.evidence.filter((e) => e.field === field || e.field === field.split('.')[0]);

function fieldsTable(r: CodedAgreement): SafeHtml {
  return h`<table class="fields"><caption class="muted small">Click a field to highlight its evidence in the sources</caption>
<tbody>${FIELDS.map(([name, get]) => {
    const ev = evidenceFor(r, name);
    const key = name.split('.')[0] ?? name;
    return h`<tr${ev.length > 0 ? h` class="has-ev" data-field="${key}"` : ''}><th scope="row">${name}</th><td>${show(get(r))}</td><td class="ev">${ev.length > 0 ? h`<span class="badge info" title="evidence quotes">${ev.length} quote${ev.length > 1 ? 's' : ''}</span>` : ''}</td></tr>`;
  })}</tbody></table>`;
}

/** Fields on which the sources' own codings differ from the record (or from each other). */
function perSource(r: CodedAgreement, sources: readonly SourceView[]): SafeHtml {
  const coded = sources.filter((s) => s.candidate !== undefined);
  if (coded.length === 0) return h``;
  // A source that says nothing about a field (null, unknown, generic) does not disagree.
  const says = (v: unknown) =>
    v !== null && v !== 'unknown' && !(Array.isArray(v) && (v.length === 0 || v[0] === 'generic'));
  const rows = FIELDS.filter(([name]) => name !== 'confidence' && name !== 'is_renewal').filter(
    ([, get]) =>
      coded.some((s) => {
        const v = get(s.candidate?.record as CodedAgreement);
        return says(v) && show(v) !== show(get(r));
      }),
  );
  if (rows.length === 0)
    return h`<p class="muted small">Every source's own coding agrees with the record.</p>`;
  return h`<table class="cmp"><thead><tr><th scope="col">field</th><th scope="col">record</th>${coded.map(
    (s, i) =>
      h`<th scope="col" title="${s.url}">source ${i + 1} <span class="muted">(${s.kind})</span></th>`,
  )}</tr></thead><tbody>${rows.map(
    ([name, get]) =>
      h`<tr class="diff"><td class="field">${name}</td><td>${show(get(r))}</td>${coded.map((s) => {
        const v = show(get(s.candidate?.record as CodedAgreement));
        return h`<td>${v === show(get(r)) ? h`<span class="muted">${v}</span>` : h`<strong>${v}</strong>`}</td>`;
      })}</tr>`,
  )}</tbody></table>`;
}

function sourcePanel(s: SourceView, i: number, r: CodedAgreement, only: boolean): SafeHtml {
  const ev = r.evidence.filter((e) => e.source_url === s.url || (only && e.source_url === null));
  const lit = s.text === null ? undefined : highlight(s.text, ev);
  return h`<section class="src" aria-label="Source ${i + 1}">
<header><span class="badge info">${s.kind}</span><span>source ${i + 1}</span>${s.published === null ? '' : h`<span class="muted small">published ${s.published}</span>`}
<a class="url" href="${s.url}" rel="noopener noreferrer nofollow" target="_blank">${s.url}</a>
${s.archiveUrl === null ? '' : h`<a class="small" href="${s.archiveUrl}" rel="noopener noreferrer nofollow" target="_blank">archived</a>`}</header>
${lit === undefined ? h`<p class="srctext muted">No parsed text stored for this source.</p>` : h`<div class="srctext" tabindex="0" aria-label="Text of source ${i + 1} with evidence highlighted">${lit.html}</div>`}
${lit !== undefined && lit.missing.length > 0 ? h`<p class="small muted">&nbsp;Quotes not found in this text: ${lit.missing.map((e) => h`<span class="code">${e.field}: “${e.quote}”</span> `)}</p>` : ''}
${
  s.hasSnapshot && s.sha256 !== null
    ? h`<details class="snapdetails"><summary class="small">&nbsp;Snapshot as fetched${s.fetchedAt === null ? '' : ` ${s.fetchedAt.slice(0, 16).replace('T', ' ')}`} (sandboxed: no scripts, no outside loads)</summary>
<iframe class="snap" sandbox src="/snapshots/${s.sha256}" title="Snapshot of ${s.url}" loading="lazy" referrerpolicy="no-referrer"></iframe></details>`
    : ''
}
</section>`;
}

const SHA256 = /^[0-9a-f]{64}$/;

const KEEP_LABEL: Record<ReviewItem['kind'], string> = {
  conflict: "Keep the record's value",
  extractor_disagreement: "Keep the rules' value",
  source_changed: 'Seen: the record stands',
};

/**
 * A re-crawled source page that changed: the page, both stored versions (sandboxed snapshot
 * links) and the sentences that changed, removed ones then added ones.
 */
function sourceChange(d: Record<string, unknown>): SafeHtml {
  const url = typeof d['url'] === 'string' ? d['url'] : null;
  // Pages re-crawled carry old_/new_snapshot_sha256; a report joining a record, before/after.
  const version = (keys: readonly string[], label: string) => {
    const sha = keys.map((k) => d[k]).find((v) => typeof v === 'string');
    return typeof sha === 'string' && SHA256.test(sha)
      ? h` <a href="/snapshots/${sha}" target="_blank" rel="noopener">${label}</a>`
      : '';
  };
  const diff = typeof d['diff'] === 'string' ? d['diff'].split('\n') : [];
  const line = (l: string) =>
    l.startsWith('+ ')
      ? h`<ins>${l}</ins>`
      : l.startsWith('- ')
        ? h`<del>${l}</del>`
        : h`<span>${l}</span>`;
  return h`<p class="small">${url === null ? 'The source page' : h`<a href="${url}" rel="noopener noreferrer nofollow" target="_blank">${url}</a>`} changed since this record was coded:${version(['old_snapshot_sha256', 'before'], 'before')}${version(['new_snapshot_sha256', 'after'], 'after')}</p>
${diff.length === 0 ? '' : h`<div class="srcdiff">${diff.map(line)}</div>`}`;
}

function itemBlock(
  item: ReviewItem,
  ctx: PageContext,
  a: StoredAgreement,
  filters: Html,
): SafeHtml {
  const d = item.details;
  const open = item.status === 'open';
  const pair =
    item.kind === 'source_changed'
      ? sourceChange(d)
      : item.kind === 'extractor_disagreement'
        ? h`<table class="cmp"><tbody><tr class="diff"><th scope="row">rules</th><td>${show(d['rules'])}</td></tr>
<tr class="diff"><th scope="row">model</th><td><strong>${show(d['llm'])}</strong></td></tr></tbody></table>`
        : 'canonical' in d || 'candidate' in d
          ? h`<table class="cmp"><tbody><tr class="diff"><th scope="row">record</th><td>${show(d['canonical'])}</td></tr>
<tr class="diff"><th scope="row">${typeof d['candidate_url'] === 'string' ? h`<a href="${d['candidate_url']}" rel="noopener noreferrer nofollow" target="_blank">source</a>` : 'source'}</th><td><strong>${show(d['candidate'])}</strong></td></tr></tbody></table>`
          : h`<pre class="code">${JSON.stringify(d, null, 1)}</pre>`;
  return h`<div class="panel"><div class="itemhead"><span class="badge conflict">${item.kind}</span> <strong>${item.field ?? ''}</strong>
<span class="muted small">${item.status}${item.resolvedBy === null ? '' : ` by ${item.resolvedBy}`}</span></div>${pair}
${
  open && a.status === 'pending'
    ? h`<form method="post" action="/items/${a.id}/review-items/${item.id}" class="actions-inline">${csrfField(ctx)}${filters}<input type="hidden" name="version" value="${a.version}">
<button name="choice" value="keep" type="submit">${KEEP_LABEL[item.kind]}</button>${'candidate' in d && item.field !== null ? h` <button name="choice" value="take" type="submit" class="accent">Use the source's value</button>` : ''}</form>`
    : ''
}</div>`;
}

function matchPanel(v: ItemView, ctx: PageContext, filters: Html): SafeHtml {
  const m = v.data.match;
  const a = v.data.agreement;
  if (m === undefined)
    return h`<p class="muted">No other record with the same partner within a month of this date.</p>`;
  const o = m.other;
  const rows = FIELDS.filter(([n]) => n !== 'confidence').map(([name, get]) => {
    const x = show(get(a.record));
    const y = show(get(o.record));
    return h`<tr${x === y ? '' : trusted(' class="diff"')}><td class="field">${name}</td><td>${x}</td><td>${y}</td></tr>`;
  });
  const diffs = FIELDS.filter(
    ([n, get]) => n !== 'confidence' && show(get(a.record)) !== show(get(o.record)),
  ).length;
  const mergeForm = (survivor: string, merged: string, label: string) =>
    h`<form method="post" action="/items/${a.id}/merge">${csrfField(ctx)}${filters}
<input type="hidden" name="survivor" value="${survivor}"><input type="hidden" name="merged" value="${merged}">
<input type="hidden" name="version" value="${a.version}"><input type="hidden" name="other_version" value="${o.version}">
<button type="submit">${label}</button></form>`;
  return h`<p class="small">${m.score === null ? h`<span class="badge pending">near date, rules say different</span>` : h`<span class="badge info">dedup score ${m.score.toFixed(2)}</span>`}
 ${diffs} field${diffs === 1 ? '' : 's'} differ. <a href="/items/${o.id}${query(v.filters)}">Open ${o.id}</a> ${statusBadge(o.status)}</p>
<table class="cmp"><thead><tr><th scope="col">field</th><th scope="col">this record (${a.id})</th><th scope="col">${o.id}</th></tr></thead><tbody>${rows}</tbody></table>
<div class="inline-form">${mergeForm(a.id, o.id, `Merge ${o.id} into this record`)}${mergeForm(o.id, a.id, `Merge this record into ${o.id}`)}</div>`;
}

function logTable(entries: readonly LogEntry[]): SafeHtml {
  if (entries.length === 0) return h`<p class="muted small">No decisions yet.</p>`;
  return h`<table class="log"><thead><tr><th scope="col">when (UTC)</th><th scope="col">who</th><th scope="col">action</th><th scope="col">details</th></tr></thead><tbody>${entries.map(
    (e) =>
      h`<tr><td>${e.at.slice(0, 19).replace('T', ' ')}</td><td>${e.reviewer}</td><td>${e.action}</td><td>${describeEntry(e)}</td></tr>`,
  )}</tbody></table>`;
}

/** One log entry's details, readable: field changes as before → after. */
export function describeEntry(e: LogEntry): SafeHtml {
  const d = e.details;
  const parts: SafeHtml[] = [];
  if (e.note !== null) parts.push(h`<span>“${e.note}”</span>`);
  const changes = Array.isArray(d['changes'])
    ? (d['changes'] as { field: string; before: unknown; after: unknown }[])
    : [];
  for (const c of changes)
    parts.push(h`<code>${c.field}</code>: ${show(c.before)} → <strong>${show(c.after)}</strong>`);
  for (const key of [
    'from',
    'to',
    'survivor',
    'merged',
    'original',
    'created',
    'undone_action',
    'undoes',
    'decision',
    'batch',
  ])
    if (d[key] !== undefined) parts.push(h`<span class="muted">${key}</span> ${show(d[key])}`);
  return h`${parts.map((p, i) => h`${i > 0 ? '; ' : ''}${p}`)}`;
}

/** The undo button (key u) for the reviewer's most recent decision, if any. */
export function undoForm(
  ctx: PageContext,
  filters: Readonly<Record<string, string>>,
  top: LogEntry | undefined,
): SafeHtml {
  if (top === undefined) return h``;
  return h`<form method="post" action="/undo">${csrfField(ctx)}${Object.entries(filters).map(([k, val]) => h`<input type="hidden" name="q.${k}" value="${val}">`)}<button type="submit" data-key="u" aria-keyshortcuts="u" title="Undo your last decision (up to ten back)">Undo ${top.action} ${top.agreement_id} <kbd>u</kbd></button></form>`;
}

export function renderItem(v: ItemView, ctx: PageContext): SafeHtml {
  const { agreement: a, sources, items } = v.data;
  const r = a.record;
  const pending = a.status === 'pending';
  const assignment = v.data.assignment;
  const doubleReview = assignment !== undefined;
  const filterFields = h`${Object.entries(v.filters).map(([k, val]) => h`<input type="hidden" name="q.${k}" value="${val}">`)}`;
  const hidden = h`${csrfField(ctx)}${filterFields}<input type="hidden" name="version" value="${a.version}">`;
  const q = query(v.filters);
  const next = v.position.next;
  const undoTop = v.data.undoTop;
  const decideTarget = doubleReview ? `/items/${a.id}/double-review` : undefined;

  const actions = h`<div class="actions" role="toolbar" aria-label="Decide">
${
  pending || doubleReview
    ? h`<form method="post" action="${decideTarget ?? `/items/${a.id}/approve`}">${hidden}${doubleReview ? h`<input type="hidden" name="decision" value="approve">` : ''}
<button type="submit" class="primary" data-key="a" aria-keyshortcuts="a">${doubleReview ? 'Approve (my coding)' : 'Approve'} <kbd>a</kbd></button></form>
<details class="inline" data-key="r"><summary class="btn" aria-keyshortcuts="r">Reject… <kbd>r</kbd></summary>
<form method="post" action="${decideTarget ?? `/items/${a.id}/reject`}">${hidden}${doubleReview ? h`<input type="hidden" name="decision" value="reject">` : ''}
<label for="reason">Reason</label><input type="text" id="reason" name="reason" required placeholder="e.g. no document signed" size="32">
<button type="submit" class="danger">Reject</button></form></details>
<a class="btn" href="#edit" data-open="edit" aria-keyshortcuts="e">Edit <kbd>e</kbd></a>`
    : h`<span>${statusBadge(a.status)} by ${a.reviewer ?? '?'}${a.reviewedAt === null ? '' : ` at ${a.reviewedAt.slice(0, 16).replace('T', ' ')}`}${a.note === null ? '' : h` — “${a.note}”`}</span>
${v.user.role === 'admin' ? h`<form method="post" action="/items/${a.id}/reopen">${hidden}<button type="submit">Reopen</button></form>` : ''}`
}
${next === undefined ? h`<a class="btn" href="/queue${q}" data-key="s j n" aria-keyshortcuts="s j n">Back to queue <kbd>s</kbd></a>` : h`<a class="btn" href="/items/${next}${q}" data-key="s j n" aria-keyshortcuts="s j n">Skip / next <kbd>s</kbd><kbd>j</kbd></a>`}
${v.position.prev === undefined ? '' : h`<a class="btn" href="/items/${v.position.prev}${q}" data-key="k p" aria-keyshortcuts="k p">Previous <kbd>k</kbd></a>`}
${undoForm(ctx, v.filters, undoTop)}
<span class="muted small">press <kbd>?</kbd> for all keys</span></div>`;

  const editPanel =
    pending || doubleReview
      ? h`<details class="panel" id="edit" data-key="e"${v.editValues === undefined ? '' : trusted(' open')}><summary>${doubleReview ? 'My coding (double review: the record is not changed)' : 'Edit fields'} <kbd>e</kbd></summary>
<form method="post" action="${decideTarget ?? `/items/${a.id}/edit`}">${hidden}${doubleReview ? h`<input type="hidden" name="decision" value="approve">` : ''}
${editInputs(v.editValues ?? formValuesOf(doubleReview && assignment.record !== null ? assignment.record : r))}
<p><label for="edit-note">Note (kept in the audit log)</label> <input type="text" id="edit-note" name="note" size="40">
<button type="submit" class="accent">${doubleReview ? 'Save my coding and approve' : 'Save changes'}</button> <span class="muted small">Enter saves, Esc leaves a field</span></p></form></details>`
      : '';

  const openItems = items.filter((i) => i.status === 'open');
  return h`<div class="itemhead">
<h1><span class="muted">${a.id}</span> <span class="title">${displayTitle(a)}</span></h1>
${statusBadge(a.status)}${doubleReview ? h` <span class="badge info">double review${assignment.decision === null ? '' : `: you said ${assignment.decision}`}</span>` : ''}
${openItems.length > 0 ? h`<span class="badge conflict">${openItems.length} open conflict${openItems.length > 1 ? 's' : ''}</span>` : ''}
<span class="muted small">version ${a.version} · ${sources.length} source${sources.length === 1 ? '' : 's'} · confidence ${confidenceBar(r.confidence)}</span>
<span class="pos muted small">${v.position.index >= 0 ? `${v.position.index + 1} of ${v.position.total} in queue` : `${v.position.total} in queue`}</span></div>
${actions}
<div class="grid"><div>
<section class="panel" aria-labelledby="h-fields"><h2 id="h-fields">Coded fields</h2>${fieldsTable(r)}</section>
${editPanel}
${openItems.length > 0 || items.length > 0 ? h`<section aria-labelledby="h-items"><h2 id="h-items">Review items (sources disagree)</h2>${items.map((i) => itemBlock(i, ctx, a, filterFields))}</section>` : ''}
</div><div>
<section aria-labelledby="h-sources"><h2 id="h-sources">Sources and evidence</h2>${sources.map((s, i) => sourcePanel(s, i, r, sources.length === 1))}</section>
${
  pending && sources.length > 1
    ? h`<details class="panel"><summary>Split: these sources report another signing</summary>
<form method="post" action="/items/${a.id}/split">${hidden}<p class="small muted">The checked sources move to a new record with a new id; at least one must stay.</p>
${sources.map((s, i) => h`<div><label><input type="checkbox" name="source" value="${s.url}"> source ${i + 1} <span class="muted small">${s.url}</span></label></div>`)}
<p><button type="submit">Split off checked sources</button></p></form></details>`
    : ''
}
</div></div>
<section class="panel" aria-labelledby="h-persource"><h2 id="h-persource">What each source says <span class="muted small">(fields where a source's own coding differs from the record)</span></h2>${perSource(r, sources)}</section>
<section class="panel" aria-labelledby="h-match"><h2 id="h-match">Proposed canonical match</h2>${matchPanel(v, ctx, filterFields)}
<form method="post" action="/items/${a.id}/merge" class="inline-form">${csrfField(ctx)}${filterFields}<input type="hidden" name="survivor" value="${a.id}"><input type="hidden" name="version" value="${a.version}">
<label for="merge-id">Merge another record into this one:</label> <input type="text" id="merge-id" name="merged" placeholder="PW-000123" pattern="[A-Za-z0-9-]+" required size="12"> <button type="submit">Merge</button></form></section>
<section class="panel" aria-labelledby="h-log"><h2 id="h-log">History of this record</h2>${logTable(v.data.log)}</section>
<div class="help" id="help" hidden role="dialog" aria-label="Keyboard shortcuts"><table><tbody>
<tr><td><kbd>a</kbd></td><td>approve</td></tr><tr><td><kbd>r</kbd></td><td>reject (type a reason, Enter)</td></tr>
<tr><td><kbd>e</kbd></td><td>edit fields</td></tr><tr><td><kbd>s</kbd> <kbd>j</kbd> <kbd>n</kbd></td><td>skip to next</td></tr>
<tr><td><kbd>k</kbd> <kbd>p</kbd></td><td>previous</td></tr><tr><td><kbd>u</kbd></td><td>undo your last decision (up to 10)</td></tr>
<tr><td><kbd>Esc</kbd></td><td>leave a text field</td></tr><tr><td><kbd>?</kbd></td><td>this help</td></tr></tbody></table></div>`;
}
