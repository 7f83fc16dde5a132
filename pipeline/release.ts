import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { NonRetryableError, PipelineError, UserError } from '../core/errors.js';
import type { Agreement } from '../schemas/agreement.js';
import { ReleaseVersion } from '../schemas/release.js';
import { sha256Hex } from '../storage/snapshot-store.js';
import type { App } from './app.js';
import { buildCodebook } from './codebook.js';
import { buildDataPackage, schemaFingerprint, toSourcesCsv } from './datapackage.js';
import { type Dataset, parseJsonDataset, readDatasetFile, releaseDataset } from './dataset.js';
import { diffDatasets } from './diff.js';
import { formatDiffMarkdownBody } from './diff-format.js';
import { loadExportRecords, toCsv, toJson } from './records.js';
import { type Bump, checkVersionRule, compareVersions, VERSION_RULE } from './release-version.js';

/**
 * Releases: immutable folders `releases/VERSION/` of approved records, indexed by the
 * `releases` table. A cut is written into a temporary folder beside the releases and renamed
 * into place inside the transaction that adds the index row, so an interrupted cut leaves no
 * half release and no index row without its folder.
 */

export interface ReleaseInfo {
  readonly version: string;
  readonly dir: string;
  readonly records: number;
  /** SHA-256 of every file, by name (as in SHA256SUMS). */
  readonly files: Readonly<Record<string, string>>;
  readonly previous: string | null;
  readonly bump: Bump | null;
  readonly changes: { readonly added: number; readonly removed: number; readonly changed: number };
}

export type WriteFile = (file: string, body: string) => Promise<void>;

export interface CutOptions {
  /** A line for the changelog entry of this release. @default null */
  readonly note?: string | null;
  /** Writes one file durably; tests inject a failing writer. @default durableWriteFile */
  readonly writeFile?: WriteFile;
  /** The schema fingerprint to record (tests simulate a schema change). @default schemaFingerprint() */
  readonly schemaFingerprint?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Temporary folders of killed cuts older than this are removed. @default 3_600_000 */
  readonly staleTempMs?: number;
}

export const CUT_DEFAULTS = {
  note: null,
  writeFile: durableWriteFile,
  now: () => new Date(),
  staleTempMs: 3_600_000,
} as const;

/** Writes and fsyncs a file, so a renamed release survives a power loss whole. */
export async function durableWriteFile(file: string, body: string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export function releaseDir(app: App, version: string): string {
  return path.join(app.config.releasesDir, version);
}

/** The index of releases, oldest version first. */
export async function listReleases(app: App) {
  const rows = await app.db.selectFrom('releases').selectAll().execute();
  return rows.sort((a, b) => compareVersions(a.version, b.version));
}

export async function latestRelease(app: App) {
  const rows = await listReleases(app);
  return rows.at(-1);
}

function parseSums(body: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of body.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line.trim());
    if (m !== null) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** Checks every file of a release against SHA256SUMS (and that none is missing or extra). */
export async function verifyRelease(app: App, version: string): Promise<VerifyResult> {
  const dir = await requireReleaseDir(app, version);
  let sums: Map<string, string>;
  try {
    sums = parseSums(await fs.readFile(path.join(dir, 'SHA256SUMS'), 'utf8'));
  } catch {
    return { ok: false, problems: ['SHA256SUMS is missing'] };
  }
  const problems: string[] = [];
  const present = new Set((await fs.readdir(dir)).filter((f) => f !== 'SHA256SUMS'));
  for (const [name, sum] of sums) {
    if (!present.has(name)) {
      problems.push(`${name} is missing`);
      continue;
    }
    present.delete(name);
    if (sha256Hex(await fs.readFile(path.join(dir, name))) !== sum)
      problems.push(`${name} does not match its checksum`);
  }
  for (const extra of present) problems.push(`${extra} is not in SHA256SUMS`);
  return { ok: problems.length === 0, problems };
}

async function requireReleaseDir(app: App, version: string): Promise<string> {
  const dir = releaseDir(app, version);
  if (!ReleaseVersion.safeParse(version).success || !(await exists(dir)))
    throw new UserError(`No release ${version}; \`pactwatch release list\` shows the releases`);
  return dir;
}

/** The records of a release, after checking agreements.json against SHA256SUMS. */
export async function readRelease(app: App, version: string): Promise<Dataset> {
  const dir = await requireReleaseDir(app, version);
  const body = await fs.readFile(path.join(dir, 'agreements.json'), 'utf8').catch(() => {
    throw new NonRetryableError('STORAGE', `Release ${version} has no agreements.json`);
  });
  const sums = parseSums(await fs.readFile(path.join(dir, 'SHA256SUMS'), 'utf8').catch(() => ''));
  if (sums.get('agreements.json') !== sha256Hex(body))
    throw new NonRetryableError(
      'STORAGE',
      `Release ${version} is damaged: agreements.json does not match SHA256SUMS`,
    );
  const parsed = parseJsonDataset(body, version);
  return { ...parsed, kind: 'release' };
}

/**
 * A release by version, or an external CSV/JSON file of export records; without REF, the
 * latest release.
 */
export async function resolveDataset(app: App, ref: string | undefined): Promise<Dataset> {
  if (ref === undefined) {
    const latest = await latestRelease(app);
    if (latest === undefined)
      throw new UserError('No release yet; cut one with `pactwatch release cut 1.0.0`');
    return readRelease(app, latest.version);
  }
  if (ReleaseVersion.safeParse(ref).success) return readRelease(app, ref);
  if (await exists(ref)) return readDatasetFile(ref);
  throw new UserError(
    `No release or file \`${ref}\`; \`pactwatch release list\` shows the releases`,
  );
}

async function sweepStaleTemps(releasesDir: string, staleMs: number, now: number): Promise<void> {
  for (const name of await fs.readdir(releasesDir).catch(() => [] as string[])) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    const full = path.join(releasesDir, name);
    const stat = await fs.stat(full).catch(() => undefined);
    if (stat !== undefined && now - stat.mtimeMs > staleMs)
      await fs.rm(full, { recursive: true, force: true });
  }
}

function changelogEntry(
  version: string,
  date: string,
  previous: Dataset | null,
  current: Dataset,
  bump: Bump | null,
  note: string | null,
): string {
  const head = `## ${version} — ${date}`;
  const noteLine = note === null ? [] : ['', note];
  if (previous === null)
    return [head, ...noteLine, '', `First release: ${current.records.length} agreements.`, ''].join(
      '\n',
    );
  const d = diffDatasets(previous, current, { match: 'id' });
  return [
    head,
    ...noteLine,
    '',
    `Against ${previous.label} (${bump} release).`,
    '',
    formatDiffMarkdownBody(d, 3),
  ].join('\n');
}

function optionsOf(options: CutOptions) {
  const staleTempMs = options.staleTempMs ?? CUT_DEFAULTS.staleTempMs;
  if (!Number.isFinite(staleTempMs) || staleTempMs < 0)
    throw new TypeError(
      `Expected \`staleTempMs\` to be a non-negative number, got \`${staleTempMs}\``,
    );
  return {
    note: options.note ?? CUT_DEFAULTS.note,
    writeFile: options.writeFile ?? CUT_DEFAULTS.writeFile,
    fingerprint: options.schemaFingerprint ?? schemaFingerprint(),
    now: options.now ?? CUT_DEFAULTS.now,
    staleTempMs,
  };
}

/** Every file of a release, in the order they are written (SHA256SUMS last). */
function releaseFiles(input: {
  version: string;
  created: string;
  records: readonly Agreement[];
  previous: Dataset | null;
  bump: Bump | null;
  fingerprint: string;
  changelog: string;
}): Record<string, string> {
  const files: Record<string, string> = {
    'agreements.csv': toCsv(input.records),
    'agreements.json': toJson(input.records),
    'sources.csv': toSourcesCsv(input.records),
  };
  const pkg = buildDataPackage({
    version: input.version,
    created: input.created,
    previousVersion: input.previous?.label ?? null,
    bump: input.bump,
    versionRule: VERSION_RULE,
    records: input.records.length,
    files,
  });
  // The package records the fingerprint the cut was checked with (tests may inject one).
  files['datapackage.json'] = `${JSON.stringify(
    { ...pkg, pactwatch: { ...pkg.pactwatch, schema_fingerprint: input.fingerprint } },
    null,
    2,
  )}\n`;
  files['CODEBOOK.md'] = buildCodebook({
    version: input.version,
    created: input.created,
    records: input.records.length,
    fingerprint: input.fingerprint,
  });
  files['CHANGELOG.md'] = input.changelog;
  files['SHA256SUMS'] = `${Object.entries(files)
    .map(([name, body]) => `${sha256Hex(body)}  ${name}`)
    .join('\n')}\n`;
  return files;
}

/** Cuts release VERSION from the approved records (see the module comment and VERSION_RULE). */
export async function cutRelease(
  app: App,
  version: string,
  options: CutOptions = {},
): Promise<ReleaseInfo> {
  const opts = optionsOf(options);
  if (!ReleaseVersion.safeParse(version).success)
    throw new UserError(
      `Invalid release version \`${version}\`: expected major.minor.patch, e.g. 1.0.0`,
    );
  const dir = releaseDir(app, version);
  const indexed = await app.db
    .selectFrom('releases')
    .select('version')
    .where('version', '=', version)
    .executeTakeFirst();
  if (indexed !== undefined || (await exists(dir)))
    throw new PipelineError(
      'RELEASE_EXISTS',
      `Release ${version} already exists; releases are immutable, cut a new version`,
    );

  const records = await loadExportRecords(app.db, 'approved');
  const latest = await latestRelease(app);
  const previous = latest === undefined ? null : await readRelease(app, latest.version);
  const current = releaseDataset(version, records);
  const changes =
    previous === null
      ? { added: records.length, removed: 0, changed: 0 }
      : (() => {
          const d = diffDatasets(previous, current, { match: 'id' });
          return { added: d.added.length, removed: d.removed.length, changed: d.changed.length };
        })();
  const bump = checkVersionRule(version, {
    previous:
      latest === undefined
        ? null
        : { version: latest.version, fingerprint: latest.schema_fingerprint },
    fingerprint: opts.fingerprint,
    changes,
  });

  const created = opts.now().toISOString();
  const entry = changelogEntry(version, created.slice(0, 10), previous, current, bump, opts.note);
  const earlier =
    latest === undefined
      ? ''
      : await fs
          .readFile(path.join(releaseDir(app, latest.version), 'CHANGELOG.md'), 'utf8')
          .then((s) => s.replace(/^# Changelog\n+/, ''))
          .catch(() => '');
  const files = releaseFiles({
    version,
    created,
    records,
    previous,
    bump,
    fingerprint: opts.fingerprint,
    changelog: `# Changelog\n\n${entry}\n${earlier}`,
  });
  const checksums = Object.fromEntries(
    Object.entries(files).map(([name, body]) => [name, sha256Hex(body)]),
  );

  await fs.mkdir(app.config.releasesDir, { recursive: true });
  await sweepStaleTemps(app.config.releasesDir, opts.staleTempMs, opts.now().getTime());
  const tmp = path.join(app.config.releasesDir, `.${version}.${randomUUID()}.tmp`);
  await fs.mkdir(tmp);
  let renamed = false;
  try {
    for (const [name, body] of Object.entries(files))
      await opts.writeFile(path.join(tmp, name), body);
    await app.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('releases')
        .values({
          version,
          created_at: created,
          records: records.length,
          files: JSON.stringify(checksums),
          schema_fingerprint: opts.fingerprint,
          previous_version: latest?.version ?? null,
          bump,
        })
        .execute();
      await fs.rename(tmp, dir);
      renamed = true;
    });
  } catch (error) {
    // The index row rolled back with the transaction; take the folder back with it.
    await fs.rm(renamed ? dir : tmp, { recursive: true, force: true });
    if (error instanceof PipelineError) throw error;
    throw new NonRetryableError(
      'STORAGE',
      `Cutting release ${version} failed; nothing was written`,
      {
        cause: error,
      },
    );
  }
  app.logger
    .child({ component: 'release' })
    .info({ version, records: records.length, bump }, 'release cut');
  return {
    version,
    dir,
    records: records.length,
    files: checksums,
    previous: latest?.version ?? null,
    bump,
    changes,
  };
}
