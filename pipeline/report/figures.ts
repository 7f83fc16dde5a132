import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { TOPICS } from '../../schemas/codes.js';
import { REGION_LABELS, type ReportData } from './aggregates.js';

/**
 * The report's figures as vega-lite specs, rendered to SVG in Node (vega's headless view, no
 * browser and no canvas). Each spec reads only the ReportData it is given.
 */

export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const FONT = 'Helvetica, Arial, sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: false, labelLimit: 260 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const label = (code: string) => code.replaceAll('_', ' ');

function base(width: number, height: number | 'container' = 260) {
  return { $schema: SCHEMA, width, height, config: CONFIG, background: 'white' } as const;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function perYear(d: ReportData): Figure {
  const values = d.perYear.flatMap((y) => [
    { year: String(y.year), kind: 'new partner', n: y.new_partner },
    { year: String(y.year), kind: 'repeat partner', n: y.repeat_partner },
  ]);
  return {
    id: 'per-year',
    title: 'Bilateral agreements per year',
    caption:
      'Bilateral agreements signed by MPS each year, split into first agreements with a partner and agreements with a partner that already had one.',
    spec: {
      ...base(Math.max(360, d.perYear.length * 30)),
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: -45 } },
        y: { field: 'n', type: 'quantitative', title: 'agreements', axis: { tickMinStep: 1 } },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { range: ['#d95f02', '#7570b3'] },
        },
        order: { field: 'kind', sort: 'ascending' },
      },
    },
  };
}

/** Drawing area of the network, in pixels and in layout units (a unit circle plus margins). */
const NET = { width: 600, height: 460, xSpan: 3.6, ySpan: 2.9, maxArea: 1800, maxStroke: 10 };

function network(d: ReportData): Figure {
  const nodes = d.topicTotals.filter((t) => t.topic !== 'generic' && t.n > 0);
  const maxN = Math.max(1, ...nodes.map((t) => t.n));
  const maxEdge = Math.max(1, ...d.cooccurrence.map((e) => e.n));
  const pxX = NET.width / NET.xSpan;
  const pxY = NET.height / NET.ySpan;
  const pos = new Map(
    nodes.map((t, i) => {
      // Clockwise from the top in the code list's order, so the layout is stable across releases.
      const angle = Math.PI / 2 - (2 * Math.PI * i) / Math.max(nodes.length, 1);
      return [t.topic, { x: Math.cos(angle), y: Math.sin(angle) }];
    }),
  );
  // Sizes are drawn unscaled (area in px², width in px) so a label can clear its node exactly.
  const nodeValues = nodes.map((t) => {
    const { x, y } = pos.get(t.topic)!;
    const area = (NET.maxArea * t.n) / maxN;
    const gap = Math.sqrt(area / Math.PI) + 5;
    const side = x > 0.3 ? 'left' : x < -0.3 ? 'right' : 'center';
    const lx = side === 'left' ? x + gap / pxX : side === 'right' ? x - gap / pxX : x;
    const ly = side === 'center' ? y + ((Math.sign(y) || 1) * (gap + 7)) / pxY : y;
    return { topic: `${label(t.topic)} (${t.n})`, n: t.n, area, x, y, lx, ly, side };
  });
  const edgeValues = d.cooccurrence
    .filter((e) => pos.has(e.a) && pos.has(e.b))
    .map((e) => ({
      pair: `${label(e.a)} + ${label(e.b)}`,
      n: e.n,
      width: 1 + ((NET.maxStroke - 1) * (e.n - 1)) / Math.max(maxEdge - 1, 1),
      x: pos.get(e.a)!.x,
      y: pos.get(e.a)!.y,
      x2: pos.get(e.b)!.x,
      y2: pos.get(e.b)!.y,
    }));
  const xy = (fx: string, fy: string) => ({
    x: {
      field: fx,
      type: 'quantitative' as const,
      axis: null,
      scale: { domain: [-NET.xSpan / 2, NET.xSpan / 2] },
    },
    y: {
      field: fy,
      type: 'quantitative' as const,
      axis: null,
      scale: { domain: [-NET.ySpan / 2, NET.ySpan / 2] },
    },
  });
  const labels = (side: string, align: 'left' | 'right' | 'center') => ({
    data: { values: nodeValues.filter((v) => v.side === side) },
    mark: { type: 'text' as const, fontSize: 12, baseline: 'middle' as const, align },
    encoding: { ...xy('lx', 'ly'), text: { field: 'topic' } },
  });
  return {
    id: 'topic-network',
    title: 'Topic co-occurrence network',
    caption: `Node area: agreements that mention the topic (largest: ${maxN}). Edge width: agreements that mention both topics (1 to ${maxEdge}).`,
    spec: {
      ...base(NET.width, NET.height),
      layer: [
        {
          data: { values: edgeValues },
          mark: { type: 'rule', color: '#8da0cb', opacity: 0.85, strokeCap: 'round' },
          encoding: {
            ...xy('x', 'y'),
            x2: { field: 'x2' },
            y2: { field: 'y2' },
            strokeWidth: { field: 'width', type: 'quantitative', scale: null },
            tooltip: [{ field: 'pair' }, { field: 'n' }],
          },
        },
        {
          data: { values: nodeValues },
          mark: { type: 'circle', color: '#1b9e77', opacity: 1, stroke: 'white', strokeWidth: 1.5 },
          encoding: {
            ...xy('x', 'y'),
            size: { field: 'area', type: 'quantitative', scale: null },
            tooltip: [{ field: 'topic' }],
          },
        },
        labels('left', 'left'),
        labels('right', 'right'),
        labels('center', 'center'),
      ],
    },
  };
}

/** Dark cells get white numbers. */
function cellText(max: number) {
  return {
    condition: { test: `datum.n > ${max / 2}`, value: 'white' },
    value: '#222',
  };
}

const TOPIC_ORDER = [...TOPICS].map(label);

function topicsOverTime(d: ReportData): Figure {
  const values = d.topicsByYear.map((x) => ({
    topic: label(x.topic),
    year: String(x.year),
    n: x.n,
  }));
  const years = d.perYear.map((y) => String(y.year));
  return {
    id: 'topics-over-time',
    title: 'Topics over time',
    caption: 'Agreements signed by MPS each year that mention each topic.',
    spec: {
      ...base(Math.max(360, years.length * 26), TOPICS.length * 22),
      data: { values },
      encoding: {
        x: {
          field: 'year',
          type: 'ordinal',
          title: null,
          scale: { domain: years },
          axis: { labelAngle: -45 },
        },
        y: { field: 'topic', type: 'nominal', title: null, scale: { domain: TOPIC_ORDER } },
      },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'n',
              type: 'quantitative',
              title: 'agreements',
              scale: { scheme: 'blues' },
              legend: { format: 'd', tickMinStep: 1 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'n', type: 'quantitative' },
            color: cellText(Math.max(1, ...values.map((v) => v.n))),
          },
        },
      ],
    },
  };
}

function hbar(
  id: string,
  title: string,
  caption: string,
  values: { category: string; n: number; share?: string }[],
  color = '#4c78a8',
): Figure {
  return {
    id,
    title,
    caption,
    spec: {
      ...base(260, Math.max(40, values.length * 22)),
      data: { values },
      encoding: {
        y: { field: 'category', type: 'nominal', title: null, sort: null },
        x: { field: 'n', type: 'quantitative', title: 'agreements', axis: { tickMinStep: 1 } },
      },
      layer: [
        { mark: { type: 'bar', color } },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
          encoding: { text: { field: values[0]?.share === undefined ? 'n' : 'share' } },
        },
      ],
    },
  };
}

function rankMatrix(d: ReportData): Figure {
  const values = d.rankMatrix.map((c) => ({
    cn: label(c.cn),
    counterpart: label(c.counterpart),
    n: c.n,
  }));
  const levels = ['ministerial', 'vice ministerial', 'other', 'unknown'];
  return {
    id: 'rank-matrix',
    title: 'Rank of the signatories on both sides',
    caption:
      'Bilateral agreements by the rank of the Chinese signatory (minister and executive vice minister are ministerial) and of the counterpart signatory.',
    spec: {
      ...base(260, 180),
      data: { values },
      encoding: {
        x: {
          field: 'counterpart',
          type: 'nominal',
          title: 'counterpart signatory',
          scale: { domain: levels },
          axis: { labelAngle: 0 },
        },
        y: { field: 'cn', type: 'nominal', title: 'Chinese signatory', scale: { domain: levels } },
      },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'n',
              type: 'quantitative',
              title: 'agreements',
              scale: { scheme: 'oranges' },
              legend: { format: 'd', tickMinStep: 1 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            text: { field: 'n', type: 'quantitative' },
            color: cellText(Math.max(1, ...values.map((v) => v.n))),
          },
        },
      ],
    },
  };
}

function partners(d: ReportData): Figure {
  const values = d.partners.map((p) => ({
    category: `${p.name} (${p.country})`,
    n: p.n,
    region: REGION_LABELS[p.region as keyof typeof REGION_LABELS] ?? p.region,
  }));
  return {
    id: 'partners',
    title: 'Partners',
    caption:
      'Bilateral agreements signed by MPS with each partner, largest first, coloured by region.',
    spec: {
      ...base(560, Math.max(40, values.length * 18)),
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'category', type: 'nominal', title: null, sort: null },
        x: { field: 'n', type: 'quantitative', title: 'agreements', axis: { tickMinStep: 1 } },
        color: {
          field: 'region',
          type: 'nominal',
          title: 'region',
          scale: { scheme: 'tableau10' },
          legend: { columns: 4 },
        },
      },
    },
  };
}

/** Every figure of the report, in the order the report shows them. */
export function buildFigures(d: ReportData): Figure[] {
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  return [
    perYear(d),
    network(d),
    topicsOverTime(d),
    partners(d),
    hbar(
      'cn-titles',
      'Chinese signatory',
      'Bilateral agreements by the title of the Chinese signatory.',
      d.cnTitles.map((t) => ({ category: label(t.title), n: t.n })),
      '#e7298a',
    ),
    rankMatrix(d),
    hbar(
      'agency-types',
      'Counterpart agency',
      'Bilateral agreements by the type of the counterpart agency.',
      d.agencyTypes.map((t) => ({ category: label(t.type), n: t.n })),
      '#66a61e',
    ),
    hbar(
      'doc-types',
      'Document types',
      'Agreements signed by MPS by document type, with each type’s share.',
      d.docTypes.map((t) => ({
        category: label(t.doc_type),
        n: t.n,
        share: `${t.n} (${pct(t.share)})`,
      })),
      '#e6ab02',
    ),
    hbar(
      'forums',
      'Multilateral agreements by forum',
      'Multilateral agreements signed by MPS, by forum.',
      d.forums.map((f) => ({ category: f.forum, n: f.n })),
      '#a6761d',
    ),
  ];
}
