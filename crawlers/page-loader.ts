import type { Cookie } from 'playwright-core';
import { PipelineError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { SourceDefinition } from '../schemas/source.js';
import type { DB } from '../storage/database.js';
import { decodeBody } from './charset.js';
import {
  Fetcher,
  type FetcherOptions,
  type FetchRequestOptions,
  type FetchResult,
} from './fetcher.js';
import { assertHostAllowed } from './host-guard.js';
import { httpStatusOf } from './http-errors.js';
import {
  CHALLENGE_MAX_BYTES,
  CHALLENGE_STATUSES,
  hasScriptTag,
  type LoaderPageType,
  looksLikeChallenge,
  looksScriptFilled,
  MIN_TEXT_LETTERS,
  pageYield,
  renderingHelped,
} from './page-signals.js';
import { Renderer, type RendererOptions, type RenderResult } from './renderer.js';
import { hostOf } from './url.js';

/**
 * Decides, per request, whether a page is fetched with the plain HTTP client or rendered in the
 * browser, and remembers the decision per host and page type:
 * - `render: browser` sources always render;
 * - a script challenge (HTTP 412/403, or a 200 whose body is only a script that sets a cookie and
 *   reloads) is solved in the browser, and the host's pages render from then on; the cookies the
 *   browser earned are sent with later plain requests, and a re-check switches the host back to
 *   plain requests once those work;
 * - a page whose markup holds scripts but no article text is rendered, and when that yields the
 *   text, the host's pages of that type render from then on.
 * Decisions live in `host_render_modes`; a sample of pages is re-checked with the plain client
 * every `recheckEvery` pages or `recheckAfterMs`, whichever comes first.
 */

export type RenderMode = 'static' | 'browser';
export type RenderReason = 'challenge' | 'script-filled' | 'confirmed' | 'recheck';
export type { LoaderPageType } from './page-signals.js';
export {
  looksLikeChallenge,
  looksLikeForwarder,
  looksScriptFilled,
  type PageYield,
  pageYield,
} from './page-signals.js';

export interface LoadOptions extends FetchRequestOptions {
  readonly source: SourceDefinition;
  /** The job's page type; `start` and unknown count as `list`. */
  readonly pageType?: 'list' | 'article' | 'start' | null;
}

export interface HostRenderMode {
  readonly host: string;
  readonly pageType: LoaderPageType;
  readonly mode: RenderMode;
  readonly reason: RenderReason;
  readonly checkedAt: string;
}

export interface PageLoaderOptions {
  /** The crawl's plain HTTP client. */
  readonly fetcher: Fetcher;
  /**
   * Options the crawl's fetcher was built with; used to build fetchers that carry a host's
   * cookies. Without them cookies earned in the browser are not sent with plain requests.
   * @default undefined
   */
  readonly fetcherOptions?: FetcherOptions;
  /**
   * The browser. When absent one is created (with `rendererOptions`) on first need.
   * @default undefined
   */
  readonly renderer?: Renderer;
  /** @default {} (RENDERER_DEFAULTS) */
  readonly rendererOptions?: RendererOptions;
  /**
   * Where decisions are remembered across runs; without it they last for this process.
   * @default undefined
   */
  readonly db?: DB;
  /**
   * An article page whose main text has fewer letters than this (title excluded), while the
   * page has scripts, is taken for script-filled.
   * @default 50
   */
  readonly minTextLetters?: number;
  /**
   * Plain pages checked in a row, all with text, before a host is taken for plain; after that
   * only samples are checked.
   * @default 5
   */
  readonly confirmAfter?: number;
  /**
   * One page in this many is re-checked the other way (a browser host tried plain again, a
   * plain host's page checked for missing text).
   * @default 50
   */
  readonly recheckEvery?: number;
  /**
   * A remembered decision older than this is re-checked on the host's next page.
   * @default 604800000 (7 days)
   */
  readonly recheckAfterMs?: number;
  /**
   * 403/412 answers per host tried in the browser before the host's 403s are taken at face
   * value (a real "forbidden" should not cost a render per page).
   * @default 3
   */
  readonly maxChallengeProbes?: number;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

export const PAGE_LOADER_DEFAULTS = Object.freeze({
  minTextLetters: MIN_TEXT_LETTERS,
  confirmAfter: 5,
  recheckEvery: 50,
  recheckAfterMs: 7 * 24 * 3600 * 1000,
  maxChallengeProbes: 3,
  logger: silentLogger,
  now: Date.now,
});

function positiveInteger(name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got \`${String(value)}\``,
    );
  }
  return value;
}

interface HostState {
  mode: RenderMode | null;
  reason: RenderReason | null;
  checkedAt: number;
  /** Pages since the last check (browser hosts) or plain pages with text in a row. */
  count: number;
}

function cookieMatches(cookie: Cookie, url: URL, nowSec: number): boolean {
  if (cookie.expires > 0 && cookie.expires < nowSec) return false;
  if (cookie.secure && url.protocol !== 'https:') return false;
  const domain = cookie.domain.replace(/^\./, '').toLowerCase();
  const host = url.hostname.toLowerCase();
  if (host !== domain && !host.endsWith(`.${domain}`)) return false;
  const path = cookie.path === '' ? '/' : cookie.path;
  return (
    url.pathname === path ||
    url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`) ||
    path === '/'
  );
}

export class PageLoader {
  readonly #fetcher: Fetcher;
  readonly #fetcherOptions: FetcherOptions | undefined;
  readonly #rendererOptions: RendererOptions;
  readonly #ownsRenderer: boolean;
  #renderer: Renderer | null;
  readonly #db: DB | undefined;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #minTextLetters: number;
  readonly #confirmAfter: number;
  readonly #recheckEvery: number;
  readonly #recheckAfterMs: number;
  readonly #maxChallengeProbes: number;
  readonly #states = new Map<string, HostState>();
  readonly #cookies = new Map<string, Cookie[]>();
  readonly #cookieFetchers = new Map<string, { header: string; fetcher: Fetcher }>();
  readonly #probes = new Map<string, number>();
  #closed = false;

  constructor(options: PageLoaderOptions) {
    if (!(options.fetcher instanceof Fetcher)) {
      throw new TypeError(
        `Expected \`fetcher\` to be a Fetcher, got \`${String(options.fetcher)}\``,
      );
    }
    const o = { ...PAGE_LOADER_DEFAULTS, ...options };
    this.#fetcher = options.fetcher;
    this.#fetcherOptions = options.fetcherOptions;
    this.#rendererOptions = options.rendererOptions ?? {};
    this.#renderer = options.renderer ?? null;
    this.#ownsRenderer = options.renderer === undefined;
    this.#db = options.db;
    this.#log = o.logger.child({ component: 'page-loader' });
    this.#now = o.now;
    this.#minTextLetters = positiveInteger('minTextLetters', o.minTextLetters, 0);
    this.#confirmAfter = positiveInteger('confirmAfter', o.confirmAfter);
    this.#recheckEvery = positiveInteger('recheckEvery', o.recheckEvery);
    this.#recheckAfterMs = positiveInteger('recheckAfterMs', o.recheckAfterMs, 0);
    this.#maxChallengeProbes = positiveInteger('maxChallengeProbes', o.maxChallengeProbes, 0);
  }

  /** The browser, if one was needed so far (for tests and operators). */
  get renderer(): Renderer | null {
    return this.#renderer;
  }

  /**
   * Loads one page the way its host needs. Resolves with the fetcher's result shape whichever
   * way it was loaded (a rendered page carries the `x-pactwatch-rendered` header).
   * @throws whatever Fetcher.fetch or Renderer.render throw.
   */
  async load(url: string, options: LoadOptions): Promise<FetchResult> {
    const { source } = options;
    const type: LoaderPageType = options.pageType === 'article' ? 'article' : 'list';
    if (source.render === 'browser') {
      // A conditional plain request first: an unchanged page then costs no render.
      if (options.etag != null || options.lastModified != null) {
        const plain = await this.#plain(url, options);
        if (plain.notModified) return plain;
      }
      return this.#render(url, options);
    }
    const host = hostOf(url);
    const state = await this.#state(host, type);
    if (state.mode === 'browser') return this.#loadBrowserHost(url, options, host, type, state);

    let result: FetchResult;
    try {
      result = await this.#plain(url, options);
    } catch (err) {
      const status = httpStatusOf(err);
      if (status !== undefined && CHALLENGE_STATUSES.has(status) && this.#mayProbe(host)) {
        const rendered = await this.#render(url, options).catch(() => null);
        if (rendered !== null && !looksLikeChallenge(text(rendered))) {
          this.#log.info({ host, status }, 'script challenge solved in the browser');
          await this.#decideHost(host, 'challenge');
          return rendered;
        }
        this.#probes.set(host, (this.#probes.get(host) ?? 0) + 1);
      }
      throw err;
    }
    if (!isHtmlResult(result)) return result;

    if (
      result.body.byteLength <= CHALLENGE_MAX_BYTES &&
      hasScriptTag(result.body) &&
      looksLikeChallenge(text(result, source.charset)) &&
      this.#mayProbe(host)
    ) {
      const rendered = await this.#render(url, options).catch(() => null);
      if (rendered !== null && !looksLikeChallenge(text(rendered))) {
        this.#log.info({ host }, 'script challenge (status 200) solved in the browser');
        await this.#decideHost(host, 'challenge');
        return rendered;
      }
      this.#probes.set(host, (this.#probes.get(host) ?? 0) + 1);
      return result;
    }

    state.count++;
    const due = state.mode === null || state.count >= this.#recheckEvery || this.#stale(state);
    if (!due || !hasScriptTag(result.body)) {
      if (state.mode === null && state.count >= this.#confirmAfter) {
        await this.#decide(host, type, 'static', 'confirmed');
      }
      return result;
    }
    if (state.mode !== null) state.count = 0;
    const decoded = text(result, source.charset);
    if (!looksScriptFilled(decoded, result.finalUrl, type, this.#minTextLetters)) {
      if (state.mode === null && state.count >= this.#confirmAfter) {
        await this.#decide(host, type, 'static', 'confirmed');
      } else if (state.mode !== null) {
        await this.#touch(host, type, state);
      }
      return result;
    }
    const rendered = await this.#render(url, options).catch((err: unknown) => {
      this.#log.warn({ url, err: reason(err) }, 'rendering a script-filled page failed');
      return null;
    });
    if (rendered === null) return result;
    if (
      !renderingHelped(
        pageYield(decoded, result.finalUrl),
        pageYield(text(rendered), rendered.finalUrl),
        type,
      )
    ) {
      // The browser found no more than the markup had: the page is short, not script-filled,
      // and the host's pages of this type need no further checks but the samples.
      if (state.mode === null) await this.#decide(host, type, 'static', 'confirmed');
      return result;
    }
    this.#log.info({ host, pageType: type }, 'script-filled pages: rendering this host');
    await this.#decide(host, type, 'browser', 'script-filled');
    return rendered;
  }

  /** The remembered decision for a host and page type, if any. */
  async mode(host: string, pageType: LoaderPageType): Promise<HostRenderMode | undefined> {
    const state = await this.#state(host.toLowerCase(), pageType);
    if (state.mode === null || state.reason === null) return undefined;
    return {
      host: host.toLowerCase(),
      pageType,
      mode: state.mode,
      reason: state.reason,
      checkedAt: new Date(state.checkedAt).toISOString(),
    };
  }

  /** Closes the browser (if this loader started it) and the cookie-carrying fetchers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const fetchers = [...this.#cookieFetchers.values()].map((f) => f.fetcher.close());
    this.#cookieFetchers.clear();
    await Promise.all(fetchers);
    if (this.#ownsRenderer && this.#renderer !== null) await this.#renderer.close();
  }

  async #loadBrowserHost(
    url: string,
    options: LoadOptions,
    host: string,
    type: LoaderPageType,
    state: HostState,
  ): Promise<FetchResult> {
    state.count++;
    // Right after a challenge, and then on a sample, try the plain client (with the cookies
    // the browser earned): when that works, the host goes back to plain requests.
    const firstAfterChallenge =
      state.reason === 'challenge' && state.count === 1 && this.#cookieHeader(url) !== null;
    if (firstAfterChallenge || state.count >= this.#recheckEvery || this.#stale(state)) {
      state.count = 0;
      const plain = await this.#plain(url, options).catch(() => null);
      const usable =
        plain !== null &&
        (plain.notModified ||
          !isHtmlResult(plain) ||
          (!looksLikeChallenge(text(plain, options.source.charset)) &&
            !looksScriptFilled(
              text(plain, options.source.charset),
              plain.finalUrl,
              type,
              this.#minTextLetters,
            )));
      if (plain !== null && usable) {
        this.#log.info({ host, pageType: type }, 'plain requests work again for this host');
        await this.#decide(host, type, 'static', 'recheck');
        return plain;
      }
      await this.#touch(host, type, state);
    }
    return this.#render(url, options);
  }

  #mayProbe(host: string): boolean {
    return (this.#probes.get(host) ?? 0) < this.#maxChallengeProbes;
  }

  #stale(state: HostState): boolean {
    return state.mode !== null && this.#now() - state.checkedAt >= this.#recheckAfterMs;
  }

  async #render(url: string, options: LoadOptions): Promise<RenderResult> {
    if (this.#closed) throw new PipelineError('INTERNAL', 'The page loader is closed');
    if (this.#renderer === null) {
      this.#renderer = new Renderer({ logger: this.#log, ...this.#rendererOptions });
    }
    const { source } = options;
    const host = hostOf(url);
    const guard = hostChecker(source, this.#rendererOptions.proxy !== undefined);
    const result = await this.#renderer.render(url, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      cookies: this.#cookies.get(host) ?? [],
      isUrlAllowed: guard,
      ...(source.render_wait_selector === undefined
        ? {}
        : { waitForSelector: source.render_wait_selector }),
    });
    this.#keepCookies(host, result.cookies);
    return result;
  }

  #keepCookies(host: string, cookies: readonly Cookie[]): void {
    if (cookies.length === 0) return;
    const merged = new Map(
      (this.#cookies.get(host) ?? []).map((c) => [`${c.name}\u0000${c.domain}\u0000${c.path}`, c]),
    );
    for (const c of cookies) merged.set(`${c.name}\u0000${c.domain}\u0000${c.path}`, c);
    this.#cookies.set(host, [...merged.values()]);
  }

  #cookieHeader(url: string): string | null {
    const parsed = new URL(url);
    const jar = this.#cookies.get(parsed.hostname.toLowerCase());
    if (jar === undefined) return null;
    const nowSec = this.#now() / 1000;
    const pairs = jar
      .filter((c) => cookieMatches(c, parsed, nowSec))
      .map((c) => `${c.name}=${c.value}`);
    return pairs.length === 0 ? null : pairs.join('; ');
  }

  /** A plain GET, with the host's browser cookies when there are any. */
  async #plain(url: string, options: LoadOptions): Promise<FetchResult> {
    const { source: _source, pageType: _pageType, ...init } = options;
    const header = this.#fetcherOptions === undefined ? null : this.#cookieHeader(url);
    if (header === null) return this.#fetcher.fetch(url, init);
    const host = hostOf(url);
    let entry = this.#cookieFetchers.get(host);
    if (entry?.header !== header) {
      // Cookies change rarely (a new challenge token): one fetcher per host and cookie value.
      const old = entry?.fetcher;
      entry = {
        header,
        fetcher: new Fetcher({
          ...this.#fetcherOptions,
          headers: { ...this.#fetcherOptions?.headers, cookie: header },
        }),
      };
      this.#cookieFetchers.set(host, entry);
      old?.close().catch(() => undefined);
    }
    return entry.fetcher.fetch(url, init);
  }

  async #state(host: string, type: LoaderPageType): Promise<HostState> {
    const key = `${host}\u0000${type}`;
    let state = this.#states.get(key);
    if (state !== undefined) return state;
    state = { mode: null, reason: null, checkedAt: this.#now(), count: 0 };
    if (this.#db !== undefined) {
      const row = await this.#db
        .selectFrom('host_render_modes')
        .selectAll()
        .where('host', '=', host)
        .where('page_type', '=', type)
        .executeTakeFirst();
      if (row !== undefined) {
        state.mode = row.mode === 'browser' ? 'browser' : 'static';
        state.reason = row.reason as RenderReason;
        const at = Date.parse(row.checked_at);
        state.checkedAt = Number.isNaN(at) ? 0 : at;
      }
    }
    // Another load of the same host may have filled it meanwhile; keep the first.
    const existing = this.#states.get(key);
    if (existing !== undefined) return existing;
    this.#states.set(key, state);
    return state;
  }

  /** A challenge is the host's, whatever the page type: both types render from now on. */
  async #decideHost(host: string, why: RenderReason): Promise<void> {
    for (const type of ['list', 'article'] as const) await this.#decide(host, type, 'browser', why);
  }

  async #decide(
    host: string,
    type: LoaderPageType,
    mode: RenderMode,
    why: RenderReason,
  ): Promise<void> {
    const state = await this.#state(host, type);
    state.mode = mode;
    state.reason = why;
    state.checkedAt = this.#now();
    state.count = 0;
    await this.#persist(host, type, state);
  }

  async #touch(host: string, type: LoaderPageType, state: HostState): Promise<void> {
    state.checkedAt = this.#now();
    await this.#persist(host, type, state);
  }

  async #persist(host: string, type: LoaderPageType, state: HostState): Promise<void> {
    if (this.#db === undefined || state.mode === null || state.reason === null) return;
    const at = new Date(state.checkedAt).toISOString();
    const values = {
      host,
      page_type: type,
      mode: state.mode,
      reason: state.reason,
      checked_at: at,
      updated_at: new Date(this.#now()).toISOString(),
    };
    try {
      await this.#db
        .insertInto('host_render_modes')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['host', 'page_type']).doUpdateSet({
            mode: values.mode,
            reason: values.reason,
            checked_at: values.checked_at,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    } catch (err) {
      // Losing the memo costs a rediscovery next run, never the page.
      this.#log.warn({ host, err: reason(err) }, 'could not remember the render mode');
    }
  }
}

function isHtmlResult(result: FetchResult): boolean {
  if (result.notModified || result.status < 200 || result.status >= 300) return false;
  return (
    result.contentType === null ||
    /^(text\/html|application\/xhtml\+xml)\b/i.test(result.contentType)
  );
}

function text(result: FetchResult, hint?: string): string {
  return decodeBody(result.body, result.contentType, hint).text;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The source's host rules for every request the browser makes (scripts, XHR, redirects), with
 * one DNS look-up per host and render.
 */
function hostChecker(
  source: SourceDefinition,
  viaProxy: boolean,
): (url: string) => Promise<boolean> {
  const verdicts = new Map<string, Promise<boolean>>();
  return (url) => {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      return Promise.resolve(false);
    }
    let verdict = verdicts.get(host);
    if (verdict === undefined) {
      verdict = assertHostAllowed(url, {
        allowedHosts: source.allowed_hosts,
        allowPrivate: source.allow_private_hosts,
        // Through a proxy, names resolve at the proxy; local DNS may know none of them.
        ...(viaProxy ? { lookup: async () => [] } : {}),
      }).then(
        () => true,
        () => false,
      );
      verdicts.set(host, verdict);
    }
    return verdict;
  };
}
