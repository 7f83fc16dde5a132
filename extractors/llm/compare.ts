import type { CodedAgreement, ExtractionResult } from '../../schemas/agreement.js';
import { pairRecords } from '../evaluation.js';

/**
 * Where the rules and the model disagree about one page: whether it reports a signing, a record
 * one of them found and the other did not, or a field of a record both found. With
 * `--extractor both` each disagreement becomes a review item on the rules' record.
 */
export interface Disagreement {
  /** Index of the rules' record it concerns; null for a record only the model found. */
  readonly ordinal: number | null;
  /** The field (`is_signing` and `record` for whole-page and whole-record disagreements). */
  readonly field: string;
  readonly rules: unknown;
  readonly llm: unknown;
}

/** The fields a reviewer is asked about; evidence, confidence and free-text names are not. */
export const COMPARED_FIELDS = [
  'doc_type',
  'title_zh',
  'date_signed',
  'counterpart_countries',
  'forum',
  'counterpart_agency_type',
  'cn_signing_body',
  'cn_signatory.title',
  'counterpart_signatory.rank',
  'topics',
] as const;

function fieldOf(record: CodedAgreement, field: string): unknown {
  const [head, tail] = field.split('.') as [string, string | undefined];
  const value = (record as unknown as Record<string, unknown>)[head];
  if (tail === undefined) return value;
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[tail]
    : undefined;
}

/** Lists compare as sets (topics in another order are the same topics). */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x) => b.includes(x));
  }
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function compareResults(rules: ExtractionResult, llm: ExtractionResult): Disagreement[] {
  const out: Disagreement[] = [];
  if (rules.is_signing !== llm.is_signing) {
    out.push({ ordinal: null, field: 'is_signing', rules: rules.is_signing, llm: llm.is_signing });
  }
  const expected = rules.agreements as unknown as Record<string, unknown>[];
  for (const { want, got } of pairRecords(expected, llm.agreements)) {
    const ordinal = want === undefined ? null : expected.indexOf(want);
    if (want === undefined && got !== undefined) {
      out.push({ ordinal: null, field: 'record', rules: null, llm: got });
      continue;
    }
    if (got === undefined) {
      out.push({ ordinal, field: 'record', rules: 'found', llm: null });
      continue;
    }
    const mine = want as unknown as CodedAgreement;
    for (const field of COMPARED_FIELDS) {
      const a = fieldOf(mine, field);
      const b = fieldOf(got, field);
      if (!same(a, b)) out.push({ ordinal, field, rules: a, llm: b });
    }
  }
  return out;
}
