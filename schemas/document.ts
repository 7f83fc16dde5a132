import { z } from 'zod';

/** A page after parsing: what the extractor and link discovery work from. */
export const ParsedDocument = z.object({
  url: z.string().nullable(),
  title: z.string().nullable(),
  /** Main text, title first, paragraphs separated by newlines. Evidence offsets index this. */
  text: z.string(),
  /** Publication date of the page when it can be read from the page, `YYYY-MM-DD`. */
  published: z.string().nullable(),
  links: z.array(z.object({ url: z.string(), text: z.string() })),
});
export type ParsedDocument = z.infer<typeof ParsedDocument>;

/** What `extract` reads: one document's text plus the context that helps code it. */
export const ExtractInput = z.object({
  text: z.string(),
  url: z.string().nullable().default(null),
  /** The page's own date (`YYYY-MM-DD`); a bare 9月24日 takes its year from it. */
  published: z.string().nullable().default(null),
});
export type ExtractInput = z.input<typeof ExtractInput>;
