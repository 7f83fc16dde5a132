import { type LogEntry, UNDOABLE_ACTIONS } from '../pipeline/review.js';
import type { PairReport } from '../pipeline/review-agreement.js';
import type { StoredAgreement } from '../storage/agreements.js';
import type { Assignment } from '../storage/assignments.js';
import { h, query, type SafeHtml, trusted } from './html.js';
import { describeEntry } from './item-page.js';
import { csrfField, type PageContext } from './layout.js';
import { statusBadge } from './queue.js';

/** The smaller pages: sign-in, audit log, double-review assignments, reviewer agreement. */

export function renderLogin(o: { loginToken: string; next: string; name?: string }): SafeHtml {
  return h`<section class="panel login" aria-labelledby="h-login"><h1 id="h-login">Sign in to review</h1>
<form method="post" action="/login"><input type="hidden" name="_login" value="${o.loginToken}"><input type="hidden" name="next" value="${o.next}">
<label for="name">Name<input type="text" id="name" name="name" autocomplete="username" required value="${o.name ?? ''}"${o.name === undefined ? trusted(' autofocus') : ''}></label>
<label for="password">Password<input type="password" id="password" name="password" autocomplete="current-password" required${o.name === undefined ? '' : trusted(' autofocus')}></label>
<button type="submit" class="accent">Sign in</button></form>
<p class="muted small">Accounts are created by an admin with <code>pactwatch review add-user NAME --role reviewer</code>.</p></section>`;
}

export interface LogFilter {
  readonly reviewer: string;
  readonly agreement: string;
  readonly action: string;
  readonly before: number | undefined;
}

export const LOG_PAGE = 100;

export function renderLog(entries: readonly LogEntry[], f: LogFilter, more: boolean): SafeHtml {
  const params = {
    reviewer: f.reviewer,
    agreement: f.agreement,
    action: f.action,
  };
  const last = entries[entries.length - 1];
  return h`<div class="itemhead"><h1>Audit log</h1><span class="muted small">append-only: every decision, newest first</span>
<span class="pos"><a class="btn" href="/log/export.jsonl${query(params)}" download>Export JSON lines</a> <a class="btn" href="/log/export.csv${query(params)}" download>Export CSV</a></span></div>
<form class="panel filters" method="get" action="/log" aria-label="Filter the log">
<label>Reviewer<input type="text" name="reviewer" value="${f.reviewer}" size="14"></label>
<label>Record<input type="text" name="agreement" value="${f.agreement}" size="12" placeholder="PW-000001"></label>
<label>Action<select name="action"><option value="">any</option>${[
    ...UNDOABLE_ACTIONS,
    'undo',
    'assign',
    'double_review',
    'import',
  ].map(
    (a) => h`<option${a === f.action ? trusted(' selected') : ''}>${a}</option>`,
  )}</select></label>
<button type="submit" class="accent">Filter</button> <a class="btn" href="/log">Reset</a></form>
<div class="panel"><table class="log"><thead><tr><th scope="col">#</th><th scope="col">when (UTC)</th><th scope="col">who</th><th scope="col">action</th><th scope="col">record</th><th scope="col">details</th></tr></thead>
<tbody>${entries.map(
    (
      e,
    ) => h`<tr><td class="num">${e.id}</td><td>${e.at.slice(0, 19).replace('T', ' ')}</td><td>${e.reviewer}</td><td>${e.action}</td>
<td><a href="/items/${e.agreement_id}">${e.agreement_id}</a></td><td>${describeEntry(e)}</td></tr>`,
  )}</tbody></table>
${entries.length === 0 ? h`<p class="muted">No entries.</p>` : ''}
${more && last !== undefined ? h`<div class="pager"><a class="btn" href="/log${query({ ...params, before: last.id })}">Older →</a></div>` : ''}</div>`;
}

export function renderAssignments(
  list: readonly (Assignment & { agreement: StoredAgreement | undefined })[],
): SafeHtml {
  const open = list.filter((a) => a.decision === null);
  return h`<div class="itemhead"><h1>My double-review assignments</h1><span class="muted small">${open.length} open of ${list.length}</span></div>
<div class="panel"><p class="small muted">Code each record on your own: your decision and corrections are kept apart from the record and from the other reviewer's, for the agreement report.</p>
<table><thead><tr><th scope="col">Record</th><th scope="col">Batch</th><th scope="col">Status</th><th scope="col">Title</th><th scope="col">My decision</th></tr></thead><tbody>${list.map(
    (
      a,
    ) => h`<tr><td><a href="/items/${a.agreementId}">${a.agreementId}</a></td><td>${a.batch}</td><td>${a.agreement === undefined ? '' : statusBadge(a.agreement.status)}</td>
<td>${a.agreement?.record.title_zh ?? a.agreement?.record.title_en ?? ''}</td><td>${a.decision ?? h`<span class="badge pending">to do</span>`}</td></tr>`,
  )}</tbody></table>${list.length === 0 ? h`<p class="muted">Nothing assigned to you.</p>` : ''}</div>`;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function renderAgreement(reports: readonly PairReport[]): SafeHtml {
  if (reports.length === 0)
    return h`<h1>Reviewer agreement</h1><div class="panel"><p class="muted">No record has been coded by two reviewers yet. Send a sample with <code>pactwatch review assign --sample 30 --reviewers A,B</code>.</p></div>`;
  return h`<h1>Reviewer agreement</h1>${reports.map(
    (
      r,
    ) => h`<section class="panel"><h2>${r.reviewers[0]} × ${r.reviewers[1]} <span class="muted small">${r.items} records coded by both</span></h2>
<table><thead><tr><th scope="col">field</th><th scope="col" class="num">n</th><th scope="col" class="num">observed</th><th scope="col" class="num">Cohen's κ</th></tr></thead><tbody>${r.fields.map(
      (f) =>
        h`<tr><td><code>${f.field}</code></td><td class="num">${f.n}</td><td class="num">${f.n === 0 ? '—' : pct(f.observed)}</td><td class="num">${f.kappa === null ? '—' : f.kappa.toFixed(2)}</td></tr>`,
    )}</tbody></table>
<h3>Disagreements to adjudicate (${r.disagreements.length})</h3>
<table><thead><tr><th scope="col">record</th><th scope="col">field</th><th scope="col">${r.reviewers[0]}</th><th scope="col">${r.reviewers[1]}</th></tr></thead><tbody>${r.disagreements.map(
      (d) =>
        h`<tr><td><a href="/items/${d.agreementId}">${d.agreementId}</a></td><td><code>${d.field}</code></td><td>${d.values[r.reviewers[0]]}</td><td>${d.values[r.reviewers[1]]}</td></tr>`,
    )}</tbody></table></section>`,
  )}`;
}

export function renderMessage(ctx: PageContext, title: string, text: string): SafeHtml {
  return h`<section class="panel login"><h1>${title}</h1><p>${text}</p><p><a href="/queue">Back to the queue</a>${ctx.user === null ? h` · <a href="/login">Sign in</a>` : ''}</p>${ctx.user === null ? '' : csrfField(ctx)}</section>`;
}
