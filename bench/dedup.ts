import { spawnSync } from 'node:child_process';
import { resourceUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterRecords } from '../pipeline/dedup/cluster.js';
import { generateTruthSet } from './dedup-data.js';

/**
 * `npm run bench:dedup`: clusters 10k, 100k and 1M generated candidates with the batch
 * clusterer and prints time, peak memory and how both grow with the input. Each size runs in
 * its own process so that its peak RSS is its own. Partners grow with the set (about 150
 * reports each over twenty years) so that a partner's calendar stays as crowded as real ones;
 * cost then depends on the input size, not on an ever denser block.
 *
 * `--sizes 10000,100000` runs other sizes.
 */

interface Run {
  readonly n: number;
  readonly partners: number;
  readonly ms: number;
  /** CPU time of the clustering (user + system): what a busy shared machine does not distort. */
  readonly cpuMs: number;
  readonly inputRssMb: number;
  readonly peakRssMb: number;
  readonly heapMb: number;
  readonly comparisons: number;
  readonly clusters: number;
  readonly signings: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function child(n: number): Run {
  const partners = Math.max(60, Math.round(n / 150));
  // Warm up (JIT, the Chinese converter's dictionary, name tables) so that the smallest size
  // is not charged with start-up work the larger ones share.
  clusterRecords(generateTruthSet({ candidates: 2000, seed: 3 }).items);
  const set = generateTruthSet({ candidates: n, partners, seed: 7 });
  global.gc?.();
  const inputRssMb = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = clusterRecords(set.items);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    n: set.items.length,
    partners,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    inputRssMb,
    // maxRSS is in kilobytes.
    peakRssMb: resourceUsage().maxRSS / 1024,
    heapMb: mb(process.memoryUsage().heapUsed),
    comparisons: result.comparisons,
    clusters: result.clusterCount,
    signings: set.signings,
  };
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
  },
});

if (values.child !== undefined) {
  process.stdout.write(`${JSON.stringify(child(Number(values.child)))}\n`);
} else {
  const sizes = values.sizes.split(',').map(Number);
  for (const n of sizes) {
    if (!Number.isInteger(n) || n <= 0) {
      throw new TypeError(
        `Expected \`--sizes\` to list positive integers, got \`${values.sizes}\``,
      );
    }
  }
  const self = fileURLToPath(import.meta.url);
  const runs: Run[] = [];
  console.log(
    'size        time   CPU time  CPU per 1k  peak RSS  input RSS  compared/report  clusters  signings',
  );
  for (const n of sizes) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', String(n)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`benchmark of ${n} candidates failed (exit ${r.status})`);
    const run = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Run;
    runs.push(run);
    console.log(
      [
        String(run.n).padEnd(9),
        `${(run.ms / 1000).toFixed(2)} s`.padStart(9),
        `${(run.cpuMs / 1000).toFixed(2)} s`.padStart(10),
        `${((run.cpuMs / run.n) * 1000).toFixed(1)} ms`.padStart(11),
        `${run.peakRssMb.toFixed(0)} MB`.padStart(9),
        `${run.inputRssMb.toFixed(0)} MB`.padStart(10),
        (run.comparisons / run.n).toFixed(2).padStart(16),
        String(run.clusters).padStart(9),
        String(run.signings).padStart(9),
      ].join(' '),
    );
  }
  console.log('\ngrowth (×input → ×CPU time, ×peak RSS); 1.00 of linear is linear:');
  for (let i = 1; i < runs.length; i++) {
    const a = runs[i - 1] as Run;
    const b = runs[i] as Run;
    const size = b.n / a.n;
    const time = b.cpuMs / a.cpuMs;
    console.log(
      `  ${a.n} → ${b.n}: ×${size.toFixed(1)} input → ×${time.toFixed(1)} CPU time (${(time / size).toFixed(2)} of linear), ×${(b.peakRssMb / a.peakRssMb).toFixed(1)} peak RSS`,
    );
  }
  const million = runs.find((r) => r.n >= 1_000_000);
  if (million !== undefined) {
    const ok = million.ms <= 60_000 && million.peakRssMb <= 2048;
    console.log(
      `\ngoal (1M within 60 s and 2 GB): ${ok ? 'met' : 'MISSED'} — ${(million.ms / 1000).toFixed(1)} s (${(million.cpuMs / 1000).toFixed(1)} s CPU), ${million.peakRssMb.toFixed(0)} MB peak RSS (input alone ${million.inputRssMb.toFixed(0)} MB)`,
    );
  }
}
