import type { CnSignatory, CounterpartSignatory } from '../schemas/agreement.js';
import {
  AGENCY_TYPES,
  type AgencyType,
  CN_TITLES,
  type CnSigningBody,
  type CnTitle,
  type CounterpartRank,
} from '../schemas/codes.js';
import {
  type CountryMention,
  countryNameEn,
  findCountryMentions,
  forumAgency,
  type Parties,
} from './countries.js';
import agenciesRaw from './data/agencies.json' with { type: 'json' };
import officialsRaw from './data/officials.json' with { type: 'json' };
import { KeywordMatcher } from './matcher.js';
import { followingSentences } from './signing.js';
import type { PreparedText, Span } from './text.js';
import type { DocMention, SigningEvent } from './types.js';

/**
 * Who signed: the Chinese signatory (from a maintained table of MPS leaders with tenures, and
 * from titles written in the text), the Chinese signing body, and the counterpart's signatory,
 * rank and agency.
 */

// --- data ---------------------------------------------------------------------------------

interface TenureRow {
  readonly title: string;
  readonly from: string;
  readonly to: string | null;
}

interface OfficialRow {
  readonly name_zh: string;
  readonly name_en: string;
  readonly tenures: readonly TenureRow[];
}

export interface Official {
  readonly nameZh: string;
  readonly nameEn: string;
  readonly tenures: readonly { title: CnTitle; from: string; to: string | null }[];
}

function asCnTitle(value: string): CnTitle {
  const t = CN_TITLES.find((x) => x === value);
  if (t === undefined)
    throw new TypeError(`Expected a CN_TITLES value in officials.json, got \`${value}\``);
  return t;
}

const OFFICIALS: readonly Official[] = (officialsRaw.officials as readonly OfficialRow[]).map(
  (o) => ({
    nameZh: o.name_zh,
    nameEn: o.name_en,
    tenures: o.tenures.map((t) => ({ title: asCnTitle(t.title), from: t.from, to: t.to })),
  }),
);

const OFFICIAL_NAMES = new KeywordMatcher<Official>(
  OFFICIALS.flatMap((o) => [
    { term: o.nameZh, value: o },
    { term: o.nameEn, value: o },
  ]),
);

interface AgencyRow {
  readonly term: string;
  readonly name: string;
  readonly type: string;
}

export interface Agency {
  readonly name: string;
  readonly type: AgencyType;
}

function asAgencyType(value: string): AgencyType {
  const t = AGENCY_TYPES.find((x) => x === value);
  if (t === undefined) throw new TypeError(`Expected an AGENCY_TYPES value, got \`${value}\``);
  return t;
}

const AGENCIES = new KeywordMatcher<Agency>(
  [...(agenciesRaw.zh as readonly AgencyRow[]), ...(agenciesRaw.en as readonly AgencyRow[])].map(
    (row) => ({ term: row.term, value: { name: row.name, type: asAgencyType(row.type) } }),
  ),
);

// --- Chinese side -------------------------------------------------------------------------

/** Comparable day for a partial date: YYYY is mid-year, YYYY-MM mid-month. */
function dayKey(date: string): string {
  if (date.length === 4) return `${date}-07-01`;
  if (date.length === 7) return `${date}-15`;
  return date;
}

/** The title an official held on `date` (null date: the title if they only ever had one). */
export function titleOn(official: Official, date: string | null): CnTitle {
  if (date === null) {
    const titles = new Set(official.tenures.map((t) => t.title));
    const only = [...titles][0];
    return titles.size === 1 && only !== undefined ? only : 'unknown';
  }
  const key = dayKey(date);
  for (const t of official.tenures) {
    if (t.from <= key && (t.to === null || key < t.to)) return t.title;
  }
  return 'unknown';
}

/** Whether an MPS leader from the officials table is named in `span`. */
export function hasMpsOfficial(doc: PreparedText, span: Span): boolean {
  return OFFICIAL_NAMES.find(doc.text, span.start, span.end).length > 0;
}

export function officialByName(name: string): Official | undefined {
  return OFFICIALS.find((o) => o.nameZh === name || o.nameEn === name);
}

interface CnCandidate extends Span {
  readonly nameZh: string | null;
  readonly nameEn: string | null;
  readonly official: Official | null;
  /** Title as written next to the name, if any. */
  readonly textTitle: CnTitle | null;
}

const STOP_WORDS =
  '与|和|同|在|于|、|，|,|。|；|（|\\(|率|会见|会晤|会谈|出席|主持|代表|分别|共同|签|举行|表示|指出|强调|及|等|一行|进行|就|见证|一同|参加|陪同|通电话|视频|的|\\s|$';
/** Lookahead that ends a Chinese name. */
const NAME_STOP = `(?=${STOP_WORDS})`;
/** A name never starts with a stop word (副部长举行会谈 has no name). */
const NAME_START = `(?!${STOP_WORDS})`;
const ZH_NAME_CHARS = `${NAME_START}([\\u4e00-\\u9fa5]{2,3}?)${NAME_STOP}`;

/**
 * Titles written before a name. `foreignBefore` marks where a foreign country named before it
 * makes the match the counterpart's (越南公安部副部长…, 老挝琅南塔省公安厅厅长…); null for
 * patterns that always name a foreign country (中国驻柬埔寨大使).
 */
const CN_TITLE_PATTERNS: readonly {
  re: RegExp;
  title: CnTitle;
  nameGroup: number;
  foreignBefore: string | null;
}[] = [
  {
    re: new RegExp(
      `(?:中国)?公安部(?:党委书记、|党委副书记、)?(常务副部长|副部长|部长助理|部长)(?:、[^，。]{0,16}?)?${ZH_NAME_CHARS}`,
      'g',
    ),
    title: 'unknown',
    nameGroup: 2,
    foreignBefore: '公安部',
  },
  {
    re: new RegExp(
      `(?:中国)?公安部[\\u4e00-\\u9fa5]{2,14}?局(?:党委书记、)?副?局长${ZH_NAME_CHARS}`,
      'g',
    ),
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: '公安部',
  },
  {
    re: new RegExp(
      `(?:国家移民管理局|国家禁毒委员会办公室|国家禁毒办)(?:党组书记、)?副?(?:局长|主任)${ZH_NAME_CHARS}`,
      'g',
    ),
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: '国家',
  },
  {
    re: new RegExp(
      `[\\u4e00-\\u9fa5]{2,8}?(?:省|自治区)公安厅(?:党委书记、)?副?厅长${ZH_NAME_CHARS}`,
      'g',
    ),
    title: 'provincial',
    nameGroup: 1,
    foreignBefore: '公安厅',
  },
  {
    re: new RegExp(
      `(?:中国)?驻[\\u4e00-\\u9fa5]{2,10}?(?:大使馆)?(?:特命全权)?大使${ZH_NAME_CHARS}`,
      'g',
    ),
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: new RegExp(`外交部(?:副部长|部长助理|部长)${ZH_NAME_CHARS}`, 'g'),
    title: 'mfa',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: /(?:Chinese\s+)?Ambassador(?:\s+to\s+[A-Z][a-z]+)?\s+([A-Z][a-z]+\s+[A-Z][a-z]+)/g,
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: 'Ambassador',
  },
  {
    re: /Chinese\s+(?:State\s+Councill?or\s+and\s+)?(?:(Executive\s+Vice|Vice|Deputy|Assistant)[\s-]+)?(?:Minister of Public Security|Public Security Minister)\s+([A-Z][a-z]+\s+[A-Z][a-z]+)/g,
    title: 'unknown',
    nameGroup: 2,
    foreignBefore: null,
  },
];

function zhTitleFrom(words: string): CnTitle | null {
  if (/常务副部长/.test(words)) return 'executive_vice_minister';
  if (/副部长/.test(words)) return 'vice_minister';
  if (/部长助理|反恐专员/.test(words)) return 'other';
  if (/外交部/.test(words)) return 'mfa';
  if (/大使/.test(words)) return 'embassy';
  if (/国务委员|部长/.test(words)) return 'minister';
  if (/公安厅|厅长/.test(words)) return 'provincial';
  if (/局长|主任/.test(words)) return 'bureau_head';
  return null;
}

function enTitleFrom(words: string): CnTitle | null {
  if (/Executive\s+Vice[\s-]+Minister/i.test(words)) return 'executive_vice_minister';
  if (/(Vice|Deputy)[\s-]+Minister/i.test(words)) return 'vice_minister';
  if (/Assistant\s+Minister/i.test(words)) return 'other';
  if (/Minister|State Councill?or/i.test(words)) return 'minister';
  if (/Director/i.test(words)) return 'bureau_head';
  if (/Ambassador/i.test(words)) return 'embassy';
  return null;
}

/** The title written just before a name: the clause back to the previous party boundary. */
function titleBefore(doc: PreparedText, start: number, english: boolean): CnTitle | null {
  const before = doc.text.slice(Math.max(0, start - (english ? 90 : 40)), start);
  if (english) {
    const cut = Math.max(
      before.lastIndexOf('. '),
      before.lastIndexOf(';'),
      before.lastIndexOf(' with '),
    );
    return enTitleFrom(before.slice(cut + 1));
  }
  const cut = Math.max(
    ...['，', '。', '；', '与', '同', '和', '及', '\n'].map((c) => before.lastIndexOf(c)),
  );
  return zhTitleFrom(before.slice(cut + 1));
}

const cnCache = new WeakMap<PreparedText, Map<string, readonly CnCandidate[]>>();

/** Chinese officials named in `[from, to)`; memoised per page (each document re-reads them). */
function findCnCandidates(doc: PreparedText, from: number, to: number): readonly CnCandidate[] {
  let cache = cnCache.get(doc);
  if (cache === undefined) {
    cache = new Map();
    cnCache.set(doc, cache);
  }
  const key = `${from}:${to}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const found = scanCnCandidates(doc, from, to);
  cache.set(key, found);
  return found;
}

function scanCnCandidates(doc: PreparedText, from: number, to: number): CnCandidate[] {
  const out: CnCandidate[] = [];
  for (const m of OFFICIAL_NAMES.find(doc.text, from, to)) {
    const english = /[A-Za-z]/.test(m.term);
    out.push({
      start: m.start,
      end: m.end,
      nameZh: m.value.nameZh,
      nameEn: m.value.nameEn,
      official: m.value,
      textTitle: titleBefore(doc, m.start, english),
    });
  }
  const slice = doc.text.slice(from, to);
  for (const p of CN_TITLE_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(slice); m !== null; m = p.re.exec(slice)) {
      const name = m[p.nameGroup] ?? '';
      const nameStart = from + m.index + m[0].length - name.length;
      if (out.some((c) => c.start <= nameStart && nameStart < c.end)) continue;
      const start = from + m.index;
      if (p.foreignBefore !== null) {
        const until = start + Math.max(0, m[0].indexOf(p.foreignBefore));
        const foreign = findCountryMentions(doc, Math.max(0, start - 12), until).some(
          (c) => c.strength > 0,
        );
        if (foreign) continue;
      }
      const english = /[A-Za-z]/.test(name);
      const written =
        p.title === 'unknown' ? (english ? enTitleFrom(m[0]) : zhTitleFrom(m[1] ?? '')) : p.title;
      out.push({
        start: nameStart,
        end: nameStart + name.length,
        nameZh: english ? null : name,
        nameEn: english ? name : null,
        official: null,
        textTitle: written,
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

const TITLE_RANK: Readonly<Record<CnTitle, number>> = {
  minister: 5,
  executive_vice_minister: 4,
  vice_minister: 3,
  bureau_head: 2,
  provincial: 2,
  mfa: 1,
  embassy: 1,
  other: 1,
  unknown: 0,
};

/** Text titles that name a rank outright beat the table; vaguer ones (局长) yield to it. */
function finalTitle(c: CnCandidate, date: string | null): CnTitle {
  const table = c.official === null ? null : titleOn(c.official, date);
  const written = c.textTitle;
  if (written !== null && TITLE_RANK[written] >= 3) return written;
  if (table !== null && table !== 'unknown') return table;
  return written ?? table ?? 'unknown';
}

export interface CnSide {
  readonly signatory: CnSignatory;
  readonly ministerial: boolean | null;
  readonly body: CnSigningBody;
  readonly span: Span | null;
}

const BODY_PATTERNS: readonly { re: RegExp; body: CnSigningBody }[] = [
  { re: /(?:省|自治区)公安厅|(?:市|州)公安局/, body: 'provincial_psb' },
  {
    re: /公安部[\u4e00-\u9fa5]{2,10}局(?!长)|国家移民管理局|国家禁毒委员会办公室|国家禁毒办|出入境管理局/,
    body: 'mps_bureau',
  },
];

function bodyFromTitle(title: CnTitle): CnSigningBody | null {
  if (title === 'bureau_head') return 'mps_bureau';
  if (title === 'provincial') return 'provincial_psb';
  if (title === 'embassy') return 'embassy';
  if (title === 'mfa') return 'mfa';
  return null;
}

function bodyFromText(text: string): CnSigningBody {
  if (/公安部(?![\u4e00-\u9fa5]{2,10}局)/.test(text)) {
    // The ministry itself is named as a party; bureaus only count when named instead of it.
    const bureau = BODY_PATTERNS[1]?.re.test(text) ?? false;
    const ministryAlone = /公安部(?:部长|副部长|常务副部长|与|和|同)/.test(text);
    if (bureau && !ministryAlone) return 'mps_bureau';
    return 'mps';
  }
  for (const p of BODY_PATTERNS) if (p.re.test(text)) return p.body;
  if (/海协会|海峡两岸关系协会/.test(text)) return 'other';
  if (/外交部/.test(text)) return 'mfa';
  if (/大使馆|驻[\u4e00-\u9fa5]{1,10}大使|Embassy|Ambassador/.test(text)) return 'embassy';
  return 'mps';
}

/**
 * The signer: the nearest named official before the verb in the signing sentence, else after
 * it; else the highest-ranked one in the readout before it (the principal of the meeting); else
 * one named just after the sentence.
 */
function chooseCandidate<T extends Span>(
  inSentence: readonly T[],
  inContext: readonly T[],
  following: readonly T[],
  verbPos: number,
  rank: (c: T) => number,
): T | null {
  const before = inSentence.filter((c) => c.end <= verbPos).at(-1);
  if (before !== undefined) return before;
  const after = inSentence.find((c) => c.start >= verbPos);
  if (after !== undefined) return after;
  let best: T | null = null;
  for (const c of inContext) if (best === null || rank(c) > rank(best)) best = c;
  return best ?? following[0] ?? null;
}

export function resolveCnSide(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
  date: string | null,
): CnSide {
  const s = event.sentence;
  const sentence = findCnCandidates(doc, s.start, s.end);
  const headline = doc.headline;
  const context = [
    ...(headline !== null && headline.end <= event.context.start
      ? findCnCandidates(doc, headline.start, headline.end)
      : []),
    ...findCnCandidates(doc, event.context.start, event.context.end),
  ];
  const next = followingSentences(doc, event.sentence);
  const pick = chooseCandidate(
    sentence,
    context,
    findCnCandidates(doc, next.start, next.end),
    event.verb.start,
    (c) => TITLE_RANK[finalTitle(c, date)],
  );
  const titleText =
    document.titleZhSpan === null
      ? ''
      : doc.text.slice(document.titleZhSpan.start, document.titleZhSpan.end);
  const partyText = `${titleText}\n${doc.text.slice(s.start, s.end)}`;
  if (pick === null) {
    return {
      signatory: { name_zh: null, name_en: null, title: 'unknown' },
      ministerial: null,
      body: bodyFromText(partyText),
      span: null,
    };
  }
  const title = finalTitle(pick, date);
  const ministerial =
    title === 'unknown' ? null : title === 'minister' || title === 'executive_vice_minister';
  return {
    signatory: { name_zh: pick.nameZh, name_en: pick.nameEn, title },
    ministerial,
    body: bodyFromTitle(title) ?? bodyFromText(partyText),
    span: pick,
  };
}

// --- counterpart side ---------------------------------------------------------------------

interface ForeignOfficial extends Span {
  readonly code: string;
  readonly name: string | null;
  readonly rank: CounterpartRank;
  readonly agency: Agency | null;
}

const ZH_FOREIGN_TITLE =
  /副厅长|厅长|第一副部长|副部长|部长助理|国务部长|部长|副大臣|大臣|副国务秘书|国务秘书|总警监|警察总监|警察总长|副总监|总监|副总长|总长|副局长|局长|副署长|署长|副主任|主任|总司令|副司令|司令|秘书长|总检察长|副总理|总理|副首相|首相|主席/g;
const ZH_NAME = new RegExp(`^${NAME_START}([\\u4e00-\\u9fa5·•‧]{2,12}?)${NAME_STOP}`);
const ZH_PARTY_CUT = /[，。；、与和同及\n]/g;

function zhRank(title: string): CounterpartRank {
  if (/副部长|副大臣|国务秘书/.test(title)) return 'vice_ministerial';
  if (/部长助理/.test(title)) return 'other';
  if (/部长|大臣|总理|首相/.test(title)) return 'ministerial';
  return 'other';
}

const EN_FOREIGN_TITLE =
  /\b((?:First\s+)?(?:Deputy|Vice)[\s-]+)?(Prime Minister|Minister|Secretary of State|State Secretary|Secretary[- ]General|Secretary|Director[- ]General|Director|Commissioner[- ]General|Commissioner|Chief|Inspector[- ]General|Commander|Chairman)\b/g;
const EN_AGENCY_TAIL =
  /^(?:\s+(?:of|for)\s+(?:the\s+)?(?:Public Security|Internal Affairs|Interior|Home Affairs|Homeland Security|Justice|National Security|State Security|Security|Defen[cs]e|Foreign Affairs|Immigration|Police)(?:\s+of\s+(?:the\s+)?[A-Z][\w'’]*(?:\s+(?:[A-Z][\w'’]*|of|the))*)?)?/;
const EN_NAME =
  /^,?\s+((?:[A-Z][\p{L}'’-]+)(?:\s+(?:[A-Z][\p{L}'’-]+|bin|al|de|van|von|da|dos|el)){0,3})/u;
const EN_NOT_NAMES =
  /^(The|And|Of|On|In|At|For|With|Ministry|Minister|Police|Security|Affairs|Interior|Public|General|Chinese|China)\b/;

function enRank(prefix: string | undefined, title: string): CounterpartRank {
  if (/Secretary[- ]General/i.test(title)) return 'other';
  if (prefix !== undefined && prefix.length > 0) {
    return /Minister|Secretary/i.test(title) ? 'vice_ministerial' : 'other';
  }
  if (/State Secretary/i.test(title)) return 'vice_ministerial';
  if (/Minister|Secretary/i.test(title)) return 'ministerial';
  return 'other';
}

const STATE_NAME_REST =
  /^(?:'s|’s)?\s*(?:the\s+)?(?:[\u4e00-\u9fa5]{0,10}?(?:共和国|王国|联邦|合众国|酋长国|苏丹国|独立国))?(?:政府)?(?:[\u4e00-\u9fa5]{1,6}?(?:省|市|州|府))?/;

/** The agency written between a country mention and what follows (越南[社会主义共和国]公安部). */
function agencyAfter(doc: PreparedText, mention: CountryMention, limit: number): Agency | null {
  const direct = AGENCIES.matchAt(doc.text, mention.end, limit);
  if (direct !== undefined) return direct.value;
  // Skip the rest of a state's name and a province: 越南[社会主义共和国]公安部, 俄罗斯[联邦]内务部,
  // 老挝[琅南塔省]公安厅, Vietnam['s] Ministry of Public Security.
  const after = doc.text.slice(mention.end, Math.min(limit, mention.end + 24));
  const skip = STATE_NAME_REST.exec(after)?.[0].length ?? 0;
  if (skip === 0) return null;
  return AGENCIES.matchAt(doc.text, mention.end + skip, limit)?.value ?? null;
}

/** "Ministry of Public Security of Vietnam": the agency written before an `of <country>`. */
function agencyBefore(doc: PreparedText, mention: CountryMention, from: number): Agency | null {
  const windowStart = Math.max(from, mention.start - 70);
  const before = doc.text.slice(windowStart, mention.start);
  if (!/\bof\s+(?:the\s+)?(?:[A-Z][\w'’]*\s+){0,5}$/.test(before)) return null;
  let found: Agency | null = null;
  for (const m of AGENCIES.find(doc.text, windowStart, mention.start)) found = m.value;
  return found;
}

function findForeignOfficials(
  doc: PreparedText,
  from: number,
  to: number,
  partyCodes: ReadonlySet<string>,
): ForeignOfficial[] {
  const text = doc.text;
  const out: ForeignOfficial[] = [];
  const countriesIn = findCountryMentions(doc, Math.max(0, from - 40), to).filter(
    (c) => c.strength > 0 && (partyCodes.size === 0 || partyCodes.has(c.codes[0] ?? '')),
  );
  if (countriesIn.length === 0) return out;
  ZH_FOREIGN_TITLE.lastIndex = from;
  for (
    let m = ZH_FOREIGN_TITLE.exec(text);
    m !== null && m.index < to;
    m = ZH_FOREIGN_TITLE.exec(text)
  ) {
    const end = m.index + m[0].length;
    const next = text[end] ?? '';
    // 副首相兼内政大臣: the last word of a compound title ranks it; 部长级会议 is no title.
    if (next === '兼' || next === '、' || /^(级|会议|职|们)/.test(text.slice(end, end + 2)))
      continue;
    const segStartBase = Math.max(0, from - 40, m.index - 30);
    const seg = text.slice(segStartBase, m.index);
    let cut = -1;
    for (const c of seg.matchAll(ZH_PARTY_CUT)) cut = c.index ?? cut;
    const segStart = segStartBase + cut + 1;
    const country = countriesIn.filter((c) => c.start >= segStart && c.end <= m.index).at(-1);
    if (country === undefined) continue;
    const name = ZH_NAME.exec(text.slice(end, end + 16))?.[1] ?? null;
    const titleWords = text.slice(country.end, end);
    out.push({
      start: country.start,
      end: name === null ? end : end + name.length,
      code: country.codes[0] ?? '',
      name,
      rank: zhRank(m[0]),
      agency: agencyAfter(doc, country, end) ?? agencyInWords(titleWords),
    });
  }
  EN_FOREIGN_TITLE.lastIndex = from;
  for (
    let m = EN_FOREIGN_TITLE.exec(text);
    m !== null && m.index < to;
    m = EN_FOREIGN_TITLE.exec(text)
  ) {
    const end = m.index + m[0].length;
    const before = text.slice(Math.max(0, from - 40, m.index - 60), m.index);
    const cut = Math.max(
      before.lastIndexOf('. '),
      before.lastIndexOf(';'),
      before.lastIndexOf(', '),
    );
    const segStart = m.index - before.length + cut + 1;
    const country = countriesIn.filter((c) => c.start >= segStart && c.end <= m.index).at(-1);
    if (country === undefined) continue;
    if (/Chinese|China/.test(text.slice(country.end, m.index))) continue;
    const tail = EN_AGENCY_TAIL.exec(text.slice(end, end + 120))?.[0] ?? '';
    const nameMatch = EN_NAME.exec(text.slice(end + tail.length, end + tail.length + 60));
    let name = nameMatch?.[1] ?? null;
    if (name !== null && (EN_NOT_NAMES.test(name) || officialByName(name) !== undefined)) {
      name = null;
    }
    const titleWords = `${text.slice(country.end, m.index)} ${m[0]}${tail}`;
    out.push({
      start: country.start,
      end: end + tail.length + (nameMatch?.[0].length ?? 0),
      code: country.codes[0] ?? '',
      name,
      rank: enRank(m[1], m[2] ?? ''),
      agency: agencyAfter(doc, country, end) ?? agencyInWords(titleWords),
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

function agencyInWords(words: string): Agency | null {
  const hits = AGENCIES.find(words);
  const last = hits.at(-1);
  if (last !== undefined) return last.value;
  if (/内政|Interior/.test(words)) return { name: 'Ministry of the Interior', type: 'interior' };
  if (/内务|Internal Affairs/.test(words)) {
    return { name: 'Ministry of Internal Affairs', type: 'interior' };
  }
  if (/Public Security/.test(words)) {
    return { name: 'Ministry of Public Security', type: 'public_security' };
  }
  if (/Home Affairs/.test(words)) return { name: 'Ministry of Home Affairs', type: 'interior' };
  // A police rank as the title (总警监, 警察总监, Inspector-General of Police) names the police.
  if (/警|Police/.test(words)) return { name: 'Police', type: 'national_police' };
  return null;
}

export interface CounterpartSide {
  readonly signatory: CounterpartSignatory;
  readonly signatorySpan: Span | null;
  readonly agency: string | null;
  readonly agencyType: AgencyType;
  readonly agencySpan: Span | null;
}

const RANK_ORDER: Readonly<Record<CounterpartRank, number>> = {
  ministerial: 3,
  vice_ministerial: 2,
  other: 1,
  unknown: 0,
};

function attachedAgency(
  doc: PreparedText,
  from: number,
  to: number,
  partyCodes: ReadonlySet<string>,
): { agency: Agency; code: string; span: Span } | null {
  for (const c of findCountryMentions(doc, from, to)) {
    const code = c.codes[0];
    if (code === undefined || c.strength <= 0 || !partyCodes.has(code)) continue;
    const agency = agencyAfter(doc, c, to) ?? agencyBefore(doc, c, from);
    if (agency !== null) return { agency, code, span: c };
  }
  return null;
}

export function resolveCounterpartSide(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
  parties: Parties,
): CounterpartSide {
  const codes = new Set(parties.countries);
  const s = event.sentence;
  const ctx = event.context;
  const inSentence = findForeignOfficials(doc, s.start, s.end, codes);
  const inContext = [
    ...(doc.headline !== null && doc.headline.end <= ctx.start
      ? findForeignOfficials(doc, doc.headline.start, doc.headline.end, codes)
      : []),
    ...findForeignOfficials(doc, ctx.start, ctx.end, codes),
  ];
  const next = followingSentences(doc, event.sentence);
  const official = chooseCandidate(
    inSentence,
    inContext,
    findForeignOfficials(doc, next.start, next.end, codes),
    event.verb.start,
    (o) => RANK_ORDER[o.rank],
  );
  const signatory: CounterpartSignatory =
    official === null
      ? { name: null, rank: 'unknown' }
      : { name: official.name, rank: official.rank };

  const title = document.titleZhSpan ?? document.titleEnSpan;
  const label = (agency: Agency, c: string | undefined): string =>
    c === undefined ? agency.name : `${agency.name} of ${countryNameEn(c)}`;
  const fromTitle =
    title === null || codes.size === 0 ? null : attachedAgency(doc, title.start, title.end, codes);
  const fromSentence = codes.size === 0 ? null : attachedAgency(doc, s.start, s.end, codes);
  const fromContext = codes.size === 0 ? null : attachedAgency(doc, ctx.start, ctx.end, codes);
  // The title's parties, then the signer's own title (意大利内政部长…), then an agency named with
  // the country elsewhere in the sentence or the readout.
  const chosen: { agency: Agency; code: string | undefined; span: Span } | null =
    fromTitle ??
    (official?.agency === null || official?.agency === undefined
      ? null
      : { agency: official.agency, code: official.code, span: official }) ??
    fromSentence;
  if (chosen !== null) {
    return {
      signatory,
      signatorySpan: official,
      agency: label(chosen.agency, chosen.code),
      agencyType: chosen.agency.type,
      agencySpan: chosen.span,
    };
  }
  if (fromContext !== null) {
    return {
      signatory,
      signatorySpan: official,
      agency: label(fromContext.agency, fromContext.code),
      agencyType: fromContext.agency.type,
      agencySpan: fromContext.span,
    };
  }
  if (parties.forum !== null && parties.countries.length === 0) {
    const fa = forumAgency(parties.forum);
    if (fa !== null && fa !== undefined) {
      return {
        signatory,
        signatorySpan: official,
        agency: fa.name,
        agencyType: asAgencyType(fa.type),
        agencySpan: parties.forumMention,
      };
    }
  }
  return {
    signatory,
    signatorySpan: official,
    agency: null,
    agencyType: 'unknown',
    agencySpan: null,
  };
}
