import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { type App, openApp } from '../../pipeline/app.js';

/** A temporary data directory with a real SQLite database, removed by `cleanup`. */
export async function tempApp(): Promise<App & { dir: string; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-test-'));
  const config = loadConfig({ PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent' }, dir);
  const app = await openApp(config, { logger: silentLogger });
  return {
    ...app,
    close: app.close,
    dir,
    async cleanup() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
