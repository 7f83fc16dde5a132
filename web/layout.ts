import type { User } from '../storage/users.js';
import { CSS, JS } from './assets.js';
import { type Html, h, type SafeHtml, trusted } from './html.js';

export interface PageContext {
  readonly user: User | null;
  readonly csrfToken: string;
  /** Per-response CSP nonce for the inline style and script. */
  readonly nonce: string;
}

export type FlashKind = 'ok' | 'err' | 'warn';
export interface Flash {
  readonly kind: FlashKind;
  readonly text: Html;
}

export interface PageOptions {
  readonly title: string;
  readonly body: Html;
  readonly flash?: readonly Flash[];
  /** Which nav entry is current. */
  readonly nav?: 'queue' | 'assignments' | 'log' | 'agreement';
}

export function csrfField(ctx: PageContext): SafeHtml {
  return h`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

const NAV = [
  ['queue', '/queue', 'Queue'],
  ['assignments', '/assignments', 'Double review'],
  ['log', '/log', 'Audit log'],
  ['agreement', '/agreement', 'Reviewer agreement'],
] as const;

export function flashes(list: readonly Flash[] | undefined): SafeHtml {
  return h`${(list ?? []).map(
    (f) =>
      h`<div class="flash ${f.kind}" role="${f.kind === 'err' ? 'alert' : 'status'}">${f.text}</div>`,
  )}`;
}

export function page(ctx: PageContext, o: PageOptions): string {
  const user = ctx.user;
  const nav =
    user === null
      ? ''
      : h`<nav aria-label="Main">${NAV.filter(
          ([k]) => k !== 'agreement' || user.role === 'admin',
        ).map(
          ([key, href, label]) =>
            h`<a href="${href}"${o.nav === key ? trusted(' aria-current="page"') : ''}>${label}</a>`,
        )}</nav>
        <div class="who"><span>${user.name} <span class="badge info">${user.role}</span></span>
        <form method="post" action="/logout">${csrfField(ctx)}<button type="submit">Sign out</button></form></div>`;
  return `<!doctype html>${h`<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · pactwatch review</title>
<style nonce="${ctx.nonce}">${trusted(CSS)}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/queue">pactwatch review</a>${nav}</header>
<main id="main">${flashes(o.flash)}${o.body}</main>
<script nonce="${ctx.nonce}">${trusted(JS)}</script></body></html>`}`;
}
