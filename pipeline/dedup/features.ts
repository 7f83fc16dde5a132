import type { CodedAgreement } from '../../schemas/agreement.js';
import type { DocType } from '../../schemas/codes.js';
import { partnerKey } from '../../storage/agreements.js';
import {
  cnSignerKey,
  conceptMask,
  enSubjectTokens,
  type Grams,
  personKey,
  seriesMarks,
  tokenHashes,
  zhBigrams,
  zhSubject,
} from './text.js';

/**
 * What matching needs of one record, computed once: the dedup stage compares a handful of
 * records, the batch clusterer a million, and neither should re-normalise a title per pair.
 */
export interface MatchFeatures {
  /** Blocking key: sorted counterpart codes or `forum:NAME`; `unknown` never matches. */
  readonly partner: string;
  /** First and last day (days since 1970-01-01) the date can mean; NaN without a date. */
  readonly startDay: number;
  readonly endDay: number;
  /** The date is a full YYYY-MM-DD. */
  readonly precise: boolean;
  readonly docType: DocType;
  /** Chinese subject bigrams and English subject tokens (sorted, unique); empty when untitled. */
  readonly zh: Grams;
  readonly en: Grams;
  readonly hasZh: boolean;
  readonly hasEn: boolean;
  /** Cross-language subject concepts as a bit mask. */
  readonly concepts: number;
  /** Meeting number and a year named in a title; 0 when none. */
  readonly ordinal: number;
  readonly titleYear: number;
  /** The Chinese signatory, one key across scripts for MPS officials. */
  readonly cnSigner: string | null;
  /** `doc_type` comes from a word as loose as the English "agreement". */
  readonly looseType: boolean;
  readonly cpSigner: string | null;
}

const NONE: Grams = [];

/** English words that readouts use for any kind of signed document. */
const LOOSE_TERMS = /^(?:(?:cooperation|bilateral) )?(?:agreements?|deals?|pacts?|documents?)$/i;

/** Days since 1970-01-01 of a proleptic Gregorian date (no Date object, no string parse). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const digits = (s: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};

export function dayNumber(ymd: string): number {
  return daysFromCivil(digits(ymd, 0, 4), digits(ymd, 5, 7), digits(ymd, 8, 10));
}

/** The days a partial date covers: a month's or a year's first and last day. */
export function dayRange(date: string | null): [number, number] {
  if (date === null) return [Number.NaN, Number.NaN];
  const year = digits(date, 0, 4);
  if (date.length === 10) {
    const d = daysFromCivil(year, digits(date, 5, 7), digits(date, 8, 10));
    return [d, d];
  }
  if (date.length === 7) {
    const month = digits(date, 5, 7);
    const next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
    return [daysFromCivil(year, month, 1), next - 1];
  }
  return [daysFromCivil(year, 1, 1), daysFromCivil(year + 1, 1, 1) - 1];
}

/** `partner` when the caller has computed the record's partner key already. */
export function featuresOf(record: CodedAgreement, partner = partnerKey(record)): MatchFeatures {
  const [startDay, endDay] = dayRange(record.date_signed);
  const zh = record.title_zh === null ? NONE : zhBigrams(zhSubject(record.title_zh, partner));
  const en =
    record.title_en === null ? NONE : tokenHashes(enSubjectTokens(record.title_en, partner));
  const marksZh = record.title_zh === null ? { ordinal: 0, year: 0 } : seriesMarks(record.title_zh);
  const marksEn = record.title_en === null ? { ordinal: 0, year: 0 } : seriesMarks(record.title_en);
  return {
    partner,
    startDay,
    endDay,
    precise: record.date_signed !== null && record.date_signed.length === 10,
    docType: record.doc_type,
    zh,
    en,
    hasZh: zh.length > 0,
    hasEn: en.length > 0,
    concepts: conceptMask(record.title_zh, record.title_en),
    ordinal: marksZh.ordinal || marksEn.ordinal,
    titleYear: marksZh.year || marksEn.year,
    cnSigner: cnSignerKey(record.cn_signatory.name_zh, record.cn_signatory.name_en),
    looseType: record.doc_type_term !== null && LOOSE_TERMS.test(record.doc_type_term),
    cpSigner: personKey(record.counterpart_signatory.name),
  };
}
