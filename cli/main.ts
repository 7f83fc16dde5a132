import { Command, CommanderError } from 'commander';
import {
  crawlCommand,
  exportCommand,
  extractCommand,
  releaseCutCommand,
  releaseListCommand,
  reviewDecisionCommand,
  reviewListCommand,
  reviewShowCommand,
  schemaCommand,
  statusCommand,
} from './commands.js';
import { demoCommand } from './demo.js';
import { describe, err, exitCodeFor } from './output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Commands of the contract that later work adds; they say so instead of failing obscurely. */
const PLANNED: Record<string, string> = {
  'review serve': 'the review web app',
  'review merge': 'merging records',
  'review split': 'splitting records',
  import: 'importing an existing dataset',
  'release diff': 'release diffs',
  totals: 'comparison with MPS totals',
  report: 'the HTML report',
  schedule: 'scheduled crawls',
  worker: 'long-running workers',
};

function planned(name: string): () => never {
  return () => {
    throw Object.assign(
      new Error(`\`${name}\` (${PLANNED[name]}) is not available in this version yet`),
      {
        planned: true,
      },
    );
  };
}

export function buildProgram(
  run: (action: () => Promise<number> | number) => Promise<void>,
): Command {
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
    .action((flags) => run(() => crawlCommand(flags)));

  program
    .command('extract [file]')
    .description('code one HTML or text document (or JSON lines with --jsonl) and print JSON')
    .option('--url <url>', 'the page URL, for evidence')
    .option('--published <date>', "the page's date YYYY-MM-DD (a bare 9月24日 takes its year)")
    .option(
      '--jsonl',
      'read {"id","text"|"html","url","published"} lines, write one result line each',
    )
    .action((file, flags) => run(() => extractCommand(file, flags)));

  const review = program.command('review').description('list, inspect and decide candidates');
  review
    .command('list')
    .option('--status <status>', 'pending, approved, rejected or any', 'pending')
    .action((flags) => run(() => reviewListCommand(flags)));
  review
    .command('show <id>')
    .option('--json', 'print the record, its sources and its review log as JSON')
    .action((id, flags) => run(() => reviewShowCommand(id, flags)));
  review
    .command('approve <id>')
    .option('--reviewer <name>', 'who decides (default $PACTWATCH_REVIEWER or $USER)')
    .option('--note <text>', 'a note kept in the audit log')
    .action((id, flags) => run(() => reviewDecisionCommand('approve', id, flags)));
  review
    .command('reject <id>')
    .option('--reviewer <name>', 'who decides (default $PACTWATCH_REVIEWER or $USER)')
    .requiredOption('--reason <text>', 'why it is rejected (kept in the audit log)')
    .action((id, flags) => run(() => reviewDecisionCommand('reject', id, flags)));
  review
    .command('serve')
    .option('--port <n>')
    .action(() => run(planned('review serve')));
  review.command('merge <a> <b>').action(() => run(planned('review merge')));
  review.command('split <id>').action(() => run(planned('review split')));

  program
    .command('export')
    .description('write export records')
    .option('--status <status>', 'approved, pending, rejected or any', 'approved')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((flags) => run(() => exportCommand(flags)));

  const release = program.command('release').description('cut and list releases');
  release.command('cut <version>').action((version) => run(() => releaseCutCommand(version)));
  release.command('list').action(() => run(() => releaseListCommand()));
  release
    .command('diff <a> <b>')
    .option('--format <f>')
    .action(() => run(planned('release diff')));

  program
    .command('status')
    .description('per source: last crawl, pages, failures, queue')
    .action(() => run(() => statusCommand()));
  program
    .command('demo')
    .description('serve the bundled sample sites on loopback and crawl them end to end')
    .action(() => run(() => demoCommand()));
  program
    .command('schema')
    .description('print the JSON Schema of the export record (generated from the zod schema)')
    .option('--out <file>')
    .action((flags) => run(() => schemaCommand(flags)));

  program.command('import <file>').action(() => run(planned('import')));
  program
    .command('totals')
    .option('--release <v>')
    .action(() => run(planned('totals')));
  program
    .command('report')
    .option('--release <v>')
    .option('--out <dir>')
    .action(() => run(planned('report')));
  program
    .command('schedule')
    .argument('[args...]')
    .action(() => run(planned('schedule')));
  program
    .command('worker')
    .option('--concurrency <n>')
    .action(() => run(planned('worker')));
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
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Commander already printed its one-line message (unknown option, missing argument...).
    code = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : exitCodeFor(error);
    if (!(error instanceof CommanderError)) err(`pactwatch: ${describe(error)}`);
  }
  process.exitCode = code;
}
