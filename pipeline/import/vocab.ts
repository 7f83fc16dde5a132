import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import zhLocale from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import aliasesRaw from '../../extractors/data/country-aliases.json' with { type: 'json' };
import docTypesRaw from '../../extractors/data/doc-types.json' with { type: 'json' };
import forumsRaw from '../../extractors/data/forums.json' with { type: 'json' };
import regionsRaw from '../../extractors/data/regions.json' with { type: 'json' };
import {
  DOC_TYPES,
  type DocType,
  PartialDate,
  REGIONS,
  type SourceKind,
  TOPICS,
  type Topic,
} from '../../schemas/codes.js';

/**
 * The lenient readers of `pactwatch import`: the many ways hand-built datasets write a date, a
 * country, a document type or a topic, each turned into the coding scheme's value or a
 * RowError naming the field. Vocabularies come from the extractors' data files.
 */

countries.registerLocale(enLocale);
countries.registerLocale(zhLocale);

export type Raw = Record<string, unknown>;

export class RowError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Lower-case, `_` for spaces and dashes: `Date Signed`, `date-signed` are `date_signed`; `Title (Chinese)` is `title_chinese`. */
export const normKey = (k: string) =>
  k
    .trim()
    .toLowerCase()
    .replace(/[()（）[\]]/g, ' ')
    .trim()
    .replace(/[\s\-./]+/g, '_');

export function pick(raw: Raw, names: readonly string[]): unknown {
  for (const name of names) {
    const v = raw[name];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    return v;
  }
  return undefined;
}

export function text(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new RowError(field, `expected text, got ${JSON.stringify(v)}`);
}

export function bool(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'y', '1', '是'].includes(s)) return true;
  if (['false', 'no', 'n', '0', '否'].includes(s)) return false;
  throw new RowError(field, `expected true or false, got "${String(v)}"`);
}

export function list(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => text(x, field) ?? '').filter((x) => x !== '');
  const s = text(v, field);
  if (s === null) return [];
  return s
    .split(/[;,|、，；\n]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

export function oneOf<T extends string>(
  v: unknown,
  field: string,
  codes: readonly T[],
  fallback: T,
  aliases: Readonly<Record<string, T>> = {},
): T {
  const s = text(v, field);
  if (s === null) return fallback;
  const key = normKey(s);
  const hit = codes.find((c) => c === key) ?? aliases[key];
  if (hit === undefined) throw new RowError(field, `"${s}" is not one of ${codes.join(', ')}`);
  return hit;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const pad = (n: string | number) => String(n).padStart(2, '0');

/** 2016-11-22, 2016/11/22, 2016.11, 2016年11月22日, 22 November 2016, Nov 22, 2016, 2016. */
export function normaliseDate(value: string): string {
  const s = value.trim();
  let out: string | undefined;
  let m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T ][\d:.]+Z?)?$/.exec(s);
  if (m !== null) {
    out =
      m[1] +
      (m[2] === undefined ? '' : `-${pad(m[2])}`) +
      (m[3] === undefined ? '' : `-${pad(m[3])}`);
  }
  m = out === undefined ? /^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?$/.exec(s) : null;
  if (m !== null) {
    out =
      m[1] +
      (m[2] === undefined ? '' : `-${pad(m[2])}`) +
      (m[3] === undefined ? '' : `-${pad(m[3])}`);
  }
  if (out === undefined) {
    const dm = /^(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$/i.exec(s);
    const md = /^([a-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})$/i.exec(s);
    const [day, month, year] =
      dm !== null ? [dm[1], dm[2], dm[3]] : md !== null ? [md[2], md[1], md[3]] : [];
    const mi = month === undefined ? -1 : MONTHS.indexOf(month.slice(0, 3).toLowerCase());
    if (year !== undefined && mi >= 0) {
      out = `${year}-${pad(mi + 1)}${day === undefined ? '' : `-${pad(day)}`}`;
    }
  }
  if (out === undefined || !PartialDate.safeParse(out).success) {
    throw new RowError(
      'date_signed',
      `cannot read the date "${value}"; write YYYY-MM-DD, YYYY-MM or YYYY`,
    );
  }
  return out;
}

interface DocTermRow {
  readonly term: string;
  readonly type: string;
}

const DOC_TERMS = new Map<string, DocType>();
for (const t of [...docTypesRaw.zh, ...docTypesRaw.en] as DocTermRow[]) {
  const type = DOC_TYPES.find((d) => d === t.type);
  if (type !== undefined) DOC_TERMS.set(t.term.toLowerCase(), type);
}
for (const [term, type] of [
  ['mou', 'mou'],
  ['memorandum of understanding', 'mou'],
  ['minutes', 'meeting_minutes'],
  ['loi', 'letter_of_intent'],
] as const) {
  DOC_TERMS.set(term, type);
}

/** A doc_type code, or the term a file writes instead (谅解备忘录, MoU, Protocol). */
export function docTypeOf(v: unknown): { type: DocType; term: string | null } {
  const s = text(v, 'doc_type');
  if (s === null) return { type: 'unspecified', term: null };
  const code = DOC_TYPES.find((d) => d === normKey(s));
  if (code !== undefined) return { type: code, term: null };
  const type = DOC_TERMS.get(s.replace(/[《》]/g, '').toLowerCase());
  if (type !== undefined) return { type, term: s };
  throw new RowError(
    'doc_type',
    `"${s}" is neither a document-type code (${DOC_TYPES.join(', ')}) nor a known term`,
  );
}

interface AliasRow {
  readonly term: string;
  readonly codes: readonly string[];
}

const CHINA = new Set<string>(aliasesRaw.china.map((t) => t.toLowerCase()));
const COUNTRY_ALIASES = new Map<string, string>();
for (const row of aliasesRaw.aliases as readonly AliasRow[]) {
  const [code] = row.codes;
  if (row.codes.length === 1 && code !== undefined)
    COUNTRY_ALIASES.set(row.term.toLowerCase(), code);
}
for (const [code, name] of Object.entries(aliasesRaw.displayEn as Record<string, string>)) {
  COUNTRY_ALIASES.set(name.toLowerCase().replace(/^the /, ''), code);
}

export const FORUMS = new Map<string, string>();
for (const f of forumsRaw.forums) {
  for (const n of [f.id, ...f.names_en, ...f.names_zh]) FORUMS.set(n.toLowerCase(), f.id);
}

/** An ISO 3166 alpha-2 or alpha-3 code (or TWN). */
export function isCountryCode(token: string): boolean {
  const t = token.trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(t)) return t === 'TWN' || countries.isValid(t);
  return /^[A-Z]{2}$/.test(t) && countries.isValid(t);
}

/** A country code from a code (VNM, VN) or a name (Vietnam, Viet Nam, 越南); null for China. */
export function countryCode(token: string): string | null {
  const t = token.trim();
  const lower = t.toLowerCase();
  if (CHINA.has(lower)) return null;
  if (/^[A-Za-z]{3}$/.test(t)) {
    const up = t.toUpperCase();
    if (up === 'TWN' || countries.isValid(up)) return up === 'CHN' ? null : up;
  }
  if (/^[A-Za-z]{2}$/.test(t)) {
    const a3 = countries.alpha2ToAlpha3(t.toUpperCase());
    if (a3 !== undefined) return a3 === 'CHN' ? null : a3;
  }
  const byName =
    COUNTRY_ALIASES.get(lower) ??
    countries.getAlpha3Code(t, 'en') ??
    countries.getAlpha3Code(t, 'zh') ??
    countries.getAlpha3Code(t.replace(/^the\s+/i, ''), 'en');
  if (byName !== undefined) return byName === 'CHN' ? null : byName;
  throw new RowError('counterpart_countries', `unknown country "${token}"`);
}

export const REGION_OF = new Map<string, (typeof REGIONS)[number]>();
for (const [region, codes] of Object.entries(regionsRaw.regions as Record<string, string[]>)) {
  const r = REGIONS.find((x) => x === region);
  if (r !== undefined) for (const c of codes) REGION_OF.set(c, r);
}

const TOPIC_ALIASES: Readonly<Record<string, Topic>> = {
  counter_drug: 'counterdrug',
  counternarcotics: 'counterdrug',
  counter_narcotics: 'counterdrug',
  drugs: 'counterdrug',
  narcotics: 'counterdrug',
  terrorism: 'counterterrorism',
  counter_terrorism: 'counterterrorism',
  cyber: 'cybercrime',
  cyber_crime: 'cybercrime',
  trafficking: 'human_trafficking',
  border: 'immigration_border',
  immigration: 'immigration_border',
  capacity: 'capacity_building',
  overseas: 'overseas_interests',
  telecom: 'telecom_fraud',
  fraud: 'telecom_fraud',
  gambling: 'financial_crime_gambling',
  financial_crime: 'financial_crime_gambling',
  money_laundering: 'financial_crime_gambling',
  event: 'event_security',
  stability: 'social_stability',
  transnational: 'transnational_crime',
  organized_crime: 'transnational_crime',
  organised_crime: 'transnational_crime',
};

export function topicsOf(v: unknown): Topic[] {
  const out = new Set<Topic>();
  for (const t of list(v, 'topics')) {
    const key = normKey(t);
    const code =
      key === 'generic' ? 'generic' : (TOPICS.find((c) => c === key) ?? TOPIC_ALIASES[key]);
    if (code === undefined) throw new RowError('topics', `unknown topic "${t}"`);
    out.add(code);
  }
  if (out.size > 1) out.delete('generic');
  return out.size === 0 ? ['generic'] : [...out];
}

/** The kind of a cited page, guessed from its host when the file does not say. */
export function sourceKindOf(url: string): SourceKind {
  let host = '';
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return 'news';
  }
  if (/(^|\.)mps\.gov\.cn$/.test(host)) return 'mps';
  if (/(^|\.)(fmprc|mfa)\.gov\.cn$/.test(host)) return 'mfa';
  if (/china-?embassy|chinaembassy|\.chineseembassy\./.test(host)) return 'embassy';
  if (
    /\.gov(\.[a-z]{2})?$|\.gouv\.|\.gob\.|\.gov\.[a-z]{2}$/.test(host) &&
    !host.endsWith('.gov.cn')
  )
    return 'foreign-gov';
  return 'news';
}
