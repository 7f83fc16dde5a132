import { z } from 'zod';
import { SourceKind } from './codes.js';

/**
 * A source is data: maintainers repair a site that changed its layout by editing this entry.
 * Patterns are regular expressions matched against absolute, normalised URLs.
 */
export const SourceDefinition = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    kind: SourceKind,
    language: z.enum(['zh', 'zh-Hant', 'en', 'vi', 'other']),
    name: z.string().optional(),
    /**
     * For maintainers: what is known and what is guessed about the site's layout, and how to
     * check it (`pactwatch sources check ID`). Shown by `pactwatch sources show`.
     */
    notes: z.array(z.string()).optional(),
    start_urls: z.array(z.url()).min(1),
    allowed_hosts: z.array(z.string().min(1)).min(1),
    /** URLs that are list pages (followed for links, not extracted). */
    list_patterns: z.array(z.string()).default([]),
    /** URLs that are article pages (stored and extracted). */
    article_patterns: z.array(z.string()).min(1),
    /** Optional CSS selector narrowing where article links are found on list pages. */
    link_selector: z.string().optional(),
    /** Optional CSS selector for the article body; a generic text extractor is used otherwise. */
    content_selector: z.string().optional(),
    /** Pagination: a pattern of further list pages, e.g. `index_\\d+\\.html$`. */
    pagination_pattern: z.string().optional(),
    render: z.enum(['static', 'browser']).default('static'),
    /**
     * Sitemaps (`urlset` or `sitemapindex` XML) read like list pages: their URLs are queued
     * when they match the article or list patterns. Optional.
     */
    sitemaps: z.array(z.url()).optional(),
    /** With the browser: wait (a few seconds at most) for this CSS selector before reading. */
    render_wait_selector: z.string().min(1).optional(),
    charset: z.string().optional(),
    politeness: z
      .object({
        concurrency: z.number().int().positive().default(2),
        delay_ms: z.number().int().nonnegative().default(1000),
      })
      .default({ concurrency: 2, delay_ms: 1000 }),
    limits: z
      .object({
        max_pages: z.number().int().positive().default(2000),
        max_depth: z.number().int().nonnegative().default(5),
      })
      .default({ max_pages: 2000, max_depth: 5 }),
    /** Fixtures and demos only: allow loopback and private addresses. */
    allow_private_hosts: z.boolean().default(false),
    /** Obey robots.txt. Only a source's owner may turn this off. */
    respect_robots: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    if (s.pagination_pattern !== undefined) {
      try {
        new RegExp(s.pagination_pattern);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['pagination_pattern'],
          message: `Not a valid regular expression: ${s.pagination_pattern}`,
        });
      }
    }
    for (const key of ['list_patterns', 'article_patterns'] as const) {
      for (const [i, p] of s[key].entries()) {
        try {
          new RegExp(p);
        } catch {
          ctx.addIssue({
            code: 'custom',
            path: [key, i],
            message: `Not a valid regular expression: ${p}`,
          });
        }
      }
    }
  });
export type SourceDefinition = z.infer<typeof SourceDefinition>;
export type SourceDefinitionInput = z.input<typeof SourceDefinition>;

export const SourceFile = z.object({ sources: z.array(SourceDefinition) });
