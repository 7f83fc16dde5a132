import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../core/errors.js';
import { approve, edit, merge, queryLog, reject, reopen, split, undo } from '../pipeline/review.js';
import { assignSample, reviewerAgreement } from '../pipeline/review-agreement.js';
import { REVIEW_STATUSES } from '../schemas/codes.js';
import { getAgreement, listAgreements, sourcesOf } from '../storage/agreements.js';
import { createUser, listUsers, parseRole } from '../storage/users.js';
import { REVIEW_SERVER_DEFAULTS } from '../web/defaults.js';
import { parsePositiveInt, withApp } from './common.js';
import type { Runner } from './main.js';
import { err, out, table } from './output.js';

/**
 * `pactwatch review ...`: the same decisions as the web app from a terminal, plus the web app
 * itself (`serve`), accounts, double-review samples, the agreement report and the audit export.
 * A local operator with the database in reach is treated as an admin (may reopen).
 */

function reviewerName(flag: string | undefined): string {
  const name = flag ?? process.env['PACTWATCH_REVIEWER'] ?? process.env['USER'];
  if (name === undefined || name.trim() === '')
    throw new UserError('Name the reviewer with --reviewer NAME');
  return name;
}

function parseStatus(value: string | undefined): (typeof REVIEW_STATUSES)[number] | 'any' {
  const v = value ?? 'pending';
  if (v === 'any' || (REVIEW_STATUSES as readonly string[]).includes(v))
    return v as (typeof REVIEW_STATUSES)[number] | 'any';
  throw new UserError(`--status expects pending, approved, rejected or any, got \`${v}\``);
}

async function listCommand(flags: { status?: string }): Promise<number> {
  const status = parseStatus(flags.status);
  return withApp(async (app) => {
    const list = await listAgreements(app.db, { status });
    const sources = await sourcesOf(
      app.db,
      list.map((a) => a.id),
    );
    const rows = list.map((a) => [
      a.id,
      a.status,
      a.record.date_signed ?? '?',
      a.record.forum ?? a.record.counterpart_countries.join('+'),
      a.record.doc_type,
      String((sources.get(a.id) ?? []).length),
      a.record.confidence.toFixed(2),
      (a.record.title_zh ?? a.record.title_en ?? '').slice(0, 40),
    ]);
    out(
      table([['id', 'status', 'date', 'partner', 'doc_type', 'sources', 'conf', 'title'], ...rows]),
    );
    err(`${list.length} ${status === 'any' ? '' : `${status} `}agreements`);
    return 0;
  });
}

async function showCommand(id: string, flags: { json?: boolean }): Promise<number> {
  return withApp(async (app) => {
    const a = await getAgreement(app.db, id);
    if (a === undefined) throw new UserError(`No agreement ${id}`);
    const sources = (await sourcesOf(app.db, [id])).get(id) ?? [];
    const log = await queryLog(app.db, { agreementId: id });
    if (flags.json === true) {
      const body = { id, status: a.status, version: a.version, record: a.record, sources, log };
      out(JSON.stringify(body, null, 2));
      return 0;
    }
    const r = a.record;
    out(
      `${id}  [${a.status}]  version ${a.version}${a.mergedInto === null ? '' : `  merged into ${a.mergedInto}`}`,
    );
    const fields: [string, string][] = [
      ['title_zh', r.title_zh ?? ''],
      ['title_en', r.title_en ?? ''],
      ['date_signed', r.date_signed ?? ''],
      ['doc_type', `${r.doc_type}${r.doc_type_term === null ? '' : ` (${r.doc_type_term})`}`],
      ['scope', r.scope],
      ['partner', r.forum ?? r.counterpart_countries.join(', ')],
      ['region', r.region ?? ''],
      ['counterpart', `${r.counterpart_agency ?? '?'} [${r.counterpart_agency_type}]`],
      [
        'cn_signatory',
        `${r.cn_signatory.name_zh ?? r.cn_signatory.name_en ?? '?'} [${r.cn_signatory.title}]`,
      ],
      ['topics', r.topics.join(', ')],
      ['confidence', r.confidence.toFixed(2)],
    ];
    out(table(fields.map(([k, v]) => [`  ${k}`, v])));
    out('  evidence:');
    for (const e of r.evidence) out(`    ${e.field}: “${e.quote}”`);
    out('  sources:');
    for (const s of sources)
      out(`    [${s.source_kind}] ${s.url}${s.published === null ? '' : ` (${s.published})`}`);
    if (log.length > 0) {
      out('  review log:');
      for (const l of log)
        out(`    ${l.at} ${l.reviewer} ${l.action}${l.note === null ? '' : `: ${l.note}`}`);
    }
    return 0;
  });
}

interface WhoFlags {
  reviewer?: string;
  note?: string;
}

async function decisionCommand(
  action: 'approve' | 'reject',
  id: string,
  flags: WhoFlags & { reason?: string },
): Promise<number> {
  const reviewer = reviewerName(flags.reviewer);
  return withApp(async (app) => {
    const decision = { id, reviewer, note: flags.reason ?? flags.note ?? null };
    const a =
      action === 'approve' ? await approve(app.db, decision) : await reject(app.db, decision);
    out(`${a.id} ${a.status} by ${reviewer}`);
    return 0;
  });
}

/** `field=value`: the value is JSON when it parses (numbers, null, lists), text otherwise. */
export function parseAssignments(pairs: readonly string[]): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--set expects FIELD=VALUE, got \`${pair}\``);
    const [head, sub] = pair.slice(0, eq).split('.', 2) as [string, string | undefined];
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text (a title, a name) needs no quotes on the command line.
    }
    if (sub === undefined) changes[head] = value;
    else
      changes[head] = {
        ...((changes[head] as Record<string, unknown> | undefined) ?? {}),
        [sub]: value,
      };
  }
  return changes;
}

/** Reads a password without echo on a terminal, or the first line of piped standard input. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(typed);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new UserError('Cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function addUserCommand(name: string, flags: { role: string; update?: boolean }) {
  const role = parseRole(flags.role);
  const password = await readPassword(`Password for ${name}: `);
  if (process.stdin.isTTY) {
    const again = await readPassword('Again: ');
    if (again !== password) throw new UserError('The two passwords differ');
  }
  return withApp(async (app) => {
    const user = await createUser(app.db, { name, password, role, update: flags.update === true });
    out(`${flags.update === true ? 'updated' : 'added'} ${user.role} ${user.name}`);
    return 0;
  });
}

async function serveCommand(flags: { port?: string; host?: string; sessionHours?: string }) {
  const port = flags.port === undefined ? REVIEW_SERVER_DEFAULTS.port : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UserError(`--port expects a port number 0-65535, got \`${flags.port}\``);
  const host = flags.host ?? REVIEW_SERVER_DEFAULTS.host;
  const hours =
    flags.sessionHours === undefined ? 12 : parsePositiveInt(flags.sessionHours, '--session-hours');
  return withApp(async (app) => {
    const users = await listUsers(app.db);
    const { startReviewServer } = await import('../web/server.js');
    const server = await startReviewServer({
      db: app.db,
      store: app.store,
      logger: app.logger,
      host,
      port,
      sessionTtlMs: hours * 3_600_000,
    }).catch((cause: unknown) => {
      throw new UserError(`Cannot listen on ${host}:${port} (${(cause as Error).message})`, {
        cause,
      });
    });
    out(`review app: ${server.url}/  (Ctrl-C stops it)`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(host))
      err(`warning: listening on ${host}, reachable from other machines; put it behind https`);
    if (users.length === 0)
      err('no accounts yet: create one with `pactwatch review add-user NAME --role admin`');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  });
}

async function agreementCommand(flags: { json?: boolean }) {
  return withApp(async (app) => {
    const reports = await reviewerAgreement(app.db);
    if (flags.json === true) {
      out(JSON.stringify(reports, null, 2));
      return 0;
    }
    if (reports.length === 0) {
      out('no record has been coded by two reviewers yet (see `pactwatch review assign`)');
      return 0;
    }
    for (const r of reports) {
      out(`${r.reviewers[0]} × ${r.reviewers[1]}: ${r.items} records coded by both`);
      out(
        table([
          ['field', 'n', 'observed', 'kappa'],
          ...r.fields.map((f) => [
            f.field,
            String(f.n),
            f.n === 0 ? '-' : f.observed.toFixed(2),
            f.kappa === null ? '-' : f.kappa.toFixed(2),
          ]),
        ]),
      );
      out(`\ndisagreements (${r.disagreements.length}):`);
      if (r.disagreements.length > 0)
        out(
          table([
            ['record', 'field', r.reviewers[0], r.reviewers[1]],
            ...r.disagreements.map((d) => [
              d.agreementId,
              d.field,
              d.values[r.reviewers[0]] ?? '',
              d.values[r.reviewers[1]] ?? '',
            ]),
          ]),
        );
      out('');
    }
    return 0;
  });
}

async function logCommand(flags: {
  out?: string;
  format?: string;
  agreement?: string;
  reviewer?: string;
}) {
  const format = flags.format ?? (flags.out?.endsWith('.csv') === true ? 'csv' : 'jsonl');
  if (format !== 'jsonl' && format !== 'csv')
    throw new UserError(`--format expects jsonl or csv, got \`${format}\``);
  return withApp(async (app) => {
    const rows = await queryLog(app.db, {
      ...(flags.agreement === undefined ? {} : { agreementId: flags.agreement }),
      ...(flags.reviewer === undefined ? {} : { reviewer: flags.reviewer }),
    });
    const body =
      format === 'csv'
        ? stringify(
            rows.map((r) => [
              r.id,
              r.at,
              r.reviewer,
              r.action,
              r.agreement_id,
              r.note ?? '',
              JSON.stringify(r.details),
            ]),
            {
              header: true,
              columns: ['id', 'at', 'reviewer', 'action', 'agreement_id', 'note', 'details'],
            },
          )
        : rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    if (flags.out === undefined) process.stdout.write(body);
    else {
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, body);
      err(`wrote ${rows.length} log entries to ${flags.out}`);
    }
    return 0;
  });
}

export function register(program: Command, run: Runner): void {
  const review =
    program.commands.find((c) => c.name() === 'review') ??
    program.command('review').description('review extracted agreements (web app and CLI)');
  review
    .command('list')
    .description('records to review, best first')
    .option('--status <status>', 'pending, approved, rejected or any', 'pending')
    .action((flags) => run(() => listCommand(flags)));
  review
    .command('show <id>')
    .description('one record: fields, evidence, sources, review log')
    .option('--json', 'print the record, its sources and its review log as JSON')
    .action((id, flags) => run(() => showCommand(id, flags)));
  const who = (c: Command) =>
    c
      .option('--reviewer <name>', 'who decides (default $PACTWATCH_REVIEWER or $USER)')
      .option('--note <text>', 'a note kept in the audit log');
  who(review.command('approve <id>').description('approve a pending record')).action((id, flags) =>
    run(() => decisionCommand('approve', id, flags)),
  );
  who(review.command('reject <id>').description('reject a pending record'))
    .requiredOption('--reason <text>', 'why it is rejected (kept in the audit log)')
    .action((id, flags) => run(() => decisionCommand('reject', id, flags)));
  who(review.command('edit <id>').description('change coded fields of a pending record'))
    .requiredOption(
      '--set <field=value>',
      'a field and its new value, e.g. doc_type=mou or cn_signatory.title=minister (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .action((id, flags: WhoFlags & { set: string[] }) =>
      run(async () => {
        const reviewer = reviewerName(flags.reviewer);
        const changes = parseAssignments(flags.set);
        return withApp(async (app) => {
          const a = await edit(app.db, { id, reviewer, changes, note: flags.note ?? null });
          out(`${a.id} edited by ${reviewer} (version ${a.version})`);
          return 0;
        });
      }),
    );
  who(
    review
      .command('merge <a> <b>')
      .description('B reports the same signing as A: merge B into A (A keeps its id)'),
  ).action((a: string, b: string, flags: WhoFlags) =>
    run(async () => {
      const reviewer = reviewerName(flags.reviewer);
      return withApp(async (app) => {
        const kept = await merge(app.db, {
          survivor: a,
          merged: b,
          reviewer,
          note: flags.note ?? null,
        });
        out(`${b} merged into ${kept.id}`);
        return 0;
      });
    }),
  );
  who(
    review
      .command('split <id>')
      .description('move the named sources of a record to a new record with a new id'),
  )
    .requiredOption('--sources <url...>', 'the sources that report another signing')
    .action((id: string, flags: WhoFlags & { sources: string[] }) =>
      run(async () => {
        const reviewer = reviewerName(flags.reviewer);
        return withApp(async (app) => {
          const r = await split(app.db, {
            id,
            reviewer,
            sourceUrls: flags.sources,
            note: flags.note ?? null,
          });
          out(`split ${r.created.id} off ${r.original.id}`);
          return 0;
        });
      }),
    );
  who(review.command('reopen <id>').description('put an approved or rejected record back')).action(
    (id: string, flags: WhoFlags) =>
      run(async () => {
        const reviewer = reviewerName(flags.reviewer);
        return withApp(async (app) => {
          const a = await reopen(app.db, { id, reviewer, role: 'admin', note: flags.note ?? null });
          out(`${a.id} is ${a.status} again`);
          return 0;
        });
      }),
  );
  review
    .command('undo')
    .description("undo the reviewer's last decision (up to ten back)")
    .option('--reviewer <name>', 'whose decision (default $PACTWATCH_REVIEWER or $USER)')
    .action((flags: WhoFlags) =>
      run(async () => {
        const reviewer = reviewerName(flags.reviewer);
        return withApp(async (app) => {
          const r = await undo(app.db, reviewer);
          out(`undid ${r.undone.action} of ${r.undone.agreement_id}`);
          return 0;
        });
      }),
    );
  review
    .command('serve')
    .description('run the review web app (binds 127.0.0.1 unless --host says otherwise)')
    .option('--port <n>', `port (default ${REVIEW_SERVER_DEFAULTS.port})`)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--session-hours <n>', 'how long a sign-in lasts (default 12)')
    .action((flags) => run(() => serveCommand(flags)));
  review
    .command('add-user <name>')
    .description('create a web-app account; the password comes from stdin or a prompt')
    .requiredOption('--role <role>', 'reviewer or admin')
    .option('--update', 'change the password and role of an existing account')
    .action((name: string, flags) => run(() => addUserCommand(name, flags)));
  review
    .command('users')
    .description('list web-app accounts')
    .action(() =>
      run(() =>
        withApp(async (app) => {
          const users = await listUsers(app.db);
          out(
            table([
              ['name', 'role', 'created'],
              ...users.map((u) => [u.name, u.role, u.createdAt]),
            ]),
          );
          return 0;
        }),
      ),
    );
  review
    .command('assign')
    .description('send a random sample of pending records to two reviewers (double review)')
    .requiredOption('--sample <n>', 'how many records')
    .requiredOption('--reviewers <a,b>', 'the two reviewers (existing accounts)')
    .option('--seed <n>', 'seed for a reproducible sample')
    .option('--by <name>', 'the admin assigning (default $PACTWATCH_REVIEWER or $USER)')
    .action((flags: { sample: string; reviewers: string; seed?: string; by?: string }) =>
      run(async () => {
        const sample = parsePositiveInt(flags.sample, '--sample');
        const seed = flags.seed === undefined ? undefined : parsePositiveInt(flags.seed, '--seed');
        const by = reviewerName(flags.by);
        return withApp(async (app) => {
          const r = await assignSample(app.db, {
            sample,
            reviewers: flags.reviewers.split(','),
            assignedBy: by,
            ...(seed === undefined ? {} : { seed }),
          });
          out(`batch ${r.batch}: ${r.agreementIds.length} records sent to ${flags.reviewers}`);
          if (r.agreementIds.length < sample)
            err(`only ${r.agreementIds.length} pending records were not yet assigned to them`);
          return 0;
        });
      }),
    );
  review
    .command('agreement')
    .description(
      "Cohen's kappa per coded field over double-reviewed records, and the disagreements",
    )
    .option('--json', 'print the report as JSON')
    .action((flags) => run(() => agreementCommand(flags)));
  review
    .command('log')
    .description('export the append-only audit log')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--format <format>', 'jsonl or csv (default from --out, else jsonl)')
    .option('--agreement <id>', 'only this record')
    .option('--reviewer <name>', 'only this reviewer')
    .action((flags) => run(() => logCommand(flags)));
}
