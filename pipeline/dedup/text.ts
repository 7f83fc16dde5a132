import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import zhLocale from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import aliasesRaw from '../../extractors/data/country-aliases.json' with { type: 'json' };
import officialsRaw from '../../extractors/data/officials.json' with { type: 'json' };

/**
 * Title normalisation for matching: what is left of a title once everything that every title of
 * the same partner shares (the parties' names, ministries, boilerplate, the document-type term)
 * is gone, so that two titles are compared on their subject alone.
 */

countries.registerLocale(enLocale);
countries.registerLocale(zhLocale);

let toSimplified: ((s: string) => string) | undefined;

/**
 * Simplified form of each BMP character met so far, as a code unit: 0 not looked up yet,
 * 0xffff maps to more than one unit (then `multi` has it).
 */
const table = new Uint16Array(0x10000);
const multi = new Map<number, string>();

function lookUp(code: number): number {
  let convert = toSimplified;
  if (convert === undefined) {
    // Loaded on first use: its module costs every CLI start ~0.1 s otherwise.
    const OpenCC = createRequire(import.meta.url)('opencc-js/t2cn') as {
      Converter(options: { from: string; to: string }): (s: string) => string;
    };
    convert = OpenCC.Converter({ from: 'tw', to: 'cn' });
    toSimplified = convert;
  }
  const mapped = String(convert(String.fromCharCode(code)));
  const unit = mapped.length === 1 ? mapped.charCodeAt(0) : 0xffff;
  if (unit === 0xffff) multi.set(code, mapped);
  table[code] = unit;
  return unit;
}

/**
 * Traditional to simplified Chinese, character by character. Phrase-level conversion would
 * cost ~7 µs a title (7 s per million); per-character conversion through a table is exact
 * enough for bigram overlap, and a title that is simplified already is returned as it is.
 */
export function simplify(s: string): string {
  let changed = -1;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x3400 || (code >= 0xd800 && code < 0xe000)) continue;
    const unit = table[code] || lookUp(code);
    if (unit !== code) {
      changed = i;
      break;
    }
  }
  if (changed < 0) return s;
  let out = s.slice(0, changed);
  for (let i = changed; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x3400 || (code >= 0xd800 && code < 0xe000)) {
      out += s[i];
      continue;
    }
    const unit = table[code] || lookUp(code);
    out += unit === 0xffff ? (multi.get(code) ?? s[i]) : String.fromCharCode(unit);
  }
  return out;
}

/** NFKC only when there is something to fold (full-width forms, compatibility characters). */
export function fold(s: string): string {
  return /[\u00a0-\u00ff\u2000-\u206f\u3000\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/.test(s)
    ? s.normalize('NFKC')
    : s;
}

interface AliasRow {
  readonly term: string;
  readonly codes: readonly string[];
}

const ALIASES: readonly AliasRow[] = aliasesRaw.aliases;

/** Country-name strings of each alpha-3 code, longest first, in both scripts. */
const namesCache = new Map<string, readonly string[]>();

function namesOf(code: string): readonly string[] {
  const cached = namesCache.get(code);
  if (cached !== undefined) return cached;
  const names = new Set<string>();
  const alpha2 = countries.alpha3ToAlpha2(code);
  if (alpha2 !== undefined) {
    for (const lang of ['zh', 'en'] as const) {
      const list = countries.getNames(lang, { select: 'all' })[alpha2] ?? [];
      for (const n of list) names.add(lang === 'en' ? n.toLowerCase() : n);
    }
  }
  for (const row of ALIASES) {
    if (row.codes.includes(code))
      names.add(/[a-z]/i.test(row.term) ? row.term.toLowerCase() : row.term);
  }
  const sorted = [...names].filter((n) => n.length > 1).sort((a, b) => b.length - a.length);
  namesCache.set(code, sorted);
  return sorted;
}

/** The counterpart codes of a partner key (`VNM`, `KHM+LAO`, or none for a forum). */
export function partnerCodes(partner: string): string[] {
  if (partner.startsWith('forum:') || partner === 'unknown') return [];
  return partner.split('+');
}

function removeNames(s: string, partner: string): string {
  let out = s;
  for (const code of partnerCodes(partner)) {
    for (const name of namesOf(code)) if (out.includes(name)) out = out.split(name).join(' ');
  }
  return out;
}

const ZH_NUMERALS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 六 → 6, 十二 → 12, 二十三 → 23, 12 → 12. */
export function zhNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch === '十') {
      total += (digit === 0 ? 1 : digit) * 10;
      digit = 0;
    } else if (ch === '百') {
      total += (digit === 0 ? 1 : digit) * 100;
      digit = 0;
    } else {
      digit = ZH_NUMERALS[ch] ?? 0;
    }
  }
  return total + digit;
}

const EN_ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
  'twentieth',
];

const ZH_ORDINAL = /第([一二两三四五六七八九十百零〇\d]{1,4})(?:次|届|轮)/;
const EN_ORDINAL = new RegExp(`\\b(?:(\\d{1,3})(?:st|nd|rd|th)|(${EN_ORDINALS.join('|')}))\\b`);
const YEAR = /(?:^|[^\d])((?:19|20)\d{2})(?:年|[^\d]|$)/;

/**
 * The number of a meeting in a series (第六次部长级会议, 6th ministerial meeting) and a year
 * named in the title (2019—2020年合作计划): two titles that name different ones are different
 * documents however alike the rest is. 0 when the title names none.
 */
export function seriesMarks(title: string): { ordinal: number; year: number } {
  let ordinal = 0;
  const zh = ZH_ORDINAL.exec(title);
  if (zh?.[1] !== undefined) ordinal = zhNumber(zh[1]);
  else {
    const en = EN_ORDINAL.exec(title.toLowerCase());
    if (en?.[1] !== undefined) ordinal = Number(en[1]);
    else if (en?.[2] !== undefined) ordinal = EN_ORDINALS.indexOf(en[2]) + 1;
  }
  const y = YEAR.exec(title);
  return { ordinal, year: y?.[1] === undefined ? 0 : Number(y[1]) };
}

/** Document-type terms and the words around them that every title carries. */
const ZH_DOC_TERM =
  /(?:合作)?(?:谅解备忘录|意向备忘录|合作交流备忘录|备忘录|协定书|协定|协议书|议定书|协议|会议纪要|会谈纪要|会晤纪要|磋商纪要|纪要|联合声明|共同声明|意向书|换文|安排|计划|规划|方案|行动方案|行动计划|成果清单|成果文件|物资交接证书|交接证书|交接书|证书|文件)$/;

const ZH_NOISE =
  /中华人民共和国|中国|中方|公安部|内政部|内务部|安全部|警察总署|警察局|警察厅|移民局|禁毒局|政府|关于|之间|两国|双方|各方|合作|加强|开展|进一步|深化|签署|打击|犯罪|领域|警方|第[一二两三四五六七八九十百零〇\d]{1,4}(?:次|届|轮)|(?:19|20)\d{2}年?|[的和与及同暨在对就]|[\s!-/:-@[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/g;

const EN_STOP = new Set(
  'a an the of on in and or for to with between by at as its their from concerning regarding about field fields area areas people peoples republic socialist democratic federal federation kingdom islamic state states united government governments ministry ministries department public security interior internal home affairs china chinese prc sino mps police national cooperation cooperating cooperate collaboration memorandum memoranda memorandums understanding mou mous agreement agreements accord protocol minutes meeting joint statement declaration letter intent exchange notes plan programme program arrangement list outcomes outcome certificate handover document documents deal pact signed strengthening strengthen enhancing enhance further bilateral'.split(
    ' ',
  ),
);

/** Words that mean the same in the English readouts of these agreements. */
const EN_SYNONYMS: Record<string, string> = {
  fight: 'combat',
  fighting: 'combat',
  combating: 'combat',
  combatting: 'combat',
  countering: 'combat',
  crackdown: 'combat',
  suppress: 'combat',
  suppression: 'combat',
  prevent: 'combat',
  prevention: 'combat',
  narcotic: 'drug',
  narcotics: 'drug',
  drugs: 'drug',
  terrorism: 'terror',
  terrorist: 'terror',
  terrorists: 'terror',
  crimes: 'crime',
  criminal: 'crime',
  criminality: 'crime',
  organised: 'organized',
  crossborder: 'border',
  borders: 'border',
  frontier: 'border',
  trafficking: 'traffick',
  telecommunication: 'telecom',
  telecommunications: 'telecom',
  scam: 'fraud',
  scams: 'fraud',
  frauds: 'fraud',
  cybercrime: 'cyber',
  cybersecurity: 'cyber',
  training: 'train',
  trainings: 'train',
  equipment: 'supply',
  supplies: 'supply',
  materials: 'supply',
  material: 'supply',
  patrols: 'patrol',
  patrolling: 'patrol',
};

function stemEn(token: string): string {
  const syn = EN_SYNONYMS[token];
  if (syn !== undefined) return syn;
  if (token.length > 5 && token.endsWith('ing')) return token.slice(0, -3);
  if (token.length > 4 && token.endsWith('es')) return token.slice(0, -2);
  if (token.length > 3 && token.endsWith('s') && !token.endsWith('ss')) return token.slice(0, -1);
  return token;
}

/** The subject part of a Chinese title: after 关于, without names, boilerplate and doc term. */
export function zhSubject(title: string, partner: string): string {
  let s = simplify(fold(title));
  const about = s.indexOf('关于');
  if (about >= 0) s = s.slice(about + 2);
  s = removeNames(s, partner).replace(/\s+/g, '');
  for (let i = 0; i < 2; i++) s = s.replace(ZH_DOC_TERM, '').replace(/的$/, '');
  return s.replace(ZH_NOISE, '');
}

/** The subject tokens of an English title, stemmed, without names and boilerplate. */
export function enSubjectTokens(title: string, partner: string): string[] {
  let s = fold(title)
    .toLowerCase()
    .replace(/['’]s\b/g, '');
  const on = /\b(?:on|concerning|regarding|in the fields? of)\b/.exec(s);
  if (on !== null && /\bbetween\b/.test(s.slice(0, on.index))) s = s.slice(on.index);
  s = removeNames(s, partner);
  const out: string[] = [];
  for (const raw of s.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || EN_STOP.has(raw) || /^\d+(?:st|nd|rd|th)?$/.test(raw)) continue;
    // counter-terrorism, counterterrorism and counter terrorism are one idea.
    if (raw.startsWith('counter') && raw.length > 8) {
      out.push(stemEn(raw.slice(7)));
      continue;
    }
    if (raw === 'counter' || raw === 'anti' || EN_ORDINALS.includes(raw)) continue;
    out.push(stemEn(raw));
  }
  return out;
}

/**
 * Grams are small integers (under 2^30, so V8 keeps them unboxed) in sorted arrays without
 * repeats: a title has a dozen, and plain arrays cost less to make than typed ones.
 */
export type Grams = readonly number[];

function sortedUnique(a: number[]): number[] {
  a.sort((x, y) => x - y);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[n - 1]) a[n++] = a[i] ?? 0;
  a.length = n;
  return a;
}

/** Sorted unique Chinese character bigrams (a lone character counts as its own gram). */
export function zhBigrams(subject: string): Grams {
  if (subject.length === 1) return [subject.charCodeAt(0)];
  const grams: number[] = [];
  for (let i = 0; i + 1 < subject.length; i++) {
    grams.push(((subject.charCodeAt(i) << 14) ^ subject.charCodeAt(i + 1)) & 0x3fffffff);
  }
  return sortedUnique(grams);
}

/** FNV-1a: 30-bit token hashes; a collision among a title's few words is negligible. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x3fffffff;
}

export function tokenHashes(tokens: readonly string[]): Grams {
  return sortedUnique(tokens.map(fnv1a));
}

/** Size of the intersection of two sorted unique arrays. */
export function intersectionSize(a: Grams, b: Grams): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

/**
 * Similarity of two subject gram sets, 0..1: the mean of Dice and containment, so that an
 * abbreviated title (第六次部长级会议纪要) still matches the full one it is part of, while
 * containment alone never decides for a subject of a single gram.
 */
export function gramSimilarity(a: Grams, b: Grams): number {
  const shared = intersectionSize(a, b);
  const dice = (2 * shared) / (a.length + b.length);
  const small = Math.min(a.length, b.length);
  if (small < 2) return dice;
  return (dice + shared / small) / 2;
}

/**
 * Subject concepts shared by both scripts: a Chinese title and an English readout of the same
 * document can still be compared on what they are about.
 */
const CONCEPTS: readonly (readonly [RegExp, RegExp])[] = [
  [/毒/, /\bdrug|narcotic/],
  [/恐|极端/, /terror|extremis/],
  [
    /跨国(?:有组织)?犯罪|有组织犯罪|跨境犯罪/,
    /transnational|organi[sz]ed crime|cross-border crime/,
  ],
  [/诈骗/, /fraud|scam/],
  [/网络/, /cyber|internet|online/],
  [/边境|边界|出入境|移民|口岸/, /border|immigration|frontier|migra/],
  [/拐卖|贩卖人口|人口贩运/, /trafficking in persons|human trafficking|trafficking of persons/],
  [/培训|能力建设|援助/, /training|capacity|assistance|\baid\b/],
  [/物资|装备|交接/, /equipment|supplies|material|handover/],
  [/巡逻/, /patrol/],
  [/追逃|遣返|引渡/, /fugitive|repatriat|extradit/],
  [/洗钱|赌博|经济犯罪|金融/, /launder|gambling|financial|economic crime/],
  [/情报|信息交流/, /intelligence|information exchange|information sharing/],
  [/一带一路|安保/, /belt and road|security of (?:major )?events|event security/],
  [/部长级会议|会议纪要|会谈纪要/, /ministerial meeting|minutes/],
];

export function conceptMask(titleZh: string | null, titleEn: string | null): number {
  let mask = 0;
  const zh = titleZh === null ? '' : simplify(titleZh);
  const en = titleEn === null ? '' : titleEn.toLowerCase();
  for (const [i, [zre, ere]] of CONCEPTS.entries()) {
    if ((zh !== '' && zre.test(zh)) || (en !== '' && ere.test(en))) mask |= 1 << i;
  }
  return mask;
}

export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A person's name for comparison: no spaces, dots or case; its script told apart. */
export function personKey(name: string | null): string | null {
  if (name === null) return null;
  const key = simplify(fold(name))
    .toLowerCase()
    .replace(/[\s.·•・'’-]/g, '');
  return key === '' ? null : key;
}

/**
 * MPS officials by either name, so that 孟建柱 in one report and Meng Jianzhu in another are
 * one signatory (the extractors' gazetteer, extractors/data/officials.json).
 */
const OFFICIALS = new Map<string, string>();
for (const o of officialsRaw.officials) {
  const key = personKey(o.name_en) ?? o.name_en;
  OFFICIALS.set(personKey(o.name_zh) ?? o.name_zh, key);
  OFFICIALS.set(key, key);
}

/** One key for the Chinese signatory whichever script names them; null when unnamed. */
export function cnSignerKey(nameZh: string | null, nameEn: string | null): string | null {
  const zh = personKey(nameZh);
  const en = personKey(nameEn);
  return (
    (zh === null ? undefined : OFFICIALS.get(zh)) ??
    (en === null ? undefined : OFFICIALS.get(en)) ??
    zh ??
    en
  );
}
