import type { CnSignatory } from '../schemas/agreement.js';
import { CN_TITLES, type CnSigningBody, type CnTitle } from '../schemas/codes.js';
import { countriesNamedIn, findCountryMentions, findForumMentions } from './countries.js';
import officialsRaw from './data/officials.json' with { type: 'json' };
import { KeywordMatcher } from './matcher.js';
import { followingSentences } from './signing.js';
import { inRange, type PreparedText, regionsOf, type Span } from './text.js';
import type { DocMention, SigningEvent } from './types.js';

/**
 * The Chinese side of a signing: the signatory (from a maintained table of MPS leaders with
 * tenures, and from titles written before or after a name), whether they are of ministerial
 * rank, and the Chinese signing body. The counterpart side is in counterparts.ts.
 */

// --- officials table ------------------------------------------------------------------------

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

/**
 * "Vice Minister Meng", "Minister Wang": the surname alone of an MPS leader the page names in
 * full (Meng Hongwei, Wang Xiaohong) is that leader, not a foreign official.
 */
export function mpsLeaderBySurname(doc: PreparedText, name: string): boolean {
  if (!/^[A-Z][a-z]+$/.test(name)) return false;
  return OFFICIALS.some(
    (o) =>
      o.nameEn !== null &&
      o.nameEn !== undefined &&
      o.nameEn.split(' ')[0] === name &&
      doc.text.includes(o.nameEn),
  );
}

// --- shared by both sides -------------------------------------------------------------------

const STOP_WORDS =
  '与|和|同|在|于|、|，|,|。|；|（|\\(|或|上月|本月|上周|近日|日前|此前|以视|以线上|以网络|以书面|通过|率|会见|会晤|会谈|会面|出席|主持|代表|分别|共同|签|举行|表示|指出|强调|及|等|一行|进行|就|见证|一同|参加|陪同|通电话|视频|访问|的|今天|昨天|今日|昨日|当天|上午|下午|晚上|\\d|\\s|$';
/** Lookahead that ends a Chinese name. */
export const NAME_STOP = `(?=${STOP_WORDS})`;
/** A name never starts with a stop word (副部长举行会谈 has no name). */
export const NAME_START = `(?!${STOP_WORDS})`;
const ZH_NAME_CHARS = `${NAME_START}([\\u4e00-\\u9fa5]{2,3}?)${NAME_STOP}`;

/** Where a side's signer may be named, most telling first. */
export interface SignerCandidates<T> {
  /** Named in the signing sentence. */
  readonly inSentence: readonly T[];
  /** Named in a "signed by" / 由…签署 phrase of the sentence or the ones right after it. */
  readonly signedBy?: readonly T[];
  /** Named before the verb of the last signing the readout reported (两人还签署了…). */
  readonly recent?: readonly T[];
  /** Named in the readout before the signing. */
  readonly inContext: readonly T[];
  /** Named in the sentences right after it. */
  readonly following: readonly T[];
}

/**
 * The signer: the nearest named person before the verb in the signing sentence; else one a
 * "signed by" phrase names; else one after the verb; else the signer of the signing just
 * reported (the same two people sign again); else the highest-ranked one in the readout before
 * it (the principal of the meeting; a named one before an unnamed one of the same rank); else
 * one named just after the sentence.
 */
export function chooseCandidate<T extends Span & { readonly named: boolean }>(
  c: SignerCandidates<T>,
  verbPos: number,
  rank: (c: T) => number,
): T | null {
  const before = c.inSentence.filter((x) => x.end <= verbPos).at(-1);
  if (before !== undefined) return before;
  const signedBy = c.signedBy?.[0];
  if (signedBy !== undefined) return signedBy;
  const after = c.inSentence.find((x) => x.start >= verbPos);
  if (after !== undefined) return after;
  const recent = c.recent?.filter((x) => x.named).at(-1);
  if (recent !== undefined) return recent;
  const score = (x: T): number => rank(x) + (x.named ? 0.5 : 0);
  let best: T | null = null;
  for (const x of c.inContext) if (best === null || score(x) > score(best)) best = x;
  return best ?? c.following[0] ?? null;
}

const SIGNING_WORD = /签署|签订|签字|签约|\bsigned\b|\binked\b/;
const WITNESS_BEFORE = /见证|witness/i;

/**
 * The part before the verb of the last sentence in the readout that reported a signing of its
 * own (会谈后，A与B签署了X。): who signed the next document when it names nobody (两人还签署了Y).
 */
export function previousSigners(doc: PreparedText, event: SigningEvent): Span | null {
  for (let i = event.sentence.index - 1; i >= 0; i -= 1) {
    const sentence = doc.sentences[i];
    if (sentence === undefined || sentence.end <= event.context.start) break;
    // A headline summarises the signing; it is not an earlier one.
    if (doc.headline !== null && sentence.start < doc.headline.end) break;
    const text = doc.text.slice(sentence.start, sentence.end);
    const verb = SIGNING_WORD.exec(text);
    if (verb === null) continue;
    const before = text.slice(0, verb.index);
    if (WITNESS_BEFORE.test(before)) return null;
    return { start: sentence.start, end: sentence.start + verb.index };
  }
  return null;
}

/** 由X和Y签署, signed by X and Y: who signed (a document others witnessed, or a passive report). */
const SIGNED_BY =
  /由[^。；]{2,80}?(?:分别)?(?:代表[^。；]{0,20}?)?(?:签署|签字|签订)(?:[^。]{0,4}[，,][^。]{0,6}?由[^。；]{2,60}?(?:签署|签字|签订))?|\bsigned\s+(?:in\s+[A-Z][\w' ]{1,30}?\s+)?(?:on behalf of [^.;]{0,60}?\s+)?by\s+[^.;]{4,200}/i;

/** The span that names who signed, if the signing sentence or the next ones say (null: nobody). */
export function signersSpan(doc: PreparedText, event: SigningEvent): Span | null {
  const next = followingSentences(doc, event.sentence);
  for (const span of [event.sentence, next]) {
    const m = SIGNED_BY.exec(doc.text.slice(span.start, span.end));
    if (m === null) continue;
    const start = span.start + m.index;
    return { start, end: start + m[0].length };
  }
  return null;
}

// --- Chinese side ---------------------------------------------------------------------------

interface CnCandidate extends Span {
  readonly nameZh: string | null;
  readonly nameEn: string | null;
  readonly official: Official | null;
  /** Title as written next to the name, if any. */
  readonly textTitle: CnTitle | null;
  readonly named: boolean;
}

/**
 * Titles written before a name. `foreignBefore` marks where a foreign country named before it
 * makes the match the counterpart's (越南公安部副部长…, 老挝琅南塔省公安厅厅长…); null for
 * patterns that always name a Chinese official (中国驻柬埔寨大使).
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
      'dg',
    ),
    title: 'unknown',
    nameGroup: 2,
    foreignBefore: '公安部',
  },
  {
    re: new RegExp(
      `(?:中国)?公安部[\\u4e00-\\u9fa5]{2,14}?局(?:党委书记、)?副?局长${ZH_NAME_CHARS}`,
      'dg',
    ),
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: '公安部',
  },
  {
    re: new RegExp(
      `(?:国家移民管理局|国家禁毒委员会办公室|国家禁毒办)(?:党组书记、)?副?(?:局长|主任)${ZH_NAME_CHARS}`,
      'dg',
    ),
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: '国家',
  },
  {
    re: new RegExp(
      `[\\u4e00-\\u9fa5]{2,8}?(?:省|自治区)公安厅(?:党委书记、)?副?厅长${ZH_NAME_CHARS}`,
      'dg',
    ),
    title: 'provincial',
    nameGroup: 1,
    foreignBefore: '公安厅',
  },
  {
    re: new RegExp(
      `(?:中国)?驻[\\u4e00-\\u9fa5]{2,10}?(?:大使馆)?(?:特命全权)?大使${ZH_NAME_CHARS}`,
      'dg',
    ),
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: new RegExp(`外交部(?:副部长|部长助理|部长)${ZH_NAME_CHARS}`, 'dg'),
    title: 'mfa',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: new RegExp(`(?:海协会|海峡两岸关系协会)(?:会长|副会长)${ZH_NAME_CHARS}`, 'dg'),
    title: 'other',
    nameGroup: 1,
    foreignBefore: null,
  },
  // The title after the name: 中方由李建华局长签字, 姜再冬大使与….
  {
    re: new RegExp(
      `(?:中方由|中方代表|由)${NAME_START}([\\u4e00-\\u9fa5]{2,3}?)(局长|副局长|副部长|部长|厅长|副厅长|大使|主任)`,
      'dg',
    ),
    title: 'unknown',
    nameGroup: 1,
    foreignBefore: null,
  },
  // 熊波大使出席…: an ambassador named before the title, at the start of a clause.
  {
    re: new RegExp(
      `(?:^|[，。；、\\n])${NAME_START}([\\u4e00-\\u9fa5]{2,3}?)(大使)(?=在|出席|与|和|同|代表|会见|表示|签|致辞)`,
      'dgm',
    ),
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: /(?:Chinese\s+)?Ambassador(?:\s+of\s+(?:the\s+)?(?:People's\s+Republic\s+of\s+)?China)?(?:\s+to\s+(?:the\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?,?\s+(?:H\.E\.\s+|His Excellency\s+)?(?:Mr\.?\s+|Ms\.?\s+|Madam\s+)?([A-Z][a-z]+\s+[A-Z][a-z]+)/dg,
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: 'Ambassador',
  },
  // The police liaison officer or attaché of a Chinese embassy signs as the embassy's man.
  {
    re: /(?:Police|Security|Law[- ]Enforcement)\s+(?:Liaison\s+Officer|Attach[ée])\s+(?:at|of|in)\s+(?:the\s+)?(?:Chinese\s+Embassy|Embassy\s+of\s+(?:the\s+)?(?:People's\s+Republic\s+of\s+)?China)(?:\s+in\s+[A-Z][a-z]+)?,?\s+(?:Mr\.?\s+|Ms\.?\s+)?([A-Z][a-z]+\s+[A-Z][a-z]+)/dg,
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: new RegExp(
      `(?:中国)?(?:公安部)?驻[\\u4e00-\\u9fa5]{2,10}?(?:大使馆|使馆)(?:警务|公安)?联络官${ZH_NAME_CHARS}`,
      'dg',
    ),
    title: 'embassy',
    nameGroup: 1,
    foreignBefore: null,
  },
  // "the Director of the Narcotics Control Bureau of the Ministry of Public Security of China Liang …"
  {
    re: /Director(?:[- ]General)?\s+of\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,5}(?:Bureau|Department|Administration)\s+of\s+(?:the\s+)?(?:Chinese\s+|China's\s+)?Ministry\s+of\s+Public\s+Security(?:\s+of\s+(?:the\s+)?(?:People's\s+Republic\s+of\s+)?China)?,?\s+(?:Mr\.?\s+|Ms\.?\s+)?([A-Z][a-z]+\s+[A-Z][a-z]+)/dg,
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: null,
  },
  // "Mr. Zhang Wei, Director General of the International Cooperation Bureau of the Ministry of
  // Public Security": the name, then the bureau head's title.
  {
    re: /(?:Mr\.?\s+|Ms\.?\s+)?\b([A-Z][a-z]+\s+[A-Z][a-z]+),\s+(?:the\s+)?(?:Deputy\s+)?Director(?:[- ]General)?\s+of\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,5}(?:Bureau|Department|Administration)\s+of\s+(?:the\s+)?(?:Chinese\s+|China's\s+)?Ministry\s+of\s+Public\s+Security/dg,
    title: 'bureau_head',
    nameGroup: 1,
    foreignBefore: null,
  },
  {
    re: /(?:Chinese|China's)\s+(?:State\s+Councill?or\s+and\s+)?(?:(Executive\s+Vice|Vice|Deputy|Assistant)[\s-]+)?(?:Minister of Public Security|Public Security Minister)\s+([A-Z][a-z]+\s+[A-Z][a-z]+)/dg,
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
  if (/Ambassador/i.test(words)) return 'embassy';
  if (/Minister|State Councill?or/i.test(words)) return 'minister';
  if (/Director/i.test(words)) return 'bureau_head';
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
      before.lastIndexOf(' and '),
    );
    return enTitleFrom(before.slice(cut + 1));
  }
  const cut = Math.max(
    ...['，', '。', '；', '与', '同', '和', '及', '\n'].map((c) => before.lastIndexOf(c)),
  );
  return zhTitleFrom(before.slice(cut + 1));
}

/** A title right after a name (王小洪部长, Liu Zhao, vice minister of …). */
function titleAfter(doc: PreparedText, end: number, english: boolean): CnTitle | null {
  const after = doc.text.slice(end, end + (english ? 60 : 6));
  if (english) {
    const m =
      /^,\s+(?:the\s+)?(?:Chinese\s+)?((?:executive\s+)?(?:vice\s+|deputy\s+|assistant\s+)?minister[^,.;]*|director[^,.;]*)/i.exec(
        after,
      );
    return m === null ? null : enTitleFrom(m[1] ?? '');
  }
  const m = /^(常务副部长|副部长|部长助理|部长|局长|副局长|厅长|大使)/.exec(after);
  return m === null ? null : zhTitleFrom(m[1] ?? '');
}

/** Chinese words that make a title before a name MPS's own (or China's). */
const CHINESE_TITLE_WORDS = /公安部|中国|中方|国务委员|国家移民管理局|国家禁毒/;

/** Whether the title written right before a name is that of a forum's or a foreign body. */
function headsOtherBody(doc: PreparedText, start: number): boolean {
  const from = Math.max(0, start - 40);
  const before = doc.text.slice(from, start);
  const cut = Math.max(
    ...['，', '。', '；', '与', '同', '和', '及', '\n'].map((c) => before.lastIndexOf(c)),
  );
  const clause = before.slice(cut + 1);
  if (!/(?:主任|秘书长|总干事|主席)$/.test(clause) || CHINESE_TITLE_WORDS.test(clause))
    return false;
  const at = from + cut + 1;
  return (
    findForumMentions(doc, at, start).length > 0 ||
    countriesNamedIn(doc, at, start).foreign.size > 0
  );
}

const cnCache = new WeakMap<PreparedText, readonly CnCandidate[]>();

/** Chinese officials named in `[from, to)`; the page is scanned once (each document re-reads it). */
function findCnCandidates(doc: PreparedText, from: number, to: number): readonly CnCandidate[] {
  let all = cnCache.get(doc);
  if (all === undefined) {
    all = regionsOf(doc).flatMap((r) => scanCnCandidates(doc, r.start, r.end));
    cnCache.set(doc, all);
  }
  return inRange(all, from, to);
}

function scanCnCandidates(doc: PreparedText, from: number, to: number): CnCandidate[] {
  const out: CnCandidate[] = [];
  for (const m of OFFICIAL_NAMES.find(doc.text, from, to)) {
    const english = /[A-Za-z]/.test(m.term);
    // 上海合作组织地区反恐怖机构执行委员会主任张新枫: a former MPS leader heading another body.
    if (!english && headsOtherBody(doc, m.start)) continue;
    out.push({
      start: m.start,
      end: m.end,
      nameZh: m.value.nameZh,
      nameEn: m.value.nameEn,
      official: m.value,
      textTitle: titleBefore(doc, m.start, english) ?? titleAfter(doc, m.end, english),
      named: true,
    });
  }
  const slice = doc.text.slice(from, to);
  for (const p of CN_TITLE_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(slice); m !== null; m = p.re.exec(slice)) {
      const name = m[p.nameGroup] ?? '';
      const nameStart =
        from + (m.indices?.[p.nameGroup]?.[0] ?? m.index + m[0].length - name.length);
      if (out.some((c) => c.start <= nameStart && nameStart < c.end)) continue;
      // 柬埔寨大使: a country, not a name.
      if (findCountryMentions(doc, nameStart, nameStart + name.length).length > 0) continue;
      const start = from + m.index;
      if (p.foreignBefore !== null) {
        const until = start + Math.max(0, m[0].indexOf(p.foreignBefore));
        // The country must sit in the same clause (金边 in the line before names the venue).
        let from = Math.max(0, start - 12);
        const gap = doc.text.slice(from, start);
        const cut = Math.max(...['，', '。', '；', '\n', ',', ';'].map((c) => gap.lastIndexOf(c)));
        if (cut !== -1) from += cut + 1;
        const foreign = findCountryMentions(doc, from, until).some((c) => c.strength > 0);
        if (foreign) continue;
      }
      const english = /[A-Za-z]/.test(name);
      const written =
        p.title === 'unknown'
          ? english
            ? enTitleFrom(m[0])
            : zhTitleFrom(
                doc.text.slice(nameStart + name.length, from + m.index + m[0].length) ||
                  (m[1] ?? ''),
              )
          : p.title;
      // A Chinese name in Simplified, whatever the page's script (陳雲林 -> 陈云林): the PRC's own
      // writing, so that reports from Taiwan and Hong Kong code the same person the same way.
      const raw = doc.raw.slice(nameStart, nameStart + name.length);
      out.push({
        start: nameStart,
        end: nameStart + name.length,
        nameZh: english ? null : name,
        nameEn: english ? raw : null,
        official: null,
        textTitle: written,
        named: true,
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

/** A bureau of MPS as a party (公安部禁毒局, 国家移民管理局), not MPS itself. */
const BUREAU =
  /公安部(?![与和同及、])[\u4e00-\u9fa5]{2,10}?局(?!长)|国家移民管理局|国家禁毒委员会办公室|国家禁毒办|出入境管理局/;
const PROVINCIAL = /(?:省|自治区)公安厅|(?:市|州)公安局/;
/** 公安部 itself as a party: not followed by one of its bureaus. */
const MINISTRY =
  /公安部(?=[与和同及、])|公安部(?![\u4e00-\u9fa5]{2,10}?局(?!长))|Ministry of Public Security|MPS/;

function bodyFromTitle(title: CnTitle): CnSigningBody | null {
  if (title === 'bureau_head') return 'mps_bureau';
  if (title === 'provincial') return 'provincial_psb';
  if (title === 'embassy') return 'embassy';
  if (title === 'mfa') return 'mfa';
  if (title === 'other') return null;
  return 'mps';
}

/** A foreign country's 公安部 (老挝公安部, 越南公安部) is not MPS. */
const FOREIGN_MINISTRY =
  /(?:越南|老挝|柬埔寨|缅甸|泰国|蒙古|古巴|朝鲜|老方|越方|柬方)(?:人民民主共和国|社会主义共和国|王国|联邦共和国)?公安部/g;

function bodyFromText(rawText: string): CnSigningBody {
  const text = rawText.replace(FOREIGN_MINISTRY, (m) => '＿'.repeat(m.length));
  if (/公安部/.test(text) && MINISTRY.test(text)) {
    // 公安部与…, 公安部援助…物资: the ministry is the party even when a bureau official attends.
    const ministryAlone = /公安部(?:部长|副部长|常务副部长|与|和|同|援助|向|捐赠|代表)/.test(text);
    if (BUREAU.test(text) && !ministryAlone) return 'mps_bureau';
    return 'mps';
  }
  if (PROVINCIAL.test(text)) return 'provincial_psb';
  if (BUREAU.test(text)) return 'mps_bureau';
  if (
    /Narcotics Control Bureau|National Immigration Administration|(?:Bureau|Department) of the (?:Chinese )?Ministry of Public Security/.test(
      text,
    )
  ) {
    return 'mps_bureau';
  }
  if (/海协会|海峡两岸关系协会/.test(text)) return 'other';
  if (/外交部/.test(text)) return 'mfa';
  if (/大使馆|驻[\u4e00-\u9fa5]{1,10}大使|Embassy|Ambassador/.test(text)) return 'embassy';
  return 'mps';
}

/** 两局局长代表本部门签署: the signers' rank without their names. */
const UNNAMED_SIGNERS: readonly { re: RegExp; title: CnTitle }[] = [
  { re: /(?:两局|两部门|双方|两国禁毒部门|两国移民部门)(?:的)?局长/, title: 'bureau_head' },
  { re: /(?:两国|双方)(?:公安)?部长(?:共同)?(?:签署|签字)/, title: 'minister' },
];

/** 代表公安部签字, signed on behalf of the Ministry of Public Security. */
const ON_BEHALF_OF_MPS =
  /on behalf of (?:the )?(?:Chinese |China's )?Ministry of Public Security|on behalf of (?:the )?(?:Chinese|China's) Ministry\b|代表(?:中国|中方)?公安部(?![\u4e00-\u9fa5]{0,12}?局)/i;
/** The ministry itself as a party of the sentence (公安部与…签署, signed … with the Ministry of …). */
const MPS_AS_PARTY =
  /\b(?:with|and)\s+(?:the\s+)?(?:Chinese\s+|China's\s+)?Ministry of Public Security\b(?:[^.]{0,80}?\bsigned\b)?|^(?:The\s+)?(?:Chinese\s+|China's\s+)?Ministry of Public Security\b[^.]{0,80}?\bsigned\b|(?:^|[，。])(?:中国)?公安部(?:与|和|同)/;
/** A passive sentence right after the signing that says for whom it was signed. */
function onBehalfAfter(doc: PreparedText, event: SigningEvent): boolean {
  const next = followingSentences(doc, event.sentence);
  const text = doc.text.slice(next.start, next.end);
  return (
    /\b(?:was|were)\s+signed\s+(?:by\b[^.]{0,200}?)?on behalf of|代表(?:中国|中方)?公安部签/i.test(
      text,
    ) && ON_BEHALF_OF_MPS.test(text)
  );
}

/** A description that names two parties of its own. */
const OWN_PARTIES = /\bbetween\b|[与和同]/;
const CHINESE_BODY =
  /公安|移民管理局|禁毒办|Ministry of Public Security|National Immigration Administration|Narcotics Control (?:Bureau|Commission)|Bureau of the Ministry/;

/** Titles of Chinese signers written without a name (中国驻X大使, the Ambassador of China). */
const UNNAMED_CN_TITLES: readonly { re: RegExp; title: CnTitle }[] = [
  { re: /(?:中国)?驻[\u4e00-\u9fa5]{2,12}?(?:大使馆)?(?:特命全权)?大使(?!馆)/g, title: 'embassy' },
  { re: /(?:中国)?公安部[\u4e00-\u9fa5]{2,14}?局(?:的)?副?局长/g, title: 'bureau_head' },
  { re: /国家移民管理局副?局长|国家禁毒(?:委员会)?办(?:公室)?副?主任/g, title: 'bureau_head' },
  // 备忘录由出入境管理局负责人与…签署: the head of one of the ministry's bureaus, unnamed.
  {
    re: /(?<![\u4e00-\u9fa5]{2}(?:部|国))(?:(?:中国)?公安部)?(?:出入境管理|国际合作|禁毒|刑事侦查|经济犯罪侦查|网络安全保卫|反恐怖|边防管理|治安管理)局(?:的)?(?:主要)?负责人/g,
    title: 'bureau_head',
  },
  { re: /[\u4e00-\u9fa5]{2,8}?(?:省|自治区)公安厅副?厅长/g, title: 'provincial' },
  { re: /(?:中国)?公安部(?:常务副部长|副部长|部长)/g, title: 'unknown' },
  {
    re: /\b(?:Chinese\s+Ambassador|China's\s+Ambassador|Ambassador\s+of\s+(?:the\s+)?(?:People's Republic of\s+)?China)\b/g,
    title: 'embassy',
  },
  {
    re: /\bDirector(?:[- ]General)?\s+of\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,5}(?:Department|Bureau)\s+of\s+(?:the\s+)?(?:Chinese\s+|China's\s+)?Ministry of Public Security/g,
    title: 'bureau_head',
  },
  {
    re: /\b(?:the\s+)?(?:Chinese\s+(?:Executive\s+)?(?:Vice|Deputy)\s+Minister|(?:Executive\s+)?Vice\s+Minister\s+of\s+Public\s+Security)\b/g,
    title: 'unknown',
  },
];

/** The last Chinese signer's title in `span` written without a name, if any. */
function unnamedCnTitle(doc: PreparedText, span: Span): { title: CnTitle; span: Span } | null {
  const text = doc.text.slice(span.start, span.end);
  let best: { title: CnTitle; span: Span } | null = null;
  for (const u of UNNAMED_CN_TITLES) {
    u.re.lastIndex = 0;
    for (let m = u.re.exec(text); m !== null; m = u.re.exec(text)) {
      const start = span.start + m.index;
      // 越南公安部副部长: the counterpart's.
      const clause = text.slice(0, m.index);
      const cut = Math.max(
        ...['，', '。', '；', '与', '和', '同', ',', ';'].map((c) => clause.lastIndexOf(c)),
      );
      if (countriesNamedIn(doc, span.start + cut + 1, start).foreign.size > 0) continue;
      const title =
        u.title === 'unknown'
          ? ((/[A-Za-z]/.test(m[0]) ? enTitleFrom(m[0]) : zhTitleFrom(m[0])) ?? 'unknown')
          : u.title;
      if (best === null || start > best.span.start) {
        best = { title, span: { start, end: start + m[0].length } };
      }
    }
  }
  return best;
}

/** Unnamed representatives signed (双方代表签署, the two sides' representatives signed). */
export const REPRESENTATIVES =
  /(?:双方|两国|两部门|双方工作组)代表(?!团)|representatives of the two|the two sides' representatives|officials (?:of|from) (?:the )?(?:two|both) (?:sides|ministries|countries|agencies)/i;

const NOBODY: CnSignatory = { name_zh: null, name_en: null, title: 'unknown' };

export function resolveCnSide(
  doc: PreparedText,
  event: SigningEvent,
  document: DocMention,
  date: string | null,
): CnSide {
  const s = event.sentence;
  const titleText =
    document.titleZhSpan === null
      ? ''
      : doc.text.slice(document.titleZhSpan.start, document.titleZhSpan.end);
  const sentenceText = doc.text.slice(s.start, s.end);
  const signers = signersSpan(doc, event);
  const signedText =
    signers === null
      ? sentenceText
      : `${sentenceText}\n${doc.text.slice(signers.start, signers.end)}`;
  // The words after the verb that describe a bare document may name its own parties ("… between
  // Cambodia's General Department of Immigration and China's National Immigration Administration").
  // "A Memorandum … between Sri Lanka Police and the Ministry of Public Security … was signed":
  // a passive report names the document, with its parties, before the verb.
  const own = document.describes;
  const passive =
    own.start < document.verb.start && /^[A-Za-z]/.test(doc.text.slice(own.start, own.start + 1));
  const describesText =
    document.titleZhSpan === null &&
    document.titleEnSpan === null &&
    (own.start >= document.verb.end || passive)
      ? doc.text.slice(own.start, passive ? Math.min(own.end, document.verb.start) : own.end)
      : '';
  // The document's own title names the parties; the sentence says who signed.
  const titleEnText =
    document.titleEnSpan === null
      ? ''
      : doc.text.slice(document.titleEnSpan.start, document.titleEnSpan.end);
  const body = (title: CnTitle | null): CnSigningBody => {
    if (titleText !== '' && MINISTRY.test(titleText) && !BUREAU.test(titleText)) return 'mps';
    if (titleText !== '' && BUREAU.test(titleText)) return 'mps_bureau';
    // "Letter of Intent between the Royal Malaysia Police and the Ministry of Public Security …".
    if (OWN_PARTIES.test(titleEnText) && CHINESE_BODY.test(titleEnText)) {
      return bodyFromText(titleEnText);
    }
    // An ambassador or a bureau head signing on behalf of the ministry, or for it as the party
    // ("The MoU was signed on behalf of the Ministry of Public Security" a sentence later).
    if (ON_BEHALF_OF_MPS.test(signedText) || onBehalfAfter(doc, event)) return 'mps';
    if (OWN_PARTIES.test(describesText) && CHINESE_BODY.test(describesText)) {
      return bodyFromText(describesText);
    }
    // A bureau head or an embassy's man signing a document the sentence says MPS is party to.
    if ((title === 'bureau_head' || title === 'embassy') && MPS_AS_PARTY.test(sentenceText)) {
      return 'mps';
    }
    const fromTitle = title === null ? null : bodyFromTitle(title);
    if (fromTitle !== null) return fromTitle;
    // 双方代表签署: the parties are those the readout named (国家移民管理局与老挝公安部移民局…).
    const parties = /公安|移民管理|禁毒|驻/.test(sentenceText)
      ? sentenceText
      : doc.text.slice(event.context.start, s.end);
    return bodyFromText(`${titleText}\n${parties}`);
  };
  let sentenceCandidates = findCnCandidates(doc, s.start, s.end);
  if (document.witnessed) {
    // The leaders the sentence names only witnessed: the signers are named elsewhere or not at all.
    if (signers === null) {
      return { signatory: NOBODY, ministerial: null, body: body(null), span: null };
    }
    sentenceCandidates = findCnCandidates(doc, signers.start, signers.end);
    const pick = sentenceCandidates[0];
    if (pick === undefined)
      return { signatory: NOBODY, ministerial: null, body: body(null), span: signers };
    return finish(pick, date, body);
  }
  const headline = doc.headline;
  const context = [
    ...(headline !== null && headline.end <= event.context.start
      ? findCnCandidates(doc, headline.start, headline.end)
      : []),
    ...findCnCandidates(doc, event.context.start, event.context.end),
  ];
  const next = followingSentences(doc, event.sentence);
  const previous = previousSigners(doc, event);
  const pick = chooseCandidate(
    {
      inSentence: sentenceCandidates,
      recent: previous === null ? [] : findCnCandidates(doc, previous.start, previous.end),
      inContext: context,
      following: findCnCandidates(doc, next.start, next.end),
    },
    document.verb.start,
    (c) => TITLE_RANK[finalTitle(c, date)],
  );
  const before = doc.text.slice(s.start, document.verb.start);
  if (sentenceCandidates.length === 0) {
    // 中方由李建华局长签字, "The document was signed in Rome by …": named after the signing.
    const named =
      signers === null ? undefined : findCnCandidates(doc, signers.start, signers.end)[0];
    if (named !== undefined) return finish(named, date, body);
    // 中国驻塔吉克斯坦大使与…互换了换文, "the Ambassador of China … signed": a title, no name.
    const unnamed =
      unnamedCnTitle(doc, { start: s.start, end: document.verb.start }) ??
      (signers === null ? null : unnamedCnTitle(doc, signers));
    if (unnamed !== null) {
      return {
        signatory: { name_zh: null, name_en: null, title: unnamed.title },
        ministerial: unnamed.title === 'minister' || unnamed.title === 'executive_vice_minister',
        body: body(unnamed.title),
        span: unnamed.span,
      };
    }
  }
  // 双方代表签署, 公安部刑事侦查局与…签署: the sentence names who signed, and it was not the
  // minister of the readout.
  if (sentenceCandidates.length === 0 && (REPRESENTATIVES.test(before) || BUREAU.test(before))) {
    return { signatory: NOBODY, ministerial: null, body: body(null), span: null };
  }
  if (pick === null) {
    const unnamed = UNNAMED_SIGNERS.find((u) => u.re.test(before));
    if (unnamed !== undefined) {
      return {
        signatory: { name_zh: null, name_en: null, title: unnamed.title },
        ministerial: unnamed.title === 'minister',
        body: body(unnamed.title),
        span: s,
      };
    }
    return { signatory: NOBODY, ministerial: null, body: body(null), span: null };
  }
  return finish(pick, date, body);
}

function finish(
  pick: CnCandidate,
  date: string | null,
  body: (title: CnTitle | null) => CnSigningBody,
): CnSide {
  const title = finalTitle(pick, date);
  const ministerial =
    title === 'unknown' ? null : title === 'minister' || title === 'executive_vice_minister';
  return {
    signatory: { name_zh: pick.nameZh, name_en: pick.nameEn, title },
    ministerial,
    body: body(title),
    span: pick,
  };
}
