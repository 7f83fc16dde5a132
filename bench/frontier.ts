import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config.js';
import { silentLogger } from '../core/logger.js';
import { type App, openApp } from '../pipeline/app.js';
import { EmbeddedQueue } from '../pipeline/queue/embedded.js';
import type { StageHandler } from '../pipeline/queue/types.js';
import {
  claimForHost,
  claimUnhosted,
  insertJobs,
  type NewJob,
  nextDue,
  queuedHosts,
  requeueRunning,
} from '../storage/jobs.js';

/**
 * `npm run bench:frontier`: a frontier of 1,000,000 URLs (1,000 hosts) seeded into the
 * SQLite jobs table; a worker process claims and completes jobs until it is killed with
 * SIGKILL; a second one resumes. Verifies that nothing was lost (every URL still there, each
 * either done once or queued) and prints the times: seeding, claims at full size, the resume,
 * and jobs/s before and after the kill.
 *
 *   npm run bench:frontier -- [--urls 1000000] [--hosts 1000] [--kill-after 20000] [--finish]
 *
 * Without --finish the resumed worker runs for a while (--resume-ms, 20 s) and stops; with it,
 * it works through the whole frontier.
 */

const SELF = fileURLToPath(import.meta.url);

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v === undefined || !Number.isFinite(v) ? fallback : v;
}

async function open(dir: string): Promise<App> {
  const config = loadConfig({ PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent' }, dir);
  return openApp(config, { logger: silentLogger });
}

const urlOf = (i: number, hosts: number) =>
  `https://h${i % hosts}.example.gov.cn/chn/sbdt/${2000 + (i % 25)}01/t${20000101 + i}_${i}.htm`;

async function seed(app: App, urls: number, hosts: number): Promise<number> {
  const crawl = await app.db
    .insertInto('crawls')
    .values({
      started_at: new Date().toISOString(),
      finished_at: null,
      status: 'running',
      source_ids: '["bench"]',
      options: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const batch = 50_000;
  await app.db.transaction().execute(async (trx) => {
    for (let start = 0; start < urls; start += batch) {
      const jobs: NewJob[] = [];
      for (let i = start; i < Math.min(start + batch, urls); i++) {
        const url = urlOf(i, hosts);
        jobs.push({
          stage: 'fetch',
          key: url,
          sourceId: 'bench',
          url,
          host: `h${i % hosts}.example.gov.cn`,
          depth: 1,
          pageType: 'article',
        });
      }
      await insertJobs(trx, crawl.id, jobs);
    }
  });
  return crawl.id;
}

async function counts(app: App, crawlId: number): Promise<Record<string, number>> {
  const rows = await app.db
    .selectFrom('jobs')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('crawl_id', '=', crawlId)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** The worker: completes fetch jobs with a no-op stage (the frontier is what is measured). */
async function worker(dir: string, crawlId: number, runMs: number): Promise<void> {
  const app = await open(dir);
  const requeued = await requeueRunning(app.db, crawlId);
  const queue = new EmbeddedQueue({ db: app.db, logger: silentLogger, maxInFlight: 256 });
  const done: StageHandler = async () => ({});
  const controller = new AbortController();
  if (runMs > 0) setTimeout(() => controller.abort(), runMs).unref();
  const started = performance.now();
  const summary = await queue.run({
    crawlId,
    handlers: { fetch: done, parse: done, extract: done, dedup: done },
    hostPolicy: () => ({ concurrency: 4, delayMs: 0 }),
    retryDelayMs: () => 0,
    signal: controller.signal,
  });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ requeued, done: summary.done, ms })}\n`);
  await app.close();
}

interface WorkerResult {
  readonly requeued: number;
  readonly done: number;
  readonly ms: number;
}

function startWorker(dir: string, crawlId: number, runMs: number) {
  const proc = spawn(process.execPath, [SELF, 'worker', dir, String(crawlId), String(runMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, result: () => JSON.parse(out.trim()) as WorkerResult };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  if (process.argv[2] === 'worker') {
    await worker(process.argv[3] ?? '', Number(process.argv[4]), Number(process.argv[5]));
    return;
  }
  const urls = flag('urls', 1_000_000);
  const hosts = flag('hosts', 1000);
  const killAfter = flag('kill-after', 20_000);
  const resumeMs = process.argv.includes('--finish') ? 0 : flag('resume-ms', 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-frontier-'));
  try {
    const app = await open(dir);
    let t = performance.now();
    const crawlId = await seed(app, urls, hosts);
    const seedMs = performance.now() - t;
    console.log(
      `seeded ${urls} URLs on ${hosts} hosts in ${secs(seedMs)} (${Math.round(urls / (seedMs / 1000))} URLs/s, one transaction)`,
    );

    // Claims at full size, on a copy of the work (each claim is rolled back).
    t = performance.now();
    const hostList = await queuedHosts(app.db, crawlId);
    const scanMs = performance.now() - t;
    const timings: number[] = [];
    for (let i = 0; i < 200; i++) {
      const host = hostList[i % hostList.length] ?? '';
      const started = performance.now();
      await app.db
        .transaction()
        .execute(async (trx) => {
          await claimUnhosted(trx, crawlId, 64, Date.now());
          await claimForHost(trx, crawlId, host, 8, Date.now());
          throw new Error('rollback');
        })
        .catch(() => undefined);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    t = performance.now();
    await nextDue(app.db, crawlId);
    const dueMs = performance.now() - t;
    console.log(
      `claims at ${urls} queued: median ${timings[100]?.toFixed(2)} ms, p99 ${timings[198]?.toFixed(2)} ms per claim round (unhosted + one host); host scan ${secs(scanMs)}, next-due ${dueMs.toFixed(2)} ms`,
    );

    // Worker 1, killed with SIGKILL mid-run.
    const first = startWorker(dir, crawlId, 0);
    const firstStarted = performance.now();
    await sleep(killAfter);
    first.proc.kill('SIGKILL');
    const exit = await first.exited;
    const firstMs = performance.now() - firstStarted;
    const atKill = await counts(app, crawlId);
    const doneAtKill = atKill['done'] ?? 0;
    console.log(
      `worker 1 killed (${exit.signal}) after ${secs(firstMs)}: ${doneAtKill} done, ${atKill['running'] ?? 0} in flight, ${atKill['queued'] ?? 0} queued (${Math.round(doneAtKill / (firstMs / 1000))} jobs/s incl. start-up)`,
    );

    // Worker 2 resumes.
    const second = startWorker(dir, crawlId, resumeMs);
    await second.exited;
    const r = second.result();
    const after = await counts(app, crawlId);
    const total = Object.values(after).reduce((a, b) => a + b, 0);
    console.log(
      `worker 2 resumed: ${r.requeued} in-flight jobs handed back, ${r.done} done in ${secs(r.ms)} (${Math.round(r.done / (r.ms / 1000))} jobs/s)`,
    );
    const lost = urls - total;
    const consistent =
      lost === 0 &&
      (after['running'] ?? 0) === 0 &&
      (after['done'] ?? 0) === doneAtKill + r.done &&
      (resumeMs > 0 || (after['queued'] ?? 0) === 0);
    console.log(
      `after resume: ${after['done'] ?? 0} done + ${after['queued'] ?? 0} queued = ${total} of ${urls}; lost ${lost}; ${consistent ? 'OK: nothing lost, nothing done twice' : 'MISMATCH'}`,
    );
    await app.close();
    if (!consistent) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
