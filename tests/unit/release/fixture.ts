import fs from 'node:fs';
import type { App } from '../../../pipeline/app.js';
import type { CodedAgreement } from '../../../schemas/agreement.js';
import type { ReviewStatus } from '../../../schemas/codes.js';
import { addAgreementSource, insertAgreement } from '../../../storage/agreements.js';

/**
 * The release fixture (tests/fixtures/release/records.json): 23 approved agreements F01..F23,
 * one pending (P01) and one rejected (R01). Tests state every expected aggregate with the keys
 * of the records that make it up.
 */

interface FixtureRow {
  readonly key: string;
  readonly status?: ReviewStatus;
  readonly date_signed: string;
  readonly scope: 'bilateral' | 'multilateral';
  readonly countries: string[];
  readonly forum?: string;
  readonly region: CodedAgreement['region'];
  readonly body: CodedAgreement['cn_signing_body'];
  readonly cn_title: CodedAgreement['cn_signatory']['title'];
  readonly cn_name_en: string | null;
  readonly cn_name_zh: string | null;
  readonly cp_rank: CodedAgreement['counterpart_signatory']['rank'];
  readonly agency_type: CodedAgreement['counterpart_agency_type'];
  readonly doc_type: CodedAgreement['doc_type'];
  readonly topics: CodedAgreement['topics'];
  readonly title_zh?: string;
}

export const FIXTURE_FILE = new URL('../../fixtures/release/records.json', import.meta.url);

export function fixtureRows(): FixtureRow[] {
  return (JSON.parse(fs.readFileSync(FIXTURE_FILE, 'utf8')) as { records: FixtureRow[] }).records;
}

export function fixtureRecord(row: FixtureRow): CodedAgreement {
  const ministerial =
    row.cn_title === 'minister' || row.cn_title === 'executive_vice_minister'
      ? true
      : row.cn_title === 'unknown'
        ? null
        : false;
  return {
    title_zh: row.title_zh ?? null,
    title_en: null,
    date_signed: row.date_signed,
    year: Number(row.date_signed.slice(0, 4)),
    doc_type: row.doc_type,
    doc_type_term: null,
    scope: row.scope,
    counterpart_countries: row.countries,
    forum: row.forum ?? null,
    region: row.region,
    counterpart_agency: null,
    counterpart_agency_type: row.agency_type,
    cn_signing_body: row.body,
    cn_signatory: { name_zh: row.cn_name_zh, name_en: row.cn_name_en, title: row.cn_title },
    cn_signatory_ministerial: ministerial,
    counterpart_signatory: { name: null, rank: row.cp_rank },
    topics: row.topics,
    is_renewal: false,
    // A quote with a comma, quotes and a newline keeps CSV quoting honest.
    evidence: [
      {
        field: 'doc_type',
        source_url: `https://www.mps.gov.cn/fixture/${row.key}.html`,
        quote: `签署了"${row.key}", 合作文件\n(fixture)`,
      },
    ],
    confidence: 0.9,
  };
}

/** Inserts the fixture; returns the id of each record by its key (F01 → PW-000001, ...). */
export async function seedFixture(app: App): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const row of fixtureRows()) {
    const status = row.status ?? 'approved';
    const id = await app.db.transaction().execute(async (trx) => {
      const id = await insertAgreement(trx, {
        record: fixtureRecord(row),
        status,
        reviewer: status === 'pending' ? null : 'fixture',
      });
      await addAgreementSource(trx, id, {
        candidateId: null,
        url: `https://www.mps.gov.cn/fixture/${row.key}.html`,
        source_kind: 'mps',
        published: row.date_signed,
        fetched_at: '2026-01-01T00:00:00.000Z',
        snapshot_sha256: null,
        archive_url: null,
      });
      return id;
    });
    ids.set(row.key, id);
  }
  return ids;
}

/** The id of fixture record KEY. */
export function idOf(ids: ReadonlyMap<string, string>, key: string): string {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`no fixture record ${key}`);
  return id;
}
