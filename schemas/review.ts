import { z } from 'zod';

export const REVIEW_ACTIONS = [
  'approve',
  'reject',
  'edit',
  'merge',
  'split',
  'reopen',
  'import',
  'undo',
  'assign',
  'double_review',
  'resolve',
] as const;

/** One entry of the append-only review log. */
export const ReviewAction = z.object({
  id: z.number().int().optional(),
  agreement_id: z.string(),
  action: z.enum(REVIEW_ACTIONS),
  reviewer: z.string().min(1),
  at: z.string(),
  note: z.string().nullable(),
  /** Field-level before/after, or the ids involved in a merge or split. */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ReviewAction = z.infer<typeof ReviewAction>;
