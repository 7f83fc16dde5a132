import { NonRetryableError } from '../core/errors.js';

/**
 * URL normalisation. Two spellings of one page must give one string: the frontier uses it as
 * its unique key, so a miss here means fetching the same page twice.
 */

export interface NormalizeUrlOptions {
  /**
   * Query parameters dropped because they only track where a click came from. A string ending
   * in `*` matches a prefix; matching ignores case.
   * @default ['utm_*', 'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'igshid', 'mc_cid', 'mc_eid', '_hsenc', '_hsmi', 'spm']
   */
  readonly dropParams?: readonly string[];
  /**
   * Sort the remaining query parameters by name (then by value), so `?b=1&a=2` and `?a=2&b=1`
   * are one page.
   * @default true
   */
  readonly sortQuery?: boolean;
}

export const NORMALIZE_URL_DEFAULTS: Required<NormalizeUrlOptions> = Object.freeze({
  dropParams: Object.freeze([
    'utm_*',
    'fbclid',
    'gclid',
    'dclid',
    'gbraid',
    'wbraid',
    'msclkid',
    'yclid',
    'igshid',
    'mc_cid',
    'mc_eid',
    '_hsenc',
    '_hsmi',
    'spm',
  ]),
  sortQuery: true,
});

function checkOptions(options: NormalizeUrlOptions): Required<NormalizeUrlOptions> {
  const merged = { ...NORMALIZE_URL_DEFAULTS, ...options };
  if (!Array.isArray(merged.dropParams) || merged.dropParams.some((p) => typeof p !== 'string')) {
    throw new TypeError(
      `Expected \`dropParams\` to be an array of strings, got \`${String(merged.dropParams)}\``,
    );
  }
  if (typeof merged.sortQuery !== 'boolean') {
    throw new TypeError(
      `Expected \`sortQuery\` to be a boolean, got \`${String(merged.sortQuery)}\``,
    );
  }
  return merged;
}

function makeDropTest(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const p of patterns) {
    const lower = p.toLowerCase();
    if (lower.endsWith('*')) prefixes.push(lower.slice(0, -1));
    else exact.add(lower);
  }
  return (name) => {
    const lower = name.toLowerCase();
    return exact.has(lower) || prefixes.some((prefix) => lower.startsWith(prefix));
  };
}

const defaultDropTest = makeDropTest(NORMALIZE_URL_DEFAULTS.dropParams);

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    return component;
  }
}

/** `%e4` and `%E4` are the same octet (RFC 3986 §6.2.2.1); pick one spelling. */
function upperPercentEscapes(s: string): string {
  return s.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

/**
 * Query pairs are handled as raw text rather than through URLSearchParams, whose
 * form-encoding would re-escape `/`, `:` or `,` and so change the URL some servers see.
 */
function normalizeQuery(
  search: string,
  dropTest: (name: string) => boolean,
  sort: boolean,
): string {
  if (search.length <= 1) return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      return { pair: upperPercentEscapes(pair), name: safeDecode(rawName) };
    })
    .filter(({ name }) => !dropTest(name));
  if (pairs.length === 0) return '';
  if (sort) {
    // Array#sort is stable, so repeated names keep their relative order when values tie.
    pairs.sort((a, b) =>
      a.name === b.name
        ? a.pair < b.pair
          ? -1
          : a.pair > b.pair
            ? 1
            : 0
        : a.name < b.name
          ? -1
          : 1,
    );
  }
  return `?${pairs.map((p) => p.pair).join('&')}`;
}

function parseHttpUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw.trim()) : new URL(raw.trim(), base);
  } catch (err) {
    throw new NonRetryableError('USER_INPUT', `Not a valid URL: ${JSON.stringify(raw)}`, {
      cause: err,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NonRetryableError(
      'USER_INPUT',
      `Only http and https URLs are crawled, got ${JSON.stringify(url.protocol)} in ${JSON.stringify(raw)}`,
    );
  }
  return url;
}

/**
 * Resolves `raw` against `base` and returns the canonical spelling: lower-case scheme and host,
 * no default port, no fragment, no tracking parameters, remaining parameters sorted, no empty
 * `?`. Path case is kept (servers may treat it as significant).
 * @throws NonRetryableError `USER_INPUT` when the URL is invalid or not http(s).
 */
export function normalizeUrl(raw: string, base?: string, options?: NormalizeUrlOptions): string {
  const opts = options === undefined ? NORMALIZE_URL_DEFAULTS : checkOptions(options);
  const dropTest =
    opts.dropParams === NORMALIZE_URL_DEFAULTS.dropParams
      ? defaultDropTest
      : makeDropTest(opts.dropParams);
  const url = parseHttpUrl(raw, base);
  // WHATWG URL already lower-cases scheme and host and drops default ports; a trailing dot
  // names the same host, so drop it too.
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  const query = normalizeQuery(url.search, dropTest, opts.sortQuery);
  const auth =
    url.username === '' ? '' : `${url.username}${url.password === '' ? '' : `:${url.password}`}@`;
  return `${url.protocol}//${auth}${url.host}${upperPercentEscapes(url.pathname)}${query}`;
}

/** The lower-case host name of an http(s) URL, without port. */
export function hostOf(url: string): string {
  const host = parseHttpUrl(url).hostname;
  return host.replace(/\.+$/, '');
}

/** The frontier's unique key for a URL. */
export function urlKey(url: string): string {
  return normalizeUrl(url);
}

/** True when `host` is one of `allowedHosts` or a subdomain of one (`www.mps.gov.cn` ⊂ `mps.gov.cn`). */
export function hostMatches(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.+$/, '');
  return allowedHosts.some((allowed) => {
    const a = allowed.toLowerCase().replace(/\.+$/, '');
    return a !== '' && (h === a || h.endsWith(`.${a}`));
  });
}
