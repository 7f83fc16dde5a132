import cliProgress from 'cli-progress';
import type { QueueBackend } from '../pipeline/queue/types.js';

/**
 * A progress bar for a crawl on a terminal. It only listens to queue events; the crawl runs
 * the same without it (and logs through pino instead when stderr is not a TTY).
 */
export function attachProgress(queue: QueueBackend): () => void {
  if (!process.stderr.isTTY) return () => {};
  const bar = new cliProgress.SingleBar(
    {
      format:
        'crawl [{bar}] {value}/{total} jobs | fetched {fetched} | failed {failed} | retrying {retry} | {rate}/s',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let total = 0;
  const counts = { value: 0, fetched: 0, failed: 0, retry: 0 };
  bar.start(1, 0, { fetched: 0, failed: 0, retry: 0, rate: '0.0' });
  const update = () => {
    const rate = (counts.fetched / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
    bar.setTotal(Math.max(total, counts.value, 1));
    bar.update(counts.value, {
      fetched: counts.fetched,
      failed: counts.failed,
      retry: counts.retry,
      rate,
    });
  };
  const seen = new Set<number>();
  queue.events.on('job:start', (job) => {
    if (!seen.has(job.id)) {
      seen.add(job.id);
      total++;
    }
    update();
  });
  queue.events.on('job:done', ({ job }) => {
    counts.value++;
    if (job.stage === 'fetch') counts.fetched++;
    update();
  });
  queue.events.on('job:retry', () => {
    counts.retry++;
    update();
  });
  queue.events.on('job:failed', () => {
    counts.value++;
    counts.failed++;
    update();
  });
  return () => bar.stop();
}
