import type { CodedAgreement } from '../schemas/agreement.js';
import {
  AGENCY_TYPES,
  CN_SIGNING_BODIES,
  CN_TITLES,
  COUNTERPART_RANKS,
  DOC_TYPES,
  REGIONS,
  SCOPES,
  TOPICS,
} from '../schemas/codes.js';
import { h, type SafeHtml, trusted } from './html.js';

/**
 * The edit form: one input per coded field (signatory parts separately), and the reverse,
 * from submitted form values to a partial coding that pipeline/review.ts validates with zod.
 */

type Kind = 'text' | 'int' | 'number' | 'enum' | 'bool' | 'countries' | 'topics';

interface FieldSpec {
  /** `field` or `parent.child`. */
  readonly path: string;
  readonly kind: Kind;
  readonly options?: readonly string[];
  /** Empty input means null (otherwise empty is kept and zod says what is wrong). */
  readonly nullable: boolean;
}

export const EDIT_FIELDS: readonly FieldSpec[] = [
  { path: 'title_zh', kind: 'text', nullable: true },
  { path: 'title_en', kind: 'text', nullable: true },
  { path: 'date_signed', kind: 'text', nullable: true },
  { path: 'year', kind: 'int', nullable: true },
  { path: 'doc_type', kind: 'enum', options: DOC_TYPES, nullable: false },
  { path: 'doc_type_term', kind: 'text', nullable: true },
  { path: 'scope', kind: 'enum', options: SCOPES, nullable: false },
  { path: 'counterpart_countries', kind: 'countries', nullable: false },
  { path: 'forum', kind: 'text', nullable: true },
  { path: 'region', kind: 'enum', options: REGIONS, nullable: true },
  { path: 'counterpart_agency', kind: 'text', nullable: true },
  { path: 'counterpart_agency_type', kind: 'enum', options: AGENCY_TYPES, nullable: false },
  { path: 'cn_signing_body', kind: 'enum', options: CN_SIGNING_BODIES, nullable: false },
  { path: 'cn_signatory.name_zh', kind: 'text', nullable: true },
  { path: 'cn_signatory.name_en', kind: 'text', nullable: true },
  { path: 'cn_signatory.title', kind: 'enum', options: CN_TITLES, nullable: false },
  { path: 'cn_signatory_ministerial', kind: 'bool', nullable: true },
  { path: 'counterpart_signatory.name', kind: 'text', nullable: true },
  { path: 'counterpart_signatory.rank', kind: 'enum', options: COUNTERPART_RANKS, nullable: false },
  { path: 'topics', kind: 'topics', options: [...TOPICS, 'generic'], nullable: false },
  { path: 'is_renewal', kind: 'bool', nullable: false },
  { path: 'confidence', kind: 'number', nullable: false },
];

function valueAt(record: CodedAgreement, path: string): unknown {
  const [head, sub] = path.split('.') as [string, string | undefined];
  const v: unknown = (record as unknown as Record<string, unknown>)[head];
  if (sub === undefined) return v;
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[sub] : undefined;
}

/** Form values as they would be submitted for this record (strings, lists for topics). */
export type FormValues = Readonly<Record<string, string | readonly string[]>>;

export function formValuesOf(record: CodedAgreement): FormValues {
  const out: Record<string, string | string[]> = {};
  for (const f of EDIT_FIELDS) {
    const v = valueAt(record, f.path);
    if (f.kind === 'topics') out[f.path] = [...(v as string[])];
    else if (f.kind === 'countries') out[f.path] = (v as string[]).join(', ');
    else out[f.path] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

function parseValue(f: FieldSpec, raw: string | readonly string[] | undefined): unknown {
  if (f.kind === 'topics') return Array.isArray(raw) ? [...raw] : raw === undefined ? [] : [raw];
  const first: string | undefined = typeof raw === 'string' ? raw : raw?.[0];
  const s = (first ?? '').trim();
  if (f.kind === 'countries')
    return s === ''
      ? []
      : s
          .split(/[\s,;+]+/)
          .filter(Boolean)
          .map((c) => c.toUpperCase());
  if (s === '' && f.nullable) return null;
  switch (f.kind) {
    case 'int':
    case 'number': {
      const n = Number(s);
      // Left as text when not a number, so the schema's message names the field.
      return s !== '' && Number.isFinite(n) ? n : s;
    }
    case 'bool':
      return s === 'true' ? true : s === 'false' ? false : s;
    default:
      return s;
  }
}

/** The submitted form as a partial coding (every field of the form; unchanged ones diff away). */
export function changesFromForm(
  form: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const f of EDIT_FIELDS) {
    const raw = form[`f.${f.path}`];
    // A form that does not carry a field leaves it alone (topics: the marker says it was shown).
    if (raw === undefined && !(f.kind === 'topics' && form['f.topics.shown'] !== undefined))
      continue;
    const value = parseValue(f, raw);
    const [head, sub] = f.path.split('.') as [string, string | undefined];
    if (sub === undefined) changes[head] = value;
    else changes[head] = { ...((changes[head] as Record<string, unknown>) ?? {}), [sub]: value };
  }
  return changes;
}

function input(f: FieldSpec, value: string | readonly string[] | undefined, autofocus: boolean) {
  const name = `f.${f.path}`;
  const id = `edit-${f.path.replace('.', '-')}`;
  const af = autofocus ? trusted(' data-first') : '';
  const str = typeof value === 'string' ? value : '';
  if (f.kind === 'topics') {
    const chosen = new Set(Array.isArray(value) ? value : []);
    return h`<fieldset><legend>topics</legend><input type="hidden" name="f.topics.shown" value="1">${(
      f.options ?? []
    ).map(
      (t) =>
        h`<label><input type="checkbox" name="${name}" value="${t}"${chosen.has(t) ? trusted(' checked') : ''}> ${t}</label>`,
    )}</fieldset>`;
  }
  if (f.kind === 'enum' || f.kind === 'bool') {
    const options = f.kind === 'bool' ? ['true', 'false'] : (f.options ?? []);
    return h`<label for="${id}">${f.path}<select id="${id}" name="${name}"${af}>${f.nullable ? h`<option value=""${str === '' ? trusted(' selected') : ''}>(unknown / none)</option>` : ''}${options.map(
      (o) => h`<option${o === str ? trusted(' selected') : ''}>${o}</option>`,
    )}</select></label>`;
  }
  const hint =
    f.kind === 'countries'
      ? 'ISO alpha-3, comma separated'
      : f.path === 'date_signed'
        ? 'YYYY-MM-DD, YYYY-MM or YYYY'
        : '';
  return h`<label for="${id}">${f.path}<input type="text" id="${id}" name="${name}" value="${str}"${hint === '' ? '' : h` placeholder="${hint}"`}${af}${f.kind === 'int' || f.kind === 'number' ? trusted(' inputmode="decimal"') : ''}></label>`;
}

export function editInputs(values: FormValues): SafeHtml {
  return h`<div class="editgrid">${EDIT_FIELDS.map((f, i) => input(f, values[f.path], i === 0))}</div>`;
}

/** Parses a urlencoded body's values into the FormValues shape the edit form re-renders from. */
export function formValuesFromBody(
  body: Readonly<Record<string, string | readonly string[] | undefined>>,
): FormValues {
  const out: Record<string, string | readonly string[]> = {};
  for (const f of EDIT_FIELDS) {
    const raw = body[`f.${f.path}`];
    if (f.kind === 'topics')
      out[f.path] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw as string];
    else out[f.path] = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  }
  return out;
}
