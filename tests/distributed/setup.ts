import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { type App, type DistributedQueueOptions, openApp } from '../../pipeline/app.js';
import {
  createSchema,
  dropPrefix,
  REDIS_URL,
  type TestSchema,
  uniquePrefix,
} from '../helpers/services.js';

/**
 * One distributed deployment per test: a PostgreSQL schema, a Redis key prefix and a data
 * directory (snapshots) of its own, all removed by `cleanup`. `app()` opens another process'
 * worth of stores on it, as a second worker machine would.
 */
export interface Deployment {
  readonly dir: string;
  readonly schema: TestSchema;
  readonly prefix: string;
  readonly redisUrl: string;
  /** Environment of a CLI process on this deployment. */
  env(extra?: Record<string, string>): Record<string, string>;
  app(queue?: DistributedQueueOptions): Promise<App>;
  cleanup(): Promise<void>;
}

/** Fast recovery for tests: a dead worker's jobs are back after about a second. */
export const FAST_QUEUE: DistributedQueueOptions = {
  lockMs: 1000,
  sweepIntervalMs: 300,
  pollMs: 50,
  shutdownGraceMs: 2000,
};

export async function deployment(redisUrl = REDIS_URL): Promise<Deployment> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-dist-'));
  const schema = await createSchema();
  // A server of the test's own needs no prefix of its own; the shared one does.
  const prefix = redisUrl === REDIS_URL ? uniquePrefix() : 'pactwatch';
  const apps: App[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env['PATH'] ?? '',
    PACTWATCH_DATA_DIR: dir,
    PACTWATCH_LOG_LEVEL: 'warn',
    DATABASE_URL: schema.url,
    REDIS_URL: redisUrl,
    ...extra,
  });
  return {
    dir,
    schema,
    prefix,
    redisUrl,
    env,
    async app(queue = {}) {
      const config = loadConfig(env({ PACTWATCH_LOG_LEVEL: 'silent' }), dir);
      const app = await openApp(config, {
        logger: silentLogger,
        queue: { prefix, ...FAST_QUEUE, ...queue },
      });
      apps.push(app);
      return app;
    },
    async cleanup() {
      await Promise.allSettled(apps.map((a) => a.close()));
      await schema.drop();
      if (redisUrl === REDIS_URL) await dropPrefix(prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
