import { type CheerioAPI, load } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ParsedDocument } from '../schemas/document.js';
import { dateFromUrl, findDates, monthFromUrl, parseDateValue } from './dates.js';
import { normalizeUrl } from './url.js';

/**
 * HTML -> ParsedDocument: headline, main text, publication date and links. Pages are hostile
 * and often broken; whatever a page holds is returned, and bad markup never throws.
 */

export interface ParseHtmlOptions {
  /**
   * CSS selector for the article body (a source's `content_selector`). When it matches
   * nothing, the generic extractor is used.
   * @default undefined (generic extraction)
   */
  readonly contentSelector?: string;
  /**
   * CSS selector narrowing where links are collected (a source's `link_selector`).
   * @default undefined (the whole page)
   */
  readonly linkSelector?: string;
  /**
   * Links kept per page, so a hostile page cannot flood the frontier.
   * @default 5000
   */
  readonly maxLinks?: number;
  /**
   * Told when a page defeats the parser and the plain-text fallback is used.
   * @default silentLogger
   */
  readonly logger?: Logger;
}

export const PARSE_HTML_DEFAULTS = Object.freeze({
  contentSelector: undefined,
  linkSelector: undefined,
  maxLinks: 5000,
  logger: silentLogger,
});

interface ResolvedParseOptions {
  readonly contentSelector: string | undefined;
  readonly linkSelector: string | undefined;
  readonly maxLinks: number;
  readonly logger: Logger;
}

function checkSelector(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(
      `Expected \`${name}\` to be a non-empty CSS selector, got \`${String(value)}\``,
    );
  }
  try {
    load('<p></p>')(value);
  } catch {
    throw new TypeError(`Expected \`${name}\` to be a valid CSS selector, got \`${value}\``);
  }
}

function checkOptions(options: ParseHtmlOptions): ResolvedParseOptions {
  checkSelector('contentSelector', options.contentSelector);
  checkSelector('linkSelector', options.linkSelector);
  const maxLinks = options.maxLinks ?? PARSE_HTML_DEFAULTS.maxLinks;
  if (!Number.isInteger(maxLinks) || maxLinks < 0) {
    throw new TypeError(
      `Expected \`maxLinks\` to be a non-negative integer, got \`${String(maxLinks)}\``,
    );
  }
  return {
    contentSelector: options.contentSelector,
    linkSelector: options.linkSelector,
    maxLinks,
    logger: options.logger ?? PARSE_HTML_DEFAULTS.logger,
  };
}

// ---------------------------------------------------------------------------------------------
// Text

/** CJK characters and CJK/full-width punctuation: no space belongs between two of them. */
const CJK = '[\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef]';
const SOFT_BREAK = '\u0000';
const SOFT_BREAK_CJK = new RegExp(`(${CJK})${SOFT_BREAK}(?=${CJK})`, 'gu');
const SOFT_BREAK_ANY = new RegExp(SOFT_BREAK, 'g');

/**
 * Collapses whitespace to single spaces and trims. A line break inside Chinese text is source
 * formatting, not a word gap, so it disappears instead of becoming a space (extractor patterns
 * like 签署了.*谅解备忘录 would otherwise miss). Full-width characters are kept as they are.
 */
export function collapseWhitespace(text: string): string {
  // One pass over maximal whitespace runs keeps this linear even on hostile input (a pattern
  // like /[^\S\n]*\n/ backtracks quadratically over a long run of spaces).
  return text
    .replace(SOFT_BREAK_ANY, '')
    .replace(/\s+/g, (run) => (run.includes('\n') ? SOFT_BREAK : ' '))
    .replace(SOFT_BREAK_CJK, '$1')
    .replace(SOFT_BREAK_ANY, ' ')
    .trim();
}

/** Letters of any script (Han characters included): what a reader reads, minus digits and marks. */
function letterCount(text: string): number {
  return text.replace(/[^\p{L}]/gu, '').length;
}

const REMOVE_ALWAYS = 'script, style, noscript, template, svg, object, embed, head > link';
const REMOVE_FOR_TEXT =
  'nav, header, footer, aside, form, iframe, frame, frameset, select, button, input, textarea, [hidden], [role="navigation"], [aria-hidden="true"]';

const BLOCK_TAGS = new Set([
  'address',
  'article',
  'blockquote',
  'body',
  'center',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/** Elements that can hold an article body. */
const CONTAINER_TAGS = new Set([
  'article',
  'blockquote',
  'body',
  'center',
  'div',
  'main',
  'section',
  'td',
]);

function isElement(node: AnyNode): node is Element {
  return node.nodeType === 1;
}

function tagOf(node: AnyNode): string {
  return isElement(node) ? node.name.toLowerCase() : '';
}

function textOf(node: AnyNode): string | null {
  return node.nodeType === 3 && 'data' in node && typeof node.data === 'string' ? node.data : null;
}

/**
 * The text under `node`, stopping once it passes `maxChars`: headline and anchor candidates
 * need only a short text, and reading a whole subtree for each would be quadratic on nested
 * markup. Iterative, like every walk here, so absurdly deep markup cannot overflow the stack.
 */
function boundedText(node: AnyNode, maxChars: number): string {
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length > 0 && out.length <= maxChars) {
    const current = stack.pop()!;
    const data = textOf(current);
    if (data !== null) out += data;
    else if ('children' in current) {
      for (let i = current.children.length - 1; i >= 0; i--) {
        const child = current.children[i];
        if (child !== undefined) stack.push(child);
      }
    }
  }
  return out;
}

/** True when `node` has an ancestor with one of `tags`. */
function hasAncestor(node: AnyNode, tags: ReadonlySet<string>): boolean {
  for (let p = node.parent; p !== null; p = p.parent) {
    if (tags.has(tagOf(p))) return true;
  }
  return false;
}

/**
 * The lines of text under `roots`: block elements and <br> end a line. Iterative, so absurdly
 * deep markup cannot overflow the stack.
 */
function textLines(roots: readonly AnyNode[]): string[] {
  const pieces: string[] = [];
  const stack: { node: AnyNode; exit: boolean }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) {
    const root = roots[i];
    if (root !== undefined) stack.push({ node: root, exit: false });
  }
  while (stack.length > 0) {
    const { node, exit } = stack.pop()!;
    const tag = tagOf(node);
    if (exit) {
      pieces.push('\u2029');
      continue;
    }
    const data = textOf(node);
    if (data !== null) {
      pieces.push(data);
      continue;
    }
    if (tag === 'br') {
      pieces.push('\u2029');
      continue;
    }
    if (BLOCK_TAGS.has(tag)) {
      pieces.push('\u2029');
      stack.push({ node, exit: true });
    }
    if ('children' in node) {
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i];
        if (child !== undefined) stack.push({ node: child, exit: false });
      }
    }
  }
  return pieces
    .join('')
    .split('\u2029')
    .map(collapseWhitespace)
    .filter((line) => line !== '');
}

// ---------------------------------------------------------------------------------------------
// Main-text detection

interface BlockText {
  own: number;
  link: number;
}

/**
 * For every block element: the letters of its own text (not inside a nested block), split into
 * plain and link text.
 */
function blockTexts(root: AnyNode): Map<Element, BlockText> {
  const result = new Map<Element, BlockText>();
  const stack: { node: AnyNode; block: Element | null; inLink: boolean }[] = [
    { node: root, block: null, inLink: false },
  ];
  while (stack.length > 0) {
    const { node, block, inLink } = stack.pop()!;
    const data = textOf(node);
    if (data !== null) {
      if (block === null) continue;
      const n = letterCount(data);
      if (n === 0) continue;
      const entry = result.get(block) ?? { own: 0, link: 0 };
      if (inLink) entry.link += n;
      else entry.own += n;
      result.set(block, entry);
      continue;
    }
    if (!('children' in node)) continue;
    const tag = tagOf(node);
    const nextBlock = isElement(node) && BLOCK_TAGS.has(tag) ? node : block;
    const nextInLink = inLink || tag === 'a';
    for (const child of node.children)
      stack.push({ node: child, block: nextBlock, inLink: nextInLink });
  }
  return result;
}

function containerOf(node: Element): Element | null {
  let current = node.parent;
  while (current !== null) {
    if (isElement(current) && CONTAINER_TAGS.has(tagOf(current))) return current;
    current = current.parent;
  }
  return null;
}

/** Link letters over all letters below `root` (0 when there is no text). */
function linkDensity(root: Element, texts: Map<Element, BlockText>): number {
  let own = 0;
  let link = 0;
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) {
      const t = texts.get(node);
      if (t !== undefined) {
        own += t.own;
        link += t.link;
      }
      for (const child of node.children) stack.push(child);
    }
  }
  return own + link === 0 ? 0 : link / (own + link);
}

/**
 * Chooses the article body. Each block's plain (non-link) text is credited in full to its
 * container and by half to the container above: the element that directly holds most of the
 * prose wins. Chinese government pages write many short paragraphs, so what counts is the total
 * a container holds, not any one paragraph's length. Link-heavy containers (menus, "related
 * news") are discounted by their link density.
 */
function mainContainers(body: Element, headline: Element | null): Element[] {
  const texts = blockTexts(body);
  const scores = new Map<Element, number>();
  const credit = (el: Element | null, amount: number) => {
    if (el !== null) scores.set(el, (scores.get(el) ?? 0) + amount);
  };
  for (const [block, { own }] of texts) {
    if (own === 0) continue;
    const container = CONTAINER_TAGS.has(tagOf(block)) ? block : containerOf(block);
    if (container === null) continue;
    credit(container, own);
    credit(containerOf(container), own / 2);
  }
  // The article goes with its headline: a container holding the headline counts half again, so
  // a long paragraph elsewhere (a minister's biography in a sidebar) does not beat the short
  // paragraphs of the report itself.
  const withHeadline = headline === null ? new Set<Element>() : ancestorsOf(headline);
  for (const [el, score] of scores) {
    if (withHeadline.has(el)) scores.set(el, score * HEADLINE_BONUS);
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  let best: Element | null = null;
  let bestScore = 0;
  for (const [el, score] of ranked) {
    const adjusted = score * (1 - linkDensity(el, texts));
    if (adjusted > bestScore) {
      best = el;
      bestScore = adjusted;
    }
  }
  if (best === null) return [body];
  const chosen = best;
  // An article split by an image or a page widget continues in a sibling container.
  const parent = chosen.parent;
  const roots =
    parent === null || !('children' in parent)
      ? [chosen]
      : parent.children.filter(
          (sibling): sibling is Element =>
            sibling === chosen ||
            (isElement(sibling) &&
              CONTAINER_TAGS.has(tagOf(sibling)) &&
              (scores.get(sibling) ?? 0) * (1 - linkDensity(sibling, texts)) >= bestScore * 0.25 &&
              linkDensity(sibling, texts) < 0.3),
        );
  // Missing the report costs more than keeping some extra prose: when the headline's own
  // container holds text of its own beyond the headline and lost, it is kept as well.
  if (headline !== null && !roots.some((r) => withHeadline.has(r))) {
    const home = [...withHeadline].find((el) => scores.has(el) && !ancestorsOf(chosen).has(el));
    const headlineLetters = texts.get(headline)?.own ?? 0;
    if (
      home !== undefined &&
      (scores.get(home) ?? 0) / HEADLINE_BONUS - headlineLetters >= MIN_HEADLINE_PROSE &&
      linkDensity(home, texts) < 0.3
    ) {
      roots.push(home);
      roots.sort(documentOrder);
    }
  }
  return roots;
}

const HEADLINE_BONUS = 1.5;
/** Letters besides the headline that make the headline's container worth keeping. */
const MIN_HEADLINE_PROSE = 40;

/** `el` and every element above it. */
function ancestorsOf(el: Element): Set<Element> {
  const out = new Set<Element>();
  for (let n: AnyNode | null = el; n !== null; n = n.parent) if (isElement(n)) out.add(n);
  return out;
}

/** Document order of two elements, neither inside the other. */
function documentOrder(a: Element, b: Element): number {
  const path = (el: Element) => {
    const p: AnyNode[] = [];
    for (let n: AnyNode | null = el; n !== null; n = n.parent) p.unshift(n);
    return p;
  };
  const pa = path(a);
  const pb = path(b);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  const parent = pa[i - 1];
  if (parent === undefined || !('children' in parent)) return 0;
  const siblings: AnyNode[] = parent.children;
  return siblings.indexOf(pa[i] as AnyNode) - siblings.indexOf(pb[i] as AnyNode);
}

/**
 * Drops elements nested inside other elements of the list (a selector may match both).
 * Answers are memoised along each ancestor path, so a deep chain of matches stays linear.
 */
function outermost(elements: Element[]): Element[] {
  const selected = new Set<AnyNode>(elements);
  const insideSelected = new Map<AnyNode, boolean>();
  const below = (el: Element): boolean => {
    const path: AnyNode[] = [];
    let answer = false;
    for (let p = el.parent; p !== null; p = p.parent) {
      const known = insideSelected.get(p);
      if (known !== undefined) {
        answer = known;
        break;
      }
      if (selected.has(p)) {
        answer = true;
        break;
      }
      path.push(p);
    }
    // Every node on the path is inside a selected element exactly when `el` is.
    for (const node of path) insideSelected.set(node, answer);
    return answer;
  };
  return elements.filter((el) => !below(el));
}

// ---------------------------------------------------------------------------------------------
// Title

/**
 * `headline_site`, `headline | site`, `headline - site`: separators that in a <title> nearly
 * always introduce the site or section name. The head is greedy so the last one is cut first.
 */
const HARD_SEPARATOR = /^(.*[^\s_|｜])\s*(?:_+|\||｜|\s[-–]\s|\s--\s|::|\s·\s)\s*([^_|｜]{1,40})$/u;
/** `headline——新华网`, `headline-Xinhua`: dashes also join words, so the tail must look like a site. */
const SOFT_SEPARATOR = /^(.*[^\s—–-])\s*(?:—+|–|-)\s*([^—–-]{1,40})$/u;
const SITE_WORD =
  /网|报|社|台|部|局|厅|委|办|政府|门户|使馆|中心|xinhua|news|times|daily|post|herald|ministry|embassy|government|gov|agency|press|tv|radio|\.(?:com|cn|org|net|vn)\b/i;

/** The headline part of a <title>, without a site name like `_中华人民共和国公安部`. */
export function stripSiteSuffix(title: string): string {
  let current = collapseWhitespace(title);
  for (let i = 0; i < 2; i++) {
    let head = HARD_SEPARATOR.exec(current)?.[1];
    if (head === undefined) {
      const soft = SOFT_SEPARATOR.exec(current);
      if (soft?.[2] !== undefined && SITE_WORD.test(soft[2])) head = soft[1];
    }
    if (head === undefined || letterCount(head) < 4) break;
    current = head.trim();
  }
  return current;
}

function compact(s: string): string {
  return s.replace(/\s+/g, '').toLowerCase();
}

function titleTier(candidate: string, docTitle: string, cleaned: string): number {
  const c = compact(candidate);
  const d = compact(docTitle);
  const h = compact(cleaned);
  if (c === '' || d === '') return 0;
  if (c === h || c === d) return 3;
  if (h.length >= 4 && c.length >= 4 && (h.startsWith(c) || c.startsWith(h))) return 2;
  if ((c.length >= 6 && d.includes(c)) || (h.length >= 6 && c.includes(h))) return 1;
  return 0;
}

interface TitleChoice {
  readonly title: string | null;
  readonly element: Element | null;
}

/** Headline candidates looked at; a headline sits near the top, and the cap bounds the work. */
const MAX_TITLE_CANDIDATES = 60;
const TITLE_EXCLUDED_ANCESTORS: ReadonlySet<string> = new Set(['nav', 'footer', 'head', 'a']);

function chooseTitle($: CheerioAPI, meta: Map<string, string>): TitleChoice {
  const titleElement = $('title').get(0);
  const docTitle =
    titleElement === undefined ? '' : collapseWhitespace(boundedText(titleElement, 1000));
  const cleaned = docTitle === '' ? '' : stripSiteSuffix(docTitle);
  const candidates: { text: string; element: Element | null }[] = [];
  for (const key of ['articletitle', 'og:title', 'twitter:title']) {
    const value = meta.get(key);
    if (value !== undefined && collapseWhitespace(value) !== '') {
      candidates.push({ text: collapseWhitespace(value), element: null });
    }
  }
  const elements = $(
    'h1, h2, [class*="title" i], [id*="title" i], [class*="headline" i], .bt, .tit',
  )
    .toArray()
    .slice(0, MAX_TITLE_CANDIDATES);
  for (const el of elements) {
    if (hasAncestor(el, TITLE_EXCLUDED_ANCESTORS)) continue;
    const text = collapseWhitespace(boundedText(el, 400));
    if (letterCount(text) < 4 || text.length > 200) continue;
    candidates.push({ text, element: el });
  }

  let best: { text: string; element: Element | null; tier: number } | null = null;
  for (const c of candidates) {
    const tier = titleTier(c.text, docTitle, cleaned);
    if (tier === 0) continue;
    if (
      best === null ||
      tier > best.tier ||
      (tier === best.tier && c.text.length > best.text.length)
    ) {
      best = { text: c.text, element: c.element, tier };
    }
  }
  if (best !== null) return { title: best.text, element: best.element };
  const metaTitle = candidates.find((c) => c.element === null);
  if (metaTitle !== undefined) return { title: metaTitle.text, element: null };
  const h1 = candidates.find((c) => c.element !== null && tagOf(c.element) === 'h1');
  if (h1 !== undefined) return { title: h1.text, element: h1.element };
  if (cleaned !== '') return { title: cleaned, element: null };
  return { title: null, element: null };
}

// ---------------------------------------------------------------------------------------------
// Publication date

const DATE_META_KEYS = [
  'article:published_time',
  'og:article:published_time',
  'og:published_time',
  'pubdate',
  'publishdate',
  'publish_date',
  'publish-date',
  'publishtime',
  'firstpublishedtime',
  'datepublished',
  'dc.date.issued',
  'dcterms.issued',
  'dc.date',
  'dcterms.date',
  'sailthru.date',
  'parsely-pub-date',
  'date',
];

function metaMap($: CheerioAPI): Map<string, string> {
  const map = new Map<string, string>();
  $('meta[content]').each((_, el) => {
    const key = (el.attribs['name'] ?? el.attribs['property'] ?? el.attribs['itemprop'] ?? '')
      .trim()
      .toLowerCase();
    const content = el.attribs['content'];
    if (key !== '' && content !== undefined && !map.has(key)) map.set(key, content);
  });
  return map;
}

/** `datePublished` anywhere in the page's JSON-LD blocks. */
function jsonLdDate($: CheerioAPI): string | null {
  for (const el of $('script[type="application/ld+json"]').toArray()) {
    let data: unknown;
    try {
      data = JSON.parse($(el).text());
    } catch {
      continue;
    }
    const stack: unknown[] = [data];
    for (let guard = 0; stack.length > 0 && guard < 10_000; guard++) {
      const value = stack.pop();
      if (Array.isArray(value)) stack.push(...value);
      else if (value !== null && typeof value === 'object') {
        const published = (value as Record<string, unknown>)['datePublished'];
        if (typeof published === 'string') {
          const date = parseDateValue(published);
          if (date !== null) return date;
        }
        stack.push(...Object.values(value));
      }
    }
  }
  return null;
}

/** A label that introduces the page's own date; `来源` (source) lines often end with it. */
const DATE_LABEL =
  /(发布时间|发布日期|发表时间|发表日期|发稿时间|发布于|时间|日期|来源|稿源|Published(?: on)?|Posted(?: on)?|Release date|Date)\s*[:：]?/giu;

function labelledDate(text: string): string | null {
  const dates = findDates(text);
  if (dates.length === 0) return null;
  // Labels and dates both come in text order, so one pointer walks the dates once.
  let next = 0;
  DATE_LABEL.lastIndex = 0;
  for (let m = DATE_LABEL.exec(text); m !== null; m = DATE_LABEL.exec(text)) {
    const end = m.index + m[0].length;
    const reach = m[1] === '来源' || m[1] === '稿源' ? 60 : 12;
    while (next < dates.length && (dates[next]?.index ?? 0) < end) next++;
    const date = dates[next];
    if (date === undefined) return null;
    if (date.index - end <= reach) return date.date;
  }
  return null;
}

/** Labels, times and page tools that share a line with the page's own date. */
const DATE_LINE_NOISE =
  /(发布时间|发布日期|发表时间|发表日期|发稿时间|发布于|时间|日期|作者|编辑|责任编辑|浏览次数|点击数?|字号|字体|打印|关闭|分享到?|Published(?: on)?|Posted(?: on)?|Updated|Release date|Date|By)\s*[:：]?|\d{1,2}:\d{2}(?::\d{2})?|【[^】]*】|\[[^\]]*\]|(来源|稿源|Source)\s*[:：]\s*\S*/giu;

/**
 * The date line under a headline, where no label points at it: a short line that starts with a
 * date (after at most a label) and holds little else ("2019年09月11日 来源：公安部",
 * "2023-07-04 18:30 【字体：大 中 小】"). A list item that ends with its date (a sidebar
 * headline) or a sentence that starts with one is not a date line.
 */
function dateLine(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.length > 80) continue;
    const date = findDates(line)[0];
    if (date === undefined) continue;
    const before = line.slice(0, date.index).replace(DATE_LINE_NOISE, '');
    if (/[\p{L}\p{N}]/u.test(before)) continue;
    const rest = `${before}${line.slice(date.index + date.length)}`.replace(DATE_LINE_NOISE, '');
    if (/[，。,.;；]/.test(rest)) continue;
    if ((rest.match(/[\p{L}\p{N}]/gu) ?? []).length <= 6) return date.date;
  }
  return null;
}

function publishedDate(
  meta: Map<string, string>,
  jsonLd: string | null,
  pageText: string,
  title: string | null,
  url: string | null,
): string | null {
  for (const key of DATE_META_KEYS) {
    const value = meta.get(key);
    const date = value === undefined ? null : parseDateValue(value);
    if (date !== null) return date;
  }
  if (jsonLd !== null) return jsonLd;

  // The date block sits just under the headline; read only that stretch so a date quoted in
  // the article or a sidebar is not taken for the page's own.
  const at = title === null ? -1 : pageText.indexOf(title);
  const nearTitle =
    at === -1 ? pageText.slice(0, 1500) : pageText.slice(at, at + title!.length + 600);
  const labelled = labelledDate(nearTitle);
  if (labelled !== null) return labelled;

  const fromUrl = url === null ? null : dateFromUrl(url);
  if (fromUrl !== null) return fromUrl;

  const near = findDates(nearTitle)[0]?.date ?? null;
  if (near !== null && at !== -1) return near;
  // The <title> differs from the headline (or is missing): the date line near the top.
  const onItsLine = dateLine(pageText.slice(0, 4000));
  if (onItsLine !== null) return onItsLine;

  // A month folder (`/201611/`) gives no day; accept a date from the page only if it agrees.
  const month = url === null ? null : monthFromUrl(url);
  if (month !== null) {
    const agreeing = findDates(pageText).find((d) => d.date.startsWith(month));
    if (agreeing !== undefined) return agreeing.date;
  }
  return labelledDate(pageText);
}

// ---------------------------------------------------------------------------------------------
// Links

const SKIPPED_HREF = /^(?:#|javascript:|mailto:|tel:|data:|about:|vbscript:)/i;

function baseUrlOf($: CheerioAPI, url: string | null): string | null {
  const href = $('base[href]').first().attr('href');
  if (href === undefined) return url;
  try {
    return url === null ? new URL(href).href : new URL(href, url).href;
  } catch {
    return url;
  }
}

/** Pages a script pager announces at most; each is a list page the frontier may visit. */
const MAX_SCRIPT_PAGES = 1000;
/** Inline script text read per page for links (pagers and redirects sit in small scripts). */
const MAX_SCRIPT_CHARS = 200_000;

const TRS_PAGER =
  /createPageHTML\(\s*([\w$.]+)\s*,\s*([\w$.]+)\s*,\s*["']([\w.-]+)["']\s*,\s*["'](\w+)["']/g;
const SCRIPT_REDIRECT =
  /(?:\b(?:window|self|top|document)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*["']([^"'\s]+)["']|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*["']([^"'\s]+)["']\s*\)/g;

/** A pager argument: a number, or a variable the same script sets to one. */
function numericArg(arg: string, script: string): number | null {
  if (/^\d+$/.test(arg)) return Number(arg);
  const name = arg.replace(/[$.]/g, (c) => `\\${c}`);
  const m = new RegExp(`\\b${name}\\s*=\\s*(\\d+)`).exec(script);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * Link targets that exist only in inline scripts. TRS CMS list pages (embassies, the foreign
 * ministry, the Taiwan Affairs Office) draw their pager with
 * `createPageHTML(countPage, currentPage, "index", "htm")`: pages `index.htm`, `index_1.htm`
 * ... `index_{countPage-1}.htm`. Some pages only forward with `window.location.href = "..."`
 * (the foreign ministry's country pages). A static crawler sees neither without this.
 *
 * Scripts are found in the source text with forward-only searches: a CSS query for scripts
 * takes seconds on absurdly deep markup, and a lazy regular expression would go quadratic on
 * many unclosed tags.
 */
function scriptLinks(html: string): string[] {
  const out: string[] = [];
  let budget = MAX_SCRIPT_CHARS;
  const open = /<script\b/gi;
  const close = /<\/script\s*>/gi;
  for (let m = open.exec(html); m !== null && budget > 0; m = open.exec(html)) {
    const gt = html.indexOf('>', m.index);
    if (gt === -1) break;
    close.lastIndex = gt;
    const end = close.exec(html);
    if (end === null) break;
    open.lastIndex = end.index + end[0].length;
    const attrs = html.slice(m.index + 7, gt).toLowerCase();
    const type = /\btype\s*=\s*["']?([^"'\s>]*)/.exec(attrs)?.[1] ?? '';
    if (/\bsrc\s*=/.test(attrs) || (type !== '' && !type.includes('javascript'))) continue;
    const script = html.slice(gt + 1, Math.min(end.index, gt + 1 + budget));
    budget -= script.length;
    TRS_PAGER.lastIndex = 0;
    for (let p = TRS_PAGER.exec(script); p !== null; p = TRS_PAGER.exec(script)) {
      const pages = numericArg(p[1] ?? '', script);
      const prefix = p[3] ?? 'index';
      const ext = p[4] ?? 'htm';
      if (pages === null || pages < 1) continue;
      out.push(`${prefix}.${ext}`);
      for (let i = 1; i < Math.min(pages, MAX_SCRIPT_PAGES); i++) out.push(`${prefix}_${i}.${ext}`);
    }
    SCRIPT_REDIRECT.lastIndex = 0;
    for (let r = SCRIPT_REDIRECT.exec(script); r !== null; r = SCRIPT_REDIRECT.exec(script)) {
      const target = r[1] ?? r[2];
      if (target !== undefined) out.push(target);
    }
  }
  return out;
}

function collectLinks(
  $: CheerioAPI,
  base: string | null,
  linkSelector: string | undefined,
  maxLinks: number,
  html: string,
): { url: string; text: string }[] {
  const links = new Map<string, string>();
  const add = (href: string | undefined, text: string) => {
    const raw = href?.trim() ?? '';
    if (raw === '' || SKIPPED_HREF.test(raw)) return;
    let absolute: string;
    try {
      absolute = base === null ? normalizeUrl(raw) : normalizeUrl(raw, base);
    } catch {
      return;
    }
    const existing = links.get(absolute);
    if (existing === undefined) {
      if (links.size < maxLinks) links.set(absolute, text);
    } else if (existing === '' && text !== '') {
      // The same target often appears first as an image link, then with its headline.
      links.set(absolute, text);
    }
  };

  const scope = linkSelector === undefined ? $.root() : $(linkSelector);
  const anchors = scope.find('a[href], area[href]').add(scope.filter('a[href], area[href]'));
  anchors.each((_, el) => {
    const $el = $(el);
    const text =
      collapseWhitespace(boundedText(el, 500)) ||
      collapseWhitespace($el.attr('title') ?? '') ||
      collapseWhitespace($el.find('img[alt]').first().attr('alt') ?? '') ||
      collapseWhitespace($el.attr('alt') ?? '');
    add($el.attr('href'), text);
  });
  // Pagers and redirects written by scripts name their targets in the script text.
  for (const target of scriptLinks(html)) add(target, '');
  if (linkSelector === undefined) {
    // Old government sites still use framesets and meta refresh to reach the real pages.
    $('frame[src], iframe[src]').each((_, el) => add($(el).attr('src'), ''));
    $('meta[http-equiv]').each((_, el) => {
      if ((el.attribs['http-equiv'] ?? '').toLowerCase() !== 'refresh') return;
      const m = /url\s*=\s*['"]?([^'";]+)/i.exec(el.attribs['content'] ?? '');
      if (m?.[1] !== undefined) add(m[1], '');
    });
  }
  return [...links].map(([url, text]) => ({ url, text }));
}

// ---------------------------------------------------------------------------------------------

/** Elements whose end tag is optional or absent: they never deepen the tree for long. */
const NON_NESTING_TAGS = new Set([
  'area',
  'base',
  'body',
  'br',
  'caption',
  'col',
  'colgroup',
  'dd',
  'dt',
  'embed',
  'head',
  'hr',
  'html',
  'img',
  'input',
  'li',
  'link',
  'meta',
  'optgroup',
  'option',
  'p',
  'param',
  'rp',
  'rt',
  'source',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'track',
  'wbr',
  '!doctype',
]);

/**
 * Tree builders check the stack of open elements on each tag, so parse time grows with the sum
 * of nesting depths: 20,000 nested <div>s take seconds, 100,000 take minutes. This linear
 * prescan estimates that sum so a hostile page cannot stall a worker.
 */
function nestingCost(html: string): number {
  let depth = 0;
  let cost = 0;
  const tag = /<(\/?)([a-zA-Z!][a-zA-Z0-9-]*)[^<>]*?(\/?)>/g;
  for (let m = tag.exec(html); m !== null; m = tag.exec(html)) {
    const name = (m[2] ?? '').toLowerCase();
    if (NON_NESTING_TAGS.has(name) || m[3] === '/') continue;
    if (m[1] === '/') depth = Math.max(0, depth - 1);
    else {
      depth++;
      cost += depth;
      if (cost > MAX_NESTING_COST) return cost;
    }
  }
  return cost;
}

/** About a quarter of a second of parsing (a normal page costs well under 10^6). */
const MAX_NESTING_COST = 20_000_000;

/**
 * Parses one page. `url` (the final URL after redirects) resolves relative links and supplies
 * URL-borne dates; with `url` null only absolute links are kept. Never throws on bad markup:
 * a page that defeats the parser still yields its plain text.
 * @throws TypeError for bad options only.
 */
export function parseHtml(
  html: string,
  url: string | null,
  options: ParseHtmlOptions = {},
): ParsedDocument {
  const opts = checkOptions(options);
  const source = typeof html === 'string' ? html : String(html);
  if (nestingCost(source) > MAX_NESTING_COST) {
    opts.logger.warn(
      { url },
      'HTML nested too deeply to parse in reasonable time; using plain text',
    );
    return plainTextFallback(source, url);
  }
  try {
    return parseDocument(source, url, opts);
  } catch (err) {
    opts.logger.warn(
      { url, err: err instanceof Error ? err.message : String(err) },
      'HTML defeated the parser; using the plain-text fallback',
    );
    return plainTextFallback(source, url);
  }
}

function parseDocument(
  html: string,
  url: string | null,
  opts: ResolvedParseOptions,
): ParsedDocument {
  const $ = load(html);
  const meta = metaMap($);
  const base = baseUrlOf($, url);
  const links = collectLinks($, base, opts.linkSelector, opts.maxLinks, html);
  // JSON-LD lives in <script>, which goes before the text is read.
  const jsonLdPublished = jsonLdDate($);

  $(REMOVE_ALWAYS).remove();
  const { title, element: headline } = chooseTitle($, meta);
  const body = $('body').get(0) ?? null;
  const pageText = textLines(body === null ? $.root().toArray() : [body]).join('\n');
  const published = publishedDate(meta, jsonLdPublished, pageText, title, url);

  let roots: Element[] = [];
  if (opts.contentSelector !== undefined) {
    roots = outermost($(opts.contentSelector).toArray().filter(isElement));
  }
  if (roots.length === 0) {
    $(REMOVE_FOR_TEXT).remove();
    if (body !== null) roots = mainContainers(body, headline?.parent == null ? null : headline);
  }
  let paragraphs = textLines(roots.length > 0 ? roots : $.root().toArray());
  if (title !== null) {
    // The headline leads the text once (the body may repeat it after a sidebar kept with it).
    const once = compact(title);
    const at = paragraphs.findIndex((p) => compact(p) === once);
    if (at !== -1) paragraphs = [...paragraphs.slice(0, at), ...paragraphs.slice(at + 1)];
  }
  const text = (title === null ? paragraphs : [title, ...paragraphs]).join('\n');
  return { url, title, text, published, links };
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Tags stripped by pattern, for the rare page that defeats the DOM walk. */
function plainTextFallback(html: string, url: string | null): ParsedDocument {
  const decode = (s: string) =>
    s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] === '#') {
        const code =
          ref[1] === 'x' || ref[1] === 'X'
            ? Number.parseInt(ref.slice(2), 16)
            : Number(ref.slice(1));
        return Number.isInteger(code) && code > 0 && code <= 0x10ffff
          ? String.fromCodePoint(code)
          : whole;
      }
      return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
    });
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const title =
    titleMatch?.[1] === undefined ? '' : stripSiteSuffix(decode(titleMatch[1].slice(0, 1000)));
  const lines = html
    .replace(/<(script|style|noscript|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<title[^>]*>[\s\S]*?<\/title>/gi, ' ')
    .replace(/<\/?(?:p|div|br|li|tr|td|h[1-6]|section|article|table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .split('\n')
    .map((line) => collapseWhitespace(decode(line)))
    .filter((line) => line !== '');
  const text = (title === '' ? lines : [title, ...lines]).join('\n');
  return {
    url,
    title: title === '' ? null : title,
    text,
    published: url === null ? null : dateFromUrl(url),
    links: [],
  };
}
