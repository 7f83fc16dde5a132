import { NonRetryableError, RetryableError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';

/**
 * Archived copies of pages that are gone, through the Wayback Machine's CDX API
 * (`/cdx/search/cdx?url=...&output=json`): the answer is a JSON array whose first row names the
 * fields and whose other rows are captures. Off unless a crawl turns it on; the endpoint is
 * configurable so a self-hosted pywb (or a test server) can stand in.
 */

/** What the client needs from an HTTP GET (the crawl's Fetcher fits). */
export type WaybackFetch = (
  url: string,
  init: { readonly signal?: AbortSignal },
) => Promise<{ readonly status: number; readonly body: Uint8Array }>;

export interface WaybackOptions {
  readonly fetch: WaybackFetch;
  /**
   * The CDX search endpoint.
   * @default 'https://web.archive.org/cdx/search/cdx'
   */
  readonly cdxUrl?: string;
  /**
   * Prefix of the recorded archive URL, followed by `<timestamp>/<url>`.
   * @default 'https://web.archive.org/web/'
   */
  readonly archiveBaseUrl?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export const WAYBACK_DEFAULTS = Object.freeze({
  cdxUrl: 'https://web.archive.org/cdx/search/cdx',
  archiveBaseUrl: 'https://web.archive.org/web/',
  logger: silentLogger,
});

export interface ArchivedCopy {
  /** `YYYYMMDDhhmmss` of the capture. */
  readonly timestamp: string;
  /** The URL as the archive captured it. */
  readonly original: string;
  /** `<archiveBaseUrl><timestamp>/<original>`. */
  readonly archiveUrl: string;
}

function checkUrl(name: string, value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:/i.test(value)) {
    throw new TypeError(`Expected \`${name}\` to be an http(s) URL, got \`${String(value)}\``);
  }
  return value;
}

export class WaybackClient {
  readonly #fetch: WaybackFetch;
  readonly #cdxUrl: string;
  readonly #archiveBaseUrl: string;
  readonly #logger: Logger;

  constructor(options: WaybackOptions) {
    if (typeof options.fetch !== 'function') {
      throw new TypeError(`Expected \`fetch\` to be a function, got \`${String(options.fetch)}\``);
    }
    this.#fetch = options.fetch;
    this.#cdxUrl = checkUrl('cdxUrl', options.cdxUrl ?? WAYBACK_DEFAULTS.cdxUrl);
    const base = checkUrl(
      'archiveBaseUrl',
      options.archiveBaseUrl ?? WAYBACK_DEFAULTS.archiveBaseUrl,
    );
    this.#archiveBaseUrl = base.endsWith('/') ? base : `${base}/`;
    this.#logger = (options.logger ?? WAYBACK_DEFAULTS.logger).child({ component: 'wayback' });
  }

  /** The query URL for `url`: the newest capture that answered 200. */
  queryUrl(url: string): string {
    const q = new URL(this.#cdxUrl);
    q.searchParams.set('url', url);
    q.searchParams.set('output', 'json');
    // A negative limit asks for the last captures, i.e. the newest.
    q.searchParams.set('limit', '-1');
    q.searchParams.set('filter', 'statuscode:200');
    q.searchParams.set('fl', 'timestamp,original,statuscode');
    return q.href;
  }

  /**
   * The newest good capture of `url`, or null when the archive has none.
   * @throws RetryableError / NonRetryableError when the archive cannot be asked or answers nonsense.
   */
  async lookup(url: string, init: { signal?: AbortSignal } = {}): Promise<ArchivedCopy | null> {
    const response = await this.#fetch(this.queryUrl(url), init);
    if (response.status !== 200) {
      throw new RetryableError('HTTP_STATUS', `Wayback CDX answered ${response.status} for ${url}`);
    }
    const text = Buffer.from(response.body).toString('utf8').trim();
    // An empty answer (no captures) is an empty body or `[]`.
    if (text === '') return null;
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (cause) {
      throw new NonRetryableError('PARSE', `Wayback CDX answer for ${url} is not JSON`, { cause });
    }
    const copy = this.#newestCapture(rows);
    this.#logger.debug({ url, found: copy?.archiveUrl ?? null }, 'wayback look-up');
    return copy;
  }

  #newestCapture(rows: unknown): ArchivedCopy | null {
    if (!Array.isArray(rows) || rows.length < 2) return null;
    const [header, ...captures] = rows as unknown[][];
    if (!Array.isArray(header)) return null;
    const col = (name: string) => header.indexOf(name);
    const [ts, orig, status] = [col('timestamp'), col('original'), col('statuscode')];
    if (ts < 0 || orig < 0) {
      throw new NonRetryableError('PARSE', 'Wayback CDX answer has no timestamp/original fields');
    }
    let best: ArchivedCopy | null = null;
    for (const row of captures) {
      if (!Array.isArray(row)) continue;
      const timestamp = String(row[ts] ?? '');
      const original = String(row[orig] ?? '');
      if (!/^\d{4,14}$/.test(timestamp) || !URL.canParse(original)) continue;
      if (status >= 0 && !/^(200|-)$/.test(String(row[status] ?? '-'))) continue;
      if (best === null || timestamp > best.timestamp) {
        best = {
          timestamp,
          original,
          archiveUrl: `${this.#archiveBaseUrl}${timestamp}/${original}`,
        };
      }
    }
    return best;
  }
}
