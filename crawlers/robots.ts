import robotsParserCjs from 'robots-parser';
import { DEFAULT_USER_AGENT } from '../core/config.js';
import { NonRetryableError, RetryableError, toPipelineError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { httpStatusOf } from './http-errors.js';

/**
 * robots.txt per origin, fetched once and cached (RFC 9309). The fetch is injected so robots
 * requests go through the same Fetcher, with its limits and host guard, as everything else.
 */

// The package's typings declare an ES default export, but it is CommonJS (`module.exports =
// fn`); under NodeNext the default import is the function itself.
const robotsParser = robotsParserCjs as unknown as typeof robotsParserCjs.default;
type Robot = ReturnType<typeof robotsParser>;

/** What RobotsCache needs from a fetch: a status and the body (Fetcher.fetch fits). */
export type RobotsFetch = (
  url: string,
) => Promise<{ readonly status: number; readonly body: Uint8Array }>;

export interface RobotsCacheOptions {
  /** Fetches a robots.txt URL; may throw the Fetcher's errors (HttpStatusError and friends). */
  readonly fetch: RobotsFetch;
  /**
   * User agent matched against `User-agent:` groups when a call does not name one.
   * @default DEFAULT_USER_AGENT from core/config
   */
  readonly userAgent?: string;
  /**
   * How long a fetched robots.txt (or a 4xx "allow all") is trusted; RFC 9309 §2.4 says
   * not more than 24 hours.
   * @default 86400000 (24 hours)
   */
  readonly ttlMs?: number;
  /**
   * How long an unreachable robots.txt (5xx, 429, network error) keeps its origin closed before
   * the next try.
   * @default 300000 (5 minutes)
   */
  readonly errorTtlMs?: number;
  /**
   * Origins kept; the least recently used is dropped beyond this.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * Cap on a site's Crawl-delay, so one line cannot stall a source for hours.
   * @default 60000
   */
  readonly maxCrawlDelayMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export const ROBOTS_CACHE_DEFAULTS = Object.freeze({
  userAgent: DEFAULT_USER_AGENT,
  ttlMs: 24 * 60 * 60_000,
  errorTtlMs: 5 * 60_000,
  maxEntries: 1000,
  maxCrawlDelayMs: 60_000,
  now: Date.now,
  logger: silentLogger,
});

type ResolvedOptions = Required<RobotsCacheOptions>;

export type RobotsReason = 'allowed' | 'disallowed' | 'unreachable';

export interface RobotsVerdict {
  readonly allowed: boolean;
  /** `unreachable`: robots.txt could not be read; the URL is refused for now, ask again later. */
  readonly reason: RobotsReason;
  /** For `unreachable`: when the next robots.txt fetch will be tried, in ms from now. */
  readonly retryAfterMs?: number;
}

type Entry =
  | { readonly kind: 'rules'; readonly robot: Robot; readonly expiresAt: number }
  | { readonly kind: 'allow-all'; readonly expiresAt: number }
  | { readonly kind: 'unreachable'; readonly expiresAt: number };

function checkPositiveInteger(name: string, value: unknown, min = 1): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got \`${String(value)}\``,
    );
  }
}

function resolveOptions(options: RobotsCacheOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object' || typeof options.fetch !== 'function') {
    throw new TypeError(`Expected \`fetch\` to be a function, got \`${String(options?.fetch)}\``);
  }
  const o = { ...ROBOTS_CACHE_DEFAULTS, ...options };
  if (typeof o.userAgent !== 'string' || o.userAgent.trim() === '') {
    throw new TypeError(
      `Expected \`userAgent\` to be a non-empty string, got \`${String(o.userAgent)}\``,
    );
  }
  checkPositiveInteger('ttlMs', o.ttlMs);
  checkPositiveInteger('errorTtlMs', o.errorTtlMs);
  checkPositiveInteger('maxEntries', o.maxEntries);
  checkPositiveInteger('maxCrawlDelayMs', o.maxCrawlDelayMs, 0);
  if (typeof o.now !== 'function') {
    throw new TypeError(`Expected \`now\` to be a function, got \`${String(o.now)}\``);
  }
  return o;
}

function originOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new NonRetryableError('USER_INPUT', `Not a valid URL: ${JSON.stringify(url)}`, {
      cause: err,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NonRetryableError(
      'USER_INPUT',
      `robots.txt applies to http(s) URLs only, got ${JSON.stringify(url)}`,
    );
  }
  return parsed.origin;
}

export class RobotsCache {
  readonly #options: ResolvedOptions;
  readonly #log: Logger;
  /** origin -> entry (or the fetch in flight, so concurrent callers share one request). */
  readonly #entries = new Map<string, Promise<Entry>>();

  constructor(options: RobotsCacheOptions) {
    this.#options = resolveOptions(options);
    this.#log = this.#options.logger.child({ component: 'robots' });
  }

  /** The full answer for `url`, saying whether a refusal is final or only for now. */
  async check(url: string, userAgent: string = this.#options.userAgent): Promise<RobotsVerdict> {
    const entry = await this.#entry(originOf(url));
    switch (entry.kind) {
      case 'allow-all':
        return { allowed: true, reason: 'allowed' };
      case 'unreachable':
        return {
          allowed: false,
          reason: 'unreachable',
          retryAfterMs: Math.max(0, entry.expiresAt - this.#options.now()),
        };
      case 'rules': {
        // robots-parser answers undefined only for another origin, which #entry rules out.
        const allowed = entry.robot.isAllowed(url, userAgent) !== false;
        return { allowed, reason: allowed ? 'allowed' : 'disallowed' };
      }
    }
  }

  async isAllowed(url: string, userAgent?: string): Promise<boolean> {
    return (await this.check(url, userAgent)).allowed;
  }

  /**
   * Throws unless `url` may be fetched: NonRetryableError `ROBOTS_DISALLOWED` when a rule forbids
   * it, RetryableError `ROBOTS_DISALLOWED` (with `retryAfterMs`) when robots.txt is unreachable.
   */
  async assertAllowed(url: string, userAgent?: string): Promise<void> {
    const verdict = await this.check(url, userAgent);
    if (verdict.reason === 'disallowed') {
      throw new NonRetryableError('ROBOTS_DISALLOWED', `robots.txt disallows ${url}`);
    }
    if (verdict.reason === 'unreachable') {
      throw new RetryableError(
        'ROBOTS_DISALLOWED',
        `robots.txt for ${url} is unreachable; not crawling yet`,
        {
          retryAfterMs: verdict.retryAfterMs,
        },
      );
    }
  }

  /** The origin's Crawl-delay for this user agent in ms (capped), or undefined when none. */
  async crawlDelayMs(
    url: string,
    userAgent: string = this.#options.userAgent,
  ): Promise<number | undefined> {
    const entry = await this.#entry(originOf(url));
    if (entry.kind !== 'rules') return undefined;
    const seconds = entry.robot.getCrawlDelay(userAgent);
    if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
    return Math.min(Math.round(seconds * 1000), this.#options.maxCrawlDelayMs);
  }

  /** Forgets every cached robots.txt. */
  clear(): void {
    this.#entries.clear();
  }

  async #entry(origin: string): Promise<Entry> {
    const cached = this.#entries.get(origin);
    if (cached !== undefined) {
      const entry = await cached;
      if (entry.expiresAt > this.#options.now()) {
        // Re-insert to mark it most recently used (Map keeps insertion order).
        this.#entries.delete(origin);
        this.#entries.set(origin, cached);
        return entry;
      }
      // Another caller may already have replaced the expired entry while we awaited.
      const current = this.#entries.get(origin);
      if (current !== undefined && current !== cached) return this.#entry(origin);
    }
    const pending = this.#load(origin);
    this.#entries.delete(origin);
    this.#entries.set(origin, pending);
    pending.catch(() => {
      if (this.#entries.get(origin) === pending) this.#entries.delete(origin);
    });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return pending;
  }

  async #load(origin: string): Promise<Entry> {
    const robotsUrl = `${origin}/robots.txt`;
    const now = this.#options.now();
    const allowAll: Entry = { kind: 'allow-all', expiresAt: now + this.#options.ttlMs };
    const unreachable: Entry = { kind: 'unreachable', expiresAt: now + this.#options.errorTtlMs };
    let status: number;
    let body: Uint8Array;
    try {
      ({ status, body } = await this.#options.fetch(robotsUrl));
    } catch (err) {
      const thrownStatus = httpStatusOf(err);
      if (thrownStatus !== undefined)
        return this.#byStatus(thrownStatus, robotsUrl, allowAll, unreachable);
      if (err instanceof NonRetryableError) {
        // Too many redirects, too large, refused host: RFC 9309 §2.3.1.2-2.3.1.3 treat a
        // robots.txt that cannot be had for such reasons like a missing one.
        this.#log.warn(
          { url: robotsUrl, code: err.code },
          'robots.txt unusable; treating as absent',
        );
        return allowAll;
      }
      // The host itself cannot be reached (DNS, refused, reset, timeout): the page would fail
      // the same way, so surface the network error and let the job back off as any fetch does,
      // instead of closing the origin for errorTtlMs. Nothing is cached for it.
      throw toPipelineError(err);
    }
    if (status < 200 || status >= 300)
      return this.#byStatus(status, robotsUrl, allowAll, unreachable);
    const text = new TextDecoder('utf-8').decode(body);
    return {
      kind: 'rules',
      robot: robotsParser(robotsUrl, text),
      expiresAt: now + this.#options.ttlMs,
    };
  }

  /**
   * RFC 9309 §2.3.1.3: 4xx means no robots.txt, so everything is allowed. §2.3.1.4: 5xx (and
   * 429, which asks us to slow down) means unreachable, so everything is refused for now.
   */
  #byStatus(status: number, url: string, allowAll: Entry, unreachable: Entry): Entry {
    if (status >= 400 && status < 500 && status !== 429) return allowAll;
    this.#log.info({ url, status }, 'robots.txt unreachable');
    return unreachable;
  }
}
