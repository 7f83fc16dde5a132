/**
 * A dictionary matcher that finds the leftmost-longest occurrences of many terms in one pass.
 *
 * Terms are bucketed by their first two UTF-16 units (one-unit terms apart) and each bucket is
 * sorted longest first, so a scan costs a map lookup or two per character plus a few
 * `startsWith` checks, even for letters that thousands of names start with. A regex alternation
 * of a few thousand country names would instead try every alternative at every position.
 */

export interface MatcherEntry<T> {
  readonly term: string;
  readonly value: T;
  /** Drop the match when the (up to 12) characters before it match this (anchor it with `$`). */
  readonly rejectIfPreceded?: RegExp | undefined;
  /** Drop the match when the (up to 12) characters after it match this (anchor it with `^`). */
  readonly rejectIfFollowed?: RegExp | undefined;
}

export interface MatcherOptions {
  /**
   * Terms are lower-cased when the matcher is built; callers then scan a lower-cased view of
   * the text (same length as the original, so offsets stay valid).
   * @default false
   */
  readonly caseInsensitive?: boolean;
}

export interface Match<T> {
  readonly start: number;
  readonly end: number;
  readonly term: string;
  readonly value: T;
}

interface Compiled<T> {
  readonly term: string;
  readonly value: T;
  readonly leftBoundary: boolean;
  readonly rightBoundary: boolean;
  readonly rejectIfPreceded: RegExp | undefined;
  readonly rejectIfFollowed: RegExp | undefined;
}

const GUARD_WINDOW = 12;

/** ASCII letters and digits: an English term must not start or end inside such a word. */
export function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

interface Bucket<T> {
  /** Terms of two or more units, by their second unit; each list longest first. */
  readonly bySecond: Map<number, Compiled<T>[]>;
  /** One-unit terms (at most one per first unit once deduplicated, but kept general). */
  readonly single: Compiled<T>[];
}

export class KeywordMatcher<T> {
  readonly #byFirst = new Map<number, Bucket<T>>();
  /** 1 where some term starts with that UTF-16 unit: a scan skips every other position cheaply. */
  readonly #starts = new Uint8Array(0x10000);
  readonly #caseInsensitive: boolean;

  constructor(entries: Iterable<MatcherEntry<T>>, options: MatcherOptions = {}) {
    this.#caseInsensitive = options.caseInsensitive ?? false;
    const seen = new Set<string>();
    for (const entry of entries) {
      const term = this.#caseInsensitive ? entry.term.toLowerCase() : entry.term;
      if (term.length === 0) {
        throw new TypeError('Expected every matcher term to be a non-empty string, got ``');
      }
      // The first entry for a term wins; data files list the preferred reading first.
      if (seen.has(term)) continue;
      seen.add(term);
      const first = term.charCodeAt(0);
      let bucket = this.#byFirst.get(first);
      if (bucket === undefined) {
        bucket = { bySecond: new Map(), single: [] };
        this.#byFirst.set(first, bucket);
      }
      let list = bucket.single;
      if (term.length > 1) {
        const second = term.charCodeAt(1);
        list = bucket.bySecond.get(second) ?? [];
        bucket.bySecond.set(second, list);
      }
      list.push({
        term,
        value: entry.value,
        leftBoundary: isWordCode(first),
        rightBoundary: isWordCode(term.charCodeAt(term.length - 1)),
        rejectIfPreceded: entry.rejectIfPreceded,
        rejectIfFollowed: entry.rejectIfFollowed,
      });
      this.#starts[first] = 1;
    }
    for (const bucket of this.#byFirst.values()) {
      for (const list of bucket.bySecond.values()) {
        list.sort((a, b) => b.term.length - a.term.length);
      }
    }
  }

  get caseInsensitive(): boolean {
    return this.#caseInsensitive;
  }

  /** Non-overlapping leftmost-longest matches that lie inside `[from, to)`. */
  find(text: string, from = 0, to = text.length): Match<T>[] {
    const out: Match<T>[] = [];
    const limit = Math.min(to, text.length);
    let i = Math.max(0, from);
    const starts = this.#starts;
    while (i < limit) {
      if (starts[text.charCodeAt(i)] === 0) {
        i += 1;
        continue;
      }
      const hit = this.matchAt(text, i, limit);
      if (hit === undefined) {
        i += 1;
      } else {
        out.push(hit);
        i = hit.end;
      }
    }
    return out;
  }

  /** The longest term that starts exactly at `pos` (and ends by `limit`), if any. */
  matchAt(text: string, pos: number, limit = text.length): Match<T> | undefined {
    const first = text.charCodeAt(pos);
    // Every term that starts with a letter or digit must start a word: inside a word none can.
    if (pos > 0 && isWordCode(first) && isWordCode(text.charCodeAt(pos - 1))) return undefined;
    const bucket = this.#byFirst.get(first);
    if (bucket === undefined) return undefined;
    const longer = pos + 1 < limit ? bucket.bySecond.get(text.charCodeAt(pos + 1)) : undefined;
    return (
      (longer === undefined ? undefined : this.#firstFit(longer, text, pos, limit)) ??
      this.#firstFit(bucket.single, text, pos, limit)
    );
  }

  /** The first (longest) term of `list` found at `pos` that passes its guards. */
  #firstFit(
    list: readonly Compiled<T>[],
    text: string,
    pos: number,
    limit: number,
  ): Match<T> | undefined {
    for (const c of list) {
      const end = pos + c.term.length;
      if (end > limit || !text.startsWith(c.term, pos)) continue;
      if (c.leftBoundary && pos > 0 && isWordCode(text.charCodeAt(pos - 1))) continue;
      if (c.rightBoundary && end < text.length && isWordCode(text.charCodeAt(end))) continue;
      if (c.rejectIfPreceded?.test(text.slice(Math.max(0, pos - GUARD_WINDOW), pos))) continue;
      if (c.rejectIfFollowed?.test(text.slice(end, end + GUARD_WINDOW))) continue;
      return { start: pos, end, term: c.term, value: c.value };
    }
    return undefined;
  }
}

/** Builds an optional RegExp from a data-file pattern string. */
export function guard(pattern: string | undefined): RegExp | undefined {
  return pattern === undefined || pattern === '' ? undefined : new RegExp(pattern);
}
