import { z } from 'zod';

export const STAGES = ['fetch', 'parse', 'extract', 'dedup'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'skipped'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** A unit of stage work. `key` makes it idempotent: one job per (stage, key). */
export const CrawlJob = z.object({
  id: z.number().int().optional(),
  crawl_id: z.number().int(),
  stage: Stage,
  key: z.string(),
  source_id: z.string(),
  url: z.string().nullable(),
  host: z.string().nullable(),
  depth: z.number().int().nonnegative(),
  page_type: z.enum(['list', 'article', 'start']).nullable(),
  payload: z.record(z.string(), z.unknown()).default({}),
  state: JobState,
  attempts: z.number().int().nonnegative(),
  not_before: z.number().int().nonnegative(),
  last_error: z.string().nullable(),
});
export type CrawlJob = z.infer<typeof CrawlJob>;
