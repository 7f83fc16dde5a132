import { TOPICS } from '../../schemas/codes.js';
import type { TotalsReport } from '../totals.js';
import { countText, figureText, mpsFigure, percent } from '../totals-format.js';
import { REGION_LABELS, type ReportData } from './aggregates.js';

/**
 * The report's tables as data: each has an id, columns and keyed rows, so the HTML carries
 * `data-key` / `data-col` / `data-value` and a reader (or a test) can find any number.
 */

export type Cell = string | number;

export interface Column {
  readonly id: string;
  readonly label: string;
  readonly numeric?: boolean;
  /** Keep the cell on one line (dates). */
  readonly nowrap?: boolean;
}

export interface Table {
  readonly id: string;
  readonly caption: string;
  readonly columns: readonly Column[];
  readonly rows: readonly {
    readonly key: string;
    /** Rows with a group are shown under a header row naming it. */
    readonly group?: string;
    readonly cells: Readonly<Record<string, Cell>>;
  }[];
}

const label = (code: string) => code.replaceAll('_', ' ');
const topicList = (ts: readonly { topic: string; n: number }[]) =>
  ts.map((t) => `${label(t.topic)} (${t.n})`).join(', ');

export function summaryTable(d: ReportData): Table {
  const rows: [string, string, Cell][] = [
    ['records', 'Agreements in the release', d.records],
    ['core', 'Signed by MPS itself (used below)', d.core],
    ['bilateral', 'Bilateral', d.bilateral],
    ['multilateral', 'Multilateral', d.multilateral],
    ['other_bodies', 'Signed by other Chinese bodies (not in the figures)', d.otherBodies],
    ['years', 'Years', d.years === null ? '—' : `${d.years.from}–${d.years.to}`],
  ];
  return {
    id: 'summary',
    caption: 'The release at a glance',
    columns: [
      { id: 'what', label: '' },
      { id: 'n', label: 'agreements', numeric: true },
    ],
    rows: rows.map(([key, what, n]) => ({ key, cells: { what, n } })),
  };
}

export function perYearTable(d: ReportData): Table {
  return {
    id: 'per-year',
    caption: 'Bilateral agreements per year',
    columns: [
      { id: 'year', label: 'year' },
      { id: 'new_partner', label: 'new partner', numeric: true },
      { id: 'repeat_partner', label: 'repeat partner', numeric: true },
      { id: 'total', label: 'total', numeric: true },
    ],
    rows: d.perYear.map((y) => ({
      key: String(y.year),
      cells: {
        year: y.year,
        new_partner: y.new_partner,
        repeat_partner: y.repeat_partner,
        total: y.new_partner + y.repeat_partner,
      },
    })),
  };
}

export function topicTotalsTable(d: ReportData): Table {
  return {
    id: 'topic-totals',
    caption: 'Agreements mentioning each topic (node sizes)',
    columns: [
      { id: 'topic', label: 'topic' },
      { id: 'n', label: 'agreements', numeric: true },
    ],
    rows: d.topicTotals.map((t) => ({ key: t.topic, cells: { topic: label(t.topic), n: t.n } })),
  };
}

export function cooccurrenceTable(d: ReportData): Table {
  return {
    id: 'cooccurrence',
    caption: 'Topics named together (edge widths)',
    columns: [
      { id: 'a', label: 'topic' },
      { id: 'b', label: 'with topic' },
      { id: 'n', label: 'agreements', numeric: true },
    ],
    rows: d.cooccurrence.map((e) => ({
      key: `${e.a}+${e.b}`,
      cells: { a: label(e.a), b: label(e.b), n: e.n },
    })),
  };
}

export function topicsByYearTable(d: ReportData): Table {
  const years = d.perYear.map((y) => y.year);
  const counts = new Map(d.topicsByYear.map((x) => [`${x.topic}|${x.year}`, x.n]));
  return {
    id: 'topics-by-year',
    caption: 'Agreements mentioning each topic, by year',
    columns: [
      { id: 'topic', label: 'topic' },
      ...years.map((y) => ({ id: String(y), label: String(y), numeric: true })),
    ],
    rows: TOPICS.map((t) => ({
      key: t,
      cells: {
        topic: label(t),
        ...Object.fromEntries(years.map((y) => [String(y), counts.get(`${t}|${y}`) ?? 0])),
      },
    })),
  };
}

export function regionTopicsTable(d: ReportData): Table {
  return {
    id: 'region-topics',
    caption: 'Top three topics by region',
    columns: [
      { id: 'region', label: 'region' },
      { id: 'agreements', label: 'agreements', numeric: true },
      { id: 'first', label: 'first' },
      { id: 'second', label: 'second' },
      { id: 'third', label: 'third' },
    ],
    rows: d.topTopicsByRegion.map((r) => {
      const [first, second, third] = r.top.map((t) => `${label(t.topic)} (${t.n})`);
      return {
        key: r.region,
        cells: {
          region: REGION_LABELS[r.region as keyof typeof REGION_LABELS] ?? r.region,
          agreements: r.agreements,
          first: first ?? '—',
          second: second ?? '—',
          third: third ?? '—',
        },
      };
    }),
  };
}

export function topCountriesTable(d: ReportData): Table {
  return {
    id: 'top-countries',
    caption: 'Top partners: bilateral agreements, years and topics of focus',
    columns: [
      { id: 'country', label: 'partner' },
      { id: 'total', label: 'agreements', numeric: true },
      { id: 'years', label: 'years (agreements)' },
      { id: 'topics', label: 'topics of focus' },
    ],
    rows: d.topCountries.map((c) => ({
      key: c.country,
      cells: {
        country: `${c.name} (${c.country})`,
        total: c.total,
        years: c.years.map((y) => (y.n > 1 ? `${y.year} (${y.n})` : String(y.year))).join(', '),
        topics: topicList(c.topics) || 'generic only',
      },
    })),
  };
}

function countTable(
  id: string,
  caption: string,
  what: string,
  rows: readonly { key: string; n: number; share?: number }[],
): Table {
  const withShare = rows.some((r) => r.share !== undefined);
  return {
    id,
    caption,
    columns: [
      { id: 'category', label: what },
      { id: 'n', label: 'agreements', numeric: true },
      ...(withShare ? [{ id: 'share', label: 'share', numeric: true }] : []),
    ],
    rows: rows.map((r) => ({
      key: r.key,
      cells: {
        category: label(r.key),
        n: r.n,
        ...(r.share === undefined ? {} : { share: percent(r.share) }),
      },
    })),
  };
}

export function signatoryTables(d: ReportData): Table[] {
  return [
    countTable(
      'cn-titles',
      'Chinese signatory title (bilateral)',
      'title',
      d.cnTitles.map((t) => ({ key: t.title, n: t.n })),
    ),
    {
      id: 'rank-matrix',
      caption: 'Rank on both sides (bilateral)',
      columns: [
        { id: 'cn', label: 'Chinese signatory' },
        { id: 'counterpart', label: 'counterpart signatory' },
        { id: 'n', label: 'agreements', numeric: true },
      ],
      rows: d.rankMatrix.map((c) => ({
        key: `${c.cn}+${c.counterpart}`,
        cells: { cn: label(c.cn), counterpart: label(c.counterpart), n: c.n },
      })),
    },
    countTable(
      'agency-types',
      'Counterpart agency type (bilateral)',
      'agency type',
      d.agencyTypes.map((t) => ({ key: t.type, n: t.n })),
    ),
  ];
}

export function documentTables(d: ReportData): Table[] {
  return [
    countTable(
      'doc-types',
      'Document types',
      'document type',
      d.docTypes.map((t) => ({ key: t.doc_type, n: t.n, share: t.share })),
    ),
    countTable(
      'forums',
      'Multilateral agreements by forum',
      'forum',
      d.forums.map((f) => ({ key: f.forum, n: f.n })),
    ),
  ];
}

export function partnersTable(d: ReportData): Table {
  return {
    id: 'partners',
    caption: 'All partners (bilateral)',
    columns: [
      { id: 'country', label: 'partner' },
      { id: 'region', label: 'region' },
      { id: 'n', label: 'agreements', numeric: true },
    ],
    rows: d.partners.map((p) => ({
      key: p.country,
      cells: {
        country: `${p.name} (${p.country})`,
        region: REGION_LABELS[p.region as keyof typeof REGION_LABELS] ?? p.region,
        n: p.n,
      },
    })),
  };
}

export function mpsTable(t: TotalsReport): Table {
  return {
    id: 'mps-totals',
    caption: "MPS's own published totals beside the release",
    columns: [
      { id: 'as_of', label: 'as of', nowrap: true },
      { id: 'rule', label: 'counting rule' },
      { id: 'published', label: 'MPS', numeric: true },
      { id: 'count', label: 'release', numeric: true },
      { id: 'gap', label: 'gap', numeric: true },
      { id: 'coverage', label: 'coverage', numeric: true },
      { id: 'countries', label: 'countries (MPS / release)', numeric: true },
      { id: 'source', label: 'source' },
    ],
    rows: t.mps.map((m) => ({
      key: m.id,
      cells: {
        as_of: m.as_of,
        rule: m.rule,
        published: mpsFigure(m),
        count: m.uncertain > 0 ? countText(m) : m.count,
        gap: m.gap,
        coverage: percent(m.coverage),
        countries: `${m.countries_published ?? '—'} / ${m.countries}`,
        source: m.source,
      },
    })),
  };
}

export function aggregatesTable(t: TotalsReport): Table {
  return {
    id: 'v2-aggregates',
    caption: `Published aggregates of dataset v2.0 beside the release (signed by MPS, ${t.universe.period[0]}–${t.universe.period[1]})`,
    columns: [
      { id: 'item', label: 'figure' },
      { id: 'published', label: 'v2.0', numeric: true },
      { id: 'release', label: 'release', numeric: true },
      { id: 'difference', label: 'Δ', numeric: true },
      { id: 'note', label: 'note' },
    ],
    rows: t.aggregates.map((a) => ({
      key: `${a.section}/${a.item}`,
      group: label(a.section),
      cells: {
        item: label(a.item),
        note: a.note ?? '',
        published: typeof a.published === 'number' ? a.published : figureText(a.published),
        release: typeof a.release === 'number' ? a.release : figureText(a.release),
        difference: a.difference ?? '',
      },
    })),
  };
}
