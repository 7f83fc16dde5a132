import { z } from 'zod';

export const ReleaseVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+$/, 'Expected a version like 1.0.0 (major.minor.patch)');

export const Release = z.object({
  version: ReleaseVersion,
  created_at: z.string(),
  records: z.number().int().nonnegative(),
  files: z.record(z.string(), z.string()),
});
export type Release = z.infer<typeof Release>;
