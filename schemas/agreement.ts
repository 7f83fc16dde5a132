import { z } from 'zod';
import {
  AgencyType,
  CnSigningBody,
  CnTitle,
  CounterpartRank,
  CountryCode,
  DocType,
  PartialDate,
  Region,
  ReviewStatus,
  Scope,
  SourceKind,
  Topic,
} from './codes.js';

/** The Chinese signatory. */
export const CnSignatory = z.object({
  name_zh: z
    .string()
    .nullable()
    .describe('Name of the Chinese signatory in Chinese (e.g. 郭声琨).'),
  name_en: z
    .string()
    .nullable()
    .describe('Name of the Chinese signatory in English (e.g. Guo Shengkun).'),
  title: CnTitle.describe(
    "Title of the Chinese signatory on the signing date (a minister's tenure decides it).",
  ),
});
export type CnSignatory = z.infer<typeof CnSignatory>;

export const CounterpartSignatory = z.object({
  name: z.string().nullable().describe('Name of the foreign signatory as reported.'),
  rank: CounterpartRank.describe('Rank of the foreign signatory.'),
});
export type CounterpartSignatory = z.infer<typeof CounterpartSignatory>;

/** One quote that justifies one coded field. Offsets index the snapshot's extracted text. */
export const Evidence = z.object({
  field: z.string().describe('The coded field the quote justifies.'),
  source_url: z.string().nullable().describe('The page the quote comes from.'),
  quote: z.string().describe('A short quote from that page.'),
  start: z.number().int().nonnegative().optional().describe('Start offset in the page text.'),
  end: z.number().int().nonnegative().optional().describe('End offset in the page text.'),
});
export type Evidence = z.infer<typeof Evidence>;

export const AgreementSource = z.object({
  url: z.string().describe('A page that reports the signing.'),
  source_kind: SourceKind.describe('The kind of site the page is on.'),
  published: PartialDate.nullable().describe('Publication date of the page.'),
  fetched_at: z.string().nullable().describe('When pactwatch fetched the page (ISO 8601, UTC).'),
  snapshot_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .describe('SHA-256 of the stored copy of the page as fetched.'),
  archive_url: z.string().nullable().describe('An archived copy (Wayback Machine, archive.ph).'),
});
export type AgreementSource = z.infer<typeof AgreementSource>;

export const Review = z.object({
  status: ReviewStatus.describe('Review status; releases hold approved records only.'),
  reviewer: z.string().nullable().describe('Who decided.'),
  reviewed_at: z.string().nullable().describe('When the decision was made (ISO 8601, UTC).'),
  note: z.string().nullable().describe("The reviewer's note."),
});
export type Review = z.infer<typeof Review>;

/**
 * The coded fields of one agreement: what an extractor produces from one document
 * (the export record minus `id`, `review` and `sources`).
 */
export const CodedAgreement = z.object({
  title_zh: z.string().nullable().describe('Title as written in Chinese, without 《》.'),
  title_en: z.string().nullable().describe('Title in English, as written or translated.'),
  date_signed: PartialDate.nullable().describe(
    'Signing date: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known.',
  ),
  year: z.number().int().min(1949).max(2100).nullable().describe('Year of signing.'),
  doc_type: DocType.describe('Document type, coded from the term as written.'),
  doc_type_term: z
    .string()
    .nullable()
    .describe('The document-type term as written (谅解备忘录, memorandum of understanding, ...).'),
  scope: Scope.describe('bilateral (one foreign partner) or multilateral (several, or a forum).'),
  counterpart_countries: z
    .array(CountryCode)
    .describe('ISO 3166-1 alpha-3 codes of the foreign partners (TWN: Taiwan); empty for a forum.'),
  forum: z
    .string()
    .nullable()
    .describe('Multilateral forum: SCO, ASEAN, LMLECC, EU, INTERPOL or another short name.'),
  region: Region.nullable().describe("The partner's region; null for a forum."),
  counterpart_agency: z.string().nullable().describe('The foreign agency that signed, in English.'),
  counterpart_agency_type: AgencyType.describe('Type of the foreign agency.'),
  cn_signing_body: CnSigningBody.describe('The Chinese body that signed.'),
  cn_signatory: CnSignatory.describe('The Chinese signatory.'),
  cn_signatory_ministerial: z
    .boolean()
    .nullable()
    .describe(
      'True for a minister or executive vice minister (正部长级), false otherwise, null if unknown.',
    ),
  counterpart_signatory: CounterpartSignatory.describe('The foreign signatory.'),
  topics: z
    .array(Topic)
    .min(1)
    .describe('Topics named in titles, official descriptions or readouts; ["generic"] if none.'),
  is_renewal: z
    .boolean()
    .describe(
      'True when a partner (country or forum) has an agreement signed on an earlier date in the same set.',
    ),
  evidence: z.array(Evidence).describe('Short quotes that justify the coded fields.'),
  confidence: z.number().min(0).max(1).describe('Confidence of the coding, 0 to 1.'),
});
export type CodedAgreement = z.infer<typeof CodedAgreement>;

/** The export record: one per canonical agreement (DESIGN.md). Field order is the CSV order. */
export const Agreement = z.object({
  id: z
    .string()
    .min(1)
    .describe('Stable identifier (PW-000123); never reused, survives re-crawls and merges.'),
  ...CodedAgreement.shape,
  sources: z.array(AgreementSource).describe('Pages that report the signing.'),
  review: Review.describe('The review decision.'),
});
export type Agreement = z.infer<typeof Agreement>;

/** `pactwatch extract` output for one document. */
export const ExtractionResult = z.object({
  is_signing: z.boolean(),
  agreements: z.array(CodedAgreement),
});
export type ExtractionResult = z.infer<typeof ExtractionResult>;

/** Field names in export order (CSV header). */
export const AGREEMENT_FIELDS = Object.keys(Agreement.shape) as (keyof Agreement)[];
