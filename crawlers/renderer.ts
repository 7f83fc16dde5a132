import PQueue from 'p-queue';
import type {
  Browser,
  BrowserContext,
  Cookie,
  Page,
  Request,
  Response,
  Route,
} from 'playwright-core';
import { DEFAULT_USER_AGENT } from '../core/config.js';
import { NonRetryableError, PipelineError, RetryableError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { FetchResult } from './fetcher.js';
import { HttpStatusError, RetryableHttpStatusError } from './http-errors.js';

/**
 * Renders pages whose text a script fills in, and pages behind a script challenge, in Debian's
 * Chromium driven by playwright-core. One browser per renderer, launched on first use; a bounded
 * number of contexts at once (each render gets a fresh one, seeded with the host's cookies);
 * images, fonts and media never leave the browser; every render has hard time limits; and the
 * browser goes when the process exits, is interrupted, or crashes (see `#launch`).
 */

/** Flags for Debian's Chromium in containers and CI (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]);

export interface RendererOptions {
  /**
   * The Chromium binary.
   * @default '/usr/bin/chromium' (Debian's package)
   */
  readonly executablePath?: string;
  /**
   * Command-line flags for Chromium.
   * @default CHROMIUM_ARGS
   */
  readonly args?: readonly string[];
  /**
   * Browser contexts (renders) open at once; further renders wait their turn.
   * @default 2
   */
  readonly maxContexts?: number;
  /**
   * Limit for starting the browser.
   * @default 30000
   */
  readonly launchTimeoutMs?: number;
  /**
   * Limit for one navigation (each reload a challenge script triggers counts as one).
   * @default 30000
   */
  readonly navigationTimeoutMs?: number;
  /**
   * Limit for a whole render, waiting for a free context excluded: navigations, scripts,
   * reading the page. Past it the context is closed, whatever the page is doing.
   * @default 60000
   */
  readonly renderTimeoutMs?: number;
  /**
   * After the load event, how long to wait for the network to fall quiet, so scripts that
   * fetch the article text have finished.
   * @default 5000
   */
  readonly settleMs?: number;
  /**
   * Navigations a page may trigger by itself (a challenge script reloading) that are followed.
   * @default 3
   */
  readonly maxReloads?: number;
  /**
   * Playwright resource types answered with an error instead of being requested.
   * @default ['image', 'font', 'media']
   */
  readonly blockedResourceTypes?: readonly string[];
  /**
   * User-Agent of the browser; the crawler's own, with its contact address.
   * @default DEFAULT_USER_AGENT from core/config
   */
  readonly userAgent?: string;
  /**
   * Largest rendered page accepted (UTF-8 bytes).
   * @default 10485760 (10 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Proxy server for the browser, e.g. `http://proxy:3128`.
   * @default undefined (direct)
   */
  readonly proxy?: string;
  /**
   * Close the browser on SIGINT and SIGTERM (on `exit` Playwright kills it in any case).
   * @default true
   */
  readonly exitHooks?: boolean;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export const RENDERER_DEFAULTS = Object.freeze({
  executablePath: '/usr/bin/chromium' as string,
  args: CHROMIUM_ARGS,
  maxContexts: 2,
  launchTimeoutMs: 30_000,
  navigationTimeoutMs: 30_000,
  renderTimeoutMs: 60_000,
  settleMs: 5_000,
  maxReloads: 3,
  blockedResourceTypes: Object.freeze(['image', 'font', 'media']) as readonly string[],
  userAgent: DEFAULT_USER_AGENT,
  maxBodyBytes: 10 * 1024 * 1024,
  proxy: undefined as string | undefined,
  exitHooks: true,
  logger: silentLogger,
});

type ResolvedRendererOptions = Omit<typeof RENDERER_DEFAULTS, 'proxy'> & {
  readonly proxy: string | undefined;
};

export interface RenderRequest {
  /** Cancels the render; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Cookies put into the context before the page loads (e.g. a solved challenge's). */
  readonly cookies?: readonly Cookie[];
  /**
   * Decides every request the page makes (documents, scripts, XHR). Refused requests fail in
   * the browser; a refused page navigation fails the render with HOST_NOT_ALLOWED.
   * @default every request allowed
   */
  readonly isUrlAllowed?: (url: string) => boolean | Promise<boolean>;
  /** Wait (up to `settleMs`) for this CSS selector before reading the page. */
  readonly waitForSelector?: string;
}

/** A rendered page in the fetcher's shape, plus the cookies the browser holds afterwards. */
export interface RenderResult extends FetchResult {
  readonly cookies: readonly Cookie[];
  /** Requests the route filter answered with an error (blocked types and refused hosts). */
  readonly blockedRequests: number;
}

/** Marks a stored snapshot as the browser's serialised DOM rather than the bytes on the wire. */
export const RENDERED_HEADER = 'x-pactwatch-rendered';

function positiveInteger(name: string, value: unknown, min = 1): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got \`${String(value)}\``,
    );
  }
}

function resolveOptions(options: RendererOptions): ResolvedRendererOptions {
  const o = { ...RENDERER_DEFAULTS, ...options } as ResolvedRendererOptions;
  if (typeof o.executablePath !== 'string' || o.executablePath === '') {
    throw new TypeError(
      `Expected \`executablePath\` to be a non-empty string, got \`${String(o.executablePath)}\``,
    );
  }
  if (!Array.isArray(o.args) || o.args.some((a) => typeof a !== 'string')) {
    throw new TypeError(`Expected \`args\` to be an array of strings, got \`${String(o.args)}\``);
  }
  positiveInteger('maxContexts', o.maxContexts);
  positiveInteger('launchTimeoutMs', o.launchTimeoutMs);
  positiveInteger('navigationTimeoutMs', o.navigationTimeoutMs);
  positiveInteger('renderTimeoutMs', o.renderTimeoutMs);
  positiveInteger('settleMs', o.settleMs, 0);
  positiveInteger('maxReloads', o.maxReloads, 0);
  positiveInteger('maxBodyBytes', o.maxBodyBytes);
  if (
    !Array.isArray(o.blockedResourceTypes) ||
    o.blockedResourceTypes.some((t) => typeof t !== 'string')
  ) {
    throw new TypeError(
      `Expected \`blockedResourceTypes\` to be an array of strings, got \`${String(o.blockedResourceTypes)}\``,
    );
  }
  if (typeof o.userAgent !== 'string' || o.userAgent.trim() === '') {
    throw new TypeError(
      `Expected \`userAgent\` to be a non-empty string, got \`${String(o.userAgent)}\``,
    );
  }
  if (o.proxy !== undefined) {
    try {
      new URL(o.proxy);
    } catch {
      throw new TypeError(`Expected \`proxy\` to be a URL, got \`${String(o.proxy)}\``);
    }
  }
  return o;
}

interface Launched {
  readonly browser: Browser;
}

/** Thrown inside a render when its own deadline passes; mapped to HTTP_TIMEOUT. */
class RenderDeadline extends Error {}

/** How long a failed launch is remembered, so a missing binary does not cost a launch per page. */
const LAUNCH_FAILURE_TTL_MS = 30_000;

export class Renderer {
  readonly #options: ResolvedRendererOptions;
  readonly #log: Logger;
  readonly #slots: PQueue;
  #launching: Promise<Launched> | null = null;
  #launched: Launched | null = null;
  #launchFailure: { error: PipelineError; at: number } | null = null;
  #hooks: { signal: (sig: NodeJS.Signals) => void } | null = null;

  constructor(options: RendererOptions = {}) {
    this.#options = resolveOptions(options);
    this.#log = this.#options.logger.child({ component: 'renderer' });
    this.#slots = new PQueue({ concurrency: this.#options.maxContexts });
  }

  /** True while a browser process is up. */
  get running(): boolean {
    return this.#launched !== null;
  }

  /**
   * Loads `url` in a fresh context, lets its scripts run (following up to `maxReloads`
   * navigations they trigger) and returns the serialised DOM as UTF-8.
   * @throws HttpStatusError / RetryableHttpStatusError when the final document's status is
   *   not 2xx; RetryableError `HTTP_TIMEOUT` past a time limit, `NETWORK` when the browser or
   *   connection fails; NonRetryableError `HOST_NOT_ALLOWED`, `BODY_TOO_LARGE`, `CONFIG`
   *   (Chromium cannot start).
   */
  async render(url: string, request: RenderRequest = {}): Promise<RenderResult> {
    const { signal } = request;
    if (signal?.aborted) throw signal.reason;
    const task = this.#slots.add(() => this.#renderInSlot(url, request), {
      ...(signal === undefined ? {} : { signal }),
    });
    try {
      return (await task) as RenderResult;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  }

  /** Closes the browser and kills its process if it does not go. Safe to call twice. */
  async close(): Promise<void> {
    const launching = this.#launching;
    this.#launching = null;
    this.#removeHooks();
    let launched: Launched | null = this.#launched;
    this.#launched = null;
    if (launched === null && launching !== null) {
      launched = await launching.catch(() => null);
    }
    if (launched === null) return;
    // Playwright closes gracefully and kills the process when that fails.
    await launched.browser.close().catch(() => undefined);
    this.#log.debug('browser closed');
  }

  async #browser(): Promise<Launched> {
    if (this.#launched !== null) return this.#launched;
    const failure = this.#launchFailure;
    if (failure !== null && Date.now() - failure.at < LAUNCH_FAILURE_TTL_MS) throw failure.error;
    if (this.#launching === null) {
      const launching = this.#launch();
      this.#launching = launching;
      launching.then(
        (l) => {
          if (this.#launching === launching) this.#launched = l;
        },
        (err: unknown) => {
          if (this.#launching === launching) this.#launching = null;
          this.#launchFailure = {
            error:
              err instanceof PipelineError
                ? err
                : new NonRetryableError('CONFIG', 'Chromium did not start', { cause: err }),
            at: Date.now(),
          };
        },
      );
    }
    try {
      return await this.#launching;
    } catch {
      throw this.#launchFailure?.error ?? new NonRetryableError('CONFIG', 'Chromium did not start');
    }
  }

  async #launch(): Promise<Launched> {
    const o = this.#options;
    let browser: Browser;
    try {
      // A directly launched browser talks over a pipe: twice as fast as a WebSocket connection,
      // and Chromium exits by itself when the pipe closes (the process was killed with -9).
      // Playwright kills it on process 'exit' (an uncaught exception included).
      // Loaded on first need: most crawls never render, and the CLI starts faster without it.
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: o.executablePath,
        args: [...o.args],
        timeout: o.launchTimeoutMs,
        // Signals are ours to handle: the CLI stops a crawl gracefully on SIGINT.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        ...(o.proxy === undefined ? {} : { proxy: { server: o.proxy } }),
      });
    } catch (err) {
      throw new NonRetryableError(
        'CONFIG',
        `Chromium did not start from ${o.executablePath}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (install Debian's chromium package)`,
        { cause: err },
      );
    }
    const launched: Launched = { browser };
    // A crashed or killed browser is replaced by the next render.
    browser.on('disconnected', () => {
      if (this.#launched === launched) {
        this.#log.warn('browser disconnected; the next render starts a new one');
        this.#launched = null;
        this.#launching = null;
        this.#removeHooks();
      }
    });
    if (o.exitHooks) this.#installHooks(launched);
    this.#log.info({ executablePath: o.executablePath }, 'browser started');
    return launched;
  }

  #installHooks(launched: Launched): void {
    this.#removeHooks();
    const signal = (sig: NodeJS.Signals) => {
      this.#removeHooks();
      if (this.#launched === launched) {
        this.#launched = null;
        this.#launching = null;
      }
      // A listener disables Node's default "exit on signal". When ours was the only one,
      // restore it: the process ends, and Playwright's exit handler kills the browser.
      if (process.listenerCount(sig) === 0) {
        process.kill(process.pid, sig);
        return;
      }
      // Someone else (the CLI) winds the process down; the browser goes now.
      launched.browser.close().catch(() => undefined);
    };
    process.on('SIGINT', signal);
    process.on('SIGTERM', signal);
    this.#hooks = { signal };
  }

  #removeHooks(): void {
    if (this.#hooks === null) return;
    process.off('SIGINT', this.#hooks.signal);
    process.off('SIGTERM', this.#hooks.signal);
    this.#hooks = null;
  }

  async #renderInSlot(url: string, request: RenderRequest): Promise<RenderResult> {
    const { signal } = request;
    if (signal?.aborted) throw signal.reason;
    const { browser } = await this.#browser();
    let context: BrowserContext;
    try {
      context = await browser.newContext({
        userAgent: this.#options.userAgent,
        locale: 'zh-CN',
        serviceWorkers: 'block',
        acceptDownloads: false,
        viewport: { width: 1280, height: 900 },
      });
    } catch (err) {
      throw new RetryableError('NETWORK', `Browser could not open a context for ${url}`, {
        cause: err,
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RenderDeadline(`render exceeded ${this.#options.renderTimeoutMs} ms`)),
        this.#options.renderTimeoutMs,
      );
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    stop.catch(() => undefined);
    try {
      return await Promise.race([this.#renderPage(context, url, request), stop]);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw this.#classify(err, url);
    } finally {
      clearTimeout(timer);
      // Closing the context also ends whatever the page was still doing.
      await context.close().catch(() => undefined);
    }
  }

  async #renderPage(
    context: BrowserContext,
    url: string,
    request: RenderRequest,
  ): Promise<RenderResult> {
    const o = this.#options;
    if (request.cookies !== undefined && request.cookies.length > 0) {
      await context.addCookies([...request.cookies]);
    }
    const blockedTypes = new Set(o.blockedResourceTypes);
    let blockedRequests = 0;
    let refusedNavigation: string | null = null;
    await context.route('**/*', async (route: Route) => {
      const req = route.request();
      if (blockedTypes.has(req.resourceType())) {
        blockedRequests++;
        await route.abort('blockedbyclient').catch(() => undefined);
        return;
      }
      let allowed = true;
      if (request.isUrlAllowed !== undefined) {
        try {
          allowed = await request.isUrlAllowed(req.url());
        } catch {
          allowed = false;
        }
      }
      if (!allowed) {
        blockedRequests++;
        if (req.isNavigationRequest()) refusedNavigation = req.url();
        await route.abort('blockedbyclient').catch(() => undefined);
        return;
      }
      await route.continue().catch(() => undefined);
    });
    const page = await context.newPage();
    page.setDefaultNavigationTimeout(o.navigationTimeoutMs);
    page.setDefaultTimeout(o.navigationTimeoutMs);
    const documents: Response[] = [];
    page.on('response', (response) => {
      const req = response.request();
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) documents.push(response);
    });

    try {
      // 'commit' returns as soon as the first document arrives, even when its script replaces
      // it at once (a challenge reloading), which would make a 'load' wait fail.
      await page.goto(url, { waitUntil: 'commit' });
    } catch (err) {
      if (refusedNavigation !== null) {
        throw new NonRetryableError(
          'HOST_NOT_ALLOWED',
          `Refused ${refusedNavigation}: not allowed for this source`,
        );
      }
      if (!isNavigationRace(err)) throw err;
    }
    await this.#settle(page, documents, request.waitForSelector);
    if (refusedNavigation !== null) {
      throw new NonRetryableError(
        'HOST_NOT_ALLOWED',
        `Refused ${refusedNavigation}: not allowed for this source`,
      );
    }
    const last = documents.at(-1);
    if (last === undefined) {
      throw new RetryableError('NETWORK', `No document arrived for ${url}`);
    }
    const status = last.status();
    const finalUrl = page.url();
    // Playwright's route sees no redirect hops: check where the document finally came from.
    if (finalUrl !== url && request.isUrlAllowed !== undefined) {
      const allowed = await Promise.resolve(request.isUrlAllowed(finalUrl)).catch(() => false);
      if (!allowed) {
        throw new NonRetryableError(
          'HOST_NOT_ALLOWED',
          `Refused ${finalUrl} (redirected from ${url}): not allowed for this source`,
        );
      }
    }
    if (status === 429 || status === 408 || status >= 500) {
      throw new RetryableHttpStatusError(status, finalUrl);
    }
    if (status >= 300) throw new HttpStatusError(status, finalUrl);

    const html = await page.content();
    const body = Buffer.from(html, 'utf8');
    if (body.byteLength > o.maxBodyBytes) {
      throw new NonRetryableError(
        'BODY_TOO_LARGE',
        `Rendered ${url} exceeds the ${o.maxBodyBytes}-byte limit`,
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await last.allHeaders())) {
      headers[name.toLowerCase()] = value;
    }
    // The body is the DOM serialised as UTF-8, not the bytes on the wire.
    delete headers['content-length'];
    delete headers['content-encoding'];
    delete headers['transfer-encoding'];
    const contentType = 'text/html; charset=utf-8';
    headers['content-type'] = contentType;
    headers[RENDERED_HEADER] = 'chromium';
    const cookies = await context.cookies();
    return {
      url,
      finalUrl,
      status,
      headers,
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      contentType,
      redirects: redirectsOf(url, documents),
      notModified: false,
      cookies,
      blockedRequests,
    };
  }

  /**
   * Waits for the load event and a quiet network; when the page navigated meanwhile (a
   * challenge script reloading), waits again for the new document, up to `maxReloads` times.
   */
  async #settle(page: Page, documents: Response[], selector: string | undefined): Promise<void> {
    const o = this.#options;
    for (let round = 0; round <= o.maxReloads; round++) {
      const seen = documents.length;
      try {
        await page.waitForLoadState('load', { timeout: o.navigationTimeoutMs });
      } catch (err) {
        if (!isNavigationRace(err)) throw err;
      }
      if (o.settleMs > 0) {
        await page.waitForLoadState('networkidle', { timeout: o.settleMs }).catch(() => undefined);
      }
      if (documents.length === seen) break;
    }
    if (selector !== undefined && o.settleMs > 0) {
      await page
        .waitForSelector(selector, { state: 'attached', timeout: o.settleMs })
        .catch(() => undefined);
    }
  }

  #classify(err: unknown, url: string): PipelineError {
    if (err instanceof PipelineError) return err;
    if (err instanceof RenderDeadline) {
      return new RetryableError(
        'HTTP_TIMEOUT',
        `Rendering ${url} took more than ${this.#options.renderTimeoutMs} ms`,
        { cause: err },
      );
    }
    // playwright-core is loaded lazily, so its TimeoutError class is recognised by name.
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new RetryableError(
        'HTTP_TIMEOUT',
        `Navigation to ${url} took more than ${this.#options.navigationTimeoutMs} ms`,
        { cause: err },
      );
    }
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    return new RetryableError('NETWORK', `Browser failed on ${url}: ${message}`, { cause: err });
  }
}

/** Playwright reports a document replaced by its own script as an interrupted navigation. */
function isNavigationRace(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /interrupted by another navigation|net::ERR_ABORTED|frame was detached|Navigation failed because page was closed/i.test(
    err.message,
  );
}

/** Every URL the main frame moved to after the one asked for, in order, as the fetcher reports. */
function redirectsOf(requested: string, documents: readonly Response[]): string[] {
  const urls: string[] = [];
  for (const response of documents) {
    const chain: string[] = [];
    for (let r: Request | null = response.request(); r !== null; r = r.redirectedFrom()) {
      chain.unshift(r.url());
    }
    for (const u of chain) if (urls.at(-1) !== u) urls.push(u);
  }
  if (urls[0] === requested) urls.shift();
  return urls;
}
