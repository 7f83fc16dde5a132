import { readFileSync } from 'node:fs';
import type { CodedAgreement, ExtractionResult } from '../schemas/agreement.js';
import { DOC_TYPES } from '../schemas/codes.js';
import type { ExtractInput } from '../schemas/document.js';

/**
 * Scores an extractor against labelled documents (tests/fixtures/extract/*.jsonl): per-field
 * precision, recall and F1, signing detection per page, record detection, and a doc_type
 * confusion matrix. Used by `npm run eval:extract` and by the regression guard in the tests.
 */

export interface LabelledDocument {
  readonly id: string;
  /** `zh-Hans`, `zh-Hant` or `en`; derived from the text when a file does not say. */
  readonly lang: string;
  readonly text: string;
  readonly url: string | null;
  readonly published: string | null;
  readonly expected: {
    readonly is_signing: boolean;
    readonly agreements: readonly Record<string, unknown>[];
  };
}

/** The fields scored, nested ones as `parent.child`; lists are scored element by element. */
export const SCORED_FIELDS = [
  'doc_type',
  'doc_type_term',
  'title_zh',
  'title_en',
  'date_signed',
  'year',
  'scope',
  'counterpart_countries',
  'forum',
  'region',
  'counterpart_agency',
  'counterpart_agency_type',
  'cn_signing_body',
  'cn_signatory.name_zh',
  'cn_signatory.name_en',
  'cn_signatory.title',
  'cn_signatory_ministerial',
  'counterpart_signatory.name',
  'counterpart_signatory.rank',
  'topics',
] as const;
export type ScoredField = (typeof SCORED_FIELDS)[number];

const LIST_FIELDS: ReadonlySet<ScoredField> = new Set(['counterpart_countries', 'topics']);
/** Values that mean "not known": an extractor that says them claims nothing. */
const EMPTY_VALUES: ReadonlySet<unknown> = new Set([null, undefined, 'unknown', '']);
/** Compared without case and spacing: English names and terms are written many ways. */
const LOOSE_FIELDS: ReadonlySet<ScoredField> = new Set([
  'doc_type_term',
  'title_en',
  'counterpart_agency',
  'cn_signatory.name_en',
  'counterpart_signatory.name',
]);

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface FieldScore extends Counts {
  readonly field: ScoredField;
  /** Labelled values the extractor got exactly right (empty = empty included). */
  correct: number;
  labelled: number;
}

export interface DocumentOutcome {
  readonly id: string;
  readonly lang: string;
  readonly expectedSigning: boolean;
  readonly predictedSigning: boolean;
  /** `field: want ≠ got` lines, for the verbose report. */
  readonly misses: readonly string[];
}

export interface Evaluation {
  readonly documents: number;
  readonly fields: readonly FieldScore[];
  /** Page level: does the page report a signing? */
  readonly signing: Counts & { tn: number };
  /** Record level: one expected record found as one predicted record. */
  readonly records: Counts;
  /** expected doc_type → predicted doc_type → count; `(none)` for spurious and missed. */
  readonly confusion: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly outcomes: readonly DocumentOutcome[];
}

export function precision(c: Counts): number {
  return c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
}

export function recall(c: Counts): number {
  return c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
}

export function f1(c: Counts): number {
  const p = precision(c);
  const r = recall(c);
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function languageOf(text: string): string {
  if (!/[\u4e00-\u9fff]/.test(text)) return 'en';
  return /[們這個會與關於國發簽協議備錄華區經說對時為來後過還進動將應當際達雙務護邊長門]/.test(text)
    ? 'zh-Hant'
    : 'zh-Hans';
}

/** Reads labelled JSON lines (`{id, text, url, published, expected, lang?}`). */
export function loadLabelled(file: string): LabelledDocument[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const raw = JSON.parse(line) as Partial<LabelledDocument> & { lang?: string };
      if (
        typeof raw.id !== 'string' ||
        typeof raw.text !== 'string' ||
        raw.expected === undefined
      ) {
        throw new TypeError(`Expected {id, text, expected} on line ${i + 1} of ${file}`);
      }
      return {
        id: raw.id,
        lang: raw.lang ?? languageOf(raw.text),
        text: raw.text,
        url: raw.url ?? null,
        published: raw.published ?? null,
        expected: raw.expected,
      };
    });
}

function valueAt(record: Record<string, unknown>, field: string): unknown {
  const dot = field.indexOf('.');
  if (dot === -1) return record[field];
  const parent = record[field.slice(0, dot)];
  if (parent === null || typeof parent !== 'object') return undefined;
  return (parent as Record<string, unknown>)[field.slice(dot + 1)];
}

function isLabelled(record: Record<string, unknown>, field: string): boolean {
  const dot = field.indexOf('.');
  if (dot === -1) return field in record;
  const parent = record[field.slice(0, dot)];
  return parent !== null && typeof parent === 'object' && field.slice(dot + 1) in parent;
}

function normalise(field: ScoredField, value: unknown): unknown {
  if (typeof value !== 'string' || !LOOSE_FIELDS.has(field)) return value;
  return value
    .toLowerCase()
    .replace(/^the\s+/, '')
    .replace(/\bthe\s+/g, '')
    .replace(/[\s.,'’-]+/g, ' ')
    .trim();
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function scoreField(score: FieldScore, want: unknown, got: unknown, misses: string[]): void {
  score.labelled += 1;
  if (LIST_FIELDS.has(score.field)) {
    const w = new Set(listOf(want));
    const g = new Set(listOf(got));
    let same = w.size === g.size;
    for (const v of g) {
      if (w.has(v)) score.tp += 1;
      else {
        score.fp += 1;
        same = false;
      }
    }
    for (const v of w) if (!g.has(v)) score.fn += 1;
    if (same) score.correct += 1;
    else misses.push(`${score.field}: ${JSON.stringify(want)} ≠ ${JSON.stringify(got)}`);
    return;
  }
  const w = normalise(score.field, want);
  const g = normalise(score.field, got);
  const wantEmpty = EMPTY_VALUES.has(w);
  const gotEmpty = EMPTY_VALUES.has(g);
  if (wantEmpty && gotEmpty) {
    score.correct += 1;
    return;
  }
  if (!wantEmpty && !gotEmpty && w === g) {
    score.tp += 1;
    score.correct += 1;
    return;
  }
  if (!gotEmpty) score.fp += 1;
  if (!wantEmpty) score.fn += 1;
  misses.push(`${score.field}: ${JSON.stringify(want)} ≠ ${JSON.stringify(got)}`);
}

function partnerKey(r: Record<string, unknown>): string {
  return `${listOf(r['counterpart_countries']).sort().join(',')}|${String(r['forum'] ?? '')}`;
}

/** How alike an expected and a predicted record are; 0 = never the same document. */
function likeness(want: Record<string, unknown>, got: CodedAgreement): number {
  const g = got as unknown as Record<string, unknown>;
  let s = 0;
  if (want['doc_type'] === got.doc_type) s += 3;
  const wantTitle = want['title_zh'] ?? want['title_en'];
  if (typeof wantTitle === 'string' && (wantTitle === got.title_zh || wantTitle === got.title_en)) {
    s += 4;
  }
  if ('counterpart_countries' in want && partnerKey(want) === partnerKey(g)) s += 2;
  if (want['date_signed'] !== undefined && want['date_signed'] === got.date_signed) s += 1;
  const topics = new Set(listOf(want['topics']));
  if (got.topics.some((t) => topics.has(t))) s += 1;
  return s >= 2 ? s : 0;
}

/** Greedy best-first pairing of expected and predicted records of one page. */
export function pairRecords(
  expected: readonly Record<string, unknown>[],
  actual: readonly CodedAgreement[],
): { want: Record<string, unknown> | undefined; got: CodedAgreement | undefined }[] {
  const candidates: { i: number; j: number; s: number }[] = [];
  expected.forEach((want, i) => {
    actual.forEach((got, j) => {
      const s = likeness(want, got);
      if (s > 0) candidates.push({ i, j, s });
    });
  });
  candidates.sort((a, b) => b.s - a.s || a.i - b.i || a.j - b.j);
  const wantUsed = new Map<number, number>();
  const gotUsed = new Set<number>();
  for (const c of candidates) {
    if (wantUsed.has(c.i) || gotUsed.has(c.j)) continue;
    wantUsed.set(c.i, c.j);
    gotUsed.add(c.j);
  }
  const pairs: { want: Record<string, unknown> | undefined; got: CodedAgreement | undefined }[] =
    expected.map((want, i) => {
      const j = wantUsed.get(i);
      return { want, got: j === undefined ? undefined : actual[j] };
    });
  actual.forEach((got, j) => {
    if (!gotUsed.has(j)) pairs.push({ want: undefined, got });
  });
  return pairs;
}

function bump(m: Map<string, Map<string, number>>, row: string, col: string): void {
  const r = m.get(row) ?? new Map<string, number>();
  r.set(col, (r.get(col) ?? 0) + 1);
  m.set(row, r);
}

export type Extractor = (input: ExtractInput) => ExtractionResult;

export function evaluate(docs: readonly LabelledDocument[], extractor: Extractor): Evaluation {
  const fields: FieldScore[] = SCORED_FIELDS.map((field) => ({
    field,
    tp: 0,
    fp: 0,
    fn: 0,
    correct: 0,
    labelled: 0,
  }));
  const signing = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const records = { tp: 0, fp: 0, fn: 0 };
  const confusion = new Map<string, Map<string, number>>();
  const outcomes: DocumentOutcome[] = [];
  for (const doc of docs) {
    const result = extractor({ text: doc.text, url: doc.url, published: doc.published });
    const want = doc.expected.is_signing;
    const got = result.is_signing;
    if (want && got) signing.tp += 1;
    else if (got) signing.fp += 1;
    else if (want) signing.fn += 1;
    else signing.tn += 1;
    const misses: string[] = [];
    for (const pair of pairRecords(doc.expected.agreements, result.agreements)) {
      const w = pair.want;
      const g = pair.got as unknown as Record<string, unknown> | undefined;
      bump(
        confusion,
        w === undefined ? '(none)' : String(w['doc_type']),
        g === undefined ? '(none)' : String(g['doc_type']),
      );
      if (w !== undefined && g !== undefined) records.tp += 1;
      else if (g !== undefined) records.fp += 1;
      else records.fn += 1;
      if (w === undefined && g !== undefined) misses.push(`spurious ${String(g['doc_type'])}`);
      if (w !== undefined && g === undefined) misses.push(`missed ${String(w['doc_type'])}`);
      for (const score of fields) {
        if (w !== undefined && !isLabelled(w, score.field)) continue;
        const wantValue = w === undefined ? null : valueAt(w, score.field);
        const gotValue = g === undefined ? null : valueAt(g, score.field);
        if (w === undefined) {
          // A spurious record claims each of its values.
          const empty = LIST_FIELDS.has(score.field)
            ? listOf(gotValue).length === 0
            : EMPTY_VALUES.has(gotValue);
          if (!empty) score.fp += LIST_FIELDS.has(score.field) ? listOf(gotValue).length : 1;
          continue;
        }
        if (g === undefined) {
          score.labelled += 1;
          if (LIST_FIELDS.has(score.field)) score.fn += listOf(wantValue).length;
          else if (!EMPTY_VALUES.has(wantValue)) score.fn += 1;
          else score.correct += 1;
          continue;
        }
        scoreField(score, wantValue, gotValue, misses);
      }
    }
    outcomes.push({
      id: doc.id,
      lang: doc.lang,
      expectedSigning: want,
      predictedSigning: got,
      misses,
    });
  }
  return { documents: docs.length, fields, signing, records, confusion, outcomes };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}`.padStart(5);

/** A plain-text report: per-field table, page and record detection, confusion matrix. */
export function formatEvaluation(title: string, e: Evaluation): string {
  const lines: string[] = [`${title}: ${e.documents} documents`, ''];
  lines.push('field                          P      R     F1   exact  labelled');
  for (const f of e.fields) {
    if (f.labelled === 0 && f.fp === 0) continue;
    const exact = f.labelled === 0 ? 1 : f.correct / f.labelled;
    lines.push(
      `${f.field.padEnd(28)} ${pct(precision(f))}  ${pct(recall(f))}  ${pct(f1(f))}  ${pct(exact)}  ${String(f.labelled).padStart(8)}`,
    );
  }
  const s = e.signing;
  lines.push(
    '',
    `is_signing (pages)           ${pct(precision(s))}  ${pct(recall(s))}  ${pct(f1(s))}   tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn}`,
    `records                      ${pct(precision(e.records))}  ${pct(recall(e.records))}  ${pct(f1(e.records))}   tp ${e.records.tp} fp ${e.records.fp} fn ${e.records.fn}`,
    '',
    'doc_type confusion (rows: expected, columns: predicted; (none) = missed / spurious)',
  );
  const types = [...DOC_TYPES, '(none)'].filter(
    (t) => e.confusion.has(t) || [...e.confusion.values()].some((r) => r.has(t)),
  );
  const short = (t: string): string => t.slice(0, 7).padStart(8);
  lines.push(`${''.padEnd(18)}${types.map(short).join('')}`);
  for (const row of types) {
    const r = e.confusion.get(row);
    if (r === undefined) continue;
    lines.push(
      `${row.padEnd(18)}${types.map((c) => String(r.get(c) ?? '.').padStart(8)).join('')}`,
    );
  }
  return lines.join('\n');
}
