import { z } from 'zod';
import { Agreement } from '../schemas/agreement.js';
import {
  AgencyType,
  CnSigningBody,
  CnTitle,
  CounterpartRank,
  DocType,
  Region,
  ReviewStatus,
  Scope,
  SourceKind,
  Topic,
} from '../schemas/codes.js';
import {
  agreementsTableSchema,
  LIST_DELIMITER,
  sourcesTableSchema,
  type TableField,
} from './datapackage.js';
import { VERSION_RULE } from './release-version.js';

/**
 * CODEBOOK.md, generated from the zod schema: field descriptions (`.describe()`), types,
 * required/nullable, and the allowed codes. Never written by hand, so it cannot drift from the
 * data it documents.
 */

type Json = Record<string, unknown>;

/** The code lists of the coding scheme, by the name the codebook gives them. */
export const CODE_LISTS: readonly { readonly name: string; readonly schema: z.ZodEnum }[] = [
  { name: 'doc_type', schema: DocType },
  { name: 'scope', schema: Scope },
  { name: 'region', schema: Region },
  { name: 'counterpart_agency_type', schema: AgencyType },
  { name: 'cn_signing_body', schema: CnSigningBody },
  { name: 'cn_signatory_title', schema: CnTitle },
  { name: 'counterpart_rank', schema: CounterpartRank },
  { name: 'topic', schema: Topic },
  { name: 'source_kind', schema: SourceKind },
  { name: 'review_status', schema: ReviewStatus },
];

const md = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function codeListOf(values: readonly unknown[]): string | undefined {
  const key = JSON.stringify(values);
  return CODE_LISTS.find((c) => JSON.stringify(c.schema.options) === key)?.name;
}

function unwrap(js: Json): { inner: Json; nullable: boolean } {
  const anyOf = js['anyOf'];
  if (Array.isArray(anyOf)) {
    const rest = (anyOf as Json[]).filter((s) => s['type'] !== 'null');
    if (rest.length === 1 && rest.length < anyOf.length) return { inner: rest[0]!, nullable: true };
  }
  const type = js['type'];
  if (Array.isArray(type) && type.includes('null')) {
    const others = type.filter((t) => t !== 'null');
    return { inner: { ...js, type: others[0] }, nullable: true };
  }
  return { inner: js, nullable: false };
}

function typeOf(js: Json): string {
  const { inner, nullable } = unwrap(js);
  let t: string;
  const values = inner['enum'];
  if (Array.isArray(values)) {
    const list = codeListOf(values);
    t =
      list === undefined ? `one of ${values.map((v) => `\`${v}\``).join(', ')}` : `code (${list})`;
  } else if (inner['type'] === 'array') {
    const items = (inner['items'] ?? {}) as Json;
    const min = typeof inner['minItems'] === 'number' ? `, at least ${inner['minItems']}` : '';
    t = `list of ${typeOf(items)}${min}`;
  } else if (inner['type'] === 'integer' || inner['type'] === 'number') {
    const min = inner['minimum'];
    const max = inner['maximum'];
    // zod writes nonnegative() as 0..MAX_SAFE_INTEGER; a reader wants "≥ 0".
    const range =
      typeof min === 'number' && typeof max === 'number' && max < Number.MAX_SAFE_INTEGER
        ? ` ${min}–${max}`
        : typeof min === 'number'
          ? ` ≥ ${min}`
          : '';
    t = `${inner['type']}${range}`;
  } else if (inner['type'] === 'string' && typeof inner['pattern'] === 'string') {
    t = `string matching \`${inner['pattern']}\``;
  } else {
    t = String(inner['type'] ?? 'any');
  }
  return nullable ? `${t}, or null` : t;
}

/** One row per field, nested fields as `parent.child` and `parent[].child`. */
function recordRows(js: Json, prefix = ''): string[] {
  const props = (js['properties'] ?? {}) as Record<string, Json>;
  const required = new Set((js['required'] ?? []) as string[]);
  const rows: string[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const { inner } = unwrap(raw);
    const path = `${prefix}${name}`;
    const optional = required.has(name) ? '' : ' (optional)';
    const description = (raw['description'] ?? inner['description'] ?? '') as string;
    const items = inner['items'] as Json | undefined;
    if (inner['type'] === 'object') {
      rows.push(`| \`${path}\` | object | ${md(description)} |`);
      rows.push(...recordRows(inner, `${path}.`));
    } else if (inner['type'] === 'array' && items?.['type'] === 'object') {
      rows.push(`| \`${path}\` | list of objects | ${md(description)} |`);
      rows.push(...recordRows(items, `${path}[].`));
    } else {
      rows.push(`| \`${path}\` | ${md(typeOf(raw))}${optional} | ${md(description)} |`);
    }
  }
  return rows;
}

/** `(A)(;(A))*`, the pattern of a joined list, said in words. */
function listText(pattern: string): string | undefined {
  const item = pattern.match(/^\((.+)\)\(;\(\1\)\)\*$/)?.[1];
  if (item === undefined) return undefined;
  const codes = /^[a-z_|-]+$/.test(item) ? codeListOf(item.split('|')) : undefined;
  const what = codes === undefined ? `items matching \`${item}\`` : `codes (${codes})`;
  return `${what} joined with \`${LIST_DELIMITER}\``;
}

function constraintText(f: TableField): string {
  const c = f.constraints ?? {};
  const parts: string[] = [];
  if (c.unique === true) parts.push('unique');
  if (c.enum !== undefined) {
    const list = codeListOf(c.enum);
    parts.push(list === undefined ? `one of ${c.enum.join(', ')}` : `code (${list})`);
  } else if (c.pattern !== undefined) {
    parts.push(listText(c.pattern) ?? `matches \`${c.pattern}\``);
  }
  if (c.minimum !== undefined || c.maximum !== undefined)
    parts.push(`${c.minimum ?? '…'}–${c.maximum ?? '…'}`);
  if (f.type === 'boolean') parts.push('`true` / `false`');
  return parts.join('; ');
}

function columnRows(fields: readonly TableField[]): string[] {
  return fields.map(
    (f) =>
      `| \`${f.name}\` | ${f.type} | ${f.constraints?.required === true ? 'yes' : 'no'} | ${md(constraintText(f))} | ${md(f.description ?? '')} |`,
  );
}

export interface CodebookInput {
  readonly version: string;
  readonly created: string;
  readonly records: number;
  readonly fingerprint: string;
}

export function buildCodebook(input: CodebookInput): string {
  const recordSchema = z.toJSONSchema(Agreement, { target: 'draft-2020-12', io: 'output' }) as Json;
  const lines = [
    `# Codebook — pactwatch release ${input.version}`,
    '',
    `Generated by pactwatch on ${input.created.slice(0, 10)} from the schema of the export record`,
    '(`schemas/agreement.ts`, `schemas/codes.ts`); do not edit it by hand.',
    `This release holds ${input.records} agreements, all approved by a reviewer.`,
    `Schema fingerprint: \`${input.fingerprint}\`.`,
    '',
    '## Files',
    '',
    '| file | contents |',
    '|---|---|',
    '| `agreements.csv` | one row per agreement, nested fields flattened (columns below) |',
    '| `agreements.json` | the same agreements as nested export records, with full source details |',
    '| `sources.csv` | one row per source that reports an agreement |',
    '| `datapackage.json` | Frictionless Data Package: typed Table Schemas of both CSV files, the JSON Schema of agreements.json, sizes and hashes |',
    '| `CODEBOOK.md` | this file |',
    '| `CHANGELOG.md` | what changed against the previous release, newest first |',
    '| `SHA256SUMS` | SHA-256 of every other file (`sha256sum -c SHA256SUMS`) |',
    '',
    '## Versions',
    '',
    `Releases are numbered major.minor.patch and the rule is checked when a release is cut — ${VERSION_RULE}.`,
    'A release is immutable: a correction is a new release.',
    '',
    '## Record fields (agreements.json)',
    '',
    '| field | type | description |',
    '|---|---|---|',
    ...recordRows(recordSchema),
    '',
    '## Columns of agreements.csv',
    '',
    `Lists are joined with \`${LIST_DELIMITER}\`; an empty cell is a missing value (null, or an empty list).`,
    '',
    '| column | type | required | constraints | description |',
    '|---|---|---|---|---|',
    ...columnRows(agreementsTableSchema().fields),
    '',
    '## Columns of sources.csv',
    '',
    '| column | type | required | constraints | description |',
    '|---|---|---|---|---|',
    ...columnRows(sourcesTableSchema().fields),
    '',
    '## Code lists',
  ];
  for (const list of CODE_LISTS) {
    lines.push('', `### ${list.name}`, '');
    if (list.schema.description !== undefined) lines.push(list.schema.description, '');
    lines.push(list.schema.options.map((o) => `\`${String(o)}\``).join(' · '));
  }
  return `${lines.join('\n')}\n`;
}
