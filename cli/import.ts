import type { Command } from 'commander';
import { importFile } from '../pipeline/import.js';
import { withApp } from './common.js';
import type { Runner } from './main.js';
import { out } from './output.js';

/** `pactwatch import FILE`: an existing dataset becomes approved canonical records. */

export interface ImportFlags {
  reviewer?: string;
}

export async function importCommand(file: string, flags: ImportFlags): Promise<number> {
  return withApp(async (app) => {
    const reviewer = flags.reviewer ?? process.env['PACTWATCH_REVIEWER'];
    const r = await importFile(app.db, file, reviewer === undefined ? {} : { reviewer });
    const parts = [
      `${r.created} new`,
      `${r.unchanged} unchanged`,
      ...(r.updated > 0 ? [`${r.updated} pending records approved with the file's values`] : []),
      ...(r.absorbed > 0 ? [`${r.absorbed} crawled records merged into imported ones`] : []),
      ...(r.sourcesAdded > 0 ? [`${r.sourcesAdded} sources added`] : []),
      ...(r.conflicts > 0 ? [`${r.conflicts} conflicts to review`] : []),
      ...(r.skipped > 0 ? [`${r.skipped} rows skipped (not approved)`] : []),
      ...(r.duplicates > 0 ? [`${r.duplicates} repeated rows ignored`] : []),
    ];
    out(`imported ${r.rows} rows from ${file}: ${parts.join(', ')}`);
    return 0;
  });
}

export function register(program: Command, run: Runner): void {
  program
    .command('import <file>')
    .description(
      'load an existing dataset (export records as CSV, JSON or JSON lines) as approved records',
    )
    .option(
      '--reviewer <name>',
      'who the import is recorded as (default $PACTWATCH_REVIEWER or "import")',
    )
    .action((file: string, flags: ImportFlags) => run(() => importCommand(file, flags)));
}
