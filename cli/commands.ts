import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { parseHtml } from '../crawlers/html.js';
import { extract } from '../extractors/index.js';
import { type App, openApp } from '../pipeline/app.js';
import { type CrawlReport, runCrawl } from '../pipeline/crawl.js';
import { loadExportRecords, toCsv, toJson } from '../pipeline/records.js';
import { cutRelease, listReleases } from '../pipeline/release.js';
import { approve, reject } from '../pipeline/review.js';
import { loadBundledSources, loadSourcesFile, selectSources } from '../pipeline/sources.js';
import { Agreement, type ExtractionResult } from '../schemas/agreement.js';
import { PartialDate } from '../schemas/codes.js';
import { getAgreement, listAgreements, reviewLog, sourcesOf } from '../storage/agreements.js';
import { jobCounts } from '../storage/jobs.js';
import { err, out, table } from './output.js';
import { attachProgress } from './progress.js';

export async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(loadConfig());
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export function parseDate(value: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !PartialDate.safeParse(value).success) {
    throw new UserError(`${flag} expects a date YYYY-MM-DD, got \`${value}\``);
  }
  return value;
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UserError(`${flag} expects a positive integer, got \`${value}\``);
  return n;
}

export function printCrawlReport(report: CrawlReport): void {
  out(
    `crawl #${report.crawlId}${report.resumed ? ' (resumed)' : ''}: ${report.summary.done} jobs done, ${report.summary.failed} failed, ${report.agreementsCreated} new agreements`,
  );
  for (const s of report.sources) {
    const skipped = s.pagesSkipped > 0 ? `, ${s.pagesSkipped} skipped (robots.txt)` : '';
    const line = `  ${s.sourceId}: ${s.pagesFetched} pages fetched, ${s.pagesFailed} failed${skipped}, ${s.candidates} candidates`;
    out(line);
    if (s.pagesFetched === 0 && s.failures.length > 0) {
      out(`    failed: ${s.failures[0]?.reason}`);
    } else {
      for (const f of s.failures.slice(0, 3)) out(`    ${f.count} × ${f.reason}`);
    }
  }
}

export interface CrawlFlags {
  source: string[];
  sources?: string;
  maxPages?: string;
  since?: string;
}

export async function crawlCommand(flags: CrawlFlags): Promise<number> {
  const all = flags.sources === undefined ? loadBundledSources() : loadSourcesFile(flags.sources);
  const sources = selectSources(all, flags.source);
  const maxPages =
    flags.maxPages === undefined ? undefined : parsePositiveInt(flags.maxPages, '--max-pages');
  const since = flags.since === undefined ? undefined : parseDate(flags.since, '--since');
  return withApp(async (app) => {
    const controller = new AbortController();
    const stopOnSignal = () => {
      err('stopping: in-flight pages are handed back; run the same command to resume');
      controller.abort();
    };
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    let stop = () => {};
    const report = await runCrawl(app, {
      sources,
      ...(maxPages === undefined ? {} : { maxPages }),
      ...(since === undefined ? {} : { since }),
      signal: controller.signal,
      onQueue: (queue) => {
        stop = attachProgress(queue);
      },
    });
    stop();
    printCrawlReport(report);
    const nothing = report.sources.every((s) => s.pagesFetched === 0);
    if (nothing) {
      err(
        'no source could be fetched (offline?). Try `npx pactwatch demo` for the bundled sample sites.',
      );
      return 1;
    }
    return 0;
  });
}

async function readInput(file: string | undefined): Promise<string> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}`);
  }
}

const looksLikeHtml = (s: string) =>
  /^\s*(<!doctype|<html|<head|<body|<meta|<div|<p[\s>])/i.test(s);

/** Codes one document; HTML is reduced to its main text first, as the crawler does. */
export function extractOne(
  content: string,
  url: string | null,
  published: string | null,
): ExtractionResult {
  if (looksLikeHtml(content)) {
    const doc = parseHtml(content, url);
    return extract({ text: doc.text, url, published: published ?? doc.published });
  }
  return extract({ text: content, url, published });
}

const JsonlLine = z
  .object({
    id: z.union([z.string(), z.number()]),
    text: z.string().optional(),
    html: z.string().optional(),
    url: z.string().nullable().optional(),
    published: z.string().nullable().optional(),
  })
  .refine((l) => l.text !== undefined || l.html !== undefined, 'needs "text" or "html"');

export async function extractCommand(
  file: string | undefined,
  flags: { url?: string; published?: string; jsonl?: boolean },
): Promise<number> {
  const published =
    flags.published === undefined ? null : parseDate(flags.published, '--published');
  if (flags.jsonl !== true) {
    const content = await readInput(file);
    out(JSON.stringify(extractOne(content, flags.url ?? null, published)));
    return 0;
  }
  const { createInterface } = await import('node:readline');
  const input = file === undefined || file === '-' ? process.stdin : fs.createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let failed = 0;
  let n = 0;
  const buffer: string[] = [];
  for await (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    let id: unknown = null;
    try {
      const parsed = JsonlLine.safeParse(JSON.parse(raw));
      if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? 'invalid line');
      id = parsed.data.id;
      const linePublished = parsed.data.published ?? published;
      const result =
        parsed.data.html !== undefined
          ? extractOne(parsed.data.html, parsed.data.url ?? flags.url ?? null, linePublished)
          : extract({
              text: parsed.data.text ?? '',
              url: parsed.data.url ?? flags.url ?? null,
              published: linePublished,
            });
      buffer.push(JSON.stringify({ id, ...result }));
    } catch (e) {
      failed++;
      buffer.push(
        JSON.stringify({
          id,
          is_signing: false,
          agreements: [],
          error: `line ${n}: ${e instanceof Error ? e.message : String(e)}`,
        }),
      );
    }
    if (buffer.length >= 256) out(buffer.splice(0).join('\n'));
  }
  if (buffer.length > 0) out(buffer.join('\n'));
  if (failed > 0) {
    err(`${failed} of ${n} lines could not be read; each has an "error" field`);
    return 1;
  }
  return 0;
}

const STATUS = z.enum(['approved', 'pending', 'rejected', 'any']);

function parseStatus(value: string | undefined, fallback: z.infer<typeof STATUS>) {
  const parsed = STATUS.safeParse(value ?? fallback);
  if (!parsed.success)
    throw new UserError(`--status expects approved, pending, rejected or any, got \`${value}\``);
  return parsed.data;
}

export async function exportCommand(flags: {
  status?: string;
  format?: string;
  out?: string;
}): Promise<number> {
  const status = parseStatus(flags.status, 'approved');
  const format = flags.format ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw new UserError(`--format expects json or csv, got \`${format}\``);
  return withApp(async (app) => {
    const records = await loadExportRecords(app.db, status);
    const body = format === 'json' ? toJson(records) : toCsv(records);
    if (flags.out === undefined) {
      process.stdout.write(body);
    } else {
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, body);
      err(`wrote ${records.length} records to ${flags.out}`);
    }
    return 0;
  });
}

function reviewerName(flag: string | undefined): string {
  const name = flag ?? process.env['PACTWATCH_REVIEWER'] ?? process.env['USER'];
  if (name === undefined || name.trim() === '')
    throw new UserError('Name the reviewer with --reviewer NAME');
  return name;
}

export async function reviewListCommand(flags: { status?: string }): Promise<number> {
  const status = parseStatus(flags.status, 'pending');
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

export async function reviewShowCommand(id: string, flags: { json?: boolean }): Promise<number> {
  return withApp(async (app) => {
    const a = await getAgreement(app.db, id);
    if (a === undefined) throw new UserError(`No agreement ${id}`);
    const sources = (await sourcesOf(app.db, [id])).get(id) ?? [];
    const log = await reviewLog(app.db, id);
    if (flags.json === true) {
      out(
        JSON.stringify(
          { id, status: a.status, version: a.version, record: a.record, sources, log },
          null,
          2,
        ),
      );
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

export async function reviewDecisionCommand(
  action: 'approve' | 'reject',
  id: string,
  flags: { reviewer?: string; note?: string; reason?: string },
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

export async function releaseCutCommand(version: string): Promise<number> {
  return withApp(async (app) => {
    const info = await cutRelease(app, version);
    out(`release ${info.version}: ${info.records} approved agreements in ${info.dir}`);
    return 0;
  });
}

export async function releaseListCommand(): Promise<number> {
  return withApp(async (app) => {
    const list = await listReleases(app);
    out(
      table([
        ['version', 'created', 'records'],
        ...list.map((r) => [r.version, r.created_at, String(r.records)]),
      ]),
    );
    return 0;
  });
}

export async function statusCommand(): Promise<number> {
  return withApp(async (app) => {
    const sources = await app.db
      .selectFrom('sources')
      .select(['id', 'kind'])
      .orderBy('id')
      .execute();
    const crawls = await app.db.selectFrom('crawls').selectAll().orderBy('id', 'desc').execute();
    const rows: string[][] = [
      ['source', 'kind', 'last crawl', 'status', 'fetched', 'failed', 'queued', 'candidates'],
    ];
    const failuresBySource: [string, string, number][] = [];
    for (const s of sources) {
      const crawl = crawls.find((c) => (JSON.parse(c.source_ids) as string[]).includes(s.id));
      if (crawl === undefined) {
        rows.push([s.id, s.kind, 'never', '', '', '', '', '']);
        continue;
      }
      const byState = await app.db
        .selectFrom('jobs')
        .select(['stage', 'state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('crawl_id', '=', crawl.id)
        .where('source_id', '=', s.id)
        .groupBy(['stage', 'state'])
        .execute();
      const count = (stage: string | null, state: string) =>
        byState
          .filter((r) => (stage === null || r.stage === stage) && r.state === state)
          .reduce((n, r) => n + Number(r.n), 0);
      const cand = await app.db
        .selectFrom('candidates')
        .innerJoin('snapshots', 'snapshots.id', 'candidates.snapshot_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('snapshots.crawl_id', '=', crawl.id)
        .where('candidates.source_id', '=', s.id)
        .executeTakeFirstOrThrow();
      rows.push([
        s.id,
        s.kind,
        `#${crawl.id} ${crawl.started_at.slice(0, 16).replace('T', ' ')}`,
        crawl.status,
        String(count('fetch', 'done')),
        String(count(null, 'failed')),
        String(count(null, 'queued') + count(null, 'running')),
        String(cand.n),
      ]);
      const reasons = await app.db
        .selectFrom('jobs')
        .select(['last_error', (eb) => eb.fn.countAll<number>().as('n')])
        .where('crawl_id', '=', crawl.id)
        .where('source_id', '=', s.id)
        .where('state', '=', 'failed')
        .groupBy('last_error')
        .orderBy('n', 'desc')
        .limit(5)
        .execute();
      for (const r of reasons)
        failuresBySource.push([s.id, r.last_error ?? 'unknown', Number(r.n)]);
    }
    out(table(rows));
    if (failuresBySource.length > 0) {
      out('\nfailures by reason:');
      out(table(failuresBySource.map(([id, reason, n]) => [`  ${id}`, String(n), reason])));
    }
    const agreements = await app.db
      .selectFrom('agreements')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('merged_into', 'is', null)
      .groupBy('status')
      .execute();
    out(`\nagreements: ${agreements.map((a) => `${a.n} ${a.status}`).join(', ') || 'none'}`);
    const latest = crawls[0];
    if (latest !== undefined) {
      const counts = await jobCounts(app.db, latest.id);
      const waiting = counts
        .filter((c) => c.state === 'queued' || c.state === 'running')
        .reduce((n, c) => n + c.n, 0);
      out(`queue depth (crawl #${latest.id}): ${waiting}`);
    }
    return 0;
  });
}

export function schemaCommand(flags: { out?: string }): number {
  const schema = z.toJSONSchema(Agreement, { target: 'draft-2020-12', io: 'output' });
  const body = `${JSON.stringify({ $id: 'https://pactwatch/agreement.schema.json', title: 'pactwatch export record', ...schema }, null, 2)}\n`;
  if (flags.out === undefined) process.stdout.write(body);
  else fs.writeFileSync(flags.out, body);
  return 0;
}
