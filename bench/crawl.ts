import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config.js';
import { silentLogger } from '../core/logger.js';
import { openApp } from '../pipeline/app.js';
import { runCrawl } from '../pipeline/crawl.js';
import { defineSources } from '../pipeline/sources.js';
import { startCrawlSite } from './crawl-site.js';

/**
 * `npm run bench:crawl`: pactwatch against Crawlee's CheerioCrawler on the same local site of
 * ≥5,000 pages, politeness off, each crawler in its own child process (so memory is its own),
 * the site in a third. Prints pages/s, peak RSS and the ratios.
 *
 *   npm run bench:crawl -- [--articles 5000] [--concurrency 16] [--runs 1]
 *
 * pactwatch runs its whole pipeline (fetch, snapshot store, SQLite frontier, parse, extract,
 * dedup); Crawlee fetches, parses with cheerio, enqueues links and pushes each article's text
 * to its dataset. Both get the same concurrency; Crawlee starts at it (minConcurrency) instead
 * of ramping up.
 */

interface Result {
  readonly crawler: string;
  readonly pages: number;
  readonly ms: number;
  /** CPU time (user + system) the crawler's process spent during the crawl. */
  readonly cpuMs: number;
  readonly maxRssMb: number;
}

const SELF = fileURLToPath(import.meta.url);

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v === undefined || !Number.isFinite(v) ? fallback : v;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function patterns(baseUrl: string) {
  const origin = escapeRegExp(baseUrl);
  return { list: `^${origin}/list/\\d+\\.html$`, article: `^${origin}/a/\\d+\\.html$` };
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};

async function runPactwatch(baseUrl: string, pages: number, concurrency: number): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-bench-'));
  try {
    const config = loadConfig({ PACTWATCH_DATA_DIR: dir, PACTWATCH_LOG_LEVEL: 'silent' }, dir);
    const app = await openApp(config, { logger: silentLogger });
    const p = patterns(baseUrl);
    const sources = defineSources([
      {
        id: 'bench',
        kind: 'mps',
        language: 'zh',
        start_urls: [`${baseUrl}/list/0.html`],
        allowed_hosts: [new URL(baseUrl).hostname],
        list_patterns: [p.list],
        article_patterns: [p.article],
        politeness: { concurrency, delay_ms: 0 },
        limits: { max_pages: pages + 10, max_depth: 5 },
        allow_private_hosts: true,
      },
    ]);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const report = await runCrawl(app, { sources, maxInFlight: concurrency * 4 });
    const ms = performance.now() - started;
    const cpuMs = cpuMsSince(cpu);
    await app.close();
    return {
      crawler: 'pactwatch',
      pages: report.sources[0]?.pagesFetched ?? 0,
      ms,
      cpuMs,
      maxRssMb: peakRssMb(),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runCrawlee(baseUrl: string, concurrency: number): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crawlee-bench-'));
  process.env['CRAWLEE_STORAGE_DIR'] = dir;
  try {
    const { CheerioCrawler, log } = await import('@crawlee/cheerio');
    log.setLevel(log.LEVELS.OFF);
    const p = patterns(baseUrl);
    const list = new RegExp(p.list);
    const article = new RegExp(p.article);
    const crawler = new CheerioCrawler({
      minConcurrency: concurrency,
      maxConcurrency: concurrency,
      maxRequestRetries: 3,
      async requestHandler({ request, $, enqueueLinks, pushData }) {
        if (list.test(request.url)) {
          await enqueueLinks({ regexps: [list, article] });
        } else {
          await pushData({
            url: request.url,
            title: $('title').text(),
            text: $('#content').text(),
          });
        }
      },
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    const stats = await crawler.run([`${baseUrl}/list/0.html`]);
    const ms = performance.now() - started;
    const cpuMs = cpuMsSince(cpu);
    return { crawler: 'crawlee', pages: stats.requestsFinished, ms, cpuMs, maxRssMb: peakRssMb() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs this file in a child process in `role` and returns the JSON line it prints. */
function child<T>(args: readonly string[], onLine?: (line: string) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--max-old-space-size=2048', SELF, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let settled = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0 && !settled) {
        settled = true;
        const line = out.slice(0, nl);
        onLine?.(line);
        resolve(JSON.parse(line) as T);
      }
    });
    proc.on('exit', (code) => {
      if (!settled) reject(new Error(`${args[0]} exited with ${code}`));
    });
    if (args[0] === 'site') process.on('exit', () => proc.kill());
  });
}

async function main(): Promise<void> {
  const role = process.argv[2];
  if (role === 'site') {
    const site = await startCrawlSite({ articles: Number(process.argv[3]) });
    process.stdout.write(`${JSON.stringify({ baseUrl: site.baseUrl, pages: site.pages })}\n`);
    return; // keeps serving until killed
  }
  if (role === 'pactwatch' || role === 'crawlee') {
    const [baseUrl, pages, concurrency] = [
      process.argv[3] ?? '',
      Number(process.argv[4]),
      Number(process.argv[5]),
    ];
    const result =
      role === 'pactwatch'
        ? await runPactwatch(baseUrl, pages, concurrency)
        : await runCrawlee(baseUrl, concurrency);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }

  const articles = flag('articles', 5000);
  const concurrency = flag('concurrency', 16);
  const runs = flag('runs', 1);
  const site = await child<{ baseUrl: string; pages: number }>(['site', String(articles)]);
  console.log(
    `site: ${site.pages} pages at ${site.baseUrl}; concurrency ${concurrency}, politeness off, ${os.cpus().length} CPUs`,
  );
  const best = new Map<string, Result>();
  for (let r = 0; r < runs; r++) {
    for (const crawler of ['pactwatch', 'crawlee']) {
      const res = await child<Result>([
        crawler,
        site.baseUrl,
        String(site.pages),
        String(concurrency),
      ]);
      const rate = res.pages / (res.ms / 1000);
      console.log(
        `  run ${r + 1} ${crawler.padEnd(9)} ${String(res.pages).padStart(6)} pages in ${(res.ms / 1000).toFixed(1).padStart(6)} s = ${rate.toFixed(0).padStart(5)} pages/s, ${(res.cpuMs / res.pages).toFixed(2)} CPU ms/page, peak RSS ${res.maxRssMb} MB`,
      );
      const prev = best.get(crawler);
      if (prev === undefined || res.pages / res.ms > prev.pages / prev.ms) best.set(crawler, res);
    }
  }
  const pw = best.get('pactwatch');
  const cr = best.get('crawlee');
  if (pw === undefined || cr === undefined) return;
  const pwRate = pw.pages / (pw.ms / 1000);
  const crRate = cr.pages / (cr.ms / 1000);
  const pwCpu = pw.cpuMs / pw.pages;
  const crCpu = cr.cpuMs / cr.pages;
  console.log('');
  console.log('crawler     pages/s   CPU ms/page   peak RSS');
  console.log(
    `pactwatch   ${pwRate.toFixed(0).padStart(7)}   ${pwCpu.toFixed(2).padStart(11)}   ${pw.maxRssMb} MB`,
  );
  console.log(
    `crawlee     ${crRate.toFixed(0).padStart(7)}   ${crCpu.toFixed(2).padStart(11)}   ${cr.maxRssMb} MB`,
  );
  console.log(
    `ratio       ${(pwRate / crRate).toFixed(2)}x pages/s (goal >= 1.5), ${(crCpu / pwCpu).toFixed(2)}x less CPU per page, ${(pw.maxRssMb / cr.maxRssMb).toFixed(2)}x memory (goal <= 1.0)`,
  );
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
