import countries from 'i18n-iso-countries';
import enLocale from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import type { Agreement } from '../../schemas/agreement.js';
import {
  AGENCY_TYPES,
  CN_TITLES,
  COUNTERPART_RANKS,
  DOC_TYPES,
  REGIONS,
  type Region,
  TOPICS,
} from '../../schemas/codes.js';

/**
 * The counts behind the report's figures and tables, and the counting rules `totals` shares:
 * which records are MPS's own, the date bounds of a partial date, the rank of a signatory.
 * Pure functions of a set of export records; every figure is drawn from these numbers, so a
 * table and its figure never disagree.
 */

countries.registerLocale(enLocale);

type Topic = (typeof TOPICS)[number];

/** English labels of the region codes, as the paper writes them. */
export const REGION_LABELS: Readonly<Record<Region, string>> = {
  southeast_asia: 'Southeast Asia',
  east_asia: 'East Asia',
  south_asia: 'South Asia',
  central_asia: 'Central Asia',
  eastern_europe_caucasus: 'Eastern Europe and Caucasus',
  europe: 'Europe',
  middle_east_north_africa: 'Middle East and North Africa',
  sub_saharan_africa: 'Sub-Saharan Africa',
  latin_america_caribbean: 'Latin America and Caribbean',
  north_america: 'North America',
  oceania: 'Oceania',
};

/** Signed by the Ministry of Public Security itself (the paper's 205; not its bureaus, MFA...). */
export const isCore = (r: Agreement): boolean => r.cn_signing_body === 'mps';

/** Named topics; `generic` (no topic named) is not a topic. */
export const topicsOf = (r: Agreement): Topic[] =>
  r.topics.filter((t): t is Topic => t !== 'generic');

/** Countries that count as countries: Taiwan (TWN) is reported separately. */
export const countriesOf = (r: Agreement): string[] =>
  r.counterpart_countries.filter((c) => c !== 'TWN');

export function countryName(code: string): string {
  if (code === 'TWN') return 'Taiwan';
  return (
    countries.getName(code, 'en', { select: 'alias' }) ?? countries.getName(code, 'en') ?? code
  );
}

/** Earliest and latest day a partial date (YYYY, YYYY-MM, YYYY-MM-DD) can stand for. */
export function dateBounds(partial: string): { lo: string; hi: string } {
  if (partial.length === 4) return { lo: `${partial}-01-01`, hi: `${partial}-12-31` };
  if (partial.length === 7) return { lo: `${partial}-01`, hi: `${partial}-31` };
  return { lo: partial, hi: partial };
}

/** The bounds of a record's signing date (from `year` when the date is unknown). */
export function recordBounds(r: Agreement): { lo: string; hi: string } | null {
  if (r.date_signed !== null) return dateBounds(r.date_signed);
  if (r.year !== null) return dateBounds(String(r.year));
  return null;
}

export type RankLevel = 'ministerial' | 'vice_ministerial' | 'other' | 'unknown';

/** The Chinese signatory's rank: minister and executive vice minister are ministerial (正部长级). */
export function cnRank(r: Agreement): RankLevel {
  const t = r.cn_signatory.title;
  if (t === 'minister' || t === 'executive_vice_minister') return 'ministerial';
  if (t === 'vice_minister') return 'vice_ministerial';
  if (t === 'unknown') return 'unknown';
  return 'other';
}

export function tally<K>(items: Iterable<Agreement>, keys: (r: Agreement) => Iterable<K>) {
  const counts = new Map<K, number>();
  for (const r of items) for (const k of new Set(keys(r))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** Largest first; ties in the code list's order (or alphabetical). */
export function ranked<K extends string>(
  counts: ReadonlyMap<K, number>,
  order?: readonly string[],
): { key: K; n: number }[] {
  const pos = (k: string) => (order === undefined ? -1 : order.indexOf(k));
  return [...counts.entries()]
    .filter(([, n]) => n > 0)
    .map(([key, n]) => ({ key, n }))
    .sort((a, b) => b.n - a.n || pos(a.key) - pos(b.key) || a.key.localeCompare(b.key));
}

export interface ReportOptionsCore {
  /** Rows of the top-countries table (ties at the cut are kept). @default 10 */
  readonly topCountries?: number;
  /** Topics listed per region and per country. @default 3 */
  readonly topTopics?: number;
}

export const AGGREGATE_DEFAULTS: Required<ReportOptionsCore> = { topCountries: 10, topTopics: 3 };

export interface ReportData {
  readonly records: number;
  readonly core: number;
  readonly bilateral: number;
  readonly multilateral: number;
  readonly otherBodies: number;
  readonly years: { readonly from: number; readonly to: number } | null;
  readonly perYear: readonly { year: number; new_partner: number; repeat_partner: number }[];
  readonly topicTotals: readonly { topic: string; n: number }[];
  readonly cooccurrence: readonly { a: string; b: string; n: number }[];
  readonly topicsByYear: readonly { topic: string; year: number; n: number }[];
  readonly topTopicsByRegion: readonly {
    region: string;
    agreements: number;
    top: readonly { topic: string; n: number }[];
  }[];
  readonly topCountries: readonly {
    country: string;
    name: string;
    total: number;
    years: readonly { year: number; n: number }[];
    topics: readonly { topic: string; n: number }[];
  }[];
  readonly cnTitles: readonly { title: string; n: number }[];
  readonly rankMatrix: readonly { cn: RankLevel; counterpart: string; n: number }[];
  readonly agencyTypes: readonly { type: string; n: number }[];
  readonly docTypes: readonly { doc_type: string; n: number; share: number }[];
  readonly forums: readonly { forum: string; n: number }[];
  readonly partners: readonly { country: string; name: string; region: string; n: number }[];
}

/** Top `k` of a ranked list, keeping every entry tied with the k-th. */
export function topWithTies<T extends { n: number }>(list: readonly T[], k: number): T[] {
  if (list.length <= k) return [...list];
  const cut = list[k - 1]!.n;
  return list.filter((x, i) => i < k || x.n === cut);
}

function topTopics(items: readonly Agreement[], k: number) {
  return ranked(tally(items, topicsOf), TOPICS)
    .slice(0, k)
    .map(({ key, n }) => ({ topic: key, n }));
}

function checkOptions(options: ReportOptionsCore): Required<ReportOptionsCore> {
  const o = { ...AGGREGATE_DEFAULTS, ...options };
  for (const name of ['topCountries', 'topTopics'] as const)
    if (!Number.isInteger(o[name]) || o[name] <= 0)
      throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${o[name]}\``);
  return o;
}

export function computeReportData(
  records: readonly Agreement[],
  options: ReportOptionsCore = {},
): ReportData {
  const o = checkOptions(options);
  const core = records.filter(isCore);
  const bi = core.filter((r) => r.scope === 'bilateral');
  const multi = core.filter((r) => r.scope === 'multilateral');
  const yearsOf = core.map((r) => r.year).filter((y): y is number => y !== null);
  const years =
    yearsOf.length === 0 ? null : { from: Math.min(...yearsOf), to: Math.max(...yearsOf) };

  const perYear: { year: number; new_partner: number; repeat_partner: number }[] = [];
  if (years !== null)
    for (let y = years.from; y <= years.to; y++) {
      const inYear = bi.filter((r) => r.year === y);
      perYear.push({
        year: y,
        new_partner: inYear.filter((r) => !r.is_renewal).length,
        repeat_partner: inYear.filter((r) => r.is_renewal).length,
      });
    }

  const totals = tally(core, (r) => r.topics);
  const topicTotals = [...TOPICS, 'generic'].map((topic) => ({
    topic,
    n: totals.get(topic as Topic) ?? 0,
  }));

  const pairs = new Map<string, number>();
  for (const r of core) {
    const ts = [...new Set(topicsOf(r))].sort((a, b) => TOPICS.indexOf(a) - TOPICS.indexOf(b));
    for (let i = 0; i < ts.length; i++)
      for (let j = i + 1; j < ts.length; j++) {
        const key = `${ts[i]}|${ts[j]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
  }
  const cooccurrence = [...pairs.entries()]
    .map(([key, n]) => {
      const [a = '', b = ''] = key.split('|');
      return { a, b, n };
    })
    .sort((x, y) => y.n - x.n || `${x.a}|${x.b}`.localeCompare(`${y.a}|${y.b}`));

  const byTopicYear = new Map<string, number>();
  for (const r of core)
    if (r.year !== null)
      for (const t of new Set(topicsOf(r)))
        byTopicYear.set(`${t}|${r.year}`, (byTopicYear.get(`${t}|${r.year}`) ?? 0) + 1);
  const topicsByYear = [...byTopicYear.entries()]
    .map(([key, n]) => {
      const [topic = '', year = '0'] = key.split('|');
      return { topic, year: Number(year), n };
    })
    .sort(
      (a, b) =>
        a.year - b.year || TOPICS.indexOf(a.topic as Topic) - TOPICS.indexOf(b.topic as Topic),
    );

  const topTopicsByRegion = REGIONS.map((region) => {
    const inRegion = core.filter((r) => r.region === region);
    return { region, agreements: inRegion.length, top: topTopics(inRegion, o.topTopics) };
  }).filter((x) => x.agreements > 0);

  const partnerCounts = ranked(tally(bi, (r) => r.counterpart_countries));
  const topCountries = topWithTies(partnerCounts, o.topCountries).map(({ key, n }) => {
    const mine = bi.filter((r) => r.counterpart_countries.includes(key));
    const ys = tally(mine, (r) => (r.year === null ? [] : [r.year]));
    return {
      country: key,
      name: countryName(key),
      total: n,
      years: [...ys.entries()].map(([year, c]) => ({ year, n: c })).sort((a, b) => a.year - b.year),
      topics: topTopics(mine, o.topTopics),
    };
  });

  const regionOf = (code: string) =>
    bi.find((r) => r.counterpart_countries.includes(code) && r.region !== null)?.region ??
    'unknown';

  return {
    records: records.length,
    core: core.length,
    bilateral: bi.length,
    multilateral: multi.length,
    otherBodies: records.length - core.length,
    years,
    perYear,
    topicTotals,
    cooccurrence,
    topicsByYear,
    topTopicsByRegion,
    topCountries,
    cnTitles: ranked(
      tally(bi, (r) => [r.cn_signatory.title]),
      CN_TITLES,
    ).map(({ key, n }) => ({
      title: key,
      n,
    })),
    rankMatrix: (['ministerial', 'vice_ministerial', 'other', 'unknown'] as const).flatMap((cn) =>
      COUNTERPART_RANKS.map((counterpart) => ({
        cn,
        counterpart,
        n: bi.filter((r) => cnRank(r) === cn && r.counterpart_signatory.rank === counterpart)
          .length,
      })).filter((x) => x.n > 0),
    ),
    agencyTypes: ranked(
      tally(bi, (r) => [r.counterpart_agency_type]),
      AGENCY_TYPES,
    ).map(({ key, n }) => ({ type: key, n })),
    docTypes: ranked(
      tally(core, (r) => [r.doc_type]),
      DOC_TYPES,
    ).map(({ key, n }) => ({
      doc_type: key,
      n,
      share: core.length === 0 ? 0 : n / core.length,
    })),
    forums: ranked(tally(multi, (r) => [r.forum ?? '(countries, no forum)'])).map(({ key, n }) => ({
      forum: key,
      n,
    })),
    partners: partnerCounts.map(({ key, n }) => ({
      country: key,
      name: countryName(key),
      region: regionOf(key),
      n,
    })),
  };
}
