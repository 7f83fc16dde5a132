import type { CodedAgreement } from '../../schemas/agreement.js';
import type { DocType } from '../../schemas/codes.js';
import { featuresOf, type MatchFeatures } from './features.js';
import {
  enSubjectTokens,
  gramSimilarity,
  popcount,
  tokenHashes,
  zhBigrams,
  zhSubject,
} from './text.js';

export interface DedupOptions {
  /** Reports of one signing may be dated up to this many days apart. @default 3 */
  readonly windowDays?: number;
  /**
   * Below this subject similarity (0..1) two Chinese titles name different documents; English
   * readouts word titles more freely and get two thirds of it. @default 0.3
   */
  readonly minTitleSimilarity?: number;
  /** A pair that scores at least this (0..1) is one signing. @default 0.55 */
  readonly minScore?: number;
}

export const DEDUP_DEFAULTS = { windowDays: 3, minTitleSimilarity: 0.3, minScore: 0.55 } as const;

/** Validated, complete options. Bad values throw a TypeError naming the field. */
export function dedupOptions(options: DedupOptions = {}): Required<DedupOptions> {
  const o = { ...DEDUP_DEFAULTS, ...options };
  if (!Number.isInteger(o.windowDays) || o.windowDays < 0 || o.windowDays > 366) {
    throw new TypeError(
      `Expected \`windowDays\` to be an integer from 0 to 366, got \`${o.windowDays}\``,
    );
  }
  for (const key of ['minTitleSimilarity', 'minScore'] as const) {
    const v = o[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new TypeError(`Expected \`${key}\` to be a number from 0 to 1, got \`${v}\``);
    }
  }
  return o;
}

const VAGUE: ReadonlySet<DocType> = new Set(['unspecified', 'other']);

/**
 * Types that sources render differently for one document: English readouts call both 协议
 * (protocol) and 协定 (accord) an "agreement", 意向书 and 意向备忘录 are both letters of intent,
 * and a 合作计划 is often reported as an action plan.
 */
const RELATED: ReadonlySet<string> = new Set([
  'accord|protocol',
  'letter_of_intent|mou',
  'action_plan|cooperation_plan',
]);

export function isVagueDocType(t: DocType): boolean {
  return VAGUE.has(t);
}

/** 1 same, 0.6 related, 0.5 one is vague, null incompatible. */
export function docTypeAffinity(a: DocType, b: DocType): number | null {
  if (a === b) return VAGUE.has(a) ? 0.6 : 1;
  if (VAGUE.has(a) || VAGUE.has(b)) return 0.5;
  return RELATED.has(a < b ? `${a}|${b}` : `${b}|${a}`) ? 0.6 : null;
}

export function docTypesCompatible(a: DocType, b: DocType): boolean {
  return docTypeAffinity(a, b) !== null;
}

/** Days between two date ranges (0 when they overlap). */
export function dayGap(a: MatchFeatures, b: MatchFeatures): number {
  return Math.max(0, Math.max(a.startDay, b.startDay) - Math.min(a.endDay, b.endDay));
}

/** Days between two partial dates; 0 when one covers the other (2016-11 vs 2016-11-22). */
export function dateDistanceDays(a: string | null, b: string | null): number {
  if (a === null || b === null) return Number.POSITIVE_INFINITY;
  if (a.length === 10 && b.length === 10) {
    return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;
  }
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n) ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * 1 when the Chinese signatories (and counterpart names in one script) agree, 0 when they
 * differ; null when not both are named.
 */
function signerScore(a: MatchFeatures, b: MatchFeatures): number | null {
  const scores: number[] = [];
  if (a.cnSigner !== null && b.cnSigner !== null) scores.push(a.cnSigner === b.cnSigner ? 1 : 0);
  // Counterpart names come in either script (苏林 / To Lam): compare only like with like.
  if (a.cpSigner !== null && b.cpSigner !== null && isLatin(a.cpSigner) === isLatin(b.cpSigner)) {
    scores.push(a.cpSigner === b.cpSigner ? 1 : 0.2);
  }
  if (scores.length === 0) return null;
  return scores.reduce((x, y) => x + y, 0) / scores.length;
}

const isLatin = (s: string) => /^[\x20-\x7e\u00c0-\u024f]+$/.test(s);

/**
 * How well two records describe one signing, 0..1, or null when they cannot: other partner,
 * dates further apart than the window, incompatible document types, another meeting of a
 * series, or titles in one script that name different subjects.
 */
export function pairScore(
  a: MatchFeatures,
  b: MatchFeatures,
  options: Required<DedupOptions>,
): number | null {
  if (a.partner !== b.partner || a.partner === 'unknown') return null;
  const gap = dayGap(a, b);
  // NaN (no date) fails this comparison too: an undated report is never matched by date alone.
  if (!(gap <= options.windowDays)) return null;
  // An English "agreement" may be any document: a weak type, like a vague one.
  const typeScore =
    a.docType !== b.docType && (a.looseType || b.looseType)
      ? 0.45
      : docTypeAffinity(a.docType, b.docType);
  if (typeScore === null) return null;
  if (a.ordinal !== 0 && b.ordinal !== 0 && a.ordinal !== b.ordinal) return null;
  if (a.titleYear !== 0 && b.titleYear !== 0 && a.titleYear !== b.titleYear) return null;

  let titleScore: number | null = null;
  if (a.hasZh && b.hasZh) {
    const sim = gramSimilarity(a.zh, b.zh);
    if (sim < options.minTitleSimilarity) return null;
    titleScore = sim;
  }
  if (a.hasEn && b.hasEn) {
    const sim = gramSimilarity(a.en, b.en);
    if (sim < (options.minTitleSimilarity * 2) / 3) return null;
    titleScore = Math.max(titleScore ?? 0, sim);
  }
  if (titleScore === null && a.concepts !== 0 && b.concepts !== 0) {
    // Only a Chinese title on one side and an English one on the other: compare subjects.
    const shared = popcount(a.concepts & b.concepts);
    if (shared === 0) return null;
    titleScore = 0.4 + (0.6 * shared) / popcount(a.concepts | b.concepts);
  }

  const dateScore = a.precise && b.precise ? 1 - gap / (options.windowDays + 1) : 0.6;
  const signer = signerScore(a, b);
  return 0.3 * dateScore + 0.2 * typeScore + 0.35 * (titleScore ?? 0.5) + 0.15 * (signer ?? 0.5);
}

/**
 * How well a candidate matches a canonical record, 0..1, or null when they cannot be the same
 * signing. Convenience over `pairScore` for callers that hold records, not features.
 */
export function matchScore(
  candidate: CodedAgreement,
  canonical: CodedAgreement,
  options: DedupOptions = {},
): number | null {
  return pairScore(featuresOf(candidate), featuresOf(canonical), dedupOptions(options));
}

const CJK = /[\u3400-\u9fff]/;

/** Subject similarity of two titles in one script, 0..1; 1 when either has no subject left. */
export function titleSimilarity(a: string, b: string): number {
  const grams = (t: string) =>
    CJK.test(t) ? zhBigrams(zhSubject(t, 'unknown')) : tokenHashes(enSubjectTokens(t, 'unknown'));
  const x = grams(a);
  const y = grams(b);
  if (x.length === 0 || y.length === 0) return 1;
  return gramSimilarity(x, y);
}
