import { AGENCY_TYPES, type AgencyType } from '../schemas/codes.js';
import { type CountryMention, countryNameEn } from './countries.js';
import agenciesRaw from './data/agencies.json' with { type: 'json' };
import agencyNamesRaw from './data/agency-names.json' with { type: 'json' };
import { KeywordMatcher, type Match } from './matcher.js';
import { inRange, type PreparedText, regionsOf, type Span } from './text.js';

/**
 * Foreign agencies: the terms that name them in both scripts (data/agencies.json), the agency
 * written next to a country (越南公安部, Ministry of Internal Affairs of Russia), and its label,
 * the agency's own English name where data/agency-names.json knows it.
 */

interface AgencyRow {
  readonly term: string;
  readonly name: string;
  readonly type: string;
}

export interface Agency {
  readonly name: string;
  readonly type: AgencyType;
}

export function asAgencyType(value: string): AgencyType {
  const t = AGENCY_TYPES.find((x) => x === value);
  if (t === undefined) throw new TypeError(`Expected an AGENCY_TYPES value, got \`${value}\``);
  return t;
}

export const AGENCIES = new KeywordMatcher<Agency>(
  [...(agenciesRaw.zh as readonly AgencyRow[]), ...(agenciesRaw.en as readonly AgencyRow[])].map(
    (row) => ({ term: row.term, value: { name: row.name, type: asAgencyType(row.type) } }),
  ),
);

type OwnName = string | { readonly name: string; readonly type: string };
const OWN_NAMES = agencyNamesRaw.countries as Readonly<
  Record<string, Readonly<Record<string, OwnName>>>
>;

/**
 * The agency's label: its own English name where known (data/agency-names.json, else the name
 * the page writes with the country in it: "the Royal Oman Police"), else "<agency> of <country>".
 */
export function labelled(
  agency: Agency,
  code: string | undefined,
  written: string | null = null,
): Agency {
  if (code === undefined) return agency;
  const own = OWN_NAMES[code]?.[agency.name];
  if (own === undefined && written !== null) return { name: written, type: agency.type };
  if (own === undefined) {
    return { name: `${agency.name} of ${countryNameEn(code)}`, type: agency.type };
  }
  return typeof own === 'string'
    ? { name: own, type: agency.type }
    : { name: own.name, type: asAgencyType(own.type) };
}

const agencyCache = new WeakMap<PreparedText, Match<Agency>[]>();

/** Agency terms in `[from, to)`, from one scan of the page. */
export function agenciesIn(doc: PreparedText, from: number, to: number): Match<Agency>[] {
  let all = agencyCache.get(doc);
  if (all === undefined) {
    all = regionsOf(doc).flatMap((r) => AGENCIES.find(doc.text, r.start, r.end));
    agencyCache.set(doc, all);
  }
  return inRange(all, from, to);
}

/** Agency names in `[from, to)`: their words (禁毒局, 移民与人口部) name a body, not a topic. */
export function agencySpans(doc: PreparedText, from: number, to: number): Span[] {
  return agenciesIn(doc, from, to);
}

const STATE_NAME_REST =
  /^(?:'s|’s|'|’)?\s*(?:the\s+)?(?:[\u4e00-\u9fa5]{0,10}?(?:共和国|王国|联邦|合众国|酋长国|苏丹国|独立国))?(?:政府)?(?:[\u4e00-\u9fa5]{1,6}?(?:省|市|州|府))?/;

/** The agency written between a country mention and what follows (越南[社会主义共和国]公安部). */
export function agencyAfter(doc: PreparedText, mention: Span, limit: number): Agency | null {
  const after = doc.text.slice(mention.end, Math.min(limit, mention.end + 24));
  const at =
    AGENCIES.matchAt(doc.text, mention.end, limit) === undefined
      ? mention.end + (STATE_NAME_REST.exec(after)?.[0].length ?? 0)
      : mention.end;
  const direct = AGENCIES.matchAt(doc.text, at, limit);
  if (direct === undefined) return null;
  // 老挝公安部移民局, 哈萨克斯坦共和国内务部移民服务委员会: the department of the ministry that
  // signed, not the ministry.
  const inner = AGENCIES.matchAt(doc.text, direct.end, limit);
  return inner !== undefined && inner.value.type !== 'public_security' ? inner.value : direct.value;
}

/** "Ministry of Public Security of Vietnam": the agency written before an `of <country>`. */
export function agencyBefore(
  doc: PreparedText,
  mention: CountryMention,
  from: number,
): Agency | null {
  const windowStart = Math.max(from, mention.start - 70);
  const before = doc.text.slice(windowStart, mention.start);
  if (!/\bof\s+(?:the\s+)?(?:[A-Z][\w'’]*\s+){0,5}$/.test(before)) return null;
  let found: Agency | null = null;
  for (const m of AGENCIES.find(doc.text, windowStart, mention.start)) found = m.value;
  return found;
}

export function agencyInWords(words: string): Agency | null {
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

/** "Royal", "National" … before the country in a force's own name (Royal Bhutan Police). */
const FORCE_BEFORE = /(?:^|[^\p{L}])((?:(?:Royal|National|Federal)\s+)?)$/u;
/** The force's word after the country: Seychelles Police Force, Bhutan National Police. */
const FORCE_AFTER =
  /^\s+((?:(?:National|Federal|Mounted)\s+)?(?:Police(?:\s+(?:Force|Service))?|Constabulary|Gendarmerie))(?![\p{L}])(?!\s+(?:of|in|to|for)\b)(?!\s+and\s+[A-Z])(?!\s+[A-Z])/u;

/**
 * A police force's own English name as the page writes it around a mention of its country
 * ("the Seychelles Police Force", "Royal Oman Police"): the capitalised country or adjective
 * followed by the force's word, not "the Police of …" (the generic label) nor a Chinese mention.
 */
export function writtenForceName(doc: PreparedText, mention: Span): string | null {
  const word = doc.text.slice(mention.start, mention.end);
  if (!/^[A-Z][\p{L}'’ -]*$/u.test(word)) return null;
  const after = FORCE_AFTER.exec(doc.text.slice(mention.end, mention.end + 40));
  if (after === null) return null;
  const before = FORCE_BEFORE.exec(doc.text.slice(Math.max(0, mention.start - 20), mention.start));
  return `${before?.[1] ?? ''}${word} ${after[1]}`.replace(/\s+/g, ' ');
}
