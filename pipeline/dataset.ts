import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../core/errors.js';
import { Agreement } from '../schemas/agreement.js';
import { CSV_COLUMNS, toCsvRow } from './records.js';

/**
 * A set of export records to compare, count or draw: a release, or an external CSV/JSON file
 * (e.g. the hand-built version 2.0, which pactwatch did not make). `fields` names the flat
 * fields the source actually carries, so a diff compares only what both sides know.
 */
export interface Dataset {
  /** What the user called it: a version or a file name. */
  readonly label: string;
  readonly kind: 'release' | 'csv' | 'json';
  readonly records: readonly Agreement[];
  readonly fields: ReadonlySet<string>;
}

/** Flat fields of a record: the CSV columns, plus `sources` (as JSON) for JSON sources. */
export function flatRecord(record: Agreement): Record<string, string> {
  return { ...toCsvRow(record), sources: JSON.stringify(record.sources) };
}

const JSON_FIELDS = new Set<string>([...CSV_COLUMNS, 'sources']);

const nullIfEmpty = (v: string | undefined) => (v === undefined || v === '' ? null : v);
const list = (v: string | undefined) =>
  v === undefined || v === '' ? [] : v.split(';').map((s) => s.trim());

function bool(v: string | undefined, where: string): boolean | null {
  if (v === undefined || v === '') return null;
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new UserError(`${where}: expected true or false, got \`${v}\``);
}

/** One CSV row (columns of CSV_COLUMNS, any subset with `id`) back into an export record. */
function fromCsvRow(row: Record<string, string>, where: string): unknown {
  const date = nullIfEmpty(row['date_signed']);
  const year = nullIfEmpty(row['year']);
  let evidence: unknown = [];
  if (nullIfEmpty(row['evidence']) !== null) {
    try {
      evidence = JSON.parse(row['evidence'] ?? '[]');
    } catch {
      throw new UserError(`${where}: column evidence is not a JSON array`);
    }
  }
  const forum = nullIfEmpty(row['forum']);
  return {
    id: row['id'],
    title_zh: nullIfEmpty(row['title_zh']),
    title_en: nullIfEmpty(row['title_en']),
    date_signed: date,
    year: year === null ? (date === null ? null : Number(date.slice(0, 4))) : Number(year),
    doc_type: nullIfEmpty(row['doc_type']) ?? 'unspecified',
    doc_type_term: nullIfEmpty(row['doc_type_term']),
    scope: nullIfEmpty(row['scope']) ?? (forum === null ? 'bilateral' : 'multilateral'),
    counterpart_countries: list(row['counterpart_countries']),
    forum,
    region: nullIfEmpty(row['region']),
    counterpart_agency: nullIfEmpty(row['counterpart_agency']),
    counterpart_agency_type: nullIfEmpty(row['counterpart_agency_type']) ?? 'unknown',
    cn_signing_body: nullIfEmpty(row['cn_signing_body']) ?? 'mps',
    cn_signatory: {
      name_zh: nullIfEmpty(row['cn_signatory_name_zh']),
      name_en: nullIfEmpty(row['cn_signatory_name_en']),
      title: nullIfEmpty(row['cn_signatory_title']) ?? 'unknown',
    },
    cn_signatory_ministerial: bool(
      row['cn_signatory_ministerial'],
      `${where}, column cn_signatory_ministerial`,
    ),
    counterpart_signatory: {
      name: nullIfEmpty(row['counterpart_signatory_name']),
      rank: nullIfEmpty(row['counterpart_signatory_rank']) ?? 'unknown',
    },
    topics: list(row['topics']).length === 0 ? ['generic'] : list(row['topics']),
    is_renewal: bool(row['is_renewal'], `${where}, column is_renewal`) ?? false,
    evidence,
    confidence: nullIfEmpty(row['confidence']) === null ? 1 : Number(row['confidence']),
    sources: list(row['source_urls']).map((url) => ({
      url,
      source_kind: 'news',
      published: null,
      fetched_at: null,
      snapshot_sha256: null,
      archive_url: null,
    })),
    review: {
      status: nullIfEmpty(row['review_status']) ?? 'approved',
      reviewer: nullIfEmpty(row['review_reviewer']),
      reviewed_at: nullIfEmpty(row['review_reviewed_at']),
      note: nullIfEmpty(row['review_note']),
    },
  };
}

/** Fills what a hand-made JSON record may leave out, then validates it. */
function withDefaults(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = raw as Record<string, unknown>;
  return {
    evidence: [],
    sources: [],
    confidence: 1,
    is_renewal: false,
    review: { status: 'approved', reviewer: null, reviewed_at: null, note: null },
    ...r,
  };
}

function validated(raw: unknown, where: string): Agreement {
  const parsed = Agreement.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'record';
  throw new UserError(`${where}: ${field}: ${issue?.message ?? 'invalid'}`);
}

function uniqueIds(records: readonly Agreement[], label: string): void {
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) throw new UserError(`${label}: id ${r.id} appears twice`);
    seen.add(r.id);
  }
}

export function parseCsvDataset(body: string, label: string): Dataset {
  let rows: Record<string, string>[];
  let header: string[] = [];
  try {
    rows = parse(body, {
      bom: true,
      columns: (h: string[]) => {
        header = h.map((c) => c.trim());
        return header;
      },
      skip_empty_lines: true,
    }) as Record<string, string>[];
  } catch (error) {
    throw new UserError(`${label}: not a readable CSV file (${(error as Error).message})`);
  }
  if (!header.includes('id')) throw new UserError(`${label}: the CSV needs an \`id\` column`);
  const known = new Set<string>(CSV_COLUMNS);
  const unknown = header.filter((c) => !known.has(c));
  if (unknown.length > 0)
    throw new UserError(
      `${label}: unknown column ${unknown[0]}; columns are those of \`pactwatch export --format csv\``,
    );
  const records = rows.map((row, i) =>
    validated(fromCsvRow(row, `${label} row ${i + 1}`), `${label} row ${i + 1}`),
  );
  uniqueIds(records, label);
  return { label, kind: 'csv', records, fields: new Set(header) };
}

export function parseJsonDataset(body: string, label: string): Dataset {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new UserError(`${label}: not valid JSON`);
  }
  if (!Array.isArray(data))
    throw new UserError(`${label}: expected a JSON array of export records`);
  const records = data.map((raw, i) => validated(withDefaults(raw), `${label} record ${i + 1}`));
  uniqueIds(records, label);
  return { label, kind: 'json', records, fields: JSON_FIELDS };
}

/** Reads an external CSV or JSON file of export records (by extension, else by content). */
export async function readDatasetFile(file: string): Promise<Dataset> {
  let body: string;
  try {
    body = await fs.readFile(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}`);
  }
  const label = path.basename(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json' || (ext !== '.csv' && /^\s*\[/.test(body)))
    return parseJsonDataset(body, label);
  return parseCsvDataset(body, label);
}

export function releaseDataset(version: string, records: readonly Agreement[]): Dataset {
  return { label: version, kind: 'release', records, fields: JSON_FIELDS };
}
