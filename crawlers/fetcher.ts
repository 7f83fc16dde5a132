import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, buildConnector, type Dispatcher, ProxyAgent, request } from 'undici';
import { DEFAULT_USER_AGENT } from '../core/config.js';
import { NonRetryableError, PipelineError, RetryableError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { parseRetryAfterMs } from './backoff.js';
import { isPrivateAddress } from './host-guard.js';
import { HttpStatusError, RetryableHttpStatusError } from './http-errors.js';

export { BACKOFF_DEFAULTS, type BackoffOptions, backoffMs, parseRetryAfterMs } from './backoff.js';
export {
  assertHostAllowed,
  HOST_GUARD_DEFAULTS,
  type HostGuardOptions,
  hostGuard,
  isPrivateAddress,
} from './host-guard.js';
export {
  HttpStatusError,
  httpStatusOf,
  isVanished,
  RetryableHttpStatusError,
} from './http-errors.js';

/**
 * One HTTP GET with the crawler's limits: bounded time, bounded size, bounded and checked
 * redirects, only http(s), and failures sorted into retryable or not. Retries themselves are
 * the queue's business (it reschedules with `backoffMs`).
 */

export interface FetchResult {
  /** The URL asked for. */
  readonly url: string;
  /** The URL that answered, after redirects. */
  readonly finalUrl: string;
  readonly status: number;
  /**
   * Response headers, lower-case names; repeated headers joined with `, `. When the body was
   * decompressed, `content-encoding` and `content-length` are removed (they described the
   * bytes on the wire, not `body`).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Decompressed body; empty for 304. */
  readonly body: Uint8Array;
  readonly contentType: string | null;
  /** Every URL redirected to, in order (the requested URL is not included). */
  readonly redirects: readonly string[];
  /** True on 304: the copy the caller holds (by `etag` / `lastModified`) is current. */
  readonly notModified: boolean;
}

/**
 * The connection dropped after part of a 2xx body had arrived. Retryable like any dropped
 * connection; `partial` holds what arrived (decompressed), for a caller with no attempt left
 * that would rather keep half a page than nothing.
 */
export class TruncatedBodyError extends RetryableError {
  readonly partial: FetchResult;

  constructor(partial: FetchResult, options: { cause?: unknown } = {}) {
    super(
      'NETWORK',
      `Connection dropped after ${partial.body.byteLength} bytes of ${partial.finalUrl}`,
      options,
    );
    this.partial = partial;
  }
}

/** What #readBody had when the transfer broke off; #fetchFollowing adds status and headers. */
class BodyCutShort extends Error {
  constructor(
    readonly body: Uint8Array,
    cause: unknown,
  ) {
    super('body cut short', { cause });
  }
}

export interface FetchRequestOptions {
  /** Sent as If-None-Match. */
  readonly etag?: string | null;
  /** Sent as If-Modified-Since. */
  readonly lastModified?: string | null;
  /** Cancels the fetch; the promise then rejects with the signal's reason, unchanged. */
  readonly signal?: AbortSignal;
}

/**
 * Decides whether a URL (the first one and every redirect hop) may be fetched. Return false
 * to refuse (HOST_NOT_ALLOWED), or throw a PipelineError to refuse with your own reason;
 * `hostGuard()` and a RobotsCache check compose here.
 */
export type UrlAllowedCheck = (url: string) => boolean | Promise<boolean>;

export interface FetcherOptions {
  /**
   * User-Agent header; put a contact address in it.
   * @default DEFAULT_USER_AGENT from core/config
   */
  readonly userAgent?: string;
  /**
   * Overall limit for one fetch: every redirect hop, headers and body.
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * Limit for opening one TCP/TLS connection.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Redirects followed before giving up with TOO_MANY_REDIRECTS.
   * @default 5
   */
  readonly maxRedirects?: number;
  /**
   * Largest body accepted, counted after decompression.
   * @default 10485760 (10 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Cap on a server's Retry-After, so one header cannot park a job for days.
   * @default 600000 (10 minutes)
   */
  readonly maxRetryAfterMs?: number;
  /**
   * Checked before the first request and before every redirect hop.
   * @default allows every http(s) URL
   */
  readonly isUrlAllowed?: UrlAllowedCheck;
  /**
   * Allow connections to loopback/private/link-local addresses. Off, every new connection's
   * peer address is checked after connecting, which also catches DNS answers that changed
   * since `isUrlAllowed` looked (DNS rebinding). Not applied through a proxy: the proxy
   * connects to the target, so there only `isUrlAllowed` guards.
   * @default false
   */
  readonly allowPrivateAddresses?: boolean;
  /**
   * Proxy for http:// URLs (HTTP_PROXY).
   * @default undefined (direct)
   */
  readonly httpProxy?: string;
  /**
   * Proxy for https:// URLs (HTTPS_PROXY).
   * @default undefined (direct)
   */
  readonly httpsProxy?: string;
  /**
   * Extra request headers (e.g. Accept-Language); they cannot replace the conditional headers.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Open connections per origin.
   * @default 4
   */
  readonly connectionsPerOrigin?: number;
  /** @default silentLogger */
  readonly logger?: Logger;
  /**
   * Clock, for reading Retry-After dates.
   * @default Date.now
   */
  readonly now?: () => number;
}

type ResolvedFetcherOptions = Required<Omit<FetcherOptions, 'httpProxy' | 'httpsProxy'>> & {
  readonly httpProxy: string | undefined;
  readonly httpsProxy: string | undefined;
};

export const FETCHER_DEFAULTS: ResolvedFetcherOptions = Object.freeze({
  userAgent: DEFAULT_USER_AGENT,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxRedirects: 5,
  maxBodyBytes: 10 * 1024 * 1024,
  maxRetryAfterMs: 10 * 60_000,
  isUrlAllowed: () => true,
  allowPrivateAddresses: false,
  httpProxy: undefined,
  httpsProxy: undefined,
  headers: Object.freeze({}),
  connectionsPerOrigin: 4,
  logger: silentLogger,
  now: Date.now,
});

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** TLS failures that will not fix themselves on a retry. */
const PERMANENT_TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What a certificate failure means for the person reading the crawl's failures. */
function tlsHint(code: string): string {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'the site certificate is out of date (check the clock of this machine too)';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'the certificate is for another host name';
  return 'the certificate is not trusted here; behind a proxy that re-signs HTTPS, give its CA in NODE_EXTRA_CA_CERTS';
}

function positiveInteger(name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new TypeError(`Expected \`${name}\` to be ${what}, got \`${String(value)}\``);
  }
  return value;
}

function optionalProxy(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new TypeError(`Expected \`${name}\` to be a proxy URL, got \`${String(value)}\``);
  }
  return value;
}

function resolveOptions(options: FetcherOptions): ResolvedFetcherOptions {
  const o = { ...FETCHER_DEFAULTS, ...options };
  if (typeof o.userAgent !== 'string' || o.userAgent.trim() === '') {
    throw new TypeError(
      `Expected \`userAgent\` to be a non-empty string, got \`${String(o.userAgent)}\``,
    );
  }
  positiveInteger('timeoutMs', o.timeoutMs);
  positiveInteger('connectTimeoutMs', o.connectTimeoutMs);
  positiveInteger('maxRedirects', o.maxRedirects, 0);
  positiveInteger('maxBodyBytes', o.maxBodyBytes);
  positiveInteger('maxRetryAfterMs', o.maxRetryAfterMs, 0);
  positiveInteger('connectionsPerOrigin', o.connectionsPerOrigin);
  if (typeof o.isUrlAllowed !== 'function') {
    throw new TypeError(
      `Expected \`isUrlAllowed\` to be a function, got \`${String(o.isUrlAllowed)}\``,
    );
  }
  if (typeof o.allowPrivateAddresses !== 'boolean') {
    throw new TypeError(
      `Expected \`allowPrivateAddresses\` to be a boolean, got \`${String(o.allowPrivateAddresses)}\``,
    );
  }
  if (typeof o.now !== 'function') {
    throw new TypeError(`Expected \`now\` to be a function, got \`${String(o.now)}\``);
  }
  if (o.headers === null || typeof o.headers !== 'object') {
    throw new TypeError(`Expected \`headers\` to be an object, got \`${String(o.headers)}\``);
  }
  return {
    ...o,
    httpProxy: optionalProxy('httpProxy', o.httpProxy),
    httpsProxy: optionalProxy('httpsProxy', o.httpsProxy),
  };
}

function parseHttpUrl(url: string): URL {
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
      `Only http and https URLs are fetched, got ${JSON.stringify(url)}`,
    );
  }
  return parsed;
}

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Walks `cause` links, since undici wraps socket errors and our own connector errors. */
function* causeChain(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    yield current;
    current = current instanceof Error ? current.cause : undefined;
  }
}

function errorCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function decompressorFor(encoding: string | undefined) {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

class TimeoutSignal extends Error {}

export class Fetcher {
  readonly #options: ResolvedFetcherOptions;
  readonly #log: Logger;
  readonly #direct: Agent;
  readonly #httpProxy: ProxyAgent | null;
  readonly #httpsProxy: ProxyAgent | null;

  constructor(options: FetcherOptions = {}) {
    this.#options = resolveOptions(options);
    this.#log = this.#options.logger.child({ component: 'fetcher' });
    const { connectTimeoutMs, allowPrivateAddresses, connectionsPerOrigin } = this.#options;
    const connector = buildConnector({ timeout: connectTimeoutMs });
    this.#direct = new Agent({
      connections: connectionsPerOrigin,
      connect: allowPrivateAddresses
        ? connector
        : (opts, callback) => {
            connector(opts, (err, socket) => {
              if (err !== null) {
                callback(err, null);
                return;
              }
              const peer = (socket as Socket).remoteAddress;
              if (peer === undefined || isPrivateAddress(peer)) {
                socket.destroy();
                callback(
                  new NonRetryableError(
                    'HOST_NOT_ALLOWED',
                    `Refused connection to ${opts.hostname}: ${peer ?? 'unknown'} is not a public address`,
                  ),
                  null,
                );
                return;
              }
              callback(null, socket);
            });
          },
    });
    const proxy = (uri: string | undefined) =>
      uri === undefined
        ? null
        : new ProxyAgent({
            uri,
            connections: connectionsPerOrigin,
            proxyTls: { timeout: connectTimeoutMs },
            // The target's TLS handshake inside the tunnel keeps the same limit.
            requestTls: { timeout: connectTimeoutMs },
          });
    this.#httpProxy = proxy(this.#options.httpProxy);
    this.#httpsProxy = proxy(this.#options.httpsProxy);
  }

  /**
   * GETs `url`, following redirects itself so each hop is checked and counted.
   * @throws RetryableError `HTTP_STATUS` (429, 408, 5xx; `retryAfterMs` from Retry-After),
   *   `HTTP_TIMEOUT`, `NETWORK`.
   * @throws NonRetryableError `HTTP_STATUS` (other 4xx; an HttpStatusError with `status`),
   *   `TOO_MANY_REDIRECTS`, `BODY_TOO_LARGE`, `HOST_NOT_ALLOWED`, `USER_INPUT` (not http(s)).
   */
  async fetch(url: string, init: FetchRequestOptions = {}): Promise<FetchResult> {
    const userSignal = init.signal;
    if (userSignal?.aborted) throw userSignal.reason;
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(new TimeoutSignal(`no complete answer within ${this.#options.timeoutMs} ms`)),
      this.#options.timeoutMs,
    );
    const signal =
      userSignal === undefined ? timeout.signal : AbortSignal.any([userSignal, timeout.signal]);
    const started = this.#options.now();
    try {
      const result = await this.#fetchFollowing(url, init, signal);
      this.#log.debug(
        {
          url,
          finalUrl: result.finalUrl,
          status: result.status,
          bytes: result.body.byteLength,
          ms: this.#options.now() - started,
        },
        'fetched',
      );
      return result;
    } catch (err) {
      if (userSignal?.aborted) throw userSignal.reason;
      const mapped = this.#classify(err, url, timeout.signal.aborted);
      this.#log.debug({ url, code: mapped.code, err: mapped.message }, 'fetch failed');
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const dispatchers: Dispatcher[] = [this.#direct];
    if (this.#httpProxy !== null) dispatchers.push(this.#httpProxy);
    if (this.#httpsProxy !== null) dispatchers.push(this.#httpsProxy);
    await Promise.all(dispatchers.map((d) => d.close()));
  }

  async #checkAllowed(url: URL): Promise<void> {
    if (!this.#options.allowPrivateAddresses && this.#dispatcherFor(url) === this.#direct) {
      // A literal address needs no DNS: refuse before any packet is sent.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && isPrivateAddress(host)) {
        throw new NonRetryableError(
          'HOST_NOT_ALLOWED',
          `Refused ${url.href}: ${host} is not a public address`,
        );
      }
    }
    const allowed = await this.#options.isUrlAllowed(url.href);
    if (!allowed) {
      throw new NonRetryableError(
        'HOST_NOT_ALLOWED',
        `Refused ${url.href}: not allowed for this source`,
      );
    }
  }

  #dispatcherFor(url: URL): Dispatcher {
    const proxy = url.protocol === 'https:' ? this.#httpsProxy : this.#httpProxy;
    return proxy ?? this.#direct;
  }

  #requestHeaders(init: FetchRequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
      'accept-encoding': 'gzip, deflate, br',
    };
    for (const [name, value] of Object.entries(this.#options.headers))
      headers[name.toLowerCase()] = value;
    headers['user-agent'] = this.#options.userAgent;
    if (init.etag != null && init.etag !== '') headers['if-none-match'] = init.etag;
    if (init.lastModified != null && init.lastModified !== '') {
      headers['if-modified-since'] = init.lastModified;
    }
    return headers;
  }

  async #fetchFollowing(
    requested: string,
    init: FetchRequestOptions,
    signal: AbortSignal,
  ): Promise<FetchResult> {
    let current = parseHttpUrl(requested);
    const headers = this.#requestHeaders(init);
    const redirects: string[] = [];
    const seen = new Set([current.href]);
    for (;;) {
      await this.#checkAllowed(current);
      const response = await sendGet(
        current,
        this.#dispatcherFor(current),
        headers,
        signal,
        this.#options.timeoutMs,
      );
      const status = response.statusCode;
      const responseHeaders = flattenHeaders(response.headers);
      const location = responseHeaders['location'];

      if (REDIRECT_STATUSES.has(status) && location !== undefined && location !== '') {
        await discard(response.body);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch (err) {
          throw new HttpStatusError(status, current.href, { cause: err });
        }
        next.hash = '';
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new NonRetryableError(
            'USER_INPUT',
            `${current.href} redirects to ${JSON.stringify(location)}, which is not http(s)`,
          );
        }
        if (seen.has(next.href)) {
          throw new NonRetryableError(
            'TOO_MANY_REDIRECTS',
            `Redirect loop: ${[requested, ...redirects, next.href].join(' -> ')}`,
          );
        }
        if (redirects.length >= this.#options.maxRedirects) {
          throw new NonRetryableError(
            'TOO_MANY_REDIRECTS',
            `More than ${this.#options.maxRedirects} redirects from ${requested}`,
          );
        }
        seen.add(next.href);
        redirects.push(next.href);
        current = next;
        continue;
      }

      const base = {
        url: requested,
        finalUrl: current.href,
        status,
        redirects,
        contentType: responseHeaders['content-type'] ?? null,
      };
      if (status === 304) {
        await discard(response.body);
        return { ...base, headers: responseHeaders, body: new Uint8Array(0), notModified: true };
      }
      if (status >= 200 && status < 300) {
        try {
          const body = await this.#readBody(response, responseHeaders, current.href, signal);
          return { ...base, headers: responseHeaders, body, notModified: false };
        } catch (err) {
          if (!(err instanceof BodyCutShort)) throw err;
          const partial = { ...base, headers: responseHeaders, body: err.body, notModified: false };
          throw new TruncatedBodyError(partial, { cause: err.cause });
        }
      }
      await discard(response.body);
      if (status === 429 || status === 408 || status >= 500) {
        const retryAfter = parseRetryAfterMs(responseHeaders['retry-after'], this.#options.now());
        throw new RetryableHttpStatusError(status, current.href, {
          retryAfterMs:
            retryAfter === undefined
              ? undefined
              : Math.min(retryAfter, this.#options.maxRetryAfterMs),
        });
      }
      throw new HttpStatusError(status, current.href);
    }
  }

  /** Streams the body into memory, stopping as soon as it passes `maxBodyBytes`. */
  async #readBody(
    response: Dispatcher.ResponseData,
    headers: Record<string, string>,
    url: string,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const max = this.#options.maxBodyBytes;
    const tooLarge = (what: string) =>
      new NonRetryableError('BODY_TOO_LARGE', `Body of ${url} ${what} the ${max}-byte limit`);
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      response.body.destroy();
      throw tooLarge(`(${declared} bytes declared) exceeds`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    // Kept aside because pipeline() may report its own teardown (an AbortError) instead of
    // the error that caused it.
    let overflow: NonRetryableError | null = null;
    const collect = async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        total += chunk.byteLength;
        if (total > max) {
          overflow = tooLarge('exceeds');
          throw overflow;
        }
        chunks.push(chunk);
      }
    };
    const decompressor = decompressorFor(headers['content-encoding']);
    try {
      if (decompressor === null) {
        await pipeline(response.body, collect, { signal });
      } else {
        // Counting after decompression is what stops a small gzip bomb from filling memory.
        await pipeline(response.body, decompressor, collect, { signal });
      }
    } catch (err) {
      if (overflow !== null) throw overflow;
      // A dropped connection (not our timeout or the caller's abort) after some bytes arrived.
      if (total > 0 && !signal.aborted) throw new BodyCutShort(joined(chunks, total), err);
      throw err;
    } finally {
      if (decompressor !== null) {
        delete headers['content-encoding'];
        delete headers['content-length'];
      }
    }
    return joined(chunks, total);
  }

  #classify(err: unknown, url: string, timedOut: boolean): PipelineError {
    if (timedOut) {
      return new RetryableError(
        'HTTP_TIMEOUT',
        `Timed out after ${this.#options.timeoutMs} ms: ${url}`,
        {
          cause: err,
        },
      );
    }
    for (const link of causeChain(err)) {
      if (link instanceof PipelineError) return link;
    }
    for (const link of causeChain(err)) {
      const code = errorCode(link);
      if (code === undefined) continue;
      if (TIMEOUT_CODES.has(code)) {
        return new RetryableError('HTTP_TIMEOUT', `${code} fetching ${url}`, { cause: err });
      }
      if (PERMANENT_TLS_CODES.has(code)) {
        return new NonRetryableError('TLS_CERT', `${code} fetching ${url}: ${tlsHint(code)}`, {
          cause: err,
        });
      }
      return new RetryableError('NETWORK', `${code} fetching ${url}`, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new RetryableError('NETWORK', `${message} fetching ${url}`, { cause: err });
  }
}

function sendGet(
  url: URL,
  dispatcher: Dispatcher,
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Dispatcher.ResponseData> {
  // undici's own timers back up the overall timer, which stays the one that decides.
  return request(url, {
    dispatcher,
    method: 'GET',
    headers,
    signal,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

function joined(chunks: readonly Buffer[], total: number): Uint8Array {
  const body = Buffer.concat(chunks, total);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** Reads and drops a body we do not need, so the connection can be reused. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // A body we were going to throw away anyway failing to arrive changes nothing.
  }
}
