import { loadConfig } from '../core/config.js';
import { UserError } from '../core/errors.js';
import type { App } from '../pipeline/app.js';
import { PartialDate } from '../schemas/codes.js';

/**
 * What every command group shares. Kept light: the pipeline is loaded only when a command
 * runs, so `pactwatch --help` and a mistyped flag answer at once.
 */

/** Opens the configured data directory (migrating it), runs `fn`, closes it. */
export async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const { openApp } = await import('../pipeline/app.js');
  const app = await openApp(loadConfig());
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export function parseDate(value: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !PartialDate.safeParse(value).success) {
    throw new UserError(`${flag} expects a date YYYY-MM-DD, got \`${value}\``);
  }
  return value;
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UserError(`${flag} expects a positive integer, got \`${value}\``);
  return n;
}
