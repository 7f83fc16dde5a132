/** The review server's defaults; light, so the CLI's help can show them without loading the app. */
export const REVIEW_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 7777,
  sessionTtlMs: 12 * 3_600_000,
  secureCookies: 'auto',
} as const;
