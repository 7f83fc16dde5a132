import { Command, CommanderError } from 'commander';
import { describe, err, exitCodeFor } from './output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The commands' code, loaded when one runs (the pipeline costs a second to load). */
const commands = () => import('./commands.js');

/** Runs one command action: prints a failure as one line and sets the exit code. */
export type Runner = (action: () => Promise<number> | number) => Promise<void>;

type Registrar = { register(program: Command, run: Runner): void };

/**
 * Command groups that live in their own cli/<group>.ts, each adding its commands, by the
 * top-level commands they add. Only the group a command line names is loaded; help and
 * mistakes load them all (in this order) to list every command.
 */
const GROUPS: readonly (readonly [commands: readonly string[], load: () => Promise<Registrar>])[] =
  [
    [['import'], () => import('./import.js')],
    [['release', 'totals', 'report'], () => import('./release.js')],
    [['review'], () => import('./review.js')],
    [['schedule'], () => import('./schedule.js')],
    [['snapshots'], () => import('./snapshots.js')],
    [['sources'], () => import('./sources.js')],
    [['worker'], () => import('./worker.js')],
  ];
const BUILT_IN = new Set(['crawl', 'extract', 'export', 'status', 'demo', 'schema']);

/**
 * The CLI. `argv` (as process.argv) decides which command groups are loaded; without it, all.
 */
export async function buildProgram(
  run: (action: () => Promise<number> | number) => Promise<void>,
  argv?: readonly string[],
): Promise<Command> {
  const program = new Command('pactwatch')
    .description('Keeps the dataset of MPS police-cooperation agreements current')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('crawl')
    .description('crawl the configured sources (resumes an interrupted crawl of the same sources)')
    .option('--source <id>', 'only this source (repeatable)', collect, [])
    .option('--sources <file>', 'read source definitions from this JSON file')
    .option('--max-pages <n>', 'at most this many pages per source')
    .option('--since <date>', 'skip articles published before YYYY-MM-DD')
    .option(
      '--concurrency <n>',
      'with REDIS_URL: work on the queues in this process too (else `pactwatch worker`s do)',
    )
    .option(
      '--wayback [cdx-url]',
      'look up archived copies of vanished pages (Wayback CDX API; default web.archive.org)',
    )
    .option('--full', 'no conditional requests: fetch and process every page as new')
    .action((flags) => run(async () => (await commands()).crawlCommand(flags)));

  program
    .command('extract [file]')
    .description('code one HTML or text document (or JSON lines with --jsonl) and print JSON')
    .option('--url <url>', 'the page URL, for evidence')
    .option('--published <date>', "the page's date YYYY-MM-DD (a bare 9月24日 takes its year)")
    .option(
      '--jsonl',
      'read {"id","text"|"html","url","published"} lines, write one result line each',
    )
    .option(
      '--extractor <name>',
      'rules, llm (PACTWATCH_LLM_MODEL) or both (adds the disagreements)',
      'rules',
    )
    .action((file, flags) => run(async () => (await commands()).extractCommand(file, flags)));

  program
    .command('export')
    .description('write export records')
    .option('--status <status>', 'approved, pending, rejected or any', 'approved')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((flags) => run(async () => (await commands()).exportCommand(flags)));

  program
    .command('status')
    .description('per source: last crawl, pages, failures, queue')
    .option('--json', 'print the per-source status as JSON')
    .action((flags: { json?: boolean }) =>
      run(async () => (await commands()).statusCommand(flags)),
    );
  program
    .command('demo')
    .description('serve the bundled sample sites on loopback and crawl them end to end')
    .action(() => run(async () => (await import('./demo.js')).demoCommand()));
  program
    .command('schema')
    .description('print the JSON Schema of the export record (generated from the zod schema)')
    .option('--out <file>')
    .action((flags) => run(async () => (await commands()).schemaCommand(flags)));

  const named = argv?.[2] ?? '';
  const only = GROUPS.filter(([names]) => names.includes(named));
  const groups = BUILT_IN.has(named) ? [] : only.length > 0 ? only : GROUPS;
  for (const [, load] of groups) (await load()).register(program, run);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  let code = 0;
  const run = async (action: () => Promise<number> | number) => {
    try {
      code = await action();
    } catch (error) {
      if (error instanceof Error && 'planned' in error) {
        err(`pactwatch: ${error.message}`);
        code = 2;
        return;
      }
      err(`pactwatch: ${describe(error)}`);
      if (process.env['PACTWATCH_DEBUG'] !== undefined && error instanceof Error)
        err(error.stack ?? '');
      code = exitCodeFor(error);
    }
  };
  const program = await buildProgram(run, argv);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Commander already printed its one-line message (unknown option, missing argument...).
    code = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : exitCodeFor(error);
    if (!(error instanceof CommanderError)) err(`pactwatch: ${describe(error)}`);
  }
  process.exitCode = code;
}
