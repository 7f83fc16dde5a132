import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import { exportWarc } from '../pipeline/warc.js';
import { withApp } from './common.js';
import type { Runner } from './main.js';
import { err, out, table } from './output.js';

/**
 * `pactwatch snapshots`: the stored responses. `export --warc FILE` writes them as a WARC 1.1
 * file for any web-archive tool; `list` shows what is held per source.
 */

export interface SnapshotsExportFlags {
  warc?: string;
  source?: string;
}

export async function snapshotsExportCommand(flags: SnapshotsExportFlags): Promise<number> {
  if (flags.warc === undefined || flags.warc.trim() === '')
    throw new UserError('Name the output file with --warc FILE');
  const file = flags.warc;
  return withApp(async (app) => {
    if (flags.source !== undefined) {
      const known = await app.db
        .selectFrom('sources')
        .select('id')
        .where('id', '=', flags.source)
        .executeTakeFirst();
      if (known === undefined) throw new UserError(`Unknown source \`${flags.source}\``);
    }
    const result = await exportWarc(app.db, app.store, {
      file,
      ...(flags.source === undefined ? {} : { sourceId: flags.source }),
    });
    err(`wrote ${result.records} response records to ${result.file}`);
    if (result.missing > 0)
      err(`${result.missing} snapshots had no body in the store and were left out`);
    return 0;
  });
}

export async function snapshotsListCommand(): Promise<number> {
  return withApp(async (app) => {
    const rows = await app.db
      .selectFrom('snapshots')
      .select((eb) => [
        'source_id',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('body_bytes').as('bytes'),
        eb.fn.max('fetched_at').as('last'),
      ])
      .groupBy('source_id')
      .orderBy('source_id')
      .execute();
    out(
      table([
        ['source', 'snapshots', 'bytes', 'last fetched'],
        ...rows.map((r) => [r.source_id, String(r.n), String(r.bytes ?? 0), String(r.last ?? '')]),
      ]),
    );
    return 0;
  });
}

export function register(program: Command, run: Runner): void {
  const snapshots = program
    .command('snapshots')
    .description('the stored responses (headers and bodies): list them, export them as WARC');
  snapshots
    .command('export')
    .description('write the snapshots as a WARC 1.1 file (FILE.gz: gzipped records)')
    .option('--warc <file>', 'the WARC file to write')
    .option('--source <id>', "only this source's snapshots")
    .action((flags: SnapshotsExportFlags) => run(() => snapshotsExportCommand(flags)));
  snapshots
    .command('list')
    .description('snapshots held per source')
    .action(() => run(() => snapshotsListCommand()));
}
