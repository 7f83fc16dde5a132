import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference, type Reference } from '../../../pipeline/reference.js';
import { cutRelease, readRelease } from '../../../pipeline/release.js';
import { computeTotals, type TotalsReport } from '../../../pipeline/totals.js';
import { formatTotals } from '../../../pipeline/totals-format.js';
import { tempApp } from '../../helpers/temp.js';
import { seedFixture } from './fixture.js';

type TempApp = Awaited<ReturnType<typeof tempApp>>;

let app: TempApp;
let reference: Reference;
let t: TotalsReport;

beforeAll(async () => {
  app = await tempApp();
  await seedFixture(app);
  await cutRelease(app, '1.0.0');
  reference = loadReference();
  t = computeTotals(await readRelease(app, '1.0.0'), reference);
});
afterAll(async () => {
  await app.cleanup();
});

/** [release figure, published figure] of one v2.0 aggregate. */
function fig(section: string, item: string) {
  const row = t.aggregates.find((a) => a.section === section && a.item === item);
  if (row === undefined) throw new Error(`no row ${section} / ${item}`);
  return [row.release, row.published];
}

describe("MPS's own totals", () => {
  it('keeps the project copy of the published totals with a source for each', () => {
    expect(reference.mps.map((m) => [m.id, m.as_of, m.agreements, m.rule, m.bound])).toEqual([
      ['mps-2003-cumulative', '2003-03-28', 70, 'cumulative', 'exact'],
      ['mps-2008-cumulative', '2008-12-12', 141, 'cumulative', 'exact'],
      ['mps-2008-2018-annual-sum', '2018-12-31', 126, 'period', 'exact'],
      ['mps-2017-cumulative', '2017-03', 400, 'cumulative', 'approximate'],
      ['mps-2022-cumulative', '2022-06', 400, 'cumulative', 'lower_bound'],
      ['mps-2023-cumulative', '2023-09-21', 400, 'cumulative', 'lower_bound'],
    ]);
    expect(reference.mps.every((m) => m.source.length > 10)).toBe(true);
  });

  it('counts the release under each total’s own rule, with gap and coverage', () => {
    const rows = t.mps.map((m) => [m.id, m.count, m.uncertain, m.gap, m.countries]);
    expect(rows).toEqual([
      // MPS-signed by 2003-03-28: F01.
      ['mps-2003-cumulative', 1, 0, 69, 1],
      // MPS-signed by 2008-12-12: F01 F02 F03 F04 (F05 is 2008-12-20); RUS USA VNM.
      ['mps-2008-cumulative', 4, 0, 137, 3],
      // MPS-signed 2008–2018: F04 F05 F06 F07 F23 F09 F22 F10 F11 F12 F13 F14 (F08 is a bureau's);
      // VNM KHM RUS LAO MMR THA USA.
      ['mps-2008-2018-annual-sum', 12, 0, 114, 7],
      // Any body by 2017-03: F01–F12, F22, F23; F13 (2017) may or may not be; TWN is not a country.
      ['mps-2017-cumulative', 14, 1, 386, 7],
      // Any body by 2022-06: the 14, F13, F14, F15, F16, F17.
      ['mps-2022-cumulative', 19, 0, 381, 10],
      // Any body by 2023-09-21: the 19 and F18 (F19 is 2023-10-05).
      ['mps-2023-cumulative', 20, 0, 380, 10],
    ]);
    expect(t.mps.map((m) => Math.round(m.coverage * 10_000) / 100)).toEqual([
      1.43, 2.84, 9.52, 3.5, 4.75, 5,
    ]);
    expect(t.mps[1]?.countries_published).toBe(51);
  });
});

describe('published aggregates of v2.0', () => {
  it('computes over the v2.0 universe: MPS-signed, 2006–2025', () => {
    // 22 MPS-signed records minus F01 (2002) and F21 (2026).
    expect(t.universe).toEqual({ period: [2006, 2025], agreements: 20 });
    expect(t.records).toBe(23);
    expect(t.core).toBe(22);
  });

  it('matches each total', () => {
    expect(fig('totals', 'agreements')).toEqual([20, 205]);
    expect(fig('totals', 'bilateral')).toEqual([16, 170]);
    expect(fig('totals', 'multilateral')).toEqual([4, 35]);
    // USA VNM KHM RUS MMR LAO EGY KAZ HUN THA; Taiwan reported apart.
    expect(fig('totals', 'countries_any')).toEqual([10, 74]);
    expect(fig('totals', 'plus_taiwan')).toEqual([true, true]);
    expect(fig('totals', 'countries_bilateral')).toEqual([9, 61]);
    expect(fig('totals', 'broader_set_incl_mfa_provincial_bureau_embassy')).toEqual([21, 219]);
    const diff = t.aggregates.find((a) => a.item === 'agreements');
    expect(diff?.difference).toBe(-185);
  });

  it('matches forums, years, titles and ministers', () => {
    expect(fig('multilateral_by_forum', 'SCO')).toEqual([1, 24]);
    expect(fig('multilateral_by_forum', 'ASEAN')).toEqual([1, 4]);
    expect(fig('multilateral_by_forum', 'LMLECC')).toEqual([1, 4]);
    expect(fig('multilateral_by_forum', 'EU')).toEqual([0, 2]);
    expect(fig('bilateral_by_year_known', '2006')).toEqual([2, 11]);
    expect(fig('bilateral_by_year_known', '2010_peak_all_agreements')).toEqual([1, 23]);
    expect(fig('cn_signatory_title_bilateral', 'minister')).toEqual([11, 107]);
    expect(fig('cn_signatory_title_bilateral', 'vice_minister')).toEqual([3, 37]);
    expect(fig('cn_signatory_title_bilateral', 'executive_vice_minister')).toEqual([1, 6]);
    expect(fig('cn_signatory_title_bilateral', 'ministerial_level_total')).toEqual([12, 113]);
    expect(fig('cn_signatory_title_bilateral', 'unknown')).toEqual([1, 11]);
    expect(fig('ministers_bilateral_signed', 'Meng Jianzhu')).toEqual([3, 42]);
    expect(fig('ministers_bilateral_signed', 'Guo Shengkun')).toEqual([3, 28]);
    expect(fig('ministers_bilateral_signed', 'Zhao Kezhi')).toEqual([1, 11]);
    expect(fig('ministers_bilateral_signed', 'Wang Xiaohong (as minister, to end 2025)')).toEqual([
      3, 21,
    ]);
    expect(
      fig('ministers_bilateral_signed', 'Wang Xiaohong (as executive vice minister 2018-2022)'),
    ).toEqual([1, 5]);
  });

  it('matches counterpart agencies and ranks', () => {
    const agency = (k: string) => fig('counterpart_agency_type_bilateral', k)[0];
    expect(agency('interior_internal_home_affairs')).toBe(7);
    expect(agency('public_security')).toBe(6);
    expect(agency('state_security')).toBe(0);
    expect(agency('national_police')).toBe(0);
    expect(agency('immigration_border_cid_ct_narcotics_bureaus')).toBe(1);
    const rank = (k: string) => fig('counterpart_rank_bilateral', k)[0];
    expect(rank('ministerial')).toBe(11);
    expect(rank('vice_ministerial')).toBe(4);
    expect(rank('both_sides_ministerial')).toBe(11);
    expect(rank('both_sides_vice_ministerial')).toBe(3);
    expect(rank('prc_vice_minister_with_ministerial_counterpart')).toBe(0);
    expect(rank('prc_ministerial_with_vice_ministerial_counterpart')).toBe(1);
  });

  it('matches topics and regions', () => {
    const n = (section: string, k: string) => fig(section, k)[0];
    expect(n('topic_count_bilateral', 'multi_topic')).toBe(6);
    expect(n('topic_count_bilateral', 'single_topic')).toBe(8);
    expect(n('topic_count_bilateral', 'generic')).toBe(2);
    expect(n('topics_bilateral', 'transnational_crime')).toBe(4);
    expect(n('topics_bilateral', 'counterdrug')).toBe(4);
    expect(n('topics_bilateral', 'counterterrorism')).toBe(3);
    expect(n('topics_bilateral', 'capacity_building')).toBe(1);
    expect(n('topics_bilateral', 'immigration_border')).toBe(4);
    expect(n('topics_bilateral', 'overseas_interests')).toBe(1);
    expect(n('topics_with_other_topics_bilateral', 'transnational_crime')).toBe(3);
    expect(n('topics_with_other_topics_bilateral', 'counterdrug')).toBe(3);
    expect(n('topics_with_other_topics_bilateral', 'counterterrorism')).toBe(2);
    expect(n('topics_with_other_topics_bilateral', 'capacity_building')).toBe(0);
    expect(n('regions_bilateral', 'Southeast Asia')).toBe(8);
    expect(n('regions_bilateral', 'Eastern Europe and Caucasus')).toBe(1);
    expect(n('regions_bilateral', 'Europe')).toBe(1);
    expect(n('regions_bilateral', 'East Asia')).toBe(1);
    expect(n('regions_bilateral', 'Central Asia')).toBe(2);
  });

  it('matches the top countries by year and topic', () => {
    const n = (k: string) => fig('top_countries_bilateral', k);
    expect(n('VNM total')).toEqual([5, 28]);
    // Years the release has but v2.0 does not list count as published 0.
    expect(n('VNM 2006')).toEqual([1, 0]);
    expect(n('VNM 2008')).toEqual([1, 2]);
    expect(n('VNM 2016')).toEqual([2, 8]);
    expect(n('VNM 2023')).toEqual([1, 5]);
    expect(n('VNM 2024')).toEqual([0, 1]);
    expect(n('VNM immigration_border')).toEqual([3, 11]);
    expect(n('VNM telecom_fraud')).toEqual([2, 7]);
    expect(n('KHM total')).toEqual([1, 11]);
    expect(n('MMR total')).toEqual([1, 10]);
    expect(n('MMR 2012')).toEqual([1, 0]);
    expect(n('RUS total')).toEqual([1, 10]);
    expect(n('USA total')).toEqual([2, 8]);
    expect(n('USA 2015')).toEqual([1, 0]);
    expect(n('LAO total')).toEqual([1, 6]);
    expect(n('MNG total')).toEqual([0, 6]);
    expect(t.aggregates.some((a) => a.item === 'LAO 2017')).toBe(false);
  });

  it('matches partners since the Global Security Initiative, document shares and forums’ topics', () => {
    const gsi = t.aggregates.filter((a) => a.section === 'since_gsi_april_2022');
    expect(gsi.map((a) => [a.item, a.release, a.published, a.note])).toEqual([
      [
        'new_partners (count)',
        1,
        5,
        'in both: HUN; only published: BDI, GRC, MEX, RWA; only release: —',
      ],
      [
        'repeat_partners (count)',
        2,
        13,
        'in both: KAZ, VNM; only published: BLR, KHM, EGY, IDN, IRN, LAO, MYS, MMR, KOR, TJK, UZB; only release: —',
      ],
    ]);
    // 7 protocols/accords/MOUs, 4 minutes, 9 others of 20.
    expect(fig('doc_type_shares', 'protocol_accord_mou')).toEqual(['35%', '≈ 50%']);
    expect(fig('doc_type_shares', 'meeting_minutes')).toEqual(['20%', '> 25%']);
    expect(fig('doc_type_shares', 'other')).toEqual(['45%', '< 20%']);
    expect(fig('multilateral_topics', 'SCO counterterrorism')).toEqual([1, 17]);
    expect(fig('multilateral_topics', 'SCO agreements')).toEqual([1, 24]);
    expect(fig('multilateral_topics', 'LMLECC cybercrime')).toEqual([0, 2]);
    expect(fig('multilateral_topics', 'ASEAN human_trafficking')).toEqual([1, 2]);
    expect(fig('coverage_check', '2008–2018 dataset v2.0 vs release')).toEqual([12, 122]);
  });

  it('shows a published figure it has no rule for, instead of dropping it', () => {
    const extended: Reference = {
      ...reference,
      aggregates: { ...reference.aggregates, by_province: { Yunnan: 3 }, totals: { treaties: 9 } },
    };
    const x = computeTotals(
      { ...t, label: 'x', kind: 'json', records: [], fields: new Set() },
      extended,
    );
    expect(x.aggregates.find((a) => a.section === 'by_province')).toMatchObject({
      release: null,
      note: 'no counting rule for this section',
    });
    expect(x.aggregates.find((a) => a.item === 'treaties')).toMatchObject({
      published: 9,
      release: null,
      note: 'no counting rule for this figure',
    });
  });

  it('prints text, Markdown and JSON', () => {
    const text = formatTotals(t, 'text');
    expect(text).toContain('release 1.0.0: 23 agreements, 22 signed by MPS itself');
    expect(text).toMatch(
      /2017-03\s+signed by 2017-03, by any Chinese body\s+≈400\s+14 \(\+1\?\)\s+386\s+3\.5%\s+60 \/ 7/,
    );
    expect(text).toMatch(/\n {2}totals\n {4}agreements\s+205\s+20\s+-185\n/);
    const md = formatTotals(t, 'md');
    expect(md).toContain('| totals | agreements | 205 | 20 | -185 |  |');
    expect(JSON.parse(formatTotals(t, 'json')).mps[0].count).toBe(1);
  });
});
