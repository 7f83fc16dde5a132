import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { stringify } from 'csv-stringify/sync';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ConflictError, PipelineError, UserError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { PermissionError, queryLog } from '../pipeline/review.js';
import { reviewerAgreement } from '../pipeline/review-agreement.js';
import { getAgreement } from '../storage/agreements.js';
import { listAssignments } from '../storage/assignments.js';
import type { DB } from '../storage/database.js';
import { createSession, deleteSession, findSession } from '../storage/sessions.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import { authenticate, type User } from '../storage/users.js';
import {
  LOGIN_COOKIE,
  LoginLimiter,
  type LoginLimiterOptions,
  newToken,
  SESSION_COOKIE,
  tokensEqual,
} from './auth.js';
import type { Body, Env, Services } from './context.js';
import { REVIEW_SERVER_DEFAULTS } from './defaults.js';
import type { Html } from './html.js';
import { type Flash, type PageContext, page } from './layout.js';
import {
  LOG_PAGE,
  renderAgreement,
  renderAssignments,
  renderLog,
  renderLogin,
  renderMessage,
} from './pages.js';
import { registerItemRoutes } from './routes-item.js';

export interface ReviewServerOptions {
  readonly db: DB;
  /** Where snapshot bodies are, for the sandboxed snapshot view. */
  readonly store: SnapshotStore;
  /** @default silent */
  readonly logger?: Logger;
  /** Address to listen on; loopback unless the operator decides otherwise. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 7777 (0 picks a free port) */
  readonly port?: number;
  /** How long a sign-in lasts. @default 43200000 (12 hours) */
  readonly sessionTtlMs?: number;
  /**
   * Mark cookies `Secure`. `auto`: when the request arrived over https (set true behind a
   * TLS-terminating proxy). @default 'auto'
   */
  readonly secureCookies?: boolean | 'auto';
  readonly loginLimiter?: LoginLimiterOptions;
  /** Clock in epoch milliseconds (tests move it to expire sessions). @default Date.now */
  readonly now?: () => number;
}

export { REVIEW_SERVER_DEFAULTS };

/** The snapshot view's policy: nothing runs, nothing loads from anywhere, not even this app. */
export const SNAPSHOT_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

function ctxOf(c: Context<Env>): PageContext {
  return {
    user: c.get('user'),
    csrfToken: c.get('session')?.csrfToken ?? '',
    nonce: c.get('nonce'),
  };
}

function flatten(raw: Record<string, unknown>): Body {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}

const safeNext = (next: string | undefined) =>
  next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/queue';

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0)
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${v}\``);
  return v;
}

/** The review web app as a Hono application (no socket: `startReviewServer` listens). */
export function createReviewApp(options: ReviewServerOptions): Hono<Env> {
  const db = options.db;
  const logger = (options.logger ?? silentLogger).child({ component: 'review-web' });
  const now = options.now ?? Date.now;
  const ttlMs = positive(
    'sessionTtlMs',
    options.sessionTtlMs ?? REVIEW_SERVER_DEFAULTS.sessionTtlMs,
  );
  const secureMode = options.secureCookies ?? REVIEW_SERVER_DEFAULTS.secureCookies;
  const limiter = new LoginLimiter(options.loginLimiter);
  const app = new Hono<Env>();

  const render: Services['render'] = (c, o) => c.html(page(ctxOf(c), o), (o.status ?? 200) as 200);
  const services: Services = { db, logger, now, render, ctx: ctxOf };
  const secure = (c: Context<Env>) =>
    secureMode === 'auto' ? new URL(c.req.url).protocol === 'https:' : secureMode;
  const address = (c: Context<Env>) => {
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const message = (c: Context<Env>, status: number, title: string, text: string) =>
    render(c, { title, body: renderMessage(ctxOf(c), title, text), status });

  app.use(
    '*',
    bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text('Request too large', 413) }),
  );

  // Security headers on every answer; pages get a CSP with this response's nonce.
  app.use('*', async (c, next) => {
    const nonce = randomBytes(16).toString('base64');
    c.set('nonce', nonce);
    await next();
    const headers = c.res.headers;
    headers.set('X-Content-Type-Options', 'nosniff');
    headers.set('Referrer-Policy', 'same-origin');
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
    if (!headers.has('Content-Security-Policy')) {
      headers.set(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      );
      headers.set('X-Frame-Options', 'DENY');
    }
  });

  // Who is asking: a session cookie is looked up; an expired one is reported as such.
  app.use('*', async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    c.set('sessionState', 'none');
    const token = getCookie(c, SESSION_COOKIE);
    if (token !== undefined && token !== '') {
      const found = await findSession(db, token, now());
      if (found.state === 'valid') {
        c.set('user', found.session.user);
        c.set('session', found.session);
      } else {
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
      }
      c.set('sessionState', found.state);
    }
    await next();
  });

  // Every state-changing request: same origin, signed in, and carrying the session's token.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== new URL(c.req.url).origin)
      return message(c, 403, 'Refused', 'This request came from another site.');
    const type = c.req.header('content-type') ?? '';
    const body =
      type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')
        ? flatten(await c.req.parseBody({ all: true }))
        : {};
    c.set('body', body);
    if (c.req.path === '/login') return next();
    const session = c.get('session');
    if (session === null) {
      const expired = c.get('sessionState') === 'expired';
      return c.redirect(
        `/login?${expired ? 'expired=1&' : ''}next=${encodeURIComponent('/queue')}`,
        303,
      );
    }
    const given = typeof body['_csrf'] === 'string' ? body['_csrf'] : c.req.header('x-csrf-token');
    if (!tokensEqual(given, session.csrfToken)) {
      logger.warn(
        { path: c.req.path, user: session.user.name },
        'refused a request without a valid CSRF token',
      );
      return message(
        c,
        403,
        'Refused: invalid form token',
        'This form is out of date or did not come from this app (missing or wrong CSRF token). Reload the page and try again.',
      );
    }
    return next();
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/login', (c) => {
    if (c.get('user') !== null) return c.redirect(safeNext(c.req.query('next')), 303);
    const token = getCookie(c, LOGIN_COOKIE) ?? newToken();
    setCookie(c, LOGIN_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: secure(c),
      path: '/login',
    });
    const flash: Flash[] = [];
    if (c.req.query('expired') !== undefined || c.get('sessionState') === 'expired')
      flash.push({ kind: 'warn', text: 'Your session expired. Sign in again to continue.' });
    if (c.req.query('signed_out') !== undefined) flash.push({ kind: 'ok', text: 'Signed out.' });
    return render(c, {
      title: 'Sign in',
      flash,
      body: renderLogin({ loginToken: token, next: safeNext(c.req.query('next')) }),
    });
  });

  app.post('/login', async (c) => {
    const body = c.get('body');
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const name = str('name').trim();
    const next = safeNext(str('next'));
    const cookieToken = getCookie(c, LOGIN_COOKIE);
    const again = (status: number, text: Html, headers: Record<string, string> = {}) => {
      const token = cookieToken ?? newToken();
      setCookie(c, LOGIN_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: secure(c),
        path: '/login',
      });
      for (const [k, v] of Object.entries(headers)) c.header(k, v);
      return render(c, {
        title: 'Sign in',
        status,
        flash: [{ kind: 'err', text }],
        body: renderLogin({ loginToken: token, next, name }),
      });
    };
    if (!tokensEqual(str('_login'), cookieToken))
      return again(403, 'The sign-in form expired. Please try again.');
    const waitMs = limiter.retryAfterMs(name, address(c), now());
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      logger.warn({ user: name }, 'sign-in rate limited');
      return again(
        429,
        `Too many failed sign-ins. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`,
        {
          'Retry-After': String(Math.ceil(waitMs / 1000)),
        },
      );
    }
    const user = name === '' ? undefined : await authenticate(db, name, str('password'));
    if (user === undefined) {
      limiter.fail(name, address(c), now());
      logger.info({ user: name }, 'failed sign-in');
      return again(401, 'Wrong name or password.');
    }
    limiter.succeed(name);
    const s = await createSession(db, user.id, ttlMs, now());
    setCookie(c, SESSION_COOKIE, s.token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: secure(c),
      path: '/',
      maxAge: Math.floor(ttlMs / 1000),
    });
    deleteCookie(c, LOGIN_COOKIE, { path: '/login' });
    logger.info({ user: user.name }, 'signed in');
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token !== undefined) await deleteSession(db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login?signed_out=1', 303);
  });

  // Everything below needs a signed-in reviewer.
  app.use('*', async (c, next) => {
    if (c.get('user') !== null) return next();
    const url = new URL(c.req.url);
    const expired = c.get('sessionState') === 'expired' ? 'expired=1&' : '';
    return c.redirect(
      `/login?${expired}next=${encodeURIComponent(url.pathname + url.search)}`,
      303,
    );
  });

  app.get('/', (c) => c.redirect('/queue', 303));

  registerItemRoutes(app, services);

  app.get('/snapshots/:sha', async (c) => {
    const sha = c.req.param('sha');
    if (!/^[0-9a-f]{64}$/.test(sha)) return c.text('Not found', 404);
    const snap = await db
      .selectFrom('snapshots')
      .select(['content_type', 'charset'])
      .where('body_sha256', '=', sha)
      .executeTakeFirst();
    if (snap === undefined) return c.text('Not found', 404);
    let body: Buffer;
    try {
      body = await options.store.get(sha);
    } catch {
      return c.text('Snapshot body missing from the store', 404);
    }
    const charset = /^[A-Za-z0-9._-]{1,40}$/.test(snap.charset ?? '') ? snap.charset : 'utf-8';
    const html = (snap.content_type ?? 'text/html').includes('html');
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': `${html ? 'text/html' : 'text/plain'}; charset=${charset}`,
      'Content-Security-Policy': SNAPSHOT_CSP,
      'X-Frame-Options': 'SAMEORIGIN',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'private, max-age=3600',
    });
  });

  const logFilter = (c: Context<Env>) => {
    const clean = (v: string | undefined) => (v ?? '').trim().slice(0, 80);
    const before = Number(c.req.query('before'));
    return {
      reviewer: clean(c.req.query('reviewer')),
      agreement: clean(c.req.query('agreement')),
      action: clean(c.req.query('action')),
      before: Number.isInteger(before) && before > 0 ? before : undefined,
    };
  };
  const logQuery = (f: ReturnType<typeof logFilter>) => ({
    ...(f.reviewer === '' ? {} : { reviewer: f.reviewer }),
    ...(f.agreement === '' ? {} : { agreementId: f.agreement }),
    ...(f.action === '' ? {} : { action: f.action }),
  });

  app.get('/log', async (c) => {
    const f = logFilter(c);
    const rows = await queryLog(db, {
      ...logQuery(f),
      ...(f.before === undefined ? {} : { beforeId: f.before }),
      order: 'desc',
      limit: LOG_PAGE + 1,
    });
    return render(c, {
      title: 'Audit log',
      nav: 'log',
      body: renderLog(rows.slice(0, LOG_PAGE), f, rows.length > LOG_PAGE),
    });
  });

  const exportLog = (format: 'jsonl' | 'csv') => async (c: Context<Env>) => {
    const rows = await queryLog(db, logQuery(logFilter(c)));
    const stamp = new Date(now()).toISOString().slice(0, 10);
    if (format === 'csv') {
      const csv = stringify(
        rows.map((r) => [
          r.id,
          r.at,
          r.reviewer,
          r.action,
          r.agreement_id,
          r.note ?? '',
          JSON.stringify(r.details),
        ]),
        {
          header: true,
          columns: ['id', 'at', 'reviewer', 'action', 'agreement_id', 'note', 'details'],
        },
      );
      return c.body(csv, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="review-log-${stamp}.csv"`,
      });
    }
    return c.body(
      rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : ''),
      200,
      {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="review-log-${stamp}.jsonl"`,
      },
    );
  };
  app.get('/log/export.jsonl', exportLog('jsonl'));
  app.get('/log/export.csv', exportLog('csv'));

  app.get('/assignments', async (c) => {
    const user = c.get('user') as User;
    const list = await listAssignments(db, { reviewer: user.name });
    const withRecords = await Promise.all(
      list.map(async (a) => ({ ...a, agreement: await getAgreement(db, a.agreementId) })),
    );
    return render(c, {
      title: 'Double review',
      nav: 'assignments',
      body: renderAssignments(withRecords),
    });
  });

  app.get('/agreement', async (c) => {
    if (c.get('user')?.role !== 'admin')
      return message(c, 403, 'Admins only', 'The agreement report is for admins.');
    return render(c, {
      title: 'Reviewer agreement',
      nav: 'agreement',
      body: renderAgreement(await reviewerAgreement(db)),
    });
  });

  app.notFound((c) => message(c, 404, 'Not found', 'There is nothing at this address.'));
  app.onError((err, c) => {
    if (err instanceof PermissionError) return message(c, 403, 'Not allowed', err.message);
    if (err instanceof ConflictError) return message(c, 409, 'Conflict', err.message);
    if (err instanceof UserError) return message(c, 400, 'Cannot do that', err.message);
    logger.error({ err, path: c.req.path }, 'review app error');
    const code = err instanceof PipelineError ? err.code : 'INTERNAL';
    return message(
      c,
      500,
      'Something went wrong',
      `The server could not finish this request (${code}). It was logged.`,
    );
  });
  return app;
}

export interface RunningReviewServer {
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on loopback (by default) and serves the review app until `close()`. */
export async function startReviewServer(
  options: ReviewServerOptions,
): Promise<RunningReviewServer> {
  const host = options.host ?? REVIEW_SERVER_DEFAULTS.host;
  const port = options.port ?? REVIEW_SERVER_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TypeError(`Expected \`port\` to be an integer 0-65535, got \`${port}\``);
  const app = createReviewApp(options);
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const info = server.address() as AddressInfo;
  const hostPart = info.address.includes(':') ? `[${info.address}]` : info.address;
  return {
    url: `http://${hostPart}:${info.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
