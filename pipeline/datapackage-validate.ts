import fs from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'csv-parse/sync';
import { sha256Hex } from '../storage/snapshot-store.js';
import type { TableField, TableSchema } from './datapackage.js';

/**
 * Validates a Frictionless Data Package on disk against its own descriptor: the descriptor's
 * shape, each file's size and hash, every CSV cell against its Table Schema field (type,
 * required, enum, pattern, range, uniqueness), primary and foreign keys, and JSON resources
 * against their JSON Schema. What a data team runs before publishing, and what a user runs on
 * a copy they downloaded.
 */

export interface ValidationIssue {
  readonly resource: string | null;
  /** 1-based data row (the header is row 0). */
  readonly row?: number;
  readonly field?: string;
  readonly message: string;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
}

export interface ValidateOptions {
  /** Stop collecting after this many issues. @default 100 */
  readonly maxIssues?: number;
}

export const VALIDATE_DEFAULTS: Required<ValidateOptions> = { maxIssues: 100 };

const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'];

/** The part of the Data Package / Table Schema specs that pactwatch writes and checks. */
const DESCRIPTOR_SCHEMA = {
  type: 'object',
  required: ['name', 'resources'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9._-]+$' },
    version: { type: 'string' },
    resources: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'path'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9._-]+$' },
          path: { type: 'string', pattern: '^(?!/)(?!.*\\.\\.)[^\\\\]+$' },
          bytes: { type: 'integer', minimum: 0 },
          hash: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
          schema: {
            type: 'object',
            required: ['fields'],
            properties: {
              missingValues: { type: 'array', items: { type: 'string' } },
              fields: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['name', 'type'],
                  properties: {
                    name: { type: 'string', minLength: 1 },
                    type: { enum: FIELD_TYPES },
                    trueValues: { type: 'array', items: { type: 'string' } },
                    falseValues: { type: 'array', items: { type: 'string' } },
                    constraints: {
                      type: 'object',
                      properties: {
                        required: { type: 'boolean' },
                        unique: { type: 'boolean' },
                        enum: { type: 'array' },
                        pattern: { type: 'string' },
                        minimum: { type: 'number' },
                        maximum: { type: 'number' },
                        minLength: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
          jsonSchema: { type: 'object' },
        },
      },
    },
  },
} as const;

interface Resource {
  readonly name: string;
  readonly path: string;
  readonly bytes?: number;
  readonly hash?: string;
  readonly schema?: TableSchema;
  readonly jsonSchema?: Record<string, unknown>;
}

class Issues {
  readonly list: ValidationIssue[] = [];
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get full(): boolean {
    return this.list.length >= this.#max;
  }
  add(issue: ValidationIssue): void {
    if (!this.full) this.list.push(issue);
  }
}

const DEFAULT_TRUE = ['true', 'True', 'TRUE', '1'];
const DEFAULT_FALSE = ['false', 'False', 'FALSE', '0'];
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Casts one non-missing cell; returns an error message or the typed value. */
function cast(field: TableField, raw: string): { value: unknown } | { error: string } {
  switch (field.type) {
    case 'string':
      return { value: raw };
    case 'integer':
      return /^[+-]?\d+$/.test(raw)
        ? { value: Number(raw) }
        : { error: `\`${raw}\` is not an integer` };
    case 'number':
      return NUMBER.test(raw) ? { value: Number(raw) } : { error: `\`${raw}\` is not a number` };
    case 'boolean':
      if ((field.trueValues ?? DEFAULT_TRUE).includes(raw)) return { value: true };
      if ((field.falseValues ?? DEFAULT_FALSE).includes(raw)) return { value: false };
      return { error: `\`${raw}\` is not a boolean` };
    case 'array':
    case 'object': {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return { error: `\`${raw.slice(0, 40)}\` is not JSON` };
      }
      const ok =
        field.type === 'array'
          ? Array.isArray(value)
          : typeof value === 'object' && value !== null && !Array.isArray(value);
      return ok ? { value } : { error: `not a JSON ${field.type}` };
    }
  }
}

function checkConstraints(field: TableField, raw: string, value: unknown): string | null {
  const c = field.constraints;
  if (c === undefined) return null;
  if (c.enum !== undefined && !c.enum.map(String).includes(raw))
    return `\`${raw}\` is not one of ${c.enum.join(', ')}`;
  if (c.pattern !== undefined && !new RegExp(`^(?:${c.pattern})$`, 'u').test(raw))
    return `\`${raw}\` does not match the pattern ${c.pattern}`;
  if (typeof value === 'number') {
    if (c.minimum !== undefined && value < c.minimum) return `${value} is below ${c.minimum}`;
    if (c.maximum !== undefined && value > c.maximum) return `${value} is above ${c.maximum}`;
  }
  if (c.minLength !== undefined && raw.length < c.minLength)
    return `\`${raw}\` is shorter than ${c.minLength}`;
  return null;
}

const asList = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

interface TableKeys {
  readonly primary: Set<string>;
  readonly foreign: {
    row: number;
    value: string;
    fk: NonNullable<TableSchema['foreignKeys']>[number];
  }[];
}

function validateTable(
  resource: Resource,
  schema: TableSchema,
  body: string,
  issues: Issues,
): TableKeys {
  const keys: TableKeys = { primary: new Set(), foreign: [] };
  let rows: string[][];
  try {
    rows = parse(body, { bom: true, relax_column_count: true }) as string[][];
  } catch (error) {
    issues.add({ resource: resource.name, message: `not a CSV file (${String(error)})` });
    return keys;
  }
  const names = schema.fields.map((f) => f.name);
  const header = rows[0] ?? [];
  if (header.join('\u0000') !== names.join('\u0000')) {
    issues.add({
      resource: resource.name,
      row: 0,
      message: `header is ${header.join(',')}; the schema expects ${names.join(',')}`,
    });
    return keys;
  }
  const missing = new Set(schema.missingValues ?? ['']);
  const pk = asList(schema.primaryKey);
  const unique = new Map<string, Set<string>>();
  for (const f of schema.fields) if (f.constraints?.unique === true) unique.set(f.name, new Set());
  for (const [i, row] of rows.slice(1).entries()) {
    const n = i + 1;
    if (issues.full) break;
    if (row.length !== names.length) {
      issues.add({
        resource: resource.name,
        row: n,
        message: `has ${row.length} cells; the header has ${names.length}`,
      });
      continue;
    }
    for (const [j, field] of schema.fields.entries()) {
      const raw = row[j] ?? '';
      const at = { resource: resource.name, row: n, field: field.name };
      if (missing.has(raw)) {
        if (field.constraints?.required === true)
          issues.add({ ...at, message: 'a value is required' });
        continue;
      }
      const typed = cast(field, raw);
      if ('error' in typed) {
        issues.add({ ...at, message: typed.error });
        continue;
      }
      const violation = checkConstraints(field, raw, typed.value);
      if (violation !== null) issues.add({ ...at, message: violation });
      const seen = unique.get(field.name);
      if (seen !== undefined) {
        if (seen.has(raw)) issues.add({ ...at, message: `\`${raw}\` is not unique` });
        seen.add(raw);
      }
    }
    if (pk.length > 0) {
      const key = pk.map((k) => row[names.indexOf(k)] ?? '').join('\u0000');
      if (keys.primary.has(key))
        issues.add({ resource: resource.name, row: n, message: `duplicate primary key ${key}` });
      keys.primary.add(key);
    }
    for (const fk of schema.foreignKeys ?? []) {
      const value = asList(fk.fields)
        .map((k) => row[names.indexOf(k)] ?? '')
        .join('\u0000');
      keys.foreign.push({ row: n, value, fk });
    }
  }
  return keys;
}

function validateJson(resource: Resource, body: string, issues: Issues): void {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    issues.add({ resource: resource.name, message: 'not valid JSON' });
    return;
  }
  if (resource.jsonSchema === undefined) return;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(resource.jsonSchema);
  if (validate(data)) return;
  for (const e of validate.errors ?? []) {
    const m = /^\/(\d+)(\/.*)?$/.exec(e.instancePath);
    issues.add({
      resource: resource.name,
      ...(m === null ? {} : { row: Number(m[1]) + 1 }),
      ...(m?.[2] === undefined ? {} : { field: m[2].slice(1) }),
      message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    });
  }
}

async function readResource(
  dir: string,
  resource: Resource,
  issues: Issues,
): Promise<string | null> {
  const file = path.resolve(dir, resource.path);
  if (!file.startsWith(path.resolve(dir) + path.sep)) {
    issues.add({ resource: resource.name, message: `path ${resource.path} leaves the package` });
    return null;
  }
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    issues.add({ resource: resource.name, message: `file ${resource.path} is missing` });
    return null;
  }
  if (resource.bytes !== undefined && bytes.length !== resource.bytes)
    issues.add({
      resource: resource.name,
      message: `${resource.path} has ${bytes.length} bytes; the descriptor says ${resource.bytes}`,
    });
  if (resource.hash !== undefined && `sha256:${sha256Hex(bytes)}` !== resource.hash)
    issues.add({
      resource: resource.name,
      message: `${resource.path} does not match its hash in the descriptor`,
    });
  return bytes.toString('utf8');
}

/** Validates the package in DIR (a folder with datapackage.json). */
export async function validateDataPackage(
  dir: string,
  options: ValidateOptions = {},
): Promise<ValidationResult> {
  const maxIssues = options.maxIssues ?? VALIDATE_DEFAULTS.maxIssues;
  if (!Number.isInteger(maxIssues) || maxIssues <= 0)
    throw new TypeError(`Expected \`maxIssues\` to be a positive integer, got \`${maxIssues}\``);
  const issues = new Issues(maxIssues);
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(await fs.readFile(path.join(dir, 'datapackage.json'), 'utf8'));
  } catch {
    issues.add({ resource: null, message: 'datapackage.json is missing or not JSON' });
    return { valid: false, issues: issues.list };
  }
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const checkDescriptor = ajv.compile(DESCRIPTOR_SCHEMA);
  if (!checkDescriptor(descriptor)) {
    for (const e of checkDescriptor.errors ?? [])
      issues.add({ resource: null, message: `descriptor ${e.instancePath || '/'} ${e.message}` });
    return { valid: false, issues: issues.list };
  }
  const resources = (descriptor as { resources: Resource[] }).resources;
  const tables = new Map<string, TableKeys>();
  for (const resource of resources) {
    const body = await readResource(dir, resource, issues);
    if (body === null) continue;
    if (resource.schema !== undefined)
      tables.set(resource.name, validateTable(resource, resource.schema, body, issues));
    else if (resource.path.endsWith('.json')) validateJson(resource, body, issues);
  }
  for (const [name, keys] of tables) {
    for (const { row, value, fk } of keys.foreign) {
      const target = tables.get(fk.reference.resource);
      if (target === undefined) {
        issues.add({ resource: name, message: `foreign key to unknown ${fk.reference.resource}` });
        break;
      }
      if (!target.primary.has(value))
        issues.add({
          resource: name,
          row,
          field: asList(fk.fields).join(','),
          message: `\`${value}\` is not in ${fk.reference.resource}`,
        });
    }
  }
  return { valid: issues.list.length === 0, issues: issues.list };
}
