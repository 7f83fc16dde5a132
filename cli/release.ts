import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { diffDatasets } from '../pipeline/diff.js';
import { DIFF_FORMATS, type DiffFormat, formatDiff } from '../pipeline/diff-format.js';
import { loadReference } from '../pipeline/reference.js';
import {
  cutRelease,
  listReleases,
  releaseDir,
  resolveDataset,
  verifyRelease,
} from '../pipeline/release.js';
import { computeTotals } from '../pipeline/totals.js';
import { formatTotals, TOTALS_FORMATS, type TotalsFormat } from '../pipeline/totals-format.js';
import { withApp } from './common.js';
import type { Runner } from './main.js';
import { err, out, table } from './output.js';

/** `release cut|list|diff|verify`, `totals` and `report`: what a data team publishes with. */

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UserError(`${flag} expects ${allowed.join(', ')}, got \`${value}\``);
  return value as T;
}

function writeOut(body: string, file: string | undefined, what: string): void {
  if (file === undefined) {
    process.stdout.write(body);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, body);
  err(`wrote ${what} to ${file}`);
}

export async function releaseCutCommand(
  version: string,
  flags: { note?: string },
): Promise<number> {
  return withApp(async (app) => {
    const info = await cutRelease(app, version, { note: flags.note ?? null });
    const against =
      info.previous === null
        ? 'first release'
        : `${info.bump} release after ${info.previous}: ${info.changes.added} added, ${info.changes.removed} removed, ${info.changes.changed} changed`;
    out(`release ${info.version}: ${info.records} approved agreements in ${info.dir} (${against})`);
    return 0;
  });
}

export async function releaseListCommand(): Promise<number> {
  return withApp(async (app) => {
    const list = await listReleases(app);
    if (list.length === 0) {
      err('no releases yet; cut one with `pactwatch release cut 1.0.0`');
      return 0;
    }
    const rows = [['version', 'created', 'records', 'bump', 'after', 'files']];
    for (const r of list) {
      const present = fs.existsSync(releaseDir(app, r.version));
      const check = present ? await verifyRelease(app, r.version) : null;
      rows.push([
        r.version,
        r.created_at.slice(0, 16).replace('T', ' '),
        String(r.records),
        r.bump ?? (r.previous_version === null ? 'first' : ''),
        r.previous_version ?? '',
        check === null ? 'MISSING' : check.ok ? 'ok' : `DAMAGED (${check.problems[0]})`,
      ]);
    }
    out(table(rows));
    return 0;
  });
}

export async function releaseVerifyCommand(version: string): Promise<number> {
  return withApp(async (app) => {
    const { validateDataPackage } = await import('../pipeline/datapackage-validate.js');
    const sums = await verifyRelease(app, version);
    const pkg = await validateDataPackage(releaseDir(app, version));
    for (const p of sums.problems) out(`SHA256SUMS: ${p}`);
    for (const i of pkg.issues)
      out(
        `datapackage: ${[i.resource, i.row === undefined ? null : `row ${i.row}`, i.field].filter(Boolean).join(' ')}: ${i.message}`,
      );
    if (sums.ok && pkg.valid) {
      out(`release ${version}: checksums match and every file validates against datapackage.json`);
      return 0;
    }
    err(`release ${version} does not verify`);
    return 1;
  });
}

export async function releaseDiffCommand(
  a: string,
  b: string,
  flags: { format: string; match: string; out?: string },
): Promise<number> {
  const format = oneOf<DiffFormat>('--format', flags.format, DIFF_FORMATS);
  const match = oneOf('--match', flags.match, ['auto', 'id', 'key'] as const);
  return withApp(async (app) => {
    const left = await resolveDataset(app, a);
    const right = await resolveDataset(app, b);
    writeOut(formatDiff(diffDatasets(left, right, { match }), format), flags.out, 'the diff');
    return 0;
  });
}

export async function totalsCommand(flags: { release?: string; format: string }): Promise<number> {
  const format = oneOf<TotalsFormat>('--format', flags.format, TOTALS_FORMATS);
  return withApp(async (app) => {
    const dataset = await resolveDataset(app, flags.release);
    out(formatTotals(computeTotals(dataset, loadReference()), format));
    return 0;
  });
}

export async function reportCommand(flags: { release?: string; out?: string }): Promise<number> {
  // vega and vega-lite are loaded only for this command, so every other command starts fast.
  const { writeReport } = await import('../pipeline/report/index.js');
  return withApp(async (app) => {
    const dataset = await resolveDataset(app, flags.release);
    const safe = dataset.label.replace(/[^\w.-]+/g, '_');
    const dir = path.resolve(flags.out ?? path.join(app.config.dataDir, 'reports', safe));
    const written = await writeReport(dataset, dir);
    out(`report for ${dataset.label}: ${written.index} (${written.files.length - 2} figures)`);
    return 0;
  });
}

export function register(program: Command, run: Runner): void {
  const release = program.command('release').description('cut, list, diff and verify releases');
  release
    .command('cut <version>')
    .description('cut an immutable release of the approved records (major.minor.patch)')
    .option('--note <text>', 'a line for the changelog')
    .action((version, flags) => run(() => releaseCutCommand(version, flags)));
  release
    .command('list')
    .description('list releases and check their files against SHA256SUMS')
    .action(() => run(() => releaseListCommand()));
  release
    .command('diff <a> <b>')
    .description(
      'what changed from A to B (each a release version or a CSV/JSON file of export records)',
    )
    .option('--format <format>', 'text, md or json', 'text')
    .option('--match <how>', 'pair records by id, by key (partner, date, document) or auto', 'auto')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((a, b, flags) => run(() => releaseDiffCommand(a, b, flags)));
  release
    .command('verify <version>')
    .description('check checksums and validate every file against datapackage.json')
    .action((version) => run(() => releaseVerifyCommand(version)));

  program
    .command('totals')
    .description("compare a release with MPS's own totals and the published v2.0 aggregates")
    .option(
      '--release <version>',
      'a release version or a CSV/JSON file (default: the latest release)',
    )
    .option('--format <format>', 'text, md or json', 'text')
    .action((flags) => run(() => totalsCommand(flags)));
  program
    .command('report')
    .description('write an HTML report with SVG figures of a release')
    .option(
      '--release <version>',
      'a release version or a CSV/JSON file (default: the latest release)',
    )
    .option('--out <dir>', 'output folder (default: <data dir>/reports/<version>)')
    .action((flags) => run(() => reportCommand(flags)));
}
