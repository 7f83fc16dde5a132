import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config.js';
import { startDemoSites } from '../demo/server.js';
import { openApp } from '../pipeline/app.js';
import { runCrawl } from '../pipeline/crawl.js';
import { loadExportRecords, toJson } from '../pipeline/records.js';
import { defineSources } from '../pipeline/sources.js';
import { printCrawlReport } from './commands.js';
import { out, table } from './output.js';
import { attachProgress } from './progress.js';

/**
 * `pactwatch demo`: serves the bundled sample sites on loopback, crawls them end to end into
 * `<data dir>/demo` (kept apart from real data), exports what was found and says where to look.
 */
export async function demoCommand(): Promise<number> {
  const base = loadConfig();
  const dataDir = path.join(base.dataDir, 'demo');
  // The demo is self-contained: local SQLite and in-process queues even in a distributed setup.
  const config = loadConfig({
    ...process.env,
    PACTWATCH_DATA_DIR: dataDir,
    PACTWATCH_DB: '',
    DATABASE_URL: '',
    REDIS_URL: '',
  });
  // A fresh demo each time: an old demo database would only resume and find nothing new.
  fs.rmSync(dataDir, { recursive: true, force: true });
  const sites = await startDemoSites();
  const app = await openApp(config);
  try {
    for (const s of sites.sites) out(`serving ${s.id} (${s.kind}) at ${s.baseUrl}`);
    let stop = () => {};
    const report = await runCrawl(app, {
      sources: defineSources(sites.sources),
      retryBaseMs: 200,
      onQueue: (queue) => {
        stop = attachProgress(queue);
      },
    });
    stop();
    printCrawlReport(report);
    const records = await loadExportRecords(app.db, 'any');
    const exportFile = path.join(dataDir, 'export.json');
    fs.writeFileSync(exportFile, toJson(records));
    out('');
    out(
      table([
        ['id', 'date', 'partner', 'doc_type', 'sources', 'title'],
        ...records.map((r) => [
          r.id,
          r.date_signed ?? '?',
          r.forum ?? r.counterpart_countries.join('+'),
          r.doc_type,
          String(r.sources.length),
          (r.title_zh ?? r.title_en ?? '').slice(0, 36),
        ]),
      ]),
    );
    out('');
    out(`${records.length} agreements (pending review) exported to ${exportFile}`);
    out(
      `look further: PACTWATCH_DATA_DIR=${path.relative(process.cwd(), dataDir) || dataDir} npx pactwatch review list`,
    );
    out(
      `              PACTWATCH_DATA_DIR=${path.relative(process.cwd(), dataDir) || dataDir} npx pactwatch review show ${records[0]?.id ?? 'PW-000001'}`,
    );
    return 0;
  } finally {
    await app.close();
    await sites.close();
  }
}
