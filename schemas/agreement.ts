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
  name_zh: z.string().nullable(),
  name_en: z.string().nullable(),
  title: CnTitle,
});
export type CnSignatory = z.infer<typeof CnSignatory>;

export const CounterpartSignatory = z.object({
  name: z.string().nullable(),
  rank: CounterpartRank,
});
export type CounterpartSignatory = z.infer<typeof CounterpartSignatory>;

/** One quote that justifies one coded field. Offsets index the snapshot's extracted text. */
export const Evidence = z.object({
  field: z.string(),
  source_url: z.string().nullable(),
  quote: z.string(),
  start: z.number().int().nonnegative().optional(),
  end: z.number().int().nonnegative().optional(),
});
export type Evidence = z.infer<typeof Evidence>;

export const AgreementSource = z.object({
  url: z.string(),
  source_kind: SourceKind,
  published: PartialDate.nullable(),
  fetched_at: z.string().nullable(),
  snapshot_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  archive_url: z.string().nullable(),
});
export type AgreementSource = z.infer<typeof AgreementSource>;

export const Review = z.object({
  status: ReviewStatus,
  reviewer: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  note: z.string().nullable(),
});
export type Review = z.infer<typeof Review>;

/**
 * The coded fields of one agreement: what an extractor produces from one document
 * (the export record minus `id`, `review` and `sources`).
 */
export const CodedAgreement = z.object({
  title_zh: z.string().nullable(),
  title_en: z.string().nullable(),
  date_signed: PartialDate.nullable(),
  year: z.number().int().min(1949).max(2100).nullable(),
  doc_type: DocType,
  doc_type_term: z.string().nullable(),
  scope: Scope,
  counterpart_countries: z.array(CountryCode),
  forum: z.string().nullable(),
  region: Region.nullable(),
  counterpart_agency: z.string().nullable(),
  counterpart_agency_type: AgencyType,
  cn_signing_body: CnSigningBody,
  cn_signatory: CnSignatory,
  cn_signatory_ministerial: z.boolean().nullable(),
  counterpart_signatory: CounterpartSignatory,
  topics: z.array(Topic).min(1),
  is_renewal: z.boolean(),
  evidence: z.array(Evidence),
  confidence: z.number().min(0).max(1),
});
export type CodedAgreement = z.infer<typeof CodedAgreement>;

/** The export record: one per canonical agreement (DESIGN.md). Field order is the CSV order. */
export const Agreement = z.object({
  id: z.string().min(1),
  ...CodedAgreement.shape,
  sources: z.array(AgreementSource),
  review: Review,
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
