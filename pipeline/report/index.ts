import fs from 'node:fs/promises';
import path from 'node:path';
import type { Dataset } from '../dataset.js';
import { loadReference, type Reference } from '../reference.js';
import { computeTotals, type TotalsReport } from '../totals.js';
import { computeReportData, type ReportData, type ReportOptionsCore } from './aggregates.js';
import { buildFigures, renderSvg } from './figures.js';
import {
  type RenderedFigure,
  renderFigure,
  renderPage,
  renderTable,
  type Section,
} from './html.js';
import {
  aggregatesTable,
  cooccurrenceTable,
  documentTables,
  mpsTable,
  partnersTable,
  perYearTable,
  regionTopicsTable,
  signatoryTables,
  summaryTable,
  type Table,
  topCountriesTable,
  topicsByYearTable,
  topicTotalsTable,
} from './tables.js';

/**
 * `pactwatch report`: an HTML report with SVG figures and tables made from one release (or
 * an external file of export records) alone, plus its comparison with the published figures.
 */

export interface ReportOptions extends ReportOptionsCore {
  /** Published figures to compare with. @default the bundled reference/ folder */
  readonly reference?: Reference;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface BuiltReport {
  readonly html: string;
  readonly figures: readonly RenderedFigure[];
  readonly data: ReportData;
  readonly totals: TotalsReport;
}

const METHOD = [
  'Figures and tables count the agreements signed by the Ministry of Public Security itself (signing body `mps`); documents signed by MPS bureaus, provincial bureaus, the foreign ministry or embassies are in the release but not drawn here.',
  'A repeat partner (renewal) is a partner — a country, or a forum — that already has an agreement signed on an earlier date in the release; two documents signed on the same day are not renewals of each other.',
  'Topic counts leave out `generic` (no topic named). Top topics are ranked by count, ties in the order of the code list; the top-countries table keeps every partner tied with the last row.',
  'Taiwan (TWN) is listed as a partner but not counted as a country in the comparison with published totals.',
];

export async function buildReport(
  dataset: Dataset,
  options: ReportOptions = {},
): Promise<BuiltReport> {
  const data = computeReportData(dataset.records, options);
  const totals = computeTotals(dataset, options.reference ?? loadReference());
  const figures: RenderedFigure[] = [];
  for (const f of buildFigures(data)) figures.push({ ...f, svg: await renderSvg(f.spec) });
  const fig = (id: string, table?: Table) => {
    const f = figures.find((x) => x.id === id);
    if (f === undefined) throw new TypeError(`No figure ${id}`);
    return renderFigure(f, table);
  };
  const [cnTitles, ranks, agencies] = signatoryTables(data);
  const [docTypes, forums] = documentTables(data);
  const sections: Section[] = [
    {
      id: 'overview',
      title: 'Overview',
      body: [renderTable(summaryTable(data)), fig('per-year', perYearTable(data))],
    },
    {
      id: 'topics',
      title: 'Topics',
      body: [
        fig('topic-network', topicTotalsTable(data)),
        renderTable(cooccurrenceTable(data)),
        fig('topics-over-time', topicsByYearTable(data)),
        renderTable(regionTopicsTable(data)),
      ],
    },
    {
      id: 'partners',
      title: 'Partners',
      body: [renderTable(topCountriesTable(data)), fig('partners', partnersTable(data))],
    },
    {
      id: 'signatories',
      title: 'Signatories and agencies',
      body: [
        `<div class="grid">${fig('cn-titles', cnTitles)}${fig('rank-matrix', ranks)}</div>`,
        fig('agency-types', agencies),
      ],
    },
    {
      id: 'documents',
      title: 'Documents and forums',
      body: [`<div class="grid">${fig('doc-types', docTypes)}${fig('forums', forums)}</div>`],
    },
    {
      id: 'comparison',
      title: 'Comparison with published figures',
      intro:
        "MPS's own totals are counted under each total's rule; the aggregates of dataset v2.0 are computed over its universe. Coverage is the release's count divided by the published figure; ≈ marks an approximate figure and > a lower bound. A count such as 14 (+1?) means one more record, dated only to its year or month, may also fall under the rule.",
      body: [renderTable(mpsTable(totals)), renderTable(aggregatesTable(totals))],
    },
    {
      id: 'method',
      title: 'How the numbers are counted',
      body: METHOD.map((p) => `<p>${p.replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`),
    },
  ];
  const now = (options.now ?? (() => new Date()))();
  const html = renderPage({
    title: `pactwatch ${dataset.kind === 'release' ? `release ${dataset.label}` : dataset.label}`,
    meta: `${data.records} agreements (${data.core} signed by MPS) · generated ${now.toISOString().slice(0, 10)} from ${dataset.kind === 'release' ? `releases/${dataset.label}/agreements.json` : dataset.label}`,
    sections,
    footer: Object.entries(totals.citations).map(([k, v]) => `${k}: ${v}`),
  });
  return { html, figures, data, totals };
}

export interface WrittenReport {
  readonly dir: string;
  readonly index: string;
  readonly files: readonly string[];
}

/** Writes index.html, figures/ID.svg and report-data.json into DIR. */
export async function writeReport(
  dataset: Dataset,
  dir: string,
  options: ReportOptions = {},
): Promise<WrittenReport> {
  const report = await buildReport(dataset, options);
  await fs.mkdir(path.join(dir, 'figures'), { recursive: true });
  const files: string[] = [];
  const write = async (name: string, body: string) => {
    await fs.writeFile(path.join(dir, name), body);
    files.push(name);
  };
  await write('index.html', report.html);
  for (const f of report.figures) await write(path.join('figures', `${f.id}.svg`), f.svg);
  await write(
    'report-data.json',
    `${JSON.stringify({ release: dataset.label, data: report.data, totals: report.totals }, null, 2)}\n`,
  );
  return { dir, index: path.join(dir, 'index.html'), files };
}
