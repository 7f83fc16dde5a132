import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { App } from '../pipeline/app.js';
import { loadBundledSources, loadSourcesFile } from '../pipeline/sources.js';
import { SourceDefinition } from '../schemas/source.js';
import { parsePositiveInt, withApp } from './common.js';
import type { Runner } from './main.js';
import { out, table } from './output.js';

const schedules = () => import('../pipeline/schedule.js');

import { serve } from './worker.js';

/**
 * `pactwatch schedule add SOURCE --cron EXPR | list | remove ID | run`: crawls that start by
 * themselves. Schedules live in the database; `pactwatch worker` (or `schedule run`) fires them.
 */

export interface ScheduleAddFlags {
  cron: string;
  tz?: string;
  maxPages?: string;
  sources?: string;
}

/** The source to schedule: from --sources FILE, the bundled sources, or one an earlier crawl saved. */
async function findSource(app: App, id: string, file: string | undefined) {
  const pool = file === undefined ? loadBundledSources() : loadSourcesFile(file);
  const found = pool.find((s) => s.id === id);
  if (found !== undefined) return found;
  if (file === undefined) {
    const row = await app.db
      .selectFrom('sources')
      .select('definition')
      .where('id', '=', id)
      .executeTakeFirst();
    if (row !== undefined) return SourceDefinition.parse(JSON.parse(row.definition));
  }
  throw new UserError(
    `Unknown source \`${id}\`; known sources: ${pool.map((s) => s.id).join(', ')}${file === undefined ? ' (or use --sources FILE)' : ''}`,
  );
}

const utc = (ms: number | null) =>
  ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export async function scheduleAddCommand(source: string, flags: ScheduleAddFlags): Promise<number> {
  const maxPages =
    flags.maxPages === undefined ? undefined : parsePositiveInt(flags.maxPages, '--max-pages');
  return withApp(async (app) => {
    const definition = await findSource(app, source, flags.sources);
    const { addSchedule, localTimeZone } = await schedules();
    const s = await addSchedule(app, {
      source: definition,
      cron: flags.cron,
      timezone: flags.tz ?? localTimeZone(),
      ...(maxPages === undefined ? {} : { maxPages }),
    });
    out(
      `schedule ${s.id}: ${s.sourceId} at \`${s.cron}\` (${s.timezone}), next ${utc(s.nextRunAt)}`,
    );
    if (app.config.redisUrl === undefined) {
      out('runs while a `pactwatch worker` is running (embedded mode)');
    }
    return 0;
  });
}

export async function scheduleListCommand(): Promise<number> {
  return withApp(async (app) => {
    const list = await (await schedules()).listSchedules(app.db);
    out(
      table([
        ['id', 'source', 'cron', 'zone', 'next run', 'last fired', 'last'],
        ...list.map((s) => [
          String(s.id),
          s.sourceId,
          s.cron,
          s.timezone,
          utc(s.nextRunAt),
          utc(s.lastFiredAt),
          s.lastStatus ?? '',
        ]),
      ]),
    );
    return 0;
  });
}

export async function scheduleRemoveCommand(id: string): Promise<number> {
  const n = parsePositiveInt(id, 'schedule remove');
  return withApp(async (app) => {
    await (await schedules()).removeSchedule(app, n);
    out(`schedule ${n} removed`);
    return 0;
  });
}

export function register(program: Command, run: Runner): void {
  const schedule = program
    .command('schedule')
    .description('crawls that start by themselves (cron), fired by `pactwatch worker`');
  schedule
    .command('add <source>')
    .description('crawl SOURCE on a cron schedule')
    .requiredOption(
      '--cron <expr>',
      'cron expression: "min hour day month weekday" (or six fields, seconds first)',
    )
    .option('--tz <zone>', 'IANA time zone the expression is read in (default: this machine’s)')
    .option('--max-pages <n>', 'at most this many pages per scheduled crawl')
    .option('--sources <file>', 'take the source definition from this JSON file')
    .action((source: string, flags: ScheduleAddFlags) =>
      run(() => scheduleAddCommand(source, flags)),
    );
  schedule
    .command('list')
    .description('schedules with their next run and what they last did')
    .action(() => run(() => scheduleListCommand()));
  schedule
    .command('remove <id>')
    .description('delete a schedule')
    .action((id: string) => run(() => scheduleRemoveCommand(id)));
  schedule
    .command('run')
    .description(
      'long-running scheduler: fires schedules and keeps the queues healthy, without crawling itself',
    )
    .action(() => run(() => serve(0, undefined, 'scheduler')));
}
