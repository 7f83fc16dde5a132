/**
 * `npm run bench:distributed`: one local multi-host site crawled by 1, 2 and 4 `pactwatch
 * worker` processes (BullMQ on a redis-server of its own, PostgreSQL in a schema of its own).
 * Prints pages per second beside the most requests the server saw at once on one host: the
 * throughput should grow with workers while no host ever sees more than its limit.
 *
 * The default site answers in 500 ms, like a distant government server: a crawl waits on the
 * network and on politeness, which is what more workers buy. With fast answers
 * (BENCH_LATENCY_MS=20) the crawl is bound by CPU instead (stage code, database round trips),
 * and more workers only help with more cores.
 *
 * Needs redis-server on PATH and PostgreSQL (PACTWATCH_TEST_DATABASE_URL, default
 * postgres://$USER@127.0.0.1:5432/test). Sizes: BENCH_HOSTS, BENCH_ARTICLES, BENCH_LATENCY_MS,
 * BENCH_WORKER_CONCURRENCY, BENCH_WORKERS (e.g. "1,2,4").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config.js';
import { silentLogger } from '../core/logger.js';
import { openApp } from '../pipeline/app.js';
import { runCrawl } from '../pipeline/crawl.js';
import { defineSources } from '../pipeline/sources.js';
import { createSchema, startOwnRedis } from '../tests/helpers/services.js';
import { startFixtureSite } from './fixture-site.js';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`Expected ${name} > 0, got ${v}`);
  return v;
};

const HOSTS = num('BENCH_HOSTS', 8);
const ARTICLES = num('BENCH_ARTICLES', 16);
const LATENCY_MS = num('BENCH_LATENCY_MS', 500);
const CONCURRENCY = num('BENCH_WORKER_CONCURRENCY', 2);
const WORKERS = (process.env['BENCH_WORKERS'] ?? '1,2,4').split(',').map(Number);
/** Per host: at most this many requests at once (the politeness every worker must share). */
const HOST_LIMIT = { concurrency: 2, delay_ms: 0 };

// dist/bench/distributed.js -> the repository root, where bin/ lives.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'pactwatch.js');

interface Row {
  workers: number;
  pages: number;
  seconds: number;
  fetchSeconds: number;
  maxPerHost: number;
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', String(CONCURRENCY)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('worker ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
  });
}

async function runOnce(workers: number): Promise<Row> {
  const redis = await startOwnRedis();
  const schema = await createSchema();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-bench-'));
  const site = await startFixtureSite({
    hosts: HOSTS,
    articles: ARTICLES,
    perList: ARTICLES,
    latencyMs: LATENCY_MS,
  });
  const env = {
    PATH: process.env['PATH'] ?? '',
    PACTWATCH_DATA_DIR: dir,
    PACTWATCH_LOG_LEVEL: 'warn',
    DATABASE_URL: schema.url,
    REDIS_URL: redis.url,
  };
  const children: ChildProcess[] = [];
  const app = await openApp(loadConfig(env, dir), { logger: silentLogger });
  try {
    // The first process migrates the schema; start the rest once it has.
    children.push(await startWorker(env));
    children.push(
      ...(await Promise.all(Array.from({ length: workers - 1 }, () => startWorker(env)))),
    );
    const started = Date.now();
    const report = await runCrawl(app, { sources: defineSources(site.sources(HOST_LIMIT)) });
    const seconds = (Date.now() - started) / 1000;
    const gets = site.requests.filter((r) => r.path !== '/robots.txt');
    const first = Math.min(...gets.map((r) => r.start));
    const last = Math.max(...gets.map((r) => r.end ?? r.start));
    const pages = report.sources.reduce((n, s) => n + s.pagesFetched, 0);
    if (report.summary.failed > 0) throw new Error(`${report.summary.failed} jobs failed`);
    return {
      workers,
      pages,
      seconds,
      fetchSeconds: (last - first) / 1000,
      maxPerHost: Math.max(...site.maxConcurrency().values()),
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))),
    );
    await app.close();
    await site.close();
    await schema.drop();
    await redis.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `pactwatch distributed crawl: ${HOSTS} hosts x ${ARTICLES} articles, ${LATENCY_MS} ms per answer, each host at most ${HOST_LIMIT.concurrency} requests at once; workers with --concurrency ${CONCURRENCY}`,
  );
  const rows: Row[] = [];
  for (const n of WORKERS) rows.push(await runOnce(n));
  const base = rows[0];
  console.log('');
  console.log(
    'workers  pages  crawl s  pages/s  speed-up  fetch pages/s  max requests at once on a host (limit)',
  );
  for (const r of rows) {
    const rate = r.pages / r.seconds;
    const speedup = base === undefined ? 1 : rate / (base.pages / base.seconds);
    console.log(
      `${String(r.workers).padStart(7)}  ${String(r.pages).padStart(5)}  ${r.seconds.toFixed(1).padStart(7)}  ${rate.toFixed(1).padStart(7)}  ${`${speedup.toFixed(2)}x`.padStart(8)}  ${(r.pages / r.fetchSeconds).toFixed(1).padStart(13)}  ${r.maxPerHost} (${HOST_LIMIT.concurrency})`,
    );
  }
  const held = rows.every((r) => r.maxPerHost <= HOST_LIMIT.concurrency);
  console.log('');
  console.log(`per-host limit held in every run: ${held ? 'yes' : 'NO'}`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)}`);
  if (!held) process.exitCode = 1;
}

await main();
