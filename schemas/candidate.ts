import { z } from 'zod';
import { CodedAgreement } from './agreement.js';
import { SourceKind } from './codes.js';

/** One agreement as one source reports it, before dedup. */
export const Candidate = z.object({
  id: z.number().int().optional(),
  snapshot_id: z.number().int(),
  source_id: z.string(),
  source_kind: SourceKind,
  url: z.string(),
  published: z.string().nullable(),
  ordinal: z.number().int().nonnegative(),
  record: CodedAgreement,
  agreement_id: z.string().nullable(),
  created_at: z.string(),
});
export type Candidate = z.infer<typeof Candidate>;
