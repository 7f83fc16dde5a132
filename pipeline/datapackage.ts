import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import {
  Agreement,
  AgreementSource,
  CnSignatory,
  CounterpartSignatory,
  Review,
} from '../schemas/agreement.js';
import { sha256Hex } from '../storage/snapshot-store.js';
import { CSV_COLUMNS } from './records.js';

/**
 * The Frictionless Data Package of a release. Every Table Schema field is derived from the zod
 * schema (type, required, enumerations, patterns, ranges, description), so the package, the
 * codebook and the validator can never disagree with what the pipeline writes.
 */

export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Table Schema (v1) field types used here; `array` cells hold JSON arrays. */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export interface FieldConstraints {
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly enum?: readonly string[];
  /** XML-Schema-style pattern: implicitly anchored, no `^`/`$`. */
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
}

export interface TableField {
  readonly name: string;
  readonly type: FieldType;
  readonly description?: string;
  readonly trueValues?: readonly string[];
  readonly falseValues?: readonly string[];
  readonly constraints?: FieldConstraints;
}

export interface TableSchema {
  readonly fields: readonly TableField[];
  readonly missingValues: readonly string[];
  readonly primaryKey?: string | readonly string[];
  readonly foreignKeys?: readonly {
    readonly fields: string | readonly string[];
    readonly reference: { readonly resource: string; readonly fields: string | readonly string[] };
  }[];
}

export interface DataResource {
  readonly name: string;
  readonly path: string;
  readonly profile: 'tabular-data-resource' | 'data-resource';
  readonly format: 'csv' | 'json';
  readonly mediatype: string;
  readonly encoding: 'utf-8';
  readonly bytes: number;
  readonly hash: string;
  readonly description: string;
  readonly schema?: TableSchema;
  readonly jsonSchema?: Record<string, unknown>;
  readonly dialect?: Record<string, unknown>;
}

export interface DataPackage {
  readonly profile: 'tabular-data-package';
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly created: string;
  readonly keywords: readonly string[];
  readonly resources: readonly DataResource[];
  readonly pactwatch: {
    readonly schema_fingerprint: string;
    readonly previous_version: string | null;
    readonly bump: string | null;
    readonly version_rule: string;
    readonly records: number;
  };
}

/** How one CSV column is made from the record: a value, a `;`-joined list, or a JSON cell. */
interface ColumnSpec {
  readonly schema: z.ZodType;
  readonly kind?: 'value' | 'list' | 'json';
  readonly description?: string;
}

const A = Agreement.shape;

export const AGREEMENT_COLUMN_SPECS: Readonly<Record<CsvColumn, ColumnSpec>> = {
  id: { schema: A.id },
  title_zh: { schema: A.title_zh },
  title_en: { schema: A.title_en },
  date_signed: { schema: A.date_signed },
  year: { schema: A.year },
  doc_type: { schema: A.doc_type },
  doc_type_term: { schema: A.doc_type_term },
  scope: { schema: A.scope },
  counterpart_countries: { schema: A.counterpart_countries, kind: 'list' },
  forum: { schema: A.forum },
  region: { schema: A.region },
  counterpart_agency: { schema: A.counterpart_agency },
  counterpart_agency_type: { schema: A.counterpart_agency_type },
  cn_signing_body: { schema: A.cn_signing_body },
  cn_signatory_name_zh: { schema: CnSignatory.shape.name_zh },
  cn_signatory_name_en: { schema: CnSignatory.shape.name_en },
  cn_signatory_title: { schema: CnSignatory.shape.title },
  cn_signatory_ministerial: { schema: A.cn_signatory_ministerial },
  counterpart_signatory_name: { schema: CounterpartSignatory.shape.name },
  counterpart_signatory_rank: { schema: CounterpartSignatory.shape.rank },
  topics: { schema: A.topics, kind: 'list' },
  is_renewal: { schema: A.is_renewal },
  source_urls: {
    schema: AgreementSource.shape.url,
    kind: 'list',
    description: 'URLs of the sources that report the signing (details in sources.csv).',
  },
  evidence: { schema: A.evidence, kind: 'json' },
  confidence: { schema: A.confidence },
  review_status: { schema: Review.shape.status },
  review_reviewer: { schema: Review.shape.reviewer },
  review_reviewed_at: { schema: Review.shape.reviewed_at },
  review_note: { schema: Review.shape.note },
};

export const SOURCES_COLUMNS = [
  'agreement_id',
  'url',
  'source_kind',
  'published',
  'fetched_at',
  'snapshot_sha256',
  'archive_url',
] as const;

const S = AgreementSource.shape;
const SOURCES_COLUMN_SPECS: Readonly<Record<(typeof SOURCES_COLUMNS)[number], ColumnSpec>> = {
  agreement_id: { schema: A.id, description: 'The `id` of the agreement in agreements.csv.' },
  url: { schema: S.url },
  source_kind: { schema: S.source_kind },
  published: { schema: S.published },
  fetched_at: { schema: S.fetched_at },
  snapshot_sha256: { schema: S.snapshot_sha256 },
  archive_url: { schema: S.archive_url },
};

/** `;` separates list items in CSV cells (as `pactwatch export --format csv` writes them). */
export const LIST_DELIMITER = ';';

type Json = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) as Json;
}

/** Splits `anyOf: [X, null]` / `type: [t, "null"]` into X and whether null is allowed. */
function unwrapNullable(js: Json): { inner: Json; nullable: boolean } {
  const anyOf = js['anyOf'];
  if (Array.isArray(anyOf)) {
    const rest = (anyOf as Json[]).filter((s) => s['type'] !== 'null');
    if (rest.length === 1 && rest.length < anyOf.length) return { inner: rest[0]!, nullable: true };
  }
  const type = js['type'];
  if (Array.isArray(type) && type.includes('null')) {
    const others = type.filter((t) => t !== 'null');
    return { inner: { ...js, type: others.length === 1 ? others[0] : others }, nullable: true };
  }
  return { inner: js, nullable: false };
}

const unanchor = (pattern: string) => pattern.replace(/^\^/, '').replace(/\$$/, '');

function itemPattern(item: Json): string {
  const values = item['enum'];
  if (Array.isArray(values)) return `(${values.join('|')})`;
  const pattern = item['pattern'];
  if (typeof pattern === 'string') return `(${unanchor(pattern)})`;
  return `[^${LIST_DELIMITER}]+`;
}

function toField(name: string, spec: ColumnSpec): TableField {
  const { inner, nullable } = unwrapNullable(jsonSchemaOf(spec.schema));
  const description = spec.description ?? spec.schema.description;
  const base = { name, ...(description === undefined ? {} : { description }) };
  const kind = spec.kind ?? 'value';
  if (kind === 'json') {
    return {
      ...base,
      type: inner['type'] === 'array' ? 'array' : 'object',
      constraints: { required: !nullable },
    };
  }
  if (kind === 'list') {
    const isArray = inner['type'] === 'array';
    const item = isArray ? (inner['items'] as Json) : inner;
    const minItems = isArray ? Number(inner['minItems'] ?? 0) : 0;
    const p = itemPattern(item);
    return {
      ...base,
      type: 'string',
      constraints: {
        required: minItems > 0,
        pattern: `${p}(${LIST_DELIMITER}${p})*`,
      },
    };
  }
  const type = inner['type'];
  const c: { -readonly [K in keyof FieldConstraints]: FieldConstraints[K] } = {
    required: !nullable,
  };
  if (type === 'boolean')
    return {
      ...base,
      type: 'boolean',
      trueValues: ['true'],
      falseValues: ['false'],
      constraints: c,
    };
  if (type === 'integer' || type === 'number') {
    if (typeof inner['minimum'] === 'number') c.minimum = inner['minimum'];
    if (typeof inner['maximum'] === 'number') c.maximum = inner['maximum'];
    return { ...base, type, constraints: c };
  }
  if (Array.isArray(inner['enum'])) c.enum = inner['enum'] as string[];
  if (typeof inner['pattern'] === 'string') c.pattern = unanchor(inner['pattern']);
  if (typeof inner['minLength'] === 'number' && inner['minLength'] > 1)
    c.minLength = inner['minLength'];
  return { ...base, type: 'string', constraints: c };
}

export function agreementsTableSchema(): TableSchema {
  const fields = CSV_COLUMNS.map((name) => {
    const field = toField(name, AGREEMENT_COLUMN_SPECS[name]);
    return name === 'id'
      ? { ...field, constraints: { ...field.constraints, unique: true } }
      : field;
  });
  return { fields, missingValues: [''], primaryKey: 'id' };
}

export function sourcesTableSchema(): TableSchema {
  return {
    fields: SOURCES_COLUMNS.map((name) => toField(name, SOURCES_COLUMN_SPECS[name])),
    missingValues: [''],
    foreignKeys: [{ fields: 'agreement_id', reference: { resource: 'agreements', fields: 'id' } }],
  };
}

/** JSON Schema of agreements.json: an array of export records. */
export function recordsJsonSchema(): Json {
  return jsonSchemaOf(z.array(Agreement));
}

/** Removes `description` keys (prose does not change the shape of the data). */
function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) {
    if (key === 'description') continue;
    out[key] = withoutDescriptions((value as Json)[key]);
  }
  return out;
}

/**
 * A hash of the release's structure: the record's JSON Schema and both Table Schemas, without
 * descriptions. It changes exactly when a field, type, code list or constraint changes.
 */
export function schemaFingerprint(): string {
  const structure = withoutDescriptions({
    record: recordsJsonSchema(),
    agreements: agreementsTableSchema(),
    sources: sourcesTableSchema(),
  });
  return `sha256:${sha256Hex(JSON.stringify(structure))}`;
}

export function toSourcesCsv(records: readonly Agreement[]): string {
  const s = (v: string | null) => v ?? '';
  const rows = records.flatMap((r) =>
    r.sources.map((x) => ({
      agreement_id: r.id,
      url: x.url,
      source_kind: x.source_kind,
      published: s(x.published),
      fetched_at: s(x.fetched_at),
      snapshot_sha256: s(x.snapshot_sha256),
      archive_url: s(x.archive_url),
    })),
  );
  return stringify(rows, { header: true, columns: [...SOURCES_COLUMNS] });
}

export interface DataPackageInput {
  readonly version: string;
  readonly created: string;
  readonly previousVersion: string | null;
  readonly bump: string | null;
  readonly versionRule: string;
  readonly records: number;
  /** The data files by name, to hash and measure. */
  readonly files: Readonly<Record<string, string>>;
}

function fileFacts(files: Readonly<Record<string, string>>, name: string) {
  const body = files[name];
  if (body === undefined) throw new TypeError(`Expected \`files\` to hold ${name}, got none`);
  return { bytes: Buffer.byteLength(body), hash: `sha256:${sha256Hex(body)}` };
}

const CSV_DIALECT = { delimiter: ',', quoteChar: '"', doubleQuote: true, header: true };

export function buildDataPackage(input: DataPackageInput): DataPackage {
  return {
    profile: 'tabular-data-package',
    name: 'pactwatch-mps-agreements',
    title:
      "Police and internal-security cooperation agreements of China's Ministry of Public Security",
    description:
      "Agreements that China's Ministry of Public Security (公安部) signed with foreign counterparts, coded from signing announcements and reviewed by hand. One row per agreement; CODEBOOK.md documents every field.",
    version: input.version,
    created: input.created,
    keywords: ['China', 'Ministry of Public Security', 'police cooperation', 'agreements'],
    resources: [
      {
        name: 'agreements',
        path: 'agreements.csv',
        profile: 'tabular-data-resource',
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        ...fileFacts(input.files, 'agreements.csv'),
        description: `One row per agreement. Lists are joined with "${LIST_DELIMITER}"; evidence is a JSON array.`,
        dialect: CSV_DIALECT,
        schema: agreementsTableSchema(),
      },
      {
        name: 'sources',
        path: 'sources.csv',
        profile: 'tabular-data-resource',
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        ...fileFacts(input.files, 'sources.csv'),
        description: 'One row per source that reports an agreement.',
        dialect: CSV_DIALECT,
        schema: sourcesTableSchema(),
      },
      {
        name: 'agreements-json',
        path: 'agreements.json',
        profile: 'data-resource',
        format: 'json',
        mediatype: 'application/json',
        encoding: 'utf-8',
        ...fileFacts(input.files, 'agreements.json'),
        description: 'The same agreements as export records, with nested fields and sources.',
        jsonSchema: recordsJsonSchema(),
      },
    ],
    pactwatch: {
      schema_fingerprint: schemaFingerprint(),
      previous_version: input.previousVersion,
      bump: input.bump,
      version_rule: input.versionRule,
      records: input.records,
    },
  };
}
