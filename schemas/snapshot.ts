import { z } from 'zod';

/** One fetched response. The body lives on disk, content-addressed by its sha256. */
export const Snapshot = z.object({
  id: z.number().int().optional(),
  url: z.string(),
  final_url: z.string(),
  source_id: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  content_type: z.string().nullable(),
  charset: z.string().nullable(),
  body_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  body_bytes: z.number().int().nonnegative(),
  fetched_at: z.string(),
});
export type Snapshot = z.infer<typeof Snapshot>;
