import cliProgress from 'cli-progress';
import { sql } from 'kysely';
import type { Logger } from '../core/logger.js';
import type { QueueBackend } from '../pipeline/queue/types.js';
import type { DB } from '../storage/database.js';

/**
 * Crawl progress per source: pages fetched, queued, failed and the fetch rate. On a terminal it
 * draws one bar per source; otherwise it logs one structured pino line every `logEveryMs`.
 * It only listens to queue events (and reads queue depth from the database); the crawl runs
 * the same without it.
 */

export interface ProgressOptions {
  /** With `crawlId`, lets the bars show each source's queue depth. */
  readonly db?: DB;
  readonly crawlId?: number;
  /** Where progress goes when stderr is not a terminal. @default no logging */
  readonly logger?: Logger;
  /** @default process.stderr.isTTY */
  readonly tty?: boolean;
  /** How often queue depth is read from the database. @default 5000 */
  readonly pollMs?: number;
  /** How often a progress line is logged when not on a terminal. @default 10000 */
  readonly logEveryMs?: number;
}

export const PROGRESS_DEFAULTS = { pollMs: 5000, logEveryMs: 10_000 } as const;

/** Counts of one source, as the bars and log lines show them. */
export interface SourceProgress {
  fetched: number;
  failed: number;
  queued: number;
  /** Fetches per second over the last `RATE_WINDOW_MS`. */
  rate: number;
}

const RATE_WINDOW_MS = 10_000;

/** Per-source counters fed by queue events; the bars and log lines read them. */
export class ProgressCounter {
  readonly #sources = new Map<string, SourceProgress & { recent: number[] }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #get(sourceId: string) {
    let s = this.#sources.get(sourceId);
    if (s === undefined) {
      s = { fetched: 0, failed: 0, queued: 0, rate: 0, recent: [] };
      this.#sources.set(sourceId, s);
    }
    return s;
  }

  fetched(sourceId: string): void {
    const s = this.#get(sourceId);
    s.fetched++;
    s.recent.push(this.#now());
  }

  failed(sourceId: string): void {
    this.#get(sourceId).failed++;
  }

  queued(sourceId: string, n: number): void {
    this.#get(sourceId).queued = n;
  }

  snapshot(): Map<string, SourceProgress> {
    const now = this.#now();
    const out = new Map<string, SourceProgress>();
    for (const [id, s] of this.#sources) {
      while (s.recent.length > 0 && (s.recent[0] ?? 0) < now - RATE_WINDOW_MS) s.recent.shift();
      s.rate = s.recent.length / (RATE_WINDOW_MS / 1000);
      out.set(id, { fetched: s.fetched, failed: s.failed, queued: s.queued, rate: s.rate });
    }
    return out;
  }
}

async function pollQueued(db: DB, crawlId: number, counter: ProgressCounter): Promise<void> {
  const rows = await db
    .selectFrom('jobs')
    .select(['source_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('crawl_id', '=', crawlId)
    // Every stage's queued jobs, from the partial index of queued jobs alone (the literal lets
    // the planner use it, and grouping by host too keeps it covering; see storage/jobs.ts).
    .where('state', '=', sql.lit('queued'))
    .groupBy(['host', 'source_id'])
    .execute();
  const queued = new Map<string, number>();
  for (const r of rows) queued.set(r.source_id, (queued.get(r.source_id) ?? 0) + Number(r.n));
  for (const id of new Set([...counter.snapshot().keys(), ...queued.keys()]))
    counter.queued(id, queued.get(id) ?? 0);
}

/** Starts showing progress; returns the function that stops it (and draws the final state). */
export function attachProgress(queue: QueueBackend, options: ProgressOptions = {}): () => void {
  const tty = options.tty ?? process.stderr.isTTY === true;
  if (!tty && options.logger === undefined) return () => {};
  const counter = new ProgressCounter();
  const onDone = ({ job }: { job: { stage: string; sourceId: string } }) => {
    if (job.stage === 'fetch') counter.fetched(job.sourceId);
  };
  const onFailed = ({ job }: { job: { stage: string; sourceId: string } }) => {
    if (job.stage === 'fetch') counter.failed(job.sourceId);
  };
  // A run that ends on its own has nothing left queued; the last poll may be older than that.
  const onIdle = () => {
    for (const id of counter.snapshot().keys()) counter.queued(id, 0);
  };
  queue.events.on('job:done', onDone);
  queue.events.on('job:failed', onFailed);
  queue.events.on('run:idle', onIdle);

  const timers: NodeJS.Timeout[] = [];
  const { db, crawlId } = options;
  if (db !== undefined && crawlId !== undefined) {
    const poll = () => {
      pollQueued(db, crawlId, counter).catch(() => {
        // Progress is best effort: a busy or closing database only skips one refresh.
      });
    };
    poll();
    timers.push(setInterval(poll, options.pollMs ?? PROGRESS_DEFAULTS.pollMs));
  }

  let draw: () => void;
  let finish: () => void;
  if (tty) {
    const multi = new cliProgress.MultiBar(
      {
        format: '{source} [{bar}] {fetched} fetched | {queued} queued | {failed} failed | {rate}/s',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, cliProgress.SingleBar>();
    draw = () => {
      const ids = [...counter.snapshot()].sort(([a], [b]) => a.localeCompare(b));
      const width = Math.max(...ids.map(([id]) => id.length), 6);
      for (const [id, s] of ids) {
        const total = Math.max(s.fetched + s.failed + s.queued, 1);
        const payload = {
          source: id.padEnd(width),
          fetched: s.fetched,
          queued: s.queued,
          failed: s.failed,
          rate: s.rate.toFixed(1),
        };
        let bar = bars.get(id);
        if (bar === undefined) {
          bar = multi.create(total, s.fetched + s.failed, payload);
          bars.set(id, bar);
        }
        bar.setTotal(total);
        bar.update(s.fetched + s.failed, payload);
      }
    };
    finish = () => {
      draw();
      multi.stop();
    };
    timers.push(setInterval(draw, 250));
  } else {
    const logger = (options.logger as Logger).child({ component: 'progress' });
    draw = () => {
      const sources = [...counter.snapshot()].map(([sourceId, s]) => ({
        sourceId,
        fetched: s.fetched,
        queued: s.queued,
        failed: s.failed,
        ratePerSec: Number(s.rate.toFixed(2)),
      }));
      if (sources.length > 0) logger.info({ sources }, 'crawl progress');
    };
    finish = draw;
    timers.push(setInterval(draw, options.logEveryMs ?? PROGRESS_DEFAULTS.logEveryMs));
  }
  for (const t of timers) t.unref();
  return () => {
    for (const t of timers) clearInterval(t);
    queue.events.off('job:done', onDone);
    queue.events.off('job:failed', onFailed);
    queue.events.off('run:idle', onIdle);
    finish();
  };
}
