import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { decodeBody } from '../crawlers/charset.js';
import { parseHtml } from '../crawlers/html.js';
import { extract } from '../extractors/index.js';
import {
  codePage,
  DbLlmCache,
  type ExtractorMode,
  llmFromConfig,
  parseExtractorMode,
} from '../extractors/llm/index.js';
import { openApp } from '../pipeline/app.js';
import { type CrawlReport, runCrawl } from '../pipeline/crawl.js';
import { distributedStatusLines } from '../pipeline/queue/bullmq-status.js';
import { loadExportRecords, toCsv, toJson } from '../pipeline/records.js';
import { loadBundledSources, loadSourcesFile, selectSources } from '../pipeline/sources.js';
import { sourceStatuses } from '../pipeline/status.js';
import { Agreement } from '../schemas/agreement.js';
import type { ExtractInput } from '../schemas/document.js';
import { jobCounts } from '../storage/jobs.js';
import { parseDate, parsePositiveInt, withApp } from './common.js';
import { err, out, table } from './output.js';
import { attachProgress } from './progress.js';

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

/** Why a crawl fetched nothing, in one line: offline, or the most common other reason. */
function nothingFetched(report: CrawlReport): string {
  const counts = new Map<string, number>();
  for (const s of report.sources) {
    for (const f of s.failures) {
      const code = f.reason.split(':')[0] ?? f.reason;
      counts.set(code, (counts.get(code) ?? 0) + f.count);
    }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (top === undefined || top === 'NETWORK' || top === 'HTTP_TIMEOUT') {
    return 'no source could be fetched (offline?). Try `npx pactwatch demo` for the bundled sample sites.';
  }
  return `no source could be fetched: most pages failed with ${top} (see the reasons above and \`pactwatch status\`)`;
}

export interface CrawlFlags {
  source: string[];
  sources?: string;
  maxPages?: string;
  since?: string;
  concurrency?: string;
  wayback?: string | boolean;
  full?: boolean;
}

function parseWayback(value: string | boolean | undefined): boolean | { cdxUrl: string } {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  if (!URL.canParse(value) || !/^https?:/i.test(value))
    throw new UserError(`--wayback expects an http(s) CDX API URL, got \`${value}\``);
  return { cdxUrl: value };
}

export async function crawlCommand(flags: CrawlFlags): Promise<number> {
  const all = flags.sources === undefined ? loadBundledSources() : loadSourcesFile(flags.sources);
  const sources = selectSources(all, flags.source);
  const wayback = parseWayback(flags.wayback);
  const maxPages =
    flags.maxPages === undefined ? undefined : parsePositiveInt(flags.maxPages, '--max-pages');
  const since = flags.since === undefined ? undefined : parseDate(flags.since, '--since');
  const concurrency =
    flags.concurrency === undefined
      ? undefined
      : parsePositiveInt(flags.concurrency, '--concurrency');
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
      ...(concurrency === undefined ? {} : { concurrency }),
      wayback,
      incremental: flags.full !== true,
      signal: controller.signal,
      onQueue: (queue, crawlId) => {
        stop = attachProgress(queue, { db: app.db, crawlId, logger: app.logger });
      },
    });
    stop();
    printCrawlReport(report);
    const nothing = report.sources.every((s) => s.pagesFetched === 0);
    if (nothing) {
      err(nothingFetched(report));
      return 1;
    }
    return 0;
  });
}

async function readInput(file: string | undefined): Promise<Buffer> {
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UserError(`Cannot read ${file}`);
  }
}

const looksLikeHtml = (s: string) =>
  /^\s*(<!doctype|<html|<head|<body|<meta|<div|<p[\s>])/i.test(s);

/**
 * A saved document's text. Bytes that are valid UTF-8 (with non-ASCII text) are UTF-8, whatever
 * an old `<meta>` says (a browser's "save page" re-encodes the page but may keep the tag);
 * other bytes go by their BOM or `<meta>` charset (older Chinese government pages are
 * GBK/GB2312), and by GB18030, the usual other encoding of Chinese text, when they name none.
 */
function decodeInput(bytes: Buffer): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for any non-ASCII byte
  if (isUtf8(bytes) && /[^\x00-\x7f]/.test(bytes.toString('latin1'))) {
    return bytes.toString('utf8').replace(/^\uFEFF/, '');
  }
  return decodeBody(bytes, null, 'gb18030').text;
}

/** The extractor's input for one document; HTML is reduced to its main text, as the crawler does. */
function documentInput(
  content: string,
  url: string | null,
  published: string | null,
): ExtractInput {
  if (looksLikeHtml(content)) {
    const doc = parseHtml(content, url);
    return { text: doc.text, url, published: published ?? doc.published };
  }
  return { text: content, url, published };
}

/**
 * How `--extractor` codes a document: the rules alone (no database, nothing awaited), or with
 * the LLM extractor the configuration names (answers cached in the data directory's database).
 * With `both` the output carries `disagreements` beside the rules' records.
 */
async function pageCoder(
  mode: ExtractorMode,
): Promise<{ code(input: ExtractInput): Promise<object>; close(): Promise<void> }> {
  if (mode === 'rules') {
    return { code: async (input) => extract(input), close: async () => {} };
  }
  const config = loadConfig();
  if (config.llmModel === undefined) {
    throw new UserError(
      `--extractor ${mode} needs PACTWATCH_LLM_MODEL (and OPENAI_BASE_URL for a server other than OpenAI's)`,
    );
  }
  const app = await openApp(config);
  const llm = llmFromConfig(config, { cache: new DbLlmCache(app.db), logger: app.logger });
  return {
    async code(input) {
      const coding = await codePage(mode, input, llm);
      return mode === 'both'
        ? { ...coding.result, disagreements: coding.disagreements }
        : coding.result;
    },
    close: () => app.close(),
  };
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
  flags: { url?: string; published?: string; jsonl?: boolean; extractor?: string },
): Promise<number> {
  const published =
    flags.published === undefined ? null : parseDate(flags.published, '--published');
  const coder = await pageCoder(parseExtractorMode(flags.extractor ?? 'rules'));
  try {
    return await extractWith(coder.code, file, flags, published);
  } finally {
    await coder.close();
  }
}

async function extractWith(
  code: (input: ExtractInput) => Promise<object>,
  file: string | undefined,
  flags: { url?: string; jsonl?: boolean },
  published: string | null,
): Promise<number> {
  if (flags.jsonl !== true) {
    const content = await readInput(file);
    out(
      JSON.stringify(await code(documentInput(decodeInput(content), flags.url ?? null, published))),
    );
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
      const json: unknown = JSON.parse(raw);
      // Keep the line's id in an error answer, so it can be matched to its input.
      const given = (json as { id?: unknown } | null)?.id;
      if (typeof given === 'string' || typeof given === 'number') id = given;
      const parsed = JsonlLine.safeParse(json);
      if (!parsed.success) throw new UserError(parsed.error.issues[0]?.message ?? 'invalid line');
      id = parsed.data.id;
      const linePublished = parsed.data.published ?? published;
      const lineUrl = parsed.data.url ?? flags.url ?? null;
      const result = await code(
        parsed.data.html !== undefined
          ? documentInput(parsed.data.html, lineUrl, linePublished)
          : { text: parsed.data.text ?? '', url: lineUrl, published: linePublished },
      );
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

export async function statusCommand(flags: { json?: boolean } = {}): Promise<number> {
  return withApp(async (app) => {
    const statuses = await sourceStatuses(app.db);
    if (flags.json === true) {
      out(JSON.stringify({ sources: statuses }, null, 2));
      return 0;
    }
    const rows: string[][] = [
      [
        'source',
        'kind',
        'last crawl',
        'status',
        'fetched',
        'new/changed',
        'unchanged',
        'failed',
        'queued',
        'candidates',
        'pages known',
        'vanished',
        'PDFs',
      ],
    ];
    for (const s of statuses) {
      const c = s.lastCrawl;
      rows.push([
        s.sourceId,
        s.kind,
        c === null ? 'never' : `#${c.id} ${c.startedAt.slice(0, 16).replace('T', ' ')}`,
        c?.status ?? '',
        String(s.fetched),
        String(s.newVersions),
        String(s.unchanged),
        String(s.failed),
        String(s.queued),
        String(s.candidates),
        String(s.pages.known),
        String(s.pages.vanished),
        String(s.pages.pdfs),
      ]);
    }
    out(table(rows));
    const failures = statuses.flatMap((s) =>
      s.failures
        .slice(0, 5)
        .map((f) => [`  ${s.sourceId}`, String(f.count), f.reason, f.example.slice(0, 90)]),
    );
    if (failures.length > 0) {
      out('\nfailures by reason (last crawl):');
      out(table(failures));
    }
    const pdfs = statuses.reduce((n, s) => n + s.pages.pdfs, 0);
    if (pdfs > 0) out(`\n${pdfs} PDFs stored and flagged for review (not parsed)`);
    const truncated = statuses.reduce((n, s) => n + s.pages.truncated, 0);
    if (truncated > 0) {
      out(
        `${truncated} pages kept only in part (the connection dropped mid-body on every attempt); the next crawl asks for them whole`,
      );
    }
    const agreements = await app.db
      .selectFrom('agreements')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('merged_into', 'is', null)
      .groupBy('status')
      .execute();
    out(`\nagreements: ${agreements.map((a) => `${a.n} ${a.status}`).join(', ') || 'none'}`);
    const latest = await app.db
      .selectFrom('crawls')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (latest !== undefined) {
      const counts = await jobCounts(app.db, latest.id);
      const waiting = counts
        .filter((c) => c.state === 'queued' || c.state === 'running')
        .reduce((n, c) => n + c.n, 0);
      out(`queue depth (crawl #${latest.id}): ${waiting}`);
    }
    for (const line of await distributedStatusLines(app)) out(line);
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
