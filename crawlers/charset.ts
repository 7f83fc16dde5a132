import htmlEncodingSniffer from 'html-encoding-sniffer';
import iconv from 'iconv-lite';

/**
 * Turning response bytes into text. Older Chinese government pages are GBK/GB2312 with the
 * charset only in a `<meta>` tag, and some send `charset=utf-8` in the header over GBK bytes;
 * both must come out readable, and bad bytes must never stop a crawl.
 */

export type CharsetSource = 'bom' | 'header' | 'meta' | 'hint' | 'default';

export interface DecodedBody {
  readonly text: string;
  /** WHATWG encoding name, lower case (`utf-8`, `gbk`, `gb18030`, `big5`, `windows-1252`, ...). */
  readonly charset: string;
  /** Where the charset came from; handy in logs when a page comes out garbled. */
  readonly source: CharsetSource;
}

export interface DecodeBodyOptions {
  /**
   * Charset used when nothing else names one.
   * @default 'utf-8'
   */
  readonly fallbackCharset?: string;
  /**
   * How many leading bytes are searched for a `<meta>` charset when the standard 1024-byte
   * prescan finds none (government pages often put long scripts or comments first).
   * @default 8192
   */
  readonly prescanBytes?: number;
}

export const DECODE_BODY_DEFAULTS: Required<DecodeBodyOptions> = Object.freeze({
  fallbackCharset: 'utf-8',
  prescanBytes: 8192,
});

/**
 * Chinese labels are resolved here first so that they work even on a Node built without full
 * ICU, where TextDecoder does not know them. GB2312 and GBK are both decoded as GB18030, a
 * superset: pages labelled GB2312 routinely contain GBK-only characters (the WHATWG Encoding
 * Standard does the same).
 */
const CHINESE_LABELS: Record<string, string> = {
  gb2312: 'gbk',
  gbk: 'gbk',
  'x-gbk': 'gbk',
  chinese: 'gbk',
  csgb2312: 'gbk',
  'gb_2312-80': 'gbk',
  gb_2312: 'gbk',
  'iso-ir-58': 'gbk',
  csiso58gb231280: 'gbk',
  gb18030: 'gb18030',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'x-x-big5': 'big5',
  'cn-big5': 'big5',
  csbig5: 'big5',
};

/** The iconv-lite codec for a WHATWG encoding name, where the two differ. */
function iconvCodec(name: string): string {
  if (name === 'gbk') return 'gb18030';
  if (name === 'iso-8859-8-i') return 'iso-8859-8';
  return name;
}

/** Maps a charset label to its WHATWG name, or null when unknown or not decodable. */
export function charsetName(label: string): string | null {
  const trimmed = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  if (trimmed === '') return null;
  let name = CHINESE_LABELS[trimmed];
  if (name === undefined) {
    try {
      name = new TextDecoder(trimmed).encoding;
    } catch {
      return null;
    }
  }
  return iconv.encodingExists(iconvCodec(name)) ? name : null;
}

/** The `charset` parameter of a Content-Type header value, as written. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (contentType == null) return null;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(contentType);
  const label = match?.[1] ?? match?.[2];
  return label === undefined || label === '' ? null : label;
}

function bomCharset(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return null;
}

const NO_META = '\u0000none';

/** The charset a `<meta>` tag declares, or null. */
function metaCharset(bytes: Uint8Array, prescanBytes: number): string | null {
  // The HTML standard's prescan (first 1024 bytes, comments skipped, http-equiv rules).
  const sniffed = htmlEncodingSniffer(bytes, { defaultEncoding: NO_META });
  if (sniffed !== NO_META) return charsetName(sniffed);
  // A looser search further in: latin1 maps every byte to one char, so ASCII markup reads
  // correctly whatever the real encoding is.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, prescanBytes))
    .toString('latin1')
    .replace(/<!--[\s\S]*?-->/g, '');
  const match = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return match?.[1] === undefined ? null : charsetName(match[1]);
}

/** True when `bytes` are valid UTF-8; a sequence cut off at the very end still counts as valid. */
function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function decodeWith(bytes: Uint8Array, charset: string): string {
  // iconv-lite never throws on bad input: it emits U+FFFD. It also strips a leading BOM.
  return iconv.decode(bytes, iconvCodec(charset));
}

function checkOptions(options: DecodeBodyOptions): Required<DecodeBodyOptions> {
  const merged = { ...DECODE_BODY_DEFAULTS, ...options };
  if (typeof merged.fallbackCharset !== 'string' || charsetName(merged.fallbackCharset) === null) {
    throw new TypeError(
      `Expected \`fallbackCharset\` to be a supported charset label, got \`${String(merged.fallbackCharset)}\``,
    );
  }
  if (!Number.isInteger(merged.prescanBytes) || merged.prescanBytes < 1024) {
    throw new TypeError(
      `Expected \`prescanBytes\` to be an integer of at least 1024, got \`${String(merged.prescanBytes)}\``,
    );
  }
  return merged;
}

/**
 * Decodes a response body. Order: BOM, then the Content-Type charset, then a `<meta>` charset,
 * then the source's `hint`, then UTF-8. Two exceptions, for servers that lie: when the chosen
 * charset is UTF-8 but the bytes are not valid UTF-8, a later, different declaration (meta or
 * hint) is used instead; and a header ISO-8859-1 / windows-1252 (a common server default)
 * yields to a `<meta>` charset. Never throws on bad bytes: they become U+FFFD.
 */
export function decodeBody(
  bytes: Uint8Array,
  contentTypeHeader: string | null,
  hint?: string,
  options?: DecodeBodyOptions,
): DecodedBody {
  const opts = options === undefined ? DECODE_BODY_DEFAULTS : checkOptions(options);
  const bom = bomCharset(bytes);
  if (bom !== null) return { text: decodeWith(bytes, bom), charset: bom, source: 'bom' };

  const headerLabel = charsetFromContentType(contentTypeHeader);
  const candidates: { charset: string; source: CharsetSource }[] = [];
  const header = headerLabel === null ? null : charsetName(headerLabel);
  if (header !== null) candidates.push({ charset: header, source: 'header' });
  const meta = metaCharset(bytes, opts.prescanBytes);
  if (meta !== null) candidates.push({ charset: meta, source: 'meta' });
  const hinted = hint === undefined ? null : charsetName(hint);
  if (hinted !== null) candidates.push({ charset: hinted, source: 'hint' });

  const fallback = charsetName(opts.fallbackCharset) ?? 'utf-8';
  let chosen = candidates[0] ?? { charset: fallback, source: 'default' as const };
  if (chosen.charset === 'utf-8' && !isValidUtf8(bytes)) {
    const other = candidates.find((c) => c.charset !== 'utf-8');
    if (other !== undefined) chosen = other;
  } else if (chosen.source === 'header' && chosen.charset === 'windows-1252' && meta !== null) {
    // Java servers send `charset=ISO-8859-1` by default whatever the page is; a page that
    // names another charset in its own <meta> knows better.
    chosen = { charset: meta, source: 'meta' };
  }
  // UTF-16 without a BOM is almost always a mislabelled ASCII-compatible page (the HTML
  // standard treats a UTF-16 <meta> the same way).
  const charset =
    chosen.source !== 'header' && chosen.charset.startsWith('utf-16') ? 'utf-8' : chosen.charset;
  return { text: decodeWith(bytes, charset), charset, source: chosen.source };
}
