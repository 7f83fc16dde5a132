import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PipelineError, UserError } from '../core/errors.js';
import { ReleaseVersion } from '../schemas/release.js';
import { sha256Hex } from '../storage/snapshot-store.js';
import type { App } from './app.js';
import { loadExportRecords, toCsv, toJson } from './records.js';

export interface ReleaseInfo {
  readonly version: string;
  readonly dir: string;
  readonly records: number;
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Cuts release VERSION from the approved records: written into a temporary folder beside the
 * releases, then renamed into place, so an interrupted cut leaves no half release. An existing
 * version is never overwritten.
 */
export async function cutRelease(app: App, version: string): Promise<ReleaseInfo> {
  const parsed = ReleaseVersion.safeParse(version);
  if (!parsed.success)
    throw new UserError(
      `Invalid release version \`${version}\`: expected major.minor.patch, e.g. 1.0.0`,
    );
  const dir = path.join(app.config.releasesDir, version);
  const existing = await app.db
    .selectFrom('releases')
    .select('version')
    .where('version', '=', version)
    .executeTakeFirst();
  if (existing !== undefined || (await exists(dir))) {
    throw new PipelineError(
      'RELEASE_EXISTS',
      `Release ${version} already exists; releases are immutable, cut a new version`,
    );
  }
  const records = await loadExportRecords(app.db, 'approved');
  const files: Record<string, string> = {
    'agreements.json': toJson(records),
    'agreements.csv': toCsv(records),
  };
  const checksums = Object.fromEntries(
    Object.entries(files).map(([name, body]) => [name, sha256Hex(body)]),
  );
  files['SHA256SUMS'] = `${Object.entries(checksums)
    .map(([name, sum]) => `${sum}  ${name}`)
    .join('\n')}\n`;

  await fs.mkdir(app.config.releasesDir, { recursive: true });
  const tmp = path.join(app.config.releasesDir, `.${version}.${randomUUID()}.tmp`);
  await fs.mkdir(tmp);
  try {
    for (const [name, body] of Object.entries(files)) {
      const handle = await fs.open(path.join(tmp, name), 'w');
      await handle.writeFile(body);
      await handle.sync();
      await handle.close();
    }
    await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await app.db
    .insertInto('releases')
    .values({
      version,
      created_at: new Date().toISOString(),
      records: records.length,
      files: JSON.stringify(checksums),
    })
    .execute();
  return { version, dir, records: records.length, files: checksums };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export async function listReleases(app: App) {
  return app.db.selectFrom('releases').selectAll().orderBy('created_at').execute();
}
