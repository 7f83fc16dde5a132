import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import zhLocale from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import * as OpenCC from 'opencc-js/cn2t';
import type { ClusterItem } from '../pipeline/dedup/cluster.js';
import type { CodedAgreement } from '../schemas/agreement.js';
import type { SourceKind, Topic } from '../schemas/codes.js';
import {
  ABBR,
  AGENCIES,
  CJK_SYLLABLES,
  LATIN_SYLLABLES,
  MINISTERS,
  REAL_PARTNERS,
  SERIES_PARTNERS,
  SUBJECTS,
  type Subject,
  TYPES,
  type TypeTerms,
  VICE_MINISTERS,
} from './dedup-vocab.js';

/**
 * A generated candidate set with known truth, for `eval:dedup`, `bench:dedup` and the floor
 * test. Each signing is reported by several sources in their own words: MPS's formal Chinese
 * title, an embassy's abbreviation, a Hong Kong paper in traditional characters, English
 * readouts that call a 协议 an "agreement", dates a day late, a month only, no title at all.
 * Around them the hard cases: renewals with the same title years later, yearly meeting series
 * (one agreement per meeting, some reports numbering the meeting), several documents signed in
 * one ceremony and announced on one page, another document of the same partner signed the
 * same day or a few days off, and a neighbouring country signing the same thing the same day.
 */

countries.registerLocale(enLocale);
countries.registerLocale(zhLocale);

export interface TruthItem extends ClusterItem {
  readonly record: CodedAgreement;
  readonly url: string;
  readonly sourceKind: SourceKind;
  /** The signing this report is about. */
  readonly truth: number;
  /** What kind of case the signing is, for per-case scores. */
  readonly category: Category;
}

/** `multi`: one of several documents signed together; the others are the hard cases. */
export type Category = 'single' | 'multi' | 'series' | 'renewal' | 'near_miss' | 'neighbour';

export interface TruthSetOptions {
  /** Seed of the pseudo-random generator (same seed, same set). @default 1 */
  readonly seed?: number;
  /** About this many reports are generated. @default 2000 */
  readonly candidates?: number;
  /**
   * Partners to spread signings over. Real ones first; beyond them synthetic codes, so that a
   * benchmark can grow the set without crowding every partner's calendar. @default 60
   */
  readonly partners?: number;
  /** Share of reports that get a second, unrelated signing of the same partner the same day. @default 0.08 */
  readonly nearMissRate?: number;
}

/** mulberry32: small, fast, good enough for test data. */
function pick<T>(list: readonly T[], rand: () => number): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const START_DAY = Date.UTC(2006, 0, 1) / DAY_MS;
const END_DAY = Date.UTC(2025, 11, 31) / DAY_MS;
const toIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

let toTraditional: ((s: string) => string) | undefined;
function traditional(s: string): string {
  let convert = toTraditional;
  if (convert === undefined) {
    convert = OpenCC.Converter({ from: 'cn', to: 'hk' }) as (s: string) => string;
    toTraditional = convert;
  }
  return String(convert(s));
}

interface Partner {
  readonly code: string;
  readonly zhOfficial: string;
  readonly zhShort: string;
  readonly en: string;
  readonly abbr: string | null;
  readonly agencyZh: string;
  readonly agencyEn: string;
}

function partnerOf(code: string, rand: () => number): Partner {
  const alpha2 = countries.alpha3ToAlpha2(code);
  const zhShort = (alpha2 && countries.getName(alpha2, 'zh')) || `${code}国`;
  const en = (alpha2 && countries.getName(alpha2, 'en')) || `Republic of ${code}`;
  const agency = AGENCIES[Math.floor(rand() * AGENCIES.length)] ?? AGENCIES[0];
  return {
    code,
    zhOfficial: zhShort.length <= 3 ? `${zhShort}共和国` : zhShort,
    zhShort,
    en,
    abbr: ABBR[code] ?? null,
    agencyZh: agency?.zh ?? '内政部',
    agencyEn: agency?.en ?? 'Ministry of Interior',
  };
}

/** Synthetic partner codes beyond the real ones (AAA, AAB, ...), up to 26³. */
function syntheticCodes(count: number): string[] {
  const real = new Set(REAL_PARTNERS);
  const out: string[] = [];
  for (let i = 0; out.length < count && i < 26 ** 3; i++) {
    const code = [676, 26, 1]
      .map((d) => String.fromCharCode(65 + (Math.floor(i / d) % 26)))
      .join('');
    if (!real.has(code)) out.push(code);
  }
  return out;
}

/** The minister in office on a day. */
function cnSignerOn(day: number): Signing['signer'] {
  const iso = toIso(day);
  const m = MINISTERS.find((x) => iso < x.to) ?? MINISTERS[MINISTERS.length - 1];
  return { zh: m?.zh ?? '王小洪', en: m?.en ?? 'Wang Xiaohong', title: 'minister' };
}

interface Signing {
  readonly id: number;
  readonly partner: Partner;
  readonly day: number;
  readonly type: TypeTerms | 'minutes';
  readonly subject: Subject;
  readonly ordinal: number;
  readonly signer: { zh: string; en: string; title: 'minister' | 'vice_minister' };
  readonly cp: { latin: string; cjk: string };
  /** Signings announced together on one MPS page share this key. */
  readonly ceremony: number;
  readonly category: Category;
}

const SHARED_EVIDENCE: CodedAgreement['evidence'] = [];

function baseRecord(s: Signing, topics: Topic[]): CodedAgreement {
  const date = toIso(s.day);
  return {
    title_zh: null,
    title_en: null,
    date_signed: date,
    year: Number(date.slice(0, 4)),
    doc_type: s.type === 'minutes' ? 'meeting_minutes' : s.type.type,
    doc_type_term: s.type === 'minutes' ? '会议纪要' : s.type.zh,
    scope: 'bilateral',
    counterpart_countries: [s.partner.code],
    forum: null,
    region: null,
    counterpart_agency: null,
    counterpart_agency_type: 'unknown',
    cn_signing_body: 'mps',
    cn_signatory: { name_zh: null, name_en: null, title: 'unknown' },
    cn_signatory_ministerial: null,
    counterpart_signatory: { name: null, rank: 'unknown' },
    topics,
    is_renewal: false,
    evidence: SHARED_EVIDENCE,
    confidence: 0.7,
  };
}

export interface TruthSet {
  readonly items: TruthItem[];
  readonly signings: number;
}

/**
 * Generates reports until about `candidates` exist. Deterministic for a seed.
 */
export function generateTruthSet(options: TruthSetOptions = {}): TruthSet {
  const rand = rng(options.seed ?? 1);
  const want = options.candidates ?? 2000;
  const partnerCount = options.partners ?? 60;
  const nearMissRate = options.nearMissRate ?? 0.08;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const codes = [
    ...REAL_PARTNERS.slice(0, partnerCount),
    ...syntheticCodes(partnerCount - REAL_PARTNERS.length),
  ];
  const partners = codes.map((code) => partnerOf(code, rand));
  const cpNames = new Map<string, { latin: string; cjk: string }>();
  const counterpartSigner = (p: Partner, day: number) => {
    // One minister per partner per four-year term.
    const key = `${p.code}:${Math.floor(day / 1461)}`;
    let name = cpNames.get(key);
    if (name === undefined) {
      const n = 2 + Math.floor(rand() * 2);
      const latin: string[] = [];
      let cjk = '';
      for (let i = 0; i < n; i++) {
        const k = Math.floor(rand() * LATIN_SYLLABLES.length);
        const syl = LATIN_SYLLABLES[k] ?? 'an';
        latin.push(syl[0]?.toUpperCase() + syl.slice(1));
        cjk += CJK_SYLLABLES[k % CJK_SYLLABLES.length] ?? '安';
      }
      name = { latin: latin.join(' '), cjk };
      cpNames.set(key, name);
    }
    return name;
  };
  const cnSigner = (day: number, vice: boolean): Signing['signer'] =>
    vice ? { ...pick(VICE_MINISTERS), title: 'vice_minister' } : cnSignerOn(day);

  const items: TruthItem[] = [];
  const series = new Map<string, number>();
  let signingId = 0;
  let ceremonyId = 0;
  let page = 0;
  const newSigning = (
    partner: Partner,
    day: number,
    type: Signing['type'],
    subject: Subject,
    ceremony: number,
    category: Category,
    ordinal = 0,
    vice = rand() < 0.3,
  ): Signing => ({
    category,
    id: signingId++,
    partner,
    day,
    type,
    subject,
    ordinal,
    signer: cnSigner(day, vice),
    cp: counterpartSigner(partner, day),
    ceremony,
  });

  while (items.length < want) {
    const partner = pick(partners);
    const day = START_DAY + Math.floor(rand() * (END_DAY - START_DAY));
    const ceremony = ceremonyId++;
    const roll = rand();
    const signings: Signing[] = [];
    const seriesSoFar = series.get(partner.code) ?? 0;
    if (SERIES_PARTNERS.includes(partner.code) && seriesSoFar < 2 && roll < 0.15) {
      // A yearly series: one set of minutes per meeting, in about the same season.
      series.set(partner.code, seriesSoFar + 1);
      const first = 2006 + Math.floor(rand() * 8);
      const month = seriesSoFar === 0 ? 10 : 4;
      for (let year = first, n = 1; year <= 2025 && n <= 12; year++, n++) {
        const d = Date.UTC(year, month, 10) / DAY_MS + Math.floor(rand() * 30) - 15;
        signings.push(
          newSigning(partner, d, 'minutes', pick(SUBJECTS), ceremonyId++, 'series', n, false),
        );
      }
    } else {
      const docs = roll < 0.3 ? 2 + Math.floor(rand() * 2) : 1;
      const used = new Set<Subject>();
      for (let k = 0; k < docs; k++) {
        let subject = pick(SUBJECTS);
        while (used.has(subject)) subject = pick(SUBJECTS);
        used.add(subject);
        signings.push(
          newSigning(partner, day, pick(TYPES), subject, ceremony, docs > 1 ? 'multi' : 'single'),
        );
      }
      // A renewal: the same partner signs the same document again some years later.
      if (rand() < 0.15) {
        const first = signings[0] as Signing;
        const later = first.day + 365 * (2 + Math.floor(rand() * 4)) + Math.floor(rand() * 20);
        if (later < END_DAY) {
          signings.push(
            newSigning(partner, later, first.type, first.subject, ceremonyId++, 'renewal'),
          );
        }
      }
      // Near misses: another document of the same partner the same day or days off,
      // reported on its own page; a neighbour signing the same thing the same day.
      if (rand() < nearMissRate) {
        const offset = pick([0, 0, 1, 2, 5, 9]);
        let subject = pick(SUBJECTS);
        while (used.has(subject)) subject = pick(SUBJECTS);
        signings.push(
          newSigning(
            partner,
            day + offset,
            pick(TYPES),
            subject,
            ceremonyId++,
            'near_miss',
            0,
            true,
          ),
        );
      }
      if (rand() < nearMissRate) {
        const neighbour = pick(partners);
        if (neighbour.code !== partner.code) {
          const first = signings[0] as Signing;
          signings.push(
            newSigning(neighbour, day, first.type, first.subject, ceremonyId++, 'neighbour'),
          );
        }
      }
    }
    const byCeremony = new Map<number, Signing[]>();
    for (const s of signings) {
      const list = byCeremony.get(s.ceremony) ?? [];
      list.push(s);
      byCeremony.set(s.ceremony, list);
    }
    for (const group of byCeremony.values()) page = reportCeremony(group, items, rand, page);
  }
  return { items, signings: new Set(items.map((i) => i.truth)).size };
}

/** The reports of one ceremony (one or more documents signed together). */
function reportCeremony(
  group: readonly Signing[],
  items: TruthItem[],
  rand: () => number,
  pageStart: number,
): number {
  let page = pageStart;
  const multi = group.length > 1;
  const kinds: SourceKind[] = ['mps'];
  for (const k of ['embassy', 'mfa', 'news', 'news', 'foreign-gov'] as const) {
    if (rand() < (k === 'embassy' ? 0.55 : 0.35)) kinds.push(k);
  }
  // Sometimes MPS itself did not report it (the embassy or the news did).
  if (kinds.length > 1 && rand() < 0.2) kinds.shift();
  for (const kind of kinds) {
    const url = `https://${kind}.example/${page++}.html`;
    const english = kind === 'foreign-gov' || (kind === 'news' && rand() < 0.5);
    const hk = kind === 'news' && !english && rand() < 0.3;
    // Readouts are often dated by publication, a day (rarely more) after the signing.
    const lateRoll = kind === 'mps' ? 1 : rand();
    const late = lateRoll < 0.03 ? 2 + Math.floor(rand() * 2) : lateRoll < 0.25 ? 1 : 0;
    // Some English readouts call any document an "agreement".
    const looseTerm = english && rand() < 0.08;
    const monthOnly = kind === 'news' && rand() < 0.04;
    for (const s of group) {
      // In a multi-document report every document needs something that tells it apart.
      const titled = multi || kind === 'mps' || kind === 'foreign-gov' || rand() < 0.65;
      if (multi && kind !== 'mps' && rand() < 0.3) continue;
      const r = baseRecord(s, [s.subject.topic]);
      const date = toIso(s.day + late);
      const termEn = s.type === 'minutes' ? 'Minutes' : s.type.en;
      let titleZh: string | null = null;
      let titleEn: string | null = null;
      if (titled && !english) {
        titleZh = zhTitle(s, kind, rand);
        if (hk) titleZh = traditional(titleZh);
      }
      if (titled && english) titleEn = enTitle(s, looseTerm ? 'Agreement' : termEn, kind, rand);
      // A report may credit the minister who attended with a document a vice minister signed.
      const signer =
        s.signer.title === 'vice_minister' && rand() < 0.1 ? cnSignerOn(s.day) : s.signer;
      const vagueType = !titled && kind === 'news' && rand() < 0.4;
      // Extraction errors: now and then a report's document type is simply wrong.
      const miscoded = kind !== 'mps' && rand() < 0.03 ? pick(TYPES, rand).type : null;
      items.push({
        url,
        sourceKind: kind,
        truth: s.id,
        category: s.category,
        record: {
          ...r,
          title_zh: titleZh,
          title_en: titleEn,
          date_signed: monthOnly ? date.slice(0, 7) : date,
          year: Number(date.slice(0, 4)),
          doc_type_term: vagueType
            ? english
              ? 'documents'
              : '合作文件'
            : english
              ? (looseTerm ? 'Agreement' : termEn).toLowerCase()
              : r.doc_type_term,
          doc_type:
            miscoded ??
            (vagueType
              ? 'unspecified'
              : english && s.type !== 'minutes'
                ? looseTerm
                  ? 'accord'
                  : s.type.enType
                : r.doc_type),
          cn_signatory:
            kind === 'foreign-gov' && rand() < 0.5
              ? r.cn_signatory
              : {
                  name_zh: english ? null : signer.zh,
                  name_en: english ? signer.en : null,
                  title: signer.title,
                },
          counterpart_signatory:
            rand() < 0.7
              ? { name: english ? s.cp.latin : s.cp.cjk, rank: 'ministerial' }
              : r.counterpart_signatory,
        },
      });
    }
  }
  return page;
}

function zhTitle(s: Signing, kind: SourceKind, rand: () => number): string {
  const p = s.partner;
  if (s.type === 'minutes') {
    const pair = p.abbr === null ? `中国和${p.zhShort}` : `中${p.abbr}两国`;
    if (kind !== 'mps' && rand() < 0.5) return `第${zhOrdinal(s.ordinal)}次部长级会议纪要`;
    return `${pair}公安部打击犯罪合作部长级会议纪要`;
  }
  const term = s.type.zh;
  // Abbreviated subjects: 打击跨国犯罪 → 跨国犯罪.
  const subject =
    kind !== 'mps' && rand() < 0.1
      ? s.subject.zh.replace(/^(?:打击|合作|加强|开展)+/, '')
      : s.subject.zh;
  if (kind === 'mps' || kind === 'mfa') {
    return `中华人民共和国公安部和${p.zhOfficial}${p.agencyZh}关于${subject}的${term}`;
  }
  if (p.abbr !== null && rand() < 0.5) return `中${p.abbr}两国警方关于${subject}${term}`;
  return rand() < 0.5
    ? `${subject}${term}`
    : `中国公安部与${p.zhShort}${p.agencyZh}${subject}${term}`;
}

function enTitle(s: Signing, term: string, kind: SourceKind, rand: () => number): string {
  const p = s.partner;
  const subject = s.subject.en[Math.floor(rand() * s.subject.en.length)] ?? s.subject.en[0];
  if (s.type === 'minutes') {
    return rand() < 0.5
      ? `Minutes of the ${enOrdinal(s.ordinal)} ministerial meeting on combating crime`
      : `Minutes of the China-${p.en} ministerial meeting on combating crime`;
  }
  if (kind === 'foreign-gov') {
    return `${term} between the Ministry of Public Security of the People's Republic of China and the ${p.agencyEn} of ${p.en} on ${subject}`;
  }
  const short = term === 'Memorandum of Understanding' && rand() < 0.6 ? 'MoU' : term;
  return `${short} on ${subject}`;
}

function zhOrdinal(n: number): string {
  const digits = '零一二三四五六七八九';
  if (n < 10) return digits[n] ?? String(n);
  if (n < 20) return `十${n % 10 === 0 ? '' : digits[n % 10]}`;
  return `${digits[Math.floor(n / 10)]}十${n % 10 === 0 ? '' : digits[n % 10]}`;
}

function enOrdinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11
      ? 'st'
      : n % 10 === 2 && n !== 12
        ? 'nd'
        : n % 10 === 3 && n !== 13
          ? 'rd'
          : 'th';
  return `${n}${suffix}`;
}
