import fs from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseDataset } from '../../../pipeline/dataset.js';
import { cutRelease, readRelease } from '../../../pipeline/release.js';
import { computeReportData } from '../../../pipeline/report/aggregates.js';
import { type BuiltReport, buildReport, writeReport } from '../../../pipeline/report/index.js';
import { tempApp } from '../../helpers/temp.js';
import { seedFixture } from './fixture.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

let app: TempApp;
let report: BuiltReport;
let $: cheerio.CheerioAPI;

beforeAll(async () => {
  app = await tempApp();
  await seedFixture(app);
  await cutRelease(app, '1.0.0');
  report = await buildReport(await readRelease(app, '1.0.0'));
  $ = cheerio.load(report.html);
});
afterAll(async () => {
  await app.cleanup();
});

/** Rows of a report table as { key: { column: text } }. */
function table(id: string): Record<string, Record<string, string>> {
  const rows: Record<string, Record<string, string>> = {};
  $(`#table-${id} tbody tr[data-key]`).each((_, tr) => {
    const cells: Record<string, string> = {};
    $(tr)
      .find('td')
      .each((_, td) => {
        cells[$(td).attr('data-col') ?? '?'] = $(td).text();
      });
    rows[$(tr).attr('data-key') ?? '?'] = cells;
  });
  return rows;
}

const column = (id: string, col: string) =>
  Object.fromEntries(Object.entries(table(id)).map(([k, v]) => [k, v[col]]));

describe('report tables', () => {
  it('summarises the release', () => {
    expect(column('summary', 'n')).toEqual({
      records: '23',
      core: '22',
      bilateral: '18',
      multilateral: '4',
      other_bodies: '1',
      years: '2002–2026',
    });
  });

  it('counts bilateral agreements per year, new partners and repeat partners', () => {
    const rows = table('per-year');
    expect(Object.keys(rows)).toHaveLength(25);
    const nonzero = Object.entries(rows)
      .filter(([, r]) => r['total'] !== '0')
      .map(([year, r]) => [year, Number(r['new_partner']), Number(r['repeat_partner'])]);
    expect(nonzero).toEqual([
      ['2002', 1, 0], // F01
      ['2006', 2, 0], // F02 F03
      ['2008', 1, 1], // F05 new; F04 (VNM again)
      ['2010', 0, 1], // F07 (RUS again)
      ['2012', 0, 1], // F09 (MMR, after F23)
      ['2015', 0, 1], // F22 (USA again)
      ['2016', 0, 2], // F10 F11
      ['2017', 1, 1], // F12 (TWN) new; F13 (LAO, after F23)
      ['2019', 1, 0], // F15
      ['2020', 1, 0], // F16
      ['2022', 1, 0], // F17
      ['2023', 0, 2], // F18 F19
      ['2026', 1, 0], // F21
    ]);
  });

  it('gives node sizes and edge widths of the topic network', () => {
    expect(column('topic-totals', 'n')).toEqual({
      social_stability: '0',
      transnational_crime: '4',
      counterdrug: '7',
      telecom_fraud: '3',
      counterterrorism: '4',
      overseas_interests: '2',
      capacity_building: '3',
      event_security: '0',
      cybercrime: '0',
      financial_crime_gambling: '2',
      human_trafficking: '2',
      immigration_border: '4',
      generic: '2',
    });
    expect(column('cooccurrence', 'n')).toEqual({
      'transnational_crime+counterterrorism': '2', // F10 F16
      'counterdrug+counterterrorism': '1', // F06
      'counterdrug+human_trafficking': '1', // F09
      'counterdrug+immigration_border': '1', // F02
      'counterdrug+overseas_interests': '1', // F23
      'financial_crime_gambling+human_trafficking': '1', // F20
      'telecom_fraud+capacity_building': '1', // F14
      'telecom_fraud+counterterrorism': '1', // F10
      'telecom_fraud+immigration_border': '1', // F18
      'transnational_crime+counterdrug': '1', // F03
      'transnational_crime+telecom_fraud': '1', // F10
    });
  });

  it('counts topics by year and ranks the top three topics by region', () => {
    const byYear = table('topics-by-year');
    const nonzero = Object.fromEntries(
      Object.entries(byYear).map(([topic, cells]) => [
        topic,
        Object.entries(cells)
          .filter(([col, v]) => col !== 'topic' && v !== '0')
          .map(([year, v]) => `${year}:${v}`)
          .join(' '),
      ]),
    );
    expect(nonzero).toEqual({
      social_stability: '',
      transnational_crime: '2006:1 2016:1 2017:1 2020:1', // F03 F10 F13 F16
      counterdrug: '2002:1 2006:2 2009:1 2010:1 2011:1 2012:1', // F01 F02+F03 F06 F07 F23 F09
      telecom_fraud: '2016:1 2018:1 2023:1', // F10 F14 F18
      counterterrorism: '2009:1 2016:1 2019:1 2020:1', // F06 F10 F15 F16
      overseas_interests: '2011:1 2022:1', // F23 F17
      capacity_building: '2008:1 2018:1 2026:1', // F05 F14 F21
      event_security: '',
      cybercrime: '',
      financial_crime_gambling: '2017:1 2024:1', // F12 F20
      human_trafficking: '2012:1 2024:1', // F09 F20
      immigration_border: '2006:1 2008:1 2016:1 2023:1', // F02 F04 F11 F18
    });
    // A column per year from 2002 to 2026, and the topic.
    expect(Object.keys(byYear['counterdrug'] ?? {})).toHaveLength(26);
    const regions = table('region-topics');
    expect(Object.keys(regions)).toEqual([
      'southeast_asia',
      'east_asia',
      'central_asia',
      'eastern_europe_caucasus',
      'europe',
      'middle_east_north_africa',
      'sub_saharan_africa',
      'north_america',
    ]);
    expect(regions['southeast_asia']).toEqual({
      region: 'Southeast Asia',
      agreements: '9',
      first: 'transnational crime (3)',
      second: 'counterdrug (3)',
      third: 'immigration border (3)',
    });
    expect(regions['central_asia']).toMatchObject({
      first: 'transnational crime (1)',
      second: 'counterterrorism (1)',
      third: '—',
    });
    expect(regions['north_america']).toMatchObject({ agreements: '2', first: 'counterdrug (1)' });
  });

  it('lists the top partners with their years and topics of focus (Table 1)', () => {
    const top = table('top-countries');
    // Ten rows, and TWN tied with the tenth.
    expect(Object.keys(top)).toEqual([
      'VNM',
      'KAZ',
      'RUS',
      'USA',
      'EGY',
      'HUN',
      'KHM',
      'LAO',
      'MMR',
      'RWA',
      'TWN',
    ]);
    expect(top['VNM']).toEqual({
      country: 'Vietnam (VNM)',
      total: '5',
      years: '2006, 2008, 2016 (2), 2023',
      topics: 'immigration border (3), transnational crime (2), telecom fraud (2)',
    });
    expect(top['KAZ']).toMatchObject({
      years: '2020, 2023',
      topics: 'transnational crime (1), counterterrorism (1)',
    });
    expect(top['RUS']).toMatchObject({
      total: '2',
      years: '2002, 2010',
      topics: 'counterdrug (2)',
    });
    expect(top['TWN']).toMatchObject({ country: 'Taiwan (TWN)', total: '1' });
    expect(column('partners', 'n')).toEqual({
      VNM: '5',
      KAZ: '2',
      RUS: '2',
      USA: '2',
      EGY: '1',
      HUN: '1',
      KHM: '1',
      LAO: '1',
      MMR: '1',
      RWA: '1',
      TWN: '1',
    });
    expect(column('partners', 'region')).toMatchObject({
      VNM: 'Southeast Asia',
      RWA: 'Sub-Saharan Africa',
    });
  });

  it('counts signatories, ranks and agencies of bilateral agreements', () => {
    expect(column('cn-titles', 'n')).toEqual({
      minister: '13',
      vice_minister: '3',
      executive_vice_minister: '1',
      unknown: '1',
    });
    expect(column('rank-matrix', 'n')).toEqual({
      'ministerial+ministerial': '13',
      'ministerial+vice_ministerial': '1', // F19
      'vice_ministerial+vice_ministerial': '3', // F02 F09 F12
      'unknown+unknown': '1', // F22
    });
    expect(column('agency-types', 'n')).toEqual({
      interior: '8',
      public_security: '6',
      national_police: '1',
      criminal_investigation: '1',
      homeland_security: '1',
      unknown: '1',
    });
  });

  it('gives document-type shares and multilateral forums', () => {
    const docs = table('doc-types');
    expect(Object.values(docs).reduce((n, r) => n + Number(r['n']), 0)).toBe(22);
    expect(docs['mou']).toMatchObject({ n: '4', share: '18.2%' });
    expect(docs['meeting_minutes']).toMatchObject({ n: '4', share: '18.2%' });
    expect(docs['protocol']).toMatchObject({ n: '3', share: '13.6%' });
    expect(docs['accord']).toMatchObject({ n: '2', share: '9.1%' });
    expect(docs['joint_statement']).toMatchObject({ n: '1', share: '4.5%' });
    expect(column('forums', 'n')).toEqual({
      '(countries, no forum)': '1',
      ASEAN: '1',
      LMLECC: '1',
      SCO: '1',
    });
  });

  it('compares with the published figures', () => {
    expect(column('mps-totals', 'count')).toEqual({
      'mps-2003-cumulative': '1',
      'mps-2008-cumulative': '4',
      'mps-2008-2018-annual-sum': '12',
      'mps-2017-cumulative': '14 (+1?)',
      'mps-2022-cumulative': '19',
      'mps-2023-cumulative': '20',
    });
    expect(column('mps-totals', 'coverage')['mps-2008-cumulative']).toBe('2.8%');
    const v2 = table('v2-aggregates');
    expect(v2['totals/agreements']).toMatchObject({
      published: '205',
      release: '20',
      difference: '-185',
    });
    expect(v2['top_countries_bilateral/VNM total']).toMatchObject({
      published: '28',
      release: '5',
    });
  });
});

describe('report figures', () => {
  it('renders every figure to an SVG with a size, without a browser', () => {
    expect(report.figures.map((f) => f.id)).toEqual([
      'per-year',
      'topic-network',
      'topics-over-time',
      'partners',
      'cn-titles',
      'rank-matrix',
      'agency-types',
      'doc-types',
      'forums',
    ]);
    for (const f of report.figures) {
      const svg = cheerio.load(f.svg, { xml: true })('svg');
      expect(Number(svg.attr('width')), f.id).toBeGreaterThan(100);
      expect(Number(svg.attr('height')), f.id).toBeGreaterThan(40);
      expect($(`#figure-${f.id} svg`).length, f.id).toBe(1);
    }
    // One circle per topic named in the release (12 less social stability, event security and
    // cybercrime), one line per pair of topics named together.
    const network = cheerio.load(report.figures[1]!.svg, { xml: true });
    expect(network('g.mark-symbol.role-mark path').length).toBe(9);
    expect(network('g.mark-rule.role-mark line').length).toBe(11);
    const perYear = cheerio.load(report.figures[0]!.svg, { xml: true });
    expect(perYear('g.mark-rect.role-mark path').length).toBeGreaterThan(0);
  });

  it('escapes values from the data in the page and the figures', async () => {
    const d = await readRelease(app, '1.0.0');
    const hostile = d.records.map((r) =>
      r.forum === 'SCO' ? { ...r, forum: '<img src=x onerror=alert(1)>' } : r,
    );
    const built = await buildReport(releaseDataset('x<script>', hostile));
    expect(built.html).not.toContain('<img src=x');
    expect(built.html).not.toContain('<script>');
    expect(built.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(computeReportData(hostile).forums.map((f) => f.forum)).toContain(
      '<img src=x onerror=alert(1)>',
    );
  });

  it('writes the page, one SVG per figure and the numbers behind them', async () => {
    const out = path.join(app.dir, 'report');
    const written = await writeReport(await readRelease(app, '1.0.0'), out);
    expect(fs.readdirSync(path.join(out, 'figures')).sort()).toEqual(
      report.figures.map((f) => `${f.id}.svg`).sort(),
    );
    const data = JSON.parse(fs.readFileSync(path.join(out, 'report-data.json'), 'utf8'));
    expect(data.data.core).toBe(22);
    expect(fs.readFileSync(written.index, 'utf8')).toContain('<h1>pactwatch release 1.0.0</h1>');
  });
});
