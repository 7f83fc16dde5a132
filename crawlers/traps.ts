/**
 * Crawler traps: URL spaces that never end. A calendar that links each day to the next
 * (`?date=2016-11-21` -> `?date=2016-11-22` -> ...), a listing whose "next" link never runs
 * out, relative links that stack path segments (`/a/b/a/b/a/b/`). Every page of such a space
 * has the same URL *shape* (digits aside), so a budget of followed pages per shape stops them
 * while article pages, which are never followed for links, are not affected.
 */

export interface TrapGuardOptions {
  /**
   * Pages followed for links (list pages) per URL shape, per source and crawl.
   * @default 200
   */
  readonly maxListPagesPerShape?: number;
  /**
   * A path segment repeated more often than this marks a URL that grows by itself.
   * @default 3
   */
  readonly maxRepeatedSegments?: number;
  /** @default 2048 */
  readonly maxUrlLength?: number;
}

export const TRAP_GUARD_DEFAULTS = Object.freeze({
  maxListPagesPerShape: 200,
  maxRepeatedSegments: 3,
  maxUrlLength: 2048,
});

export type TrapVerdict =
  | { readonly admit: true }
  | { readonly admit: false; readonly reason: 'too_long' | 'repeating_path' | 'shape_budget' };

function positiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\``);
  }
  return value;
}

/**
 * The shape of a URL: host, path and query names with every run of digits replaced by `#`, so
 * `/cal?date=2016-11-21` and `/cal?date=2017-01-02` share `/cal?date=#-#-#`.
 */
export function urlShape(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\d+/g, '#');
  }
  const query = [...u.searchParams]
    .map(([k, v]) => `${k}=${v.replace(/\d+/g, '#')}`)
    .sort()
    .join('&');
  return `${u.host}${u.pathname.replace(/\d+/g, '#')}${query === '' ? '' : `?${query}`}`;
}

function repeatsSegments(url: string, max: number): boolean {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return false;
  }
  const counts = new Map<string, number>();
  for (const seg of path.split('/')) {
    if (seg === '') continue;
    const n = (counts.get(seg) ?? 0) + 1;
    if (n > max) return true;
    counts.set(seg, n);
  }
  return false;
}

/**
 * Decides which discovered links may enter the frontier. Holds, per source, the list-page URLs
 * admitted per shape; `seed` teaches it what a resumed crawl already holds.
 */
export class TrapGuard {
  readonly #maxPerShape: number;
  readonly #maxRepeats: number;
  readonly #maxLength: number;
  /** `source \0 shape` -> URLs admitted. */
  readonly #shapes = new Map<string, Set<string>>();
  readonly #tripped = new Set<string>();

  constructor(options: TrapGuardOptions = {}) {
    this.#maxPerShape = positiveInt(
      'maxListPagesPerShape',
      options.maxListPagesPerShape ?? TRAP_GUARD_DEFAULTS.maxListPagesPerShape,
    );
    this.#maxRepeats = positiveInt(
      'maxRepeatedSegments',
      options.maxRepeatedSegments ?? TRAP_GUARD_DEFAULTS.maxRepeatedSegments,
    );
    this.#maxLength = positiveInt(
      'maxUrlLength',
      options.maxUrlLength ?? TRAP_GUARD_DEFAULTS.maxUrlLength,
    );
  }

  /** Records list pages a crawl already holds (after a resume), without judging them. */
  seed(sourceId: string, urls: Iterable<string>): void {
    for (const url of urls) this.#bucket(sourceId, url).add(url);
  }

  #bucket(sourceId: string, url: string): Set<string> {
    const key = `${sourceId}\u0000${urlShape(url)}`;
    let set = this.#shapes.get(key);
    if (set === undefined) {
      set = new Set();
      this.#shapes.set(key, set);
    }
    return set;
  }

  admit(sourceId: string, url: string, pageType: 'list' | 'article'): TrapVerdict {
    if (url.length > this.#maxLength) return { admit: false, reason: 'too_long' };
    if (repeatsSegments(url, this.#maxRepeats)) return { admit: false, reason: 'repeating_path' };
    if (pageType !== 'list') return { admit: true };
    const bucket = this.#bucket(sourceId, url);
    if (bucket.has(url)) return { admit: true };
    if (bucket.size >= this.#maxPerShape) return { admit: false, reason: 'shape_budget' };
    bucket.add(url);
    return { admit: true };
  }

  /** True the first time a shape runs out of budget (to log it once, not per link). */
  firstTrip(sourceId: string, url: string): boolean {
    const key = `${sourceId}\u0000${urlShape(url)}`;
    if (this.#tripped.has(key)) return false;
    this.#tripped.add(key);
    return true;
  }
}
