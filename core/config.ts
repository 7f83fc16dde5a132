import path from 'node:path';
import { z } from 'zod';
import { UserError } from './errors.js';

/**
 * Every setting pactwatch reads from the environment, in one schema. The README's
 * configuration table is checked against `CONFIG_ENV` by a test, so the two never drift.
 */
export const CONFIG_ENV = {
  PACTWATCH_DATA_DIR: 'Data directory: SQLite database, snapshots, releases. Default `./data`.',
  PACTWATCH_DB: 'SQLite database file. Default `<data dir>/pactwatch.db`.',
  PACTWATCH_LOG_LEVEL: 'pino log level (`trace`..`fatal`, `silent`). Default `info`.',
  PACTWATCH_USER_AGENT: 'User-Agent sent by the crawler; put a contact address in it.',
  DATABASE_URL: 'PostgreSQL connection string; turns on PostgreSQL storage (distributed mode).',
  REDIS_URL: 'Redis connection string; turns on the BullMQ backend (distributed mode).',
  OPENAI_BASE_URL: 'OpenAI-compatible server for the optional LLM extractor.',
  OPENAI_API_KEY: 'API key for that server (redacted from logs).',
  PACTWATCH_LLM_MODEL: 'Model name; the LLM extractor is on only when this is set.',
  HTTP_PROXY: 'Proxy for http:// fetches.',
  HTTPS_PROXY: 'Proxy for https:// fetches.',
} as const;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  PACTWATCH_DATA_DIR: optionalString,
  PACTWATCH_DB: optionalString,
  PACTWATCH_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .optional()
    .default('info'),
  PACTWATCH_USER_AGENT: optionalString,
  DATABASE_URL: optionalString,
  REDIS_URL: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_API_KEY: optionalString,
  PACTWATCH_LLM_MODEL: optionalString,
  HTTP_PROXY: optionalString,
  HTTPS_PROXY: optionalString,
});

export const DEFAULT_USER_AGENT =
  'pactwatch/0.1 (+research crawler; contact: set PACTWATCH_USER_AGENT with your address)';

export interface Config {
  readonly dataDir: string;
  readonly dbFile: string;
  readonly snapshotDir: string;
  readonly releasesDir: string;
  readonly logLevel: string;
  readonly userAgent: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly openaiBaseUrl: string | undefined;
  readonly openaiApiKey: string | undefined;
  readonly llmModel: string | undefined;
  readonly httpProxy: string | undefined;
  readonly httpsProxy: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `Invalid environment variable ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.PACTWATCH_DATA_DIR ?? 'data');
  return Object.freeze({
    dataDir,
    dbFile: path.resolve(cwd, e.PACTWATCH_DB ?? path.join(dataDir, 'pactwatch.db')),
    snapshotDir: path.join(dataDir, 'snapshots'),
    releasesDir: path.join(dataDir, 'releases'),
    logLevel: e.PACTWATCH_LOG_LEVEL,
    userAgent: e.PACTWATCH_USER_AGENT ?? DEFAULT_USER_AGENT,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    openaiApiKey: e.OPENAI_API_KEY,
    llmModel: e.PACTWATCH_LLM_MODEL,
    httpProxy: e.HTTP_PROXY,
    httpsProxy: e.HTTPS_PROXY,
  });
}
