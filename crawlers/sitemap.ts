import { gunzipSync } from 'node:zlib';
import { load } from 'cheerio';
import type { Element } from 'domhandler';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ParsedDocument } from '../schemas/document.js';
import { decodeBody } from './charset.js';
import { parseDateValue } from './dates.js';
import { normalizeUrl } from './url.js';

/**
 * Sitemaps (sitemaps.org protocol 0.9): a `urlset` lists pages, a `sitemapindex` lists further
 * sitemaps. News sites list every article there, including those no list page links any more,
 * so a source may name its sitemaps and they are read like list pages.
 */

export interface SitemapEntry {
  /** Absolute, normalised URL. */
  readonly url: string;
  /** `<lastmod>` (or `<news:publication_date>`) as `YYYY-MM-DD`, when given. */
  readonly lastmod: string | null;
}

export interface Sitemap {
  readonly kind: 'urlset' | 'sitemapindex';
  /** Pages (urlset) or child sitemaps (sitemapindex). */
  readonly entries: readonly SitemapEntry[];
}

export interface ParseSitemapOptions {
  /**
   * Entries kept; the protocol allows 50,000 per file.
   * @default 50000
   */
  readonly maxEntries?: number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export const PARSE_SITEMAP_DEFAULTS = Object.freeze({ maxEntries: 50_000, logger: silentLogger });

/** Gzip's magic bytes: `sitemap.xml.gz` files arrive compressed without Content-Encoding. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Largest decompressed sitemap accepted (the protocol caps files at 50 MB). */
const MAX_SITEMAP_BYTES = 50 * 1024 * 1024;

/** The root element's name when the text is a sitemap, else null. Looks at the head only. */
export function sitemapKind(text: string): Sitemap['kind'] | null {
  const head = text
    .slice(0, 4096)
    .replace(/^\uFEFF/, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trimStart();
  const m = /^<(?:[A-Za-z][\w.-]*:)?(urlset|sitemapindex)\b/.exec(head);
  return m?.[1] === 'urlset' || m?.[1] === 'sitemapindex' ? m[1] : null;
}

/**
 * Parses sitemap XML; null when `text` is not a sitemap. Relative or invalid `<loc>` values
 * are resolved against `baseUrl` or dropped; never throws on bad markup.
 */
export function parseSitemap(
  text: string,
  baseUrl: string | null,
  options: ParseSitemapOptions = {},
): Sitemap | null {
  const maxEntries = options.maxEntries ?? PARSE_SITEMAP_DEFAULTS.maxEntries;
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError(
      `Expected \`maxEntries\` to be a non-negative integer, got \`${String(maxEntries)}\``,
    );
  }
  const kind = sitemapKind(text);
  if (kind === null) return null;
  const $ = load(text, { xml: true });
  const item = kind === 'urlset' ? 'url' : 'sitemap';
  const entries: SitemapEntry[] = [];
  const seen = new Set<string>();
  // Namespace prefixes vary (`<ns0:loc>`); match local names instead of exact tags.
  for (const el of $('*').toArray() as Element[]) {
    if (entries.length >= maxEntries) {
      (options.logger ?? silentLogger).warn({ baseUrl, maxEntries }, 'sitemap truncated');
      break;
    }
    if (localName(el.tagName) !== item) continue;
    let loc = '';
    let lastmod: string | null = null;
    for (const child of $(el).children().toArray() as Element[]) {
      const name = localName(child.tagName);
      const value = $(child).text().trim();
      if (name === 'loc') loc = value;
      else if (name === 'lastmod' || name === 'publication_date') lastmod ??= parseDateValue(value);
      else if (name === 'news') {
        const published = $(child)
          .children()
          .toArray()
          .find((c) => localName((c as Element).tagName) === 'publication_date');
        if (published !== undefined) lastmod ??= parseDateValue($(published).text().trim());
      }
    }
    if (loc === '') continue;
    let url: string;
    try {
      url = baseUrl === null ? normalizeUrl(loc) : normalizeUrl(loc, baseUrl);
    } catch {
      continue;
    }
    if (seen.has(url)) continue;
    seen.add(url);
    entries.push({ url, lastmod });
  }
  return { kind, entries };
}

function localName(tag: string): string {
  const i = tag.indexOf(':');
  return (i === -1 ? tag : tag.slice(i + 1)).toLowerCase();
}

/**
 * A stored body as a sitemap: gunzipped when it is a `.xml.gz`, decoded (XML is UTF-8 unless
 * it says otherwise), parsed. Null when it is not a sitemap.
 */
export function readSitemap(
  body: Uint8Array,
  contentType: string | null,
  baseUrl: string | null,
  options: ParseSitemapOptions = {},
): Sitemap | null {
  let bytes = body;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_SITEMAP_BYTES });
    } catch {
      return null;
    }
  }
  // Cheap test before decoding: the root element sits in the first bytes.
  const head = Buffer.from(
    bytes.buffer,
    bytes.byteOffset,
    Math.min(bytes.byteLength, 4096),
  ).toString('latin1');
  if (sitemapKind(head) === null) return null;
  const { text } = decodeBody(bytes, contentType);
  return parseSitemap(text, baseUrl, options);
}

/**
 * A sitemap in the parsed-page shape the parse stage works with: no text, its entries as links.
 */
export function sitemapDocument(sitemap: Sitemap, url: string | null): ParsedDocument {
  return {
    url,
    title: null,
    text: '',
    published: null,
    links: sitemap.entries.map((e) => ({ url: e.url, text: '' })),
  };
}
