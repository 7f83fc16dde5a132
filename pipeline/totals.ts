import type { Agreement } from '../schemas/agreement.js';
import { AGENCY_TYPES, CN_TITLES, TOPICS } from '../schemas/codes.js';
import type { Dataset } from './dataset.js';
import type { MpsTotal, Reference } from './reference.js';
import {
  cnRank,
  countriesOf,
  dateBounds,
  isCore,
  REGION_LABELS,
  recordBounds,
  topicsOf,
} from './report/aggregates.js';

/**
 * A release beside the figures published about the same agreements: MPS's own totals, each
 * counted under its own rule (cumulative up to its date or a period, MPS-signed or any body,
 * bilateral/multilateral as stated), and the aggregates published for dataset v2.0, each
 * computed from the release over v2.0's universe (MPS-signed, 2006–2025).
 */

export interface MpsComparison {
  readonly id: string;
  readonly as_of: string;
  readonly scope: string;
  readonly counting: string;
  readonly rule: string;
  readonly bound: MpsTotal['bound'];
  readonly published: number;
  readonly count: number;
  /** Records that may or may not fall under the rule (dated only to a year or month). */
  readonly uncertain: number;
  readonly gap: number;
  readonly coverage: number;
  readonly countries_published: number | null;
  readonly countries: number;
  readonly source: string;
  readonly confidence: string;
}

export type Figure = number | string | boolean | null;

export interface AggregateRow {
  readonly section: string;
  readonly item: string;
  readonly published: Figure;
  readonly release: Figure;
  /** release − published, when both are numbers. */
  readonly difference: number | null;
  readonly note?: string;
}

export interface TotalsReport {
  readonly release: string;
  readonly records: number;
  readonly core: number;
  readonly universe: { readonly period: readonly [number, number]; readonly agreements: number };
  readonly mps: readonly MpsComparison[];
  readonly aggregates: readonly AggregateRow[];
  readonly citations: Readonly<Record<string, string>>;
}

function ruleText(t: MpsTotal): string {
  const when =
    t.rule === 'period' ? `signed ${t.period_from}–${t.period_to}` : `signed by ${t.as_of}`;
  const who = t.signing_bodies === 'mps' ? 'by MPS' : 'by any Chinese body';
  const partners = t.partners === 'any' ? '' : `, ${t.partners}`;
  return `${when}, ${who}${partners}`;
}

/** Counts the records that fall under one published total's rule. */
export function countUnderRule(records: readonly Agreement[], t: MpsTotal) {
  const pool = records.filter(
    (r) =>
      (t.signing_bodies === 'any' || isCore(r)) && (t.partners === 'any' || r.scope === t.partners),
  );
  const counted: Agreement[] = [];
  let uncertain = 0;
  const asOf = dateBounds(t.as_of).hi;
  for (const r of pool) {
    const b = recordBounds(r);
    if (b === null) {
      uncertain++;
      continue;
    }
    if (t.rule === 'cumulative') {
      if (b.hi <= asOf) counted.push(r);
      else if (b.lo <= asOf) uncertain++;
    } else if (r.year !== null && r.year >= (t.period_from ?? 0) && r.year <= (t.period_to ?? 0)) {
      counted.push(r);
    }
  }
  const countries = new Set(counted.flatMap(countriesOf)).size;
  return { count: counted.length, uncertain, countries };
}

export function compareMps(records: readonly Agreement[], t: MpsTotal): MpsComparison {
  const { count, uncertain, countries } = countUnderRule(records, t);
  return {
    id: t.id,
    as_of: t.as_of,
    scope: t.scope,
    counting: t.counting,
    rule: ruleText(t),
    bound: t.bound,
    published: t.agreements,
    count,
    uncertain,
    gap: t.agreements - count,
    coverage: count / t.agreements,
    countries_published: t.countries,
    countries,
    source: t.source,
    confidence: t.confidence,
  };
}

/** Ministers of public security by English name (DESIGN.md), to match Chinese-only records. */
const MINISTERS_ZH: Readonly<Record<string, string>> = {
  'Zhou Yongkang': '周永康',
  'Meng Jianzhu': '孟建柱',
  'Guo Shengkun': '郭声琨',
  'Zhao Kezhi': '赵克志',
  'Wang Xiaohong': '王小洪',
};

/** Published agency-type keys that group several codes. */
const AGENCY_GROUPS: Readonly<Record<string, readonly string[]>> = {
  interior_internal_home_affairs: ['interior'],
  immigration_border_cid_ct_narcotics_bureaus: [
    'immigration_border',
    'criminal_investigation',
    'counterterrorism',
    'narcotics',
  ],
};

interface Universe {
  /** MPS-signed, in the published period. */
  readonly u: readonly Agreement[];
  /** Any signing body, in the period. */
  readonly all: readonly Agreement[];
  readonly bi: readonly Agreement[];
  readonly multi: readonly Agreement[];
  /** The whole release (for "earlier agreement" questions). */
  readonly release: readonly Agreement[];
}

type Section = (value: unknown, ctx: Universe, section: string) => AggregateRow[];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function row(section: string, item: string, published: Figure, release: Figure, note?: string) {
  const difference =
    typeof published === 'number' && typeof release === 'number' ? release - published : null;
  return { section, item, published, release, difference, ...(note === undefined ? {} : { note }) };
}

const asFigure = (v: unknown): Figure =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : null;

/** A section whose keys each map to a count over the universe; unknown keys get no figure. */
function keyed(count: (key: string, ctx: Universe) => number | boolean | null): Section {
  return (value, ctx, section) => {
    if (!isRecord(value)) return [];
    return Object.entries(value).map(([key, published]) => {
      const release = count(key, ctx);
      return release === null
        ? row(section, key, asFigure(published), null, 'no counting rule for this figure')
        : row(section, key, asFigure(published), release);
    });
  };
}

const inYear = (r: Agreement, y: number) => r.year === y;
const distinct = (rs: readonly Agreement[]) => new Set(rs.flatMap(countriesOf)).size;

function matchesMinister(r: Agreement, key: string): boolean {
  const name = key.replace(/\s*\(.*$/, '').trim();
  const zh = MINISTERS_ZH[name];
  const named =
    r.cn_signatory.name_en?.toLowerCase() === name.toLowerCase() ||
    (zh !== undefined && r.cn_signatory.name_zh === zh);
  if (!named) return false;
  if (/executive vice minister/i.test(key))
    return r.cn_signatory.title === 'executive_vice_minister';
  if (/as minister/i.test(key)) return r.cn_signatory.title === 'minister';
  return true;
}

function rankCount(key: string, bi: readonly Agreement[]): number | null {
  const cp = (r: Agreement) => r.counterpart_signatory.rank;
  const both: Record<string, (r: Agreement) => boolean> = {
    ministerial: (r) => cp(r) === 'ministerial',
    vice_ministerial: (r) => cp(r) === 'vice_ministerial',
    both_sides_ministerial: (r) => cnRank(r) === 'ministerial' && cp(r) === 'ministerial',
    both_sides_vice_ministerial: (r) =>
      cnRank(r) === 'vice_ministerial' && cp(r) === 'vice_ministerial',
    prc_vice_minister_with_ministerial_counterpart: (r) =>
      cnRank(r) === 'vice_ministerial' && cp(r) === 'ministerial',
    prc_ministerial_with_vice_ministerial_counterpart: (r) =>
      cnRank(r) === 'ministerial' && cp(r) === 'vice_ministerial',
  };
  const test = both[key];
  return test === undefined ? null : bi.filter(test).length;
}

const isTopic = (k: string): k is (typeof TOPICS)[number] =>
  (TOPICS as readonly string[]).includes(k);

function topCountries(value: unknown, ctx: Universe, section: string): AggregateRow[] {
  if (!isRecord(value)) return [];
  const rows: AggregateRow[] = [];
  for (const [code, spec] of Object.entries(value)) {
    if (!isRecord(spec)) continue;
    const mine = ctx.bi.filter((r) => r.counterpart_countries.includes(code));
    rows.push(row(section, `${code} total`, asFigure(spec['total']), mine.length));
    const byYear = spec['by_year'];
    if (isRecord(byYear)) {
      const years = new Set([
        ...Object.keys(byYear).map(Number),
        ...mine.map((r) => r.year).filter((y): y is number => y !== null),
      ]);
      for (const y of [...years].sort((a, b) => a - b))
        rows.push(
          row(
            section,
            `${code} ${y}`,
            asFigure(byYear[String(y)] ?? 0),
            mine.filter((r) => inYear(r, y)).length,
          ),
        );
    }
    const topics = spec['top_topics'];
    if (isRecord(topics))
      for (const [t, n] of Object.entries(topics))
        rows.push(
          row(
            section,
            `${code} ${t}`,
            asFigure(n),
            mine.filter((r) => r.topics.includes(t as never)).length,
          ),
        );
  }
  return rows;
}

function sinceGsi(value: unknown, ctx: Universe, section: string): AggregateRow[] {
  if (!isRecord(value)) return [];
  // The Global Security Initiative was announced in April 2022.
  const since = '2022-04-01';
  const recent = ctx.bi.filter((r) => (recordBounds(r)?.lo ?? '') >= since);
  const earlier = new Set(
    ctx.release
      .filter((r) => (recordBounds(r)?.hi ?? '9') < since)
      .flatMap((r) => r.counterpart_countries),
  );
  const partners = [...new Set(recent.flatMap(countriesOf))].sort();
  const computed: Record<string, string[]> = {
    new_partners: partners.filter((c) => !earlier.has(c)),
    repeat_partners: partners.filter((c) => earlier.has(c)),
  };
  return Object.entries(value).map(([key, list]) => {
    const mine = computed[key];
    if (!Array.isArray(list) || mine === undefined)
      return row(section, key, null, null, 'no counting rule for this figure');
    const published = list.map(String);
    const both = published.filter((c) => mine.includes(c));
    const onlyRelease = mine.filter((c) => !published.includes(c));
    const note = `in both: ${both.join(', ') || '—'}; only published: ${published.filter((c) => !mine.includes(c)).join(', ') || '—'}; only release: ${onlyRelease.join(', ') || '—'}`;
    return row(section, `${key} (count)`, published.length, mine.length, note);
  });
}

function docTypeShares(value: unknown, ctx: Universe, section: string): AggregateRow[] {
  if (!isRecord(value)) return [];
  const n = ctx.u.length;
  const groups: Record<string, (r: Agreement) => boolean> = {
    protocol_accord_mou: (r) => ['protocol', 'accord', 'mou'].includes(r.doc_type),
    meeting_minutes: (r) => r.doc_type === 'meeting_minutes',
    other: (r) => !['protocol', 'accord', 'mou', 'meeting_minutes'].includes(r.doc_type),
  };
  const rows: AggregateRow[] = [];
  for (const [key, bound] of Object.entries(value)) {
    const test = groups[key];
    if (test === undefined || !isRecord(bound)) continue;
    const share = n === 0 ? 0 : ctx.u.filter(test).length / n;
    const [kind, v] = Object.entries(bound)[0] ?? ['', 0];
    const sign = kind === 'min' ? '>' : kind === 'max' ? '<' : '≈';
    rows.push(
      row(
        section,
        key,
        `${sign} ${Math.round(Number(v) * 100)}%`,
        `${Math.round(share * 1000) / 10}%`,
      ),
    );
  }
  return rows;
}

function multilateralTopics(value: unknown, ctx: Universe, section: string): AggregateRow[] {
  if (!isRecord(value)) return [];
  const rows: AggregateRow[] = [];
  for (const [forum, spec] of Object.entries(value)) {
    if (!isRecord(spec)) continue;
    const mine = ctx.multi.filter((r) => r.forum === forum);
    for (const [key, n] of Object.entries(spec)) {
      const release =
        key === 'of' ? mine.length : mine.filter((r) => r.topics.includes(key as never)).length;
      rows.push(
        row(section, `${forum} ${key === 'of' ? 'agreements' : key}`, asFigure(n), release),
      );
    }
  }
  return rows;
}

function coverageCheck(value: unknown, ctx: Universe, section: string): AggregateRow[] {
  if (!isRecord(value)) return [];
  const m = /^(\d{4})-(\d{4})$/.exec(String(value['period'] ?? ''));
  if (m === null) return [];
  const [from, to] = [Number(m[1]), Number(m[2])];
  const inPeriod = ctx.u.filter((r) => r.year !== null && r.year >= from && r.year <= to).length;
  return [
    row(section, `${from}–${to} dataset v2.0 vs release`, asFigure(value['dataset_v2']), inPeriod),
    row(
      section,
      `${from}–${to} MPS self-reported`,
      asFigure(value['mps_self_reported']),
      null,
      "MPS's own figure; see the MPS totals",
    ),
  ];
}

const SECTIONS: Readonly<Record<string, Section>> = {
  totals: keyed((key, c) => {
    const table: Record<string, number | boolean> = {
      agreements: c.u.length,
      bilateral: c.bi.length,
      multilateral: c.multi.length,
      countries_any: distinct(c.u),
      plus_taiwan: c.u.some((r) => r.counterpart_countries.includes('TWN')),
      countries_bilateral: distinct(c.bi),
      broader_set_incl_mfa_provincial_bureau_embassy: c.all.length,
    };
    return table[key] ?? null;
  }),
  multilateral_by_forum: keyed((forum, c) => c.multi.filter((r) => r.forum === forum).length),
  bilateral_by_year_known: keyed((key, c) => {
    const bi = /^(\d{4})$/.exec(key);
    if (bi !== null) return c.bi.filter((r) => inYear(r, Number(bi[1]))).length;
    const all = /^(\d{4})_.*all_agreements$/.exec(key);
    if (all !== null) return c.u.filter((r) => inYear(r, Number(all[1]))).length;
    return null;
  }),
  cn_signatory_title_bilateral: keyed((key, c) => {
    if (key === 'ministerial_level_total')
      return c.bi.filter((r) => cnRank(r) === 'ministerial').length;
    if ((CN_TITLES as readonly string[]).includes(key))
      return c.bi.filter((r) => r.cn_signatory.title === key).length;
    return null;
  }),
  ministers_bilateral_signed: keyed((key, c) => c.bi.filter((r) => matchesMinister(r, key)).length),
  counterpart_agency_type_bilateral: keyed((key, c) => {
    const codes =
      AGENCY_GROUPS[key] ?? ((AGENCY_TYPES as readonly string[]).includes(key) ? [key] : null);
    return codes === null
      ? null
      : c.bi.filter((r) => codes.includes(r.counterpart_agency_type)).length;
  }),
  counterpart_rank_bilateral: keyed((key, c) => rankCount(key, c.bi)),
  topic_count_bilateral: keyed((key, c) => {
    const n = (r: Agreement) => topicsOf(r).length;
    if (key === 'multi_topic') return c.bi.filter((r) => n(r) >= 2).length;
    if (key === 'single_topic') return c.bi.filter((r) => n(r) === 1).length;
    if (key === 'generic') return c.bi.filter((r) => n(r) === 0).length;
    return null;
  }),
  topics_bilateral: keyed((key, c) =>
    isTopic(key) ? c.bi.filter((r) => r.topics.includes(key)).length : null,
  ),
  topics_with_other_topics_bilateral: keyed((key, c) =>
    isTopic(key)
      ? c.bi.filter((r) => r.topics.includes(key) && topicsOf(r).length >= 2).length
      : null,
  ),
  regions_bilateral: keyed((label, c) => {
    const code = Object.entries(REGION_LABELS).find(([, l]) => l === label)?.[0];
    return code === undefined ? null : c.bi.filter((r) => r.region === code).length;
  }),
  top_countries_bilateral: topCountries,
  since_gsi_april_2022: sinceGsi,
  doc_type_shares: docTypeShares,
  multilateral_topics: multilateralTopics,
  coverage_check: coverageCheck,
};

/** Keys of the aggregates file that describe it rather than hold figures. */
const PROSE = new Set(['about', 'citation', 'universe', 'doc_types']);

export function computeTotals(dataset: Dataset, reference: Reference): TotalsReport {
  const records = dataset.records;
  const [from, to] = reference.aggregates.universe.period;
  const inPeriod = records.filter((r) => r.year !== null && r.year >= from && r.year <= to);
  const bodies = reference.aggregates.universe.signing_bodies;
  const u = inPeriod.filter((r) => bodies.includes(r.cn_signing_body));
  const ctx: Universe = {
    u,
    all: inPeriod,
    bi: u.filter((r) => r.scope === 'bilateral'),
    multi: u.filter((r) => r.scope === 'multilateral'),
    release: records,
  };
  const aggregates: AggregateRow[] = [];
  for (const [section, value] of Object.entries(reference.aggregates)) {
    if (PROSE.has(section)) continue;
    const handler = SECTIONS[section];
    if (handler === undefined) {
      aggregates.push(row(section, '—', null, null, 'no counting rule for this section'));
      continue;
    }
    aggregates.push(...handler(value, ctx, section));
  }
  return {
    release: dataset.label,
    records: records.length,
    core: records.filter(isCore).length,
    universe: { period: [from, to], agreements: u.length },
    mps: reference.mps.map((t) => compareMps(records, t)),
    aggregates,
    citations: reference.aggregates.citation,
  };
}
