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
  'nav, header, footer, aside, iframe, frame, frameset, select, button, input, textarea, [hidden], [role="navigation"], [aria-hidden="true"]';

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
 * The lines of text under `roots`: block elements and <br> end a line; subtrees in `skip` are
 * left out. Iterative, so absurdly deep markup cannot overflow the stack.
 */
function textLines(roots: readonly AnyNode[], skip?: ReadonlySet<AnyNode>): string[] {
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
    if (skip?.has(node)) continue;
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
  /** Letters of the block's own text outside links. */
  own: number;
  /** Letters of the block's own text inside links. */
  link: number;
  /** The own text ends a sentence somewhere: prose, not a label, menu item or date line. */
  prose: boolean;
}

/** Letters, link letters and prose below one element, all blocks of its subtree together. */
interface SubtreeText {
  letters: number;
  link: number;
  /** Letters of prose blocks (see BlockText.prose). */
  prose: number;
  /** Prose blocks long enough to be a paragraph. */
  paragraphs: number;
}

/**
 * Sentence ends: Chinese full stops, question and exclamation marks, and a Latin full stop
 * before a space, a quote or the end. Dates (2016.11.22) and versions do not end sentences.
 */
const SENTENCE_END = /[。！？!?]|\.(?:\s|["'”’)）]|$)/;
/** Letters of a prose block that make it a paragraph rather than a stray caption. */
const MIN_PARAGRAPH_LETTERS = 8;

interface PageTexts {
  readonly blocks: Map<Element, BlockText>;
  readonly subtree: Map<Element, SubtreeText>;
}

const NO_TEXT: SubtreeText = Object.freeze({ letters: 0, link: 0, prose: 0, paragraphs: 0 });

/**
 * For every block element, the letters of its own text (not inside a nested block), split into
 * plain and link text; then for every element the totals of its subtree, summed in one pass
 * from the leaves up (elements in reverse visiting order come after all their descendants).
 */
function pageTexts(root: AnyNode): PageTexts {
  const blocks = new Map<Element, BlockText>();
  const order: Element[] = [];
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
      let entry = blocks.get(block);
      if (entry === undefined) {
        entry = { own: 0, link: 0, prose: false };
        blocks.set(block, entry);
      }
      if (inLink) entry.link += n;
      else {
        entry.own += n;
        if (!entry.prose && SENTENCE_END.test(data)) entry.prose = true;
      }
      continue;
    }
    if (!isElement(node)) {
      if ('children' in node) {
        for (const child of node.children) stack.push({ node: child, block, inLink });
      }
      continue;
    }
    order.push(node);
    const tag = tagOf(node);
    const nextBlock = BLOCK_TAGS.has(tag) ? node : block;
    const nextInLink = inLink || tag === 'a';
    for (const child of node.children)
      stack.push({ node: child, block: nextBlock, inLink: nextInLink });
  }

  const subtree = new Map<Element, SubtreeText>();
  for (let i = order.length - 1; i >= 0; i--) {
    const el = order[i]!;
    const own = blocks.get(el);
    let total = subtree.get(el);
    if (own !== undefined) {
      total ??= { letters: 0, link: 0, prose: 0, paragraphs: 0 };
      total.letters += own.own;
      total.link += own.link;
      if (own.prose) {
        total.prose += own.own;
        if (own.own >= MIN_PARAGRAPH_LETTERS) total.paragraphs++;
      }
      subtree.set(el, total);
    }
    const parent = el.parent;
    if (total === undefined || parent === null || !isElement(parent)) continue;
    const up = subtree.get(parent);
    if (up === undefined) subtree.set(parent, { ...total });
    else {
      up.letters += total.letters;
      up.link += total.link;
      up.prose += total.prose;
      up.paragraphs += total.paragraphs;
    }
  }
  return { blocks, subtree };
}

function containerOf(node: Element): Element | null {
  let current = node.parent;
  while (current !== null) {
    if (isElement(current) && CONTAINER_TAGS.has(tagOf(current))) return current;
    current = current.parent;
  }
  return null;
}

function subtreeOf(texts: PageTexts, el: Element): SubtreeText {
  return texts.subtree.get(el) ?? NO_TEXT;
}

/** Link letters over all letters below `el` (0 when there is no text). */
function linkDensity(texts: PageTexts, el: Element): number {
  const t = subtreeOf(texts, el);
  return t.letters + t.link === 0 ? 0 : t.link / (t.letters + t.link);
}

/**
 * `class` and `id` words of page furniture that CMSs put inside the article body: share bars,
 * "related posts", newsletter boxes, ads, comments, recommendations.
 */
const FURNITURE_WORD =
  /share|sharing|social|related|newsletter|subscri|advert|sponsor|promo|recommend|comment|disqus/;
const FURNITURE_TOKEN = new Set(['ad', 'ads', 'adsbygoogle']);

function isFurniture(el: Element): boolean {
  const names = `${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`.toLowerCase();
  if (names.trim() === '') return false;
  if (FURNITURE_WORD.test(names)) return true;
  return names.split(/[\s_-]+/).some((token) => FURNITURE_TOKEN.has(token));
}

/**
 * Furniture inside the chosen roots, to leave out of the text. An element named like furniture
 * but holding half the root's text or more is the article itself (a CMS that calls its body
 * `share-enabled`), and stays. Link lists without prose that open or close a root (a
 * breadcrumb, "相关文章" under the report) go whatever they are named; a list of links inside
 * the report (the documents signed, each linked to its text) stays, and so do a list page's.
 */
function furnitureIn(roots: readonly Element[], texts: PageTexts): Set<AnyNode> {
  const skip = new Set<AnyNode>();
  const linkList = (node: AnyNode) =>
    isElement(node) && subtreeOf(texts, node).prose === 0 && linkDensity(texts, node) >= 0.5;
  const blank = (node: AnyNode) =>
    !isElement(node) || subtreeOf(texts, node).letters + subtreeOf(texts, node).link === 0;
  for (const root of roots) {
    // A list page is its links; only a root that holds a report has edges to trim.
    const children = subtreeOf(texts, root).prose >= MIN_HEADLINE_PROSE ? root.children : [];
    for (let i = 0; i < children.length && (blank(children[i]!) || linkList(children[i]!)); i++) {
      if (!blank(children[i]!)) skip.add(children[i]!);
    }
    for (
      let i = children.length - 1;
      i >= 0 && (blank(children[i]!) || linkList(children[i]!));
      i--
    ) {
      if (!blank(children[i]!)) skip.add(children[i]!);
    }
    const rootLetters = subtreeOf(texts, root).letters;
    const stack: AnyNode[] = [...root.children];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!isElement(node)) continue;
      if (isFurniture(node) && subtreeOf(texts, node).letters * 2 < rootLetters) {
        skip.add(node);
        continue;
      }
      for (const child of node.children) stack.push(child);
    }
  }
  return skip;
}

interface MainText {
  readonly roots: Element[];
  /** Elements under the roots whose text is not the article's. */
  readonly skip: ReadonlySet<AnyNode>;
}

/**
 * Chooses the article body. Each block's plain (non-link) text is credited in full to its
 * container and by half to the container above: the element that directly holds most of the
 * prose wins. Chinese government pages write many short paragraphs, so what counts is the total
 * a container holds, not any one paragraph's length; a wrapper that holds a single paragraph
 * (editors wrap each paragraph in its own <div> or <section>) passes the full credit up, so a
 * body of wrapped paragraphs counts as much as one of <p>s. Link-heavy containers (menus,
 * "related news") are discounted by their link density.
 *
 * `anchor` is the headline (or, when page chrome around the headline was removed, the nearest
 * element left above it): the report sits with its headline, so a sidebar biography, consular
 * notice or site statement that outweighs a short report does not take its place.
 */
function mainContainers(
  body: Element,
  anchor: Element | null,
  anchorIsHeadline: boolean,
): MainText {
  const texts = pageTexts(body);
  const scores = new Map<Element, number>();
  const credit = (el: Element | null, amount: number) => {
    if (el !== null) scores.set(el, (scores.get(el) ?? 0) + amount);
  };
  for (const [block, { own, link, prose }] of texts.blocks) {
    if (own === 0) continue;
    let container = CONTAINER_TAGS.has(tagOf(block)) ? block : containerOf(block);
    if (container === null) continue;
    credit(container, own);
    // A wrapper holding nothing but this paragraph passes the full credit to the container
    // above. A one-line label (a headline, a date line) stays where it is.
    const alone = own + link;
    for (let t = subtreeOf(texts, container); prose && t.letters + t.link === alone; ) {
      const up = containerOf(container);
      if (up === null) break;
      container = up;
      credit(container, own);
      t = subtreeOf(texts, container);
    }
    credit(containerOf(container), own / 2);
  }
  const withAnchor = anchor === null ? new Set<Element>() : ancestorsOf(anchor);
  // The article goes with its headline: a container holding the headline counts half again.
  for (const [el, score] of scores) {
    if (withAnchor.has(el)) scores.set(el, score * HEADLINE_BONUS);
  }

  const home = anchor === null ? null : headlineHome(body, anchor, anchorIsHeadline, texts);
  const inHome = home === null ? () => false : insideOf(home, body);
  let best: Element | null = null;
  let bestScore = 0;
  let homeBest: Element | null = null;
  let homeBestScore = 0;
  const adjusted = (el: Element) => (scores.get(el) ?? 0) * (1 - linkDensity(texts, el));
  for (const el of scores.keys()) {
    const score = adjusted(el);
    if (score > bestScore) {
      best = el;
      bestScore = score;
    }
    if (home !== null && score > homeBestScore && inHome(el)) {
      homeBest = el;
      homeBestScore = score;
    }
  }
  if (best === null) return { roots: [body], skip: new Set() };
  // The report of several paragraphs that sits with the headline holds against prose elsewhere
  // that has fewer paragraphs (a sidebar biography, a consular notice, a site statement) unless
  // that prose outweighs it many times. A body elsewhere with more paragraphs than the
  // headline's block (a standfirst and a caption) still wins, and the block is kept with it.
  let chosen = best;
  const homeParagraphs = home === null ? 0 : subtreeOf(texts, home).paragraphs;
  const elsewhereParagraphs =
    subtreeOf(texts, best).paragraphs -
    (home !== null && ancestorsOf(home).has(best) ? homeParagraphs : 0);
  if (
    home !== null &&
    homeBest !== null &&
    !inHome(best) &&
    homeParagraphs >= 2 &&
    elsewhereParagraphs < homeParagraphs &&
    bestScore < homeBestScore * HOME_MARGIN
  ) {
    chosen = homeBest;
    bestScore = homeBestScore;
  }
  const restricted = home !== null && inHome(chosen);
  let roots: Element[] = [chosen];
  const parent = chosen.parent;
  if (parent !== null && isElement(parent) && !(restricted && chosen === home)) {
    const siblings = parent.children;
    const at = siblings.indexOf(chosen);
    // The lead between the headline and the body (a standfirst, a sapo) belongs to the report.
    const headlineAt = siblings.findIndex((s) => isElement(s) && withAnchor.has(s));
    // Siblings in document order, so the roots need no sorting.
    roots = siblings.filter((sibling, i): sibling is Element => {
      if (sibling === chosen) return true;
      if (!isElement(sibling) || linkDensity(texts, sibling) >= 0.3) return false;
      // An article split by an image or a page widget continues in a sibling container.
      const continues = CONTAINER_TAGS.has(tagOf(sibling)) && adjusted(sibling) >= bestScore * 0.25;
      const lead =
        headlineAt !== -1 &&
        headlineAt < i &&
        i < at &&
        subtreeOf(texts, sibling).prose >= MIN_LEAD_PROSE;
      return continues || lead;
    });
  }
  // Missing the report costs more than keeping some extra prose: when prose away from the
  // headline won, the headline's own prose is kept as well.
  if (
    home !== null &&
    !roots.some((r) => withAnchor.has(r) || inHome(r)) &&
    linkDensity(texts, home) < 0.3
  ) {
    roots.push(home);
    roots.sort(documentOrder);
  }
  return { roots, skip: furnitureIn(roots, texts) };
}

const HEADLINE_BONUS = 1.5;
/** Letters of prose besides the headline that make an element above it the report's home. */
const MIN_HEADLINE_PROSE = 24;
/** How many times the report's score prose away from the headline needs to hold it off. */
const HOME_MARGIN = 4;
/** Prose letters of a lead kept between the headline and the body. */
const MIN_LEAD_PROSE = 20;

/**
 * The lowest element above the headline that holds prose of its own besides the headline: where
 * the report is. Null when only <body> does (the headline sits alone in a page header).
 */
function headlineHome(
  body: Element,
  anchor: Element,
  anchorIsHeadline: boolean,
  texts: PageTexts,
): Element | null {
  const own = anchorIsHeadline ? subtreeOf(texts, anchor).prose : 0;
  for (let el = anchorIsHeadline ? anchor.parent : anchor; el !== null && el !== body; ) {
    if (!isElement(el)) return null;
    if (subtreeOf(texts, el).prose - own >= MIN_HEADLINE_PROSE) return el;
    el = el.parent;
  }
  return null;
}

/** A test for "is inside `root`", memoised along each path so many calls stay linear. */
function insideOf(root: Element, stop: Element): (el: Element) => boolean {
  const known = new Map<AnyNode, boolean>([
    [root, true],
    [stop, false],
  ]);
  return (el) => {
    const path: AnyNode[] = [];
    let answer = false;
    for (let n: AnyNode | null = el; n !== null; n = n.parent) {
      const k = known.get(n);
      if (k !== undefined) {
        answer = k;
        break;
      }
      path.push(n);
    }
    for (const n of path) known.set(n, answer);
    return answer;
  };
}

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

/** Text read after a headline candidate for the report under it. */
const MAX_FOLLOWING_CHARS = 3000;

/** Six Han characters or four words: a headline, not a box label like 热点新闻 or Recent Posts. */
function looksLikeHeadline(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= 6 || (text.match(/\p{L}{2,}/gu)?.length ?? 0) >= 4;
}

/**
 * When <title> names only the site or the section ("News | Kiribati Police Service", an
 * embassy's name), the headline is the candidate that the most prose follows: the report
 * comes right under its headline, up to the next headline-like candidate. An <h1> with a
 * report under it comes first, so a subheading over a longer part of the body does not win.
 */
function headlineByProse(
  candidates: readonly { text: string; element: Element | null }[],
  lines: readonly string[],
): { text: string; element: Element | null } | null {
  const shaped = candidates.filter((c) => c.element !== null && looksLikeHeadline(c.text));
  if (shaped.length === 0) return null;
  const keys = new Set(shaped.map((c) => compact(c.text)));
  // Lines are compacted only as far as the candidates are found (they sit near the top).
  const compactLines: string[] = [];
  const compactLine = (i: number) => (compactLines[i] ??= compact(lines[i] ?? ''));
  let best: { text: string; element: Element | null } | null = null;
  let bestProse = MIN_HEADLINE_PROSE - 1;
  for (const c of shaped) {
    const key = compact(c.text);
    let at = 0;
    while (at < lines.length && compactLine(at) !== key) at++;
    if (at === lines.length) continue;
    let prose = 0;
    let chars = 0;
    for (let i = at + 1; i < lines.length && chars < MAX_FOLLOWING_CHARS; i++) {
      const line = lines[i] ?? '';
      if (keys.has(compactLine(i))) break;
      chars += line.length;
      if (SENTENCE_END.test(line)) prose += letterCount(line);
    }
    if (prose >= MIN_HEADLINE_PROSE && c.element !== null && tagOf(c.element) === 'h1') return c;
    if (prose > bestProse) {
      best = c;
      bestProse = prose;
    }
  }
  return best;
}

function chooseTitle(
  $: CheerioAPI,
  meta: Map<string, string>,
  lines: readonly string[],
): TitleChoice {
  const titleElement = $('title').get(0);
  const docTitle =
    titleElement === undefined ? '' : collapseWhitespace(boundedText(titleElement, 1000));
  const cleaned = docTitle === '' ? '' : stripSiteSuffix(docTitle);
  const candidates: { text: string; element: Element | null }[] = [];
  for (const key of ['articletitle', 'og:title', 'twitter:title']) {
    const value = meta.get(key);
    // og:title often carries the site name as <title> does.
    const text = value === undefined ? '' : stripSiteSuffix(value);
    if (text !== '') candidates.push({ text, element: null });
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
      (tier === best.tier && c.text.length > best.text.length) ||
      // The same text on the page beats the meta tag: it anchors the main text.
      (tier === best.tier &&
        c.text.length === best.text.length &&
        best.element === null &&
        c.element !== null)
    ) {
      best = { text: c.text, element: c.element, tier };
    }
  }
  const shown = (text: string) => ({ title: text, element: elementShowing($, text, lines) });
  if (best !== null) {
    return best.element === null ? shown(best.text) : { title: best.text, element: best.element };
  }
  const metaTitle = candidates.find((c) => c.element === null);
  if (metaTitle !== undefined) return shown(metaTitle.text);
  const byProse = headlineByProse(candidates, lines);
  if (byProse !== null) return { title: byProse.text, element: byProse.element };
  const h1 = candidates.find((c) => c.element !== null && tagOf(c.element) === 'h1');
  if (h1 !== undefined) return { title: h1.text, element: h1.element };
  if (cleaned !== '') return shown(cleaned);
  return { title: null, element: null };
}

/**
 * The element that shows `title` on the page, for a title known only from <title> or a meta tag
 * (the headline's class is not one the candidate selector knows, like `m-art-bt`): the parent
 * of the first text that is the whole title. Looked for only when a line of the page is the
 * title, and in one walk, so most pages never pay for it and none pay more than once.
 */
function elementShowing($: CheerioAPI, title: string, lines: readonly string[]): Element | null {
  const key = compact(title);
  // A collapsed line has at most one space between any two other characters.
  const shows = (line: string) =>
    line.length >= key.length && line.length <= key.length * 2 && compact(line) === key;
  if (key === '' || !lines.some(shows)) return null;
  const stack: AnyNode[] = $('body').toArray();
  while (stack.length > 0) {
    const node = stack.pop()!;
    const data = textOf(node);
    if (data !== null) {
      const parent = node.parent;
      if (parent !== null && isElement(parent) && compact(data) === key) return parent;
      continue;
    }
    if (!('children' in node) || TITLE_EXCLUDED_ANCESTORS.has(tagOf(node))) continue;
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i];
      if (child !== undefined) stack.push(child);
    }
  }
  return null;
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
  const nearTitle = unglueDates(
    at === -1 ? pageText.slice(0, 1500) : pageText.slice(at, at + title!.length + 600),
  );
  const labelled = labelledDate(nearTitle);
  if (labelled !== null) return labelled;

  const fromUrl = url === null ? null : dateFromUrl(url);
  if (fromUrl !== null) return fromUrl;

  const near = findDates(nearTitle)[0]?.date ?? null;
  if (near !== null && at !== -1) return near;
  // The <title> differs from the headline (or is missing): the date line near the top.
  const onItsLine = dateLine(unglueDates(pageText.slice(0, 4000)));
  if (onItsLine !== null) return onItsLine;

  // A month folder (`/201611/`) gives no day; accept a date from the page only if it agrees.
  const month = url === null ? null : monthFromUrl(url);
  const all = unglueDates(pageText);
  if (month !== null) {
    const agreeing = findDates(all).find((d) => d.date.startsWith(month));
    if (agreeing !== undefined) return agreeing.date;
  }
  return labelledDate(all);
}

/**
 * Inline elements written without a space between them glue a year to the next word
 * (`<time>March 22, 2022</time><time>March 23, 2022</time>`, `11 Jul, 2023</span><span>Updated`),
 * which defeats the word boundary that date patterns need. Ordinals (22nd) stay whole.
 */
function unglueDates(text: string): string {
  return text.replace(/(\d)(?=[A-Za-z])(?!(?:st|nd|rd|th)\b)/g, '$1 ');
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

/**
 * Drops page chrome before the body is chosen. ASP.NET and SharePoint wrap the whole page in
 * one <form>, so a form goes only when it is a search box, a login or a comment form: not when
 * it holds the headline (`keep`) or half the page's text.
 */
function removeForText($: CheerioAPI, keep: ReadonlySet<Element>, pageChars: number): void {
  const half = pageChars / 2;
  // One query for both: each query walks the whole document.
  const drop = $(`${REMOVE_FOR_TEXT}, form`).filter(
    (_, el) => tagOf(el) !== 'form' || !(keep.has(el) || boundedText(el, half).length >= half),
  );
  drop.remove();
}

/**
 * The headline, or when page chrome around it was removed (an article's <header>), the nearest
 * element left above it; null when nothing below <body> is left. `above` lists the headline and
 * its ancestors from the bottom up, as they were before the removal.
 */
function survivingAnchor(above: readonly Element[], body: Element): Element | null {
  // A removed element loses its parent; the elements below it keep theirs.
  let anchor: Element | null = above[0] ?? null;
  for (let i = 0; i < above.length; i++) {
    if (above[i]?.parent === null) anchor = above[i + 1] ?? null;
  }
  return anchor !== null && anchor !== body && ancestorsOf(anchor).has(body) ? anchor : null;
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
  const body = $('body').get(0) ?? null;
  const pageLines = textLines(body === null ? $.root().toArray() : [body]);
  const pageText = pageLines.join('\n');
  const { title, element: headline } = chooseTitle($, meta, pageLines);
  const published = publishedDate(meta, jsonLdPublished, pageText, title, url);

  let roots: Element[] = [];
  let skip: ReadonlySet<AnyNode> | undefined;
  if (opts.contentSelector !== undefined) {
    roots = outermost($(opts.contentSelector).toArray().filter(isElement));
  }
  if (roots.length === 0) {
    const above = headline === null ? [] : [...ancestorsOf(headline)];
    removeForText($, new Set(above), pageText.length);
    const anchor = body === null ? null : survivingAnchor(above, body);
    if (body !== null) ({ roots, skip } = mainContainers(body, anchor, anchor === headline));
  }
  let paragraphs = textLines(roots.length > 0 ? roots : $.root().toArray(), skip);
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
