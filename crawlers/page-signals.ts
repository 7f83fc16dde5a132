import { parseHtml } from './html.js';

/**
 * What a fetched page says about how it must be loaded: a script challenge in front of the site,
 * a page that only forwards by script, or an article whose text a script fills in. Cheap tests
 * on the markup, used by the page loader to decide between the plain client and the browser.
 */

/** Page types the loader keeps decisions for; a start page counts as a list page. */
export type LoaderPageType = 'list' | 'article';

/** Main-text letters below which a page with scripts counts as script-filled. */
export const MIN_TEXT_LETTERS = 50;

/** Bodies larger than this are never a challenge page (those are a few kilobytes of script). */
export const CHALLENGE_MAX_BYTES = 64 * 1024;
const SCRIPT_TAG = Buffer.from('<script', 'latin1');
export const CHALLENGE_STATUSES = new Set([403, 412]);

export function hasScriptTag(body: Uint8Array): boolean {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return buf.indexOf(SCRIPT_TAG) !== -1 || buf.indexOf(Buffer.from('<SCRIPT', 'latin1')) !== -1;
}

function letters(text: string): number {
  return text.replace(/[^\p{L}]/gu, '').length;
}

/**
 * Splits markup into its visible part and the text of its inline scripts. Forward-only
 * searches (and tags that stop at the next `<`), so hostile markup such as thousands of
 * unclosed `<script>` tags cannot make it quadratic.
 */
function splitScripts(html: string): { visible: string; scripts: string } {
  const open = /<(script|style|noscript|template)\b/gi;
  let visible = '';
  let scripts = '';
  let at = 0;
  for (let m = open.exec(html); m !== null; m = open.exec(html)) {
    visible += html.slice(at, m.index);
    const name = (m[1] ?? '').toLowerCase();
    const close = new RegExp(`</${name}\\s*>`, 'gi');
    close.lastIndex = m.index;
    const end = close.exec(html);
    if (end === null) {
      at = html.length;
      break;
    }
    if (name === 'script') {
      const gt = html.indexOf('>', m.index);
      if (gt !== -1 && gt < end.index) scripts += `${html.slice(gt + 1, end.index)}\n`;
    }
    at = end.index + end[0].length;
    open.lastIndex = at;
  }
  visible += html.slice(at);
  return { visible: visible.replace(/<[^<>]*>/g, ' '), scripts };
}

/**
 * True for a script challenge: almost no visible text, and a script that sets a cookie and
 * then reloads or navigates (as anti-bot gateways in front of government sites answer).
 */
export function looksLikeChallenge(html: string): boolean {
  const s = scriptOnlyPage(html);
  return s?.setsCookie === true && s.navigates;
}

/**
 * A page that only forwards by script (`window.location.href = "./next/"`, no cookie): not
 * script-filled; the parser takes its target as a link and the crawl follows it statically.
 */
export function looksLikeForwarder(html: string): boolean {
  const s = scriptOnlyPage(html);
  return s !== null && !s.setsCookie && s.navigates;
}

/** For a small page with scripts and (almost) no visible text: what its scripts do. */
function scriptOnlyPage(html: string): { setsCookie: boolean; navigates: boolean } | null {
  if (html.length > CHALLENGE_MAX_BYTES) return null;
  const { visible, scripts } = splitScripts(html);
  if (scripts.trim() === '') return null;
  if (letters(visible) > 20) return null;
  return {
    setsCookie: /document\s*\.\s*cookie\s*=|document\[['"]cookie['"]\]\s*=/.test(scripts),
    navigates:
      /location\s*\.\s*(?:reload|replace|assign)\s*\(|location(?:\s*\.\s*href)?\s*=[^=]|\.submit\s*\(/.test(
        scripts,
      ),
  };
}

/** What a page offers the crawl: letters of main text (title excluded) and links. */
export interface PageYield {
  readonly letters: number;
  readonly links: number;
}

export function pageYield(html: string, url: string | null): PageYield {
  const doc = parseHtml(html, url);
  const body = doc.title === null ? doc.text : doc.text.slice(doc.title.length);
  return { letters: letters(body), links: doc.links.length };
}

/**
 * True when a page's markup has scripts but its main text is (almost) empty: the text is
 * filled in by script. List pages count links too: a list with no links is script-filled.
 */
export function looksScriptFilled(
  html: string,
  url: string | null,
  pageType: LoaderPageType,
  minTextLetters: number = MIN_TEXT_LETTERS,
): boolean {
  if (!/<script\b/i.test(html) || looksLikeForwarder(html)) return false;
  const y = pageYield(html, url);
  if (pageType === 'list') return y.links < 3 && y.letters < minTextLetters;
  return y.letters < minTextLetters;
}

/** True when the rendered page clearly holds more than the markup did. */
export function renderingHelped(
  before: PageYield,
  after: PageYield,
  pageType: LoaderPageType,
): boolean {
  const moreText = after.letters >= before.letters * 2 && after.letters - before.letters >= 20;
  if (pageType === 'list') return moreText || after.links >= before.links + 3;
  return moreText;
}
