import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import zhLocale from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import { REGIONS, type Region, type Scope } from '../schemas/codes.js';
import aliasesRaw from './data/country-aliases.json' with { type: 'json' };
import forumsRaw from './data/forums.json' with { type: 'json' };
import regionsRaw from './data/regions.json' with { type: 'json' };
import { guard, KeywordMatcher, type MatcherEntry } from './matcher.js';
import { clauseAround, inRange, type PreparedText, regionsOf, type Span } from './text.js';
import type { DocMention, SigningEvent } from './types.js';

/**
 * Counterpart countries, forum, scope and region. The gazetteer is i18n-iso-countries' Chinese
 * and English names plus maintained aliases (data/country-aliases.json); only countries that
 * are party to the signing count, judged from the document title, the signing sentence
 * (中越双方, 越方, China and Vietnam, 越南公安部) and then the text that leads up to it.
 */

countries.registerLocale(enLocale);
countries.registerLocale(zhLocale);

export type MentionKind = 'name' | 'demonym' | 'side' | 'pair' | 'china' | 'capital';

interface CountryValue {
  readonly codes: readonly string[];
  readonly kind: MentionKind;
}

export interface CountryMention extends Span {
  /** Candidate codes; one after ambiguity resolution. */
  readonly codes: readonly string[];
  readonly kind: MentionKind;
  /** How strongly the wording makes this country a party (0 = China / not a party). */
  readonly strength: number;
}

interface AliasRow {
  readonly term: string;
  readonly codes: readonly string[];
  readonly kind?: string;
  readonly rejectIfPreceded?: string;
  readonly rejectIfFollowed?: string;
}

interface AliasFile {
  readonly displayEn: Readonly<Record<string, string>>;
  readonly sideFollowGuard: string;
  readonly pairPrecedeGuard: string;
  readonly china: readonly string[];
  readonly excludeGenerated: readonly string[];
  readonly chainChars: Readonly<Record<string, string>>;
  readonly aliases: readonly AliasRow[];
  readonly capitals: Readonly<Record<string, string>>;
  readonly capitalGuards: Readonly<Record<string, string>>;
}

interface ForumRow {
  readonly id: string;
  readonly names_zh: readonly string[];
  readonly names_en: readonly string[];
  readonly agency: { readonly name: string; readonly type: string } | null;
  /** The body a forum's own head (its secretary-general) signs for, when `agency` is null. */
  readonly head_agency?: { readonly name: string; readonly type: string } | null;
}

const aliases: AliasFile = aliasesRaw;
const forums: readonly ForumRow[] = forumsRaw.forums;

/** Codes that are never a counterpart here: China itself, Hong Kong, Macao. */
const NOT_COUNTERPARTS = new Set(['CHN', 'HKG', 'MAC']);

function kindOf(value: string | undefined): MentionKind {
  if (value === undefined || value === 'name') return 'name';
  if (value === 'side' || value === 'pair' || value === 'demonym') return value;
  throw new TypeError(`Expected alias kind name|side|pair|demonym, got \`${value}\``);
}

function buildGazetteer(): KeywordMatcher<CountryValue> {
  const entries: MatcherEntry<CountryValue>[] = [];
  const chinaValue: CountryValue = { codes: [], kind: 'china' };
  for (const term of aliases.china) entries.push({ term, value: chinaValue });
  const sideGuard = guard(aliases.sideFollowGuard);
  const pairGuard = guard(aliases.pairPrecedeGuard);
  for (const row of aliases.aliases) {
    const kind = kindOf(row.kind);
    entries.push({
      term: row.term,
      value: { codes: row.codes, kind },
      rejectIfPreceded: guard(row.rejectIfPreceded) ?? (kind === 'pair' ? pairGuard : undefined),
      rejectIfFollowed: guard(row.rejectIfFollowed) ?? (kind === 'side' ? sideGuard : undefined),
    });
  }
  const excluded = new Set(aliases.excludeGenerated);
  for (const lang of ['zh', 'en'] as const) {
    const names = countries.getNames(lang, { select: 'all' });
    for (const [alpha2, list] of Object.entries(names)) {
      const alpha3 = countries.alpha2ToAlpha3(alpha2);
      if (alpha3 === undefined) continue;
      const value: CountryValue = {
        codes: NOT_COUNTERPARTS.has(alpha3) ? [] : [alpha3],
        kind: NOT_COUNTERPARTS.has(alpha3) ? 'china' : 'name',
      };
      for (const rawName of list) {
        // Inverted forms ("Korea, Republic of") never occur in running text.
        const name = rawName.replace(/（/g, '(').replace(/）/g, ')');
        if (excluded.has(name) || name.includes(', ')) continue;
        entries.push({ term: name, value });
      }
    }
  }
  // Capitals last: a term that is also a country's name (Singapore) is the country. The matcher
  // takes the longest term, so 罗马尼亚 (Romania) is never read as 罗马 (Rome).
  for (const [term, code] of Object.entries(aliases.capitals)) {
    const value: CountryValue = { codes: [code], kind: 'capital' };
    const rejectIfFollowed = guard(aliases.capitalGuards[term]);
    entries.push({ term, value, rejectIfFollowed });
    // Wire-service datelines write the city in capitals (NAIROBI, March 12 -).
    const upper = term.toUpperCase();
    if (upper !== term) entries.push({ term: upper, value, rejectIfFollowed });
  }
  return new KeywordMatcher(entries);
}

const GAZETTEER = buildGazetteer();

const CHAIN_CHARS = aliases.chainChars;
// 中老缅泰 (three or more partners) is unambiguous; 中老缅 needs a following 三国/执法/… to
// tell it from running text.
const CHAIN_CLASS = `[${Object.keys(CHAIN_CHARS).join('')}]`;
const CHAIN_RE = new RegExp(
  `中(${CHAIN_CLASS}{3,6}|${CHAIN_CLASS}{2}(?=[两三四五六七]?[国方]|各方|警方|执法|联合|边境|湄公河|合作|关于|双方|三方|四方|五方|六方))`,
  'g',
);

interface ForumValue {
  readonly id: string;
}

const FORUMS = new KeywordMatcher<ForumValue>(
  forums.flatMap((f) =>
    [...f.names_zh, ...f.names_en].map((term) => ({ term, value: { id: f.id } })),
  ),
);

const FORUM_AGENCY = new Map(forums.map((f) => [f.id, f.agency]));
const FORUM_HEAD_AGENCY = new Map(forums.map((f) => [f.id, f.head_agency ?? null]));

const REGION_OF = new Map<string, Region>();
for (const [region, codes] of Object.entries(regionsRaw.regions)) {
  const code = REGIONS.find((r) => r === region);
  if (code === undefined) {
    throw new TypeError(`Expected a region from REGIONS in regions.json, got \`${region}\``);
  }
  for (const c of codes) REGION_OF.set(c, code);
}

export function regionOf(code: string): Region | null {
  return REGION_OF.get(code) ?? null;
}

/** English short name for agency labels ("Ministry of Public Security of Vietnam"). */
export function countryNameEn(code: string): string {
  const display = aliases.displayEn[code];
  if (display !== undefined) return display;
  const alpha2 = countries.alpha3ToAlpha2(code);
  if (alpha2 === undefined) return code;
  return countries.getName(alpha2, 'en', { select: 'official' }) ?? code;
}

export function forumAgency(
  id: string,
): { readonly name: string; readonly type: string } | null | undefined {
  return FORUM_AGENCY.get(id);
}

/** The body the forum's head signs for (ASEAN's Secretary-General: the ASEAN Secretariat). */
export function forumHeadAgency(
  id: string,
): { readonly name: string; readonly type: string } | null {
  return FORUM_HEAD_AGENCY.get(id) ?? null;
}

/**
 * The countries `[from, to)` names, read straight from the gazetteer (no page cache: callers
 * use it before the page's regions are known). `china` is true when China or a China-X pair
 * (中越, cross-Strait) is named; capitals are ignored (a venue is not a party).
 */
export function countriesNamedIn(
  doc: PreparedText,
  from: number,
  to: number,
): { readonly foreign: ReadonlySet<string>; readonly china: boolean } {
  const foreign = new Set<string>();
  let china = false;
  for (const m of GAZETTEER.find(doc.text, from, to)) {
    if (m.value.kind === 'china' || m.value.kind === 'pair') china = true;
    else if (m.value.kind !== 'capital' && m.value.codes[0] !== undefined) {
      foreign.add(m.value.codes[0]);
    }
  }
  return { foreign, china };
}

/** Whether `words` start with a country's name (not a capital or China): "Pakistan", "Fiji". */
export function isCountryName(words: string): boolean {
  const m = GAZETTEER.matchAt(words, 0);
  return m !== undefined && m.value.kind === 'name' && m.value.codes.length > 0;
}

// --- mention strength -------------------------------------------------------------------

const ATTACHED_ZH =
  /^(?:[\u4e00-\u9fa5]{0,10}?(?:共和国|王国|联邦|合众国|酋长国|苏丹国|独立国))?(?:政府)?(?:公安|内政|内务|警|国家警察|国家安全|移民|边防|边境警察|禁毒|司法部|国土安全|总统|总理|副总理|首相|副首相|部长|副部长|大臣|驻华|执法|方)/;
const ATTACHED_EN =
  /^(?:'s|’s|'|’)?\s+(?:Ministry|Minister|Deputy|Vice|First|Interior|Internal|Home|Public Security|National Police|Police|police|counterpart|[Gg]overnment|State Secretary|Immigration|Border|Security|law enforcement|Prime|President)/;
const OF_AGENCY_BEFORE =
  /(?:Ministry|Minister|Police|Department|Committee|Service|Agency|Government|Affairs|Security|Interior)\b[^.,;]{0,40}\bof\s+(?:the\s+)?(?:[A-Z][a-z']+\s+){0,4}$/;
const CHINA_AND_BEFORE =
  /(?:中国|中方|中华人民共和国|我国|China|Chinese|Beijing)\s*(?:与|和|同|及|、|and|&|-|–|—|,)\s*(?:the\s+)?$/;
const AND_CHINA_AFTER = /^\s*(?:与|和|同|and|&|-|–|—)\s*(?:中国|中方|China|Chinese)/;
const WITH_BEFORE =
  /(?:与|同|和|向|会见|会晤|会谈|访问|with|met|visiting|visit to|between)\s*(?:the\s+)?$/;
const VENUE_CLAUSE = /期间|间隙|前夕|之际|sidelines|margins|on the margin/;

/** A capital only hints at the partner (a dateline, the venue), weaker than a demonym. */
const CAPITAL_STRENGTH = 0.75;

function baseStrength(doc: PreparedText, kind: MentionKind, start: number, end: number): number {
  if (kind === 'side' || kind === 'pair') return 3;
  if (kind === 'capital') return CAPITAL_STRENGTH;
  const text = doc.text;
  const after = text.slice(end, end + 20);
  const before = text.slice(Math.max(0, start - 60), start);
  if (ATTACHED_ZH.test(after) || ATTACHED_EN.test(after)) return 3;
  if (CHINA_AND_BEFORE.test(before) || AND_CHINA_AFTER.test(after)) return 3;
  if (OF_AGENCY_BEFORE.test(before)) return 3;
  if (WITH_BEFORE.test(before)) return 2;
  return kind === 'demonym' ? 1.5 : 1;
}

function strengthOf(doc: PreparedText, kind: MentionKind, start: number, end: number): number {
  if (kind === 'china') return 0;
  // 在出席东盟与中日韩会议期间 / on the sidelines of …: a clause that only sets the scene.
  const clause = clauseAround(doc, start, { start: 0, end: doc.text.length });
  if (VENUE_CLAUSE.test(doc.text.slice(clause.start, clause.end))) return 0.5;
  return baseStrength(doc, kind, start, end);
}

// --- finding mentions -------------------------------------------------------------------

const pageNameCache = new WeakMap<PreparedText, Set<string>>();

/** Codes named unambiguously anywhere on the page (resolves 中巴, 巴方, Korea …). */
function pageNames(doc: PreparedText): Set<string> {
  const cached = pageNameCache.get(doc);
  if (cached !== undefined) return cached;
  const names = new Set<string>();
  const found = regionsOf(doc).flatMap((r) => GAZETTEER.find(doc.text, r.start, r.end));
  for (const m of found) {
    if (m.value.codes.length === 1 && (m.value.kind === 'name' || m.value.kind === 'demonym')) {
      names.add(m.value.codes[0] ?? '');
    }
  }
  pageNameCache.set(doc, names);
  return names;
}

function disambiguate(doc: PreparedText, codes: readonly string[]): readonly string[] {
  if (codes.length <= 1) return codes;
  const named = pageNames(doc);
  const hit = codes.find((c) => named.has(c));
  return [hit ?? codes[0] ?? ''];
}

const mentionCache = new WeakMap<PreparedText, readonly CountryMention[]>();

/**
 * Country mentions in `[from, to)`, China included (strength 0) so callers can see it. The page
 * is scanned once: parties, signatories and agencies all read windows of the same page, and a
 * mention's strength depends only on the words around it.
 */
export function findCountryMentions(
  doc: PreparedText,
  from: number,
  to: number,
): readonly CountryMention[] {
  let all = mentionCache.get(doc);
  if (all === undefined) {
    all = regionsOf(doc).flatMap((r) => scanCountryMentions(doc, r.start, r.end));
    mentionCache.set(doc, all);
  }
  return inRange(all, from, to);
}

function scanCountryMentions(doc: PreparedText, from: number, to: number): CountryMention[] {
  const text = doc.text;
  const out: CountryMention[] = [];
  const chains: Span[] = [];
  CHAIN_RE.lastIndex = from;
  for (let m = CHAIN_RE.exec(text); m !== null && m.index < to; m = CHAIN_RE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    chains.push({ start, end });
    for (const c of m[1] ?? '') {
      const code = CHAIN_CHARS[c];
      if (code !== undefined) out.push({ start, end, codes: [code], kind: 'pair', strength: 3 });
    }
  }
  let cursor = from;
  for (const seg of [...chains, { start: to, end: to }]) {
    for (const m of GAZETTEER.find(text, cursor, seg.start)) {
      let hit = m;
      if (m.value.kind === 'pair') {
        // 其中巴西: a full name starting inside the pair beats the pair reading.
        const inner = GAZETTEER.matchAt(text, m.start + 1, to);
        if (inner !== undefined && inner.value.kind === 'name' && inner.end >= m.end) hit = inner;
      }
      const codes = disambiguate(doc, hit.value.codes);
      out.push({
        start: hit.start,
        end: hit.end,
        codes,
        kind: hit.value.kind,
        strength: strengthOf(doc, hit.value.kind, hit.start, hit.end),
      });
    }
    cursor = seg.end;
  }
  return withListStrength(
    doc,
    out.sort((a, b) => a.start - b.start),
  );
}

const LIST_GAP = /^\s*(?:、|,|，|and|&|和|及|与)\s*(?:the\s+)?$/;

/** "China, Laos, Myanmar and Thailand": every country of a list is as much a party as the first. */
function withListStrength(doc: PreparedText, mentions: CountryMention[]): CountryMention[] {
  let runStart = 0;
  const flush = (end: number): void => {
    if (end - runStart < 2) return;
    const run = mentions.slice(runStart, end);
    if (run.some((m) => m.strength <= 0 && m.kind !== 'china')) return;
    const max = Math.max(...run.map((m) => m.strength));
    for (let k = runStart; k < end; k += 1) {
      const m = mentions[k];
      if (m !== undefined && m.kind !== 'china' && m.kind !== 'capital') {
        mentions[k] = { ...m, strength: max };
      }
    }
  };
  for (let i = 1; i <= mentions.length; i += 1) {
    const prev = mentions[i - 1];
    const cur = mentions[i];
    const joined =
      prev !== undefined &&
      cur !== undefined &&
      cur.start >= prev.end &&
      LIST_GAP.test(doc.text.slice(prev.end, cur.start));
    if (!joined) {
      flush(i);
      runStart = i;
    }
  }
  return mentions;
}

export interface ForumMention extends Span {
  readonly id: string;
  readonly venue: boolean;
}

export function findForumMentions(doc: PreparedText, from: number, to: number): ForumMention[] {
  return FORUMS.find(doc.text, from, to).map((m) => {
    const clause = clauseAround(doc, m.start, { start: from, end: to });
    return {
      start: m.start,
      end: m.end,
      id: m.value.id,
      venue: VENUE_CLAUSE.test(doc.text.slice(clause.start, clause.end)),
    };
  });
}

// --- parties ------------------------------------------------------------------------------

export interface Parties {
  readonly countries: readonly string[];
  readonly forum: string | null;
  readonly scope: Scope;
  readonly region: Region | null;
  /** Where the decision came from; drives confidence. */
  readonly basis: 'title' | 'sentence' | 'context' | 'none';
  /** The mentions that decided each country (first per code). */
  readonly countryMentions: readonly CountryMention[];
  readonly forumMention: ForumMention | null;
}

const TWO_SIDES =
  /双方|两国|中外双方|bilateral|both sides|the two sides|two countries|two ministries/i;
const MANY_SIDES =
  /各方|多方|成员国|与会各国|三方|四方|五方|六方|[三四五六七八九十]国|member states|all parties|parties to|the (?:three|four|five|six) (?:countries|nations|sides)|(?:three|four|five|six) countries/i;

const NONE: Parties = {
  countries: [],
  forum: null,
  scope: 'bilateral',
  region: null,
  basis: 'none',
  countryMentions: [],
  forumMention: null,
};

function firstPerCode(mentions: readonly CountryMention[]): CountryMention[] {
  const seen = new Set<string>();
  const out: CountryMention[] = [];
  for (const m of mentions) {
    const code = m.codes[0];
    if (code === undefined || seen.has(code) || m.strength <= 0) continue;
    seen.add(code);
    out.push(m);
  }
  return out;
}

function sharedRegion(codes: readonly string[]): Region | null {
  let region: Region | null = null;
  for (const c of codes) {
    const r = regionOf(c);
    if (r === null || (region !== null && r !== region)) return null;
    region = r;
  }
  return region;
}

function build(
  mentions: readonly CountryMention[],
  forum: ForumMention | null,
  basis: Parties['basis'],
): Parties {
  const chosen = firstPerCode(mentions);
  const codes = chosen.map((m) => m.codes[0] ?? '');
  return {
    countries: codes,
    forum: forum?.id ?? null,
    scope: forum !== null || codes.length > 1 ? 'multilateral' : 'bilateral',
    region: forum !== null ? null : sharedRegion(codes),
    basis,
    countryMentions: chosen,
    forumMention: forum,
  };
}

/** Score per code: strength, doubled in the signing sentence, decaying with distance before it. */
function scoreCodes(
  sentenceMentions: readonly CountryMention[],
  contextMentions: readonly CountryMention[],
  headline: Span | null,
  sentenceStart: number,
): Map<string, { score: number; best: CountryMention }> {
  const scores = new Map<string, { score: number; best: CountryMention }>();
  const add = (m: CountryMention, weight: number): void => {
    const code = m.codes[0];
    if (code === undefined || m.strength <= 0) return;
    const s = m.strength * weight;
    const prev = scores.get(code);
    if (prev === undefined) scores.set(code, { score: s, best: m });
    else {
      prev.score += s;
      if (m.strength > prev.best.strength) prev.best = m;
    }
  };
  for (const m of sentenceMentions) add(m, 2);
  for (const m of contextMentions) {
    const inHeadline = headline !== null && m.start >= headline.start && m.end <= headline.end;
    add(m, inHeadline ? 1.5 : 1 / (1 + (sentenceStart - m.end) / 600));
  }
  return scores;
}

function top(scores: Map<string, { score: number; best: CountryMention }>): CountryMention | null {
  let best: { score: number; best: CountryMention } | null = null;
  for (const v of scores.values()) if (best === null || v.score > best.score) best = v;
  return best?.best ?? null;
}

/**
 * Who signed with China. `doc` is the document whose title may name the parties; the event
 * gives the sentence and the context before it.
 */
export function resolveParties(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention | null,
): Parties {
  return mekong(doc, event, document, partiesOf(doc, event, document));
}

const MEKONG_PARTNERS = ['LAO', 'MMR', 'THA'];
const MEKONG = /湄公河|Mekong/i;

/**
 * China with Laos, Myanmar and Thailand on the Mekong is the four-country mechanism (forum
 * MEKONG), whether or not the page names it.
 */
function mekong(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention | null,
  parties: Parties,
): Parties {
  if (parties.forum !== null && parties.forum !== 'MEKONG') return parties;
  const codes = [...parties.countries].sort();
  if (codes.join(',') !== MEKONG_PARTNERS.join(',')) return parties;
  const title = document?.titleZhSpan ?? document?.titleEnSpan ?? null;
  const spans = [title, event.sentence, event.context, doc.headline].filter(
    (x): x is Span => x !== null,
  );
  if (!spans.some((x) => MEKONG.test(doc.text.slice(x.start, x.end)))) return parties;
  return { ...parties, forum: 'MEKONG', scope: 'multilateral', region: null };
}

function partiesOf(doc: PreparedText, event: SigningEvent, document: DocMention | null): Parties {
  const s = event.sentence;
  const title = document?.titleZhSpan ?? document?.titleEnSpan ?? null;
  // 1. The title names the parties (《中华人民共和国公安部和越南社会主义共和国公安部…》).
  if (title !== null) {
    const titleMentions = findCountryMentions(doc, title.start, title.end);
    const titleForum = findForumMentions(doc, title.start, title.end)[0] ?? null;
    if (firstPerCode(titleMentions).length > 0) {
      return build(titleMentions, titleForum, 'title');
    }
    if (titleForum !== null) return build([], titleForum, 'title');
  }
  // Titles of other documents in the same sentence say nothing about this one.
  const outsideTitles = (m: Span): boolean =>
    !doc.titles.some((t) => t.start <= m.start && m.end <= t.end && t.start >= s.start);
  const sentenceMentions = findCountryMentions(doc, s.start, s.end).filter(outsideTitles);
  const sentenceText = doc.text.slice(s.start, s.end);
  const twoSides = TWO_SIDES.test(sentenceText);
  const manySides = MANY_SIDES.test(sentenceText);
  const sentenceForum =
    findForumMentions(doc, s.start, s.end).find((f) => !f.venue && outsideTitles(f)) ?? null;
  const strong = firstPerCode(sentenceMentions.filter((m) => m.strength >= 3));

  const ctx = event.context;
  const contextMentions = findCountryMentions(doc, ctx.start, ctx.end);
  const headline = doc.headline !== null && doc.headline.end <= ctx.start ? doc.headline : null;
  const headlineMentions =
    headline === null ? [] : findCountryMentions(doc, headline.start, headline.end);
  const allContext = [...headlineMentions, ...contextMentions];
  const scores = scoreCodes(sentenceMentions, allContext, doc.headline, s.start);

  // 2. 双方, or one partner named as a party in the sentence: bilateral with the partner the
  //    sentence (else the readout) names most strongly.
  if (!manySides && (twoSides || strong.length === 1)) {
    const pool = strong.length > 0 ? strong : null;
    const pick =
      pool !== null
        ? pool.reduce((a, b) =>
            (scores.get(b.codes[0] ?? '')?.score ?? 0) > (scores.get(a.codes[0] ?? '')?.score ?? 0)
              ? b
              : a,
          )
        : top(scores);
    if (pick !== null) return build([pick], null, pool !== null ? 'sentence' : 'context');
  }
  // 3. A forum that signs (与东盟签署, INTERPOL and MPS signed): multilateral.
  if (sentenceForum !== null) {
    const listed = manySides ? sentenceMentions.filter((m) => m.strength >= 1) : [];
    return build(listed, sentenceForum, 'sentence');
  }
  // 4. The countries the sentence names (中国与老挝、缅甸签署…).
  const inSentence = firstPerCode(sentenceMentions);
  if (inSentence.length > 0) {
    const chosen =
      strong.length > 0 && !manySides ? strong : inSentence.filter((m) => m.strength >= 1);
    if (chosen.length > 0) return build(chosen, null, 'sentence');
  }
  const contextForums = [
    ...(headline === null ? [] : findForumMentions(doc, headline.start, headline.end)),
    ...findForumMentions(doc, ctx.start, ctx.end),
  ].filter((f) => !f.venue);
  const contextStrong = firstPerCode(allContext.filter((m) => m.strength >= 3));
  // 5. A forum meeting that the readout reports (上合组织成员国公安内务部长会议 … 与会各方签署).
  if (
    contextForums.length > 0 &&
    (manySides || contextStrong.length === 0) &&
    (!twoSides || scores.size === 0)
  ) {
    // Member states named around a forum meeting are attendees, not a list of signatories.
    return build([], contextForums.at(-1) ?? null, 'context');
  }
  // 6. Several partners in the readout and 各方 in the sentence; 7. else the readout's partner.
  if (manySides && contextStrong.length > 1) return build(contextStrong, null, 'context');
  const pick = top(scores);
  return pick === null ? NONE : build([pick], null, 'context');
}
