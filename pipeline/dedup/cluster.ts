import type { CodedAgreement } from '../../schemas/agreement.js';
import { partnerKey } from '../../storage/agreements.js';
import { dayRange, featuresOf, type MatchFeatures } from './features.js';
import { type DedupOptions, dedupOptions, pairScore } from './score.js';

/**
 * Batch clustering of reports in memory: the same matching rules as the per-candidate dedup
 * stage, for re-deduplicating a whole dataset, evaluation and benchmarks.
 *
 * Cost stays close to linear: records are sorted by partner and date, and a sweep compares each
 * only with the records of its partner whose dates lie within the window (blocking). The sweep
 * cuts the sorted run into independent segments (no record of one can match a record of the
 * next), and each segment is clustered on its own and then forgotten, so memory beyond the
 * input is a few typed arrays. Within a segment, links are taken strongest first and two
 * clusters join only when every pair across them is compatible (complete linkage on the hard
 * rules), so a vague report cannot chain two different documents into one cluster.
 */

export interface ClusterItem {
  readonly record: CodedAgreement;
  /** The page the report comes from: two reports from one page are two documents. */
  readonly url?: string | null;
}

export interface ClusterOptions extends DedupOptions {
  /**
   * A cluster never grows beyond this many reports; no signing is reported by more pages,
   * and the cap bounds the member-by-member checks. @default 200
   */
  readonly maxClusterSize?: number;
}

export const CLUSTER_DEFAULTS = { maxClusterSize: 200 } as const;

export interface ClusterResult {
  /** For each item, its cluster's label: the smallest item index in the cluster. */
  readonly labels: Int32Array;
  readonly clusterCount: number;
  /** Pairs scored (after blocking). */
  readonly comparisons: number;
  /** Pairs that scored at least `minScore`. */
  readonly links: number;
  /** Links not taken because a member of one cluster was incompatible with one of the other. */
  readonly refusedLinks: number;
}

interface Segment {
  /** Item indices, sorted by start day. */
  readonly items: readonly number[];
  readonly partner: string;
}

class Interner {
  readonly #ids = new Map<string, number>();
  id(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(s, id);
    }
    return id;
  }
}

export function clusterRecords(
  items: readonly ClusterItem[],
  options: ClusterOptions = {},
): ClusterResult {
  const opts = dedupOptions(options);
  const maxClusterSize = options.maxClusterSize ?? CLUSTER_DEFAULTS.maxClusterSize;
  if (!Number.isInteger(maxClusterSize) || maxClusterSize < 1) {
    throw new TypeError(
      `Expected \`maxClusterSize\` to be a positive integer, got \`${maxClusterSize}\``,
    );
  }
  const n = items.length;
  const labels = new Int32Array(n);
  const partner = new Int32Array(n);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const partners = new Interner();
  const keys: string[] = [];
  const sortable: number[] = [];
  for (let i = 0; i < n; i++) {
    labels[i] = i;
    const item = items[i] as ClusterItem;
    const key = partnerKey(item.record);
    const [s, e] = dayRange(item.record.date_signed);
    // Undated reports and reports without a partner cannot be blocked: each stays alone.
    if (key === 'unknown' || Number.isNaN(s)) continue;
    partner[i] = partners.id(key);
    keys[partner[i] ?? 0] = key;
    start[i] = s;
    end[i] = e;
    sortable.push(i);
  }
  const order = Uint32Array.from(sortable);
  order.sort(
    (a, b) => (partner[a] ?? 0) - (partner[b] ?? 0) || (start[a] ?? 0) - (start[b] ?? 0) || a - b,
  );

  const stats = { comparisons: 0, links: 0, refusedLinks: 0 };
  let segment: number[] = [];
  let segmentEnd = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (segment.length > 1) {
      const key = keys[partner[segment[0] ?? 0] ?? 0] ?? 'unknown';
      clusterSegment({ items: segment, partner: key }, items, labels, opts, maxClusterSize, stats);
    }
    segment = [];
  };
  for (const i of order) {
    const p = partner[i] ?? 0;
    const s = start[i] ?? 0;
    const first = segment[0];
    if (first !== undefined && (partner[first] !== p || s > segmentEnd + opts.windowDays)) {
      flush();
      segmentEnd = Number.NEGATIVE_INFINITY;
    }
    segment.push(i);
    segmentEnd = Math.max(segmentEnd, end[i] ?? 0);
  }
  flush();

  let clusterCount = 0;
  for (let i = 0; i < n; i++) if (labels[i] === i) clusterCount++;
  return { labels, clusterCount, ...stats };
}

interface Link {
  readonly a: number;
  readonly b: number;
  readonly score: number;
}

/** Greedy constrained linkage over one segment; writes the labels of its items. */
function clusterSegment(
  segment: Segment,
  items: readonly ClusterItem[],
  labels: Int32Array,
  opts: ReturnType<typeof dedupOptions>,
  maxClusterSize: number,
  stats: { comparisons: number; links: number; refusedLinks: number },
): void {
  const members = segment.items;
  const m = members.length;
  const features: MatchFeatures[] = members.map((i) =>
    featuresOf((items[i] as ClusterItem).record, segment.partner),
  );
  const urls = members.map((i) => (items[i] as ClusterItem).url ?? null);
  const compatible = (x: number, y: number): number | null => {
    const ux = urls[x] ?? null;
    if (ux !== null && ux === urls[y]) return null;
    return pairScore(features[x] as MatchFeatures, features[y] as MatchFeatures, opts);
  };

  // Sliding window over the segment (sorted by start day): compare with the still-open ones.
  const links: Link[] = [];
  const open: number[] = [];
  for (let k = 0; k < m; k++) {
    const f = features[k] as MatchFeatures;
    let w = 0;
    for (const j of open) {
      if ((features[j] as MatchFeatures).endDay + opts.windowDays < f.startDay) continue;
      open[w++] = j;
      stats.comparisons++;
      const score = compatible(j, k);
      if (score !== null && score >= opts.minScore) links.push({ a: j, b: k, score });
    }
    open.length = w;
    open.push(k);
  }
  stats.links += links.length;
  links.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);

  const parent = Int32Array.from({ length: m }, (_, k) => k);
  const groups: number[][] = Array.from({ length: m }, (_, k) => [k]);
  const find = (k: number): number => {
    let r = k;
    while (parent[r] !== r) r = parent[r] ?? r;
    let c = k;
    while (parent[c] !== r) {
      const next = parent[c] ?? r;
      parent[c] = r;
      c = next;
    }
    return r;
  };
  for (const { a, b } of links) {
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) continue;
    let ga = groups[ra] as number[];
    let gb = groups[rb] as number[];
    if (ga.length + gb.length > maxClusterSize || !allCompatible(ga, gb, a, b, compatible)) {
      stats.refusedLinks++;
      continue;
    }
    if (ga.length < gb.length) {
      [ra, rb] = [rb, ra];
      [ga, gb] = [gb, ga];
    }
    parent[rb] = ra;
    for (const k of gb) ga.push(k);
    groups[rb] = [];
  }
  for (let k = 0; k < m; k++) {
    const group = groups[k] as number[];
    if (group.length === 0) continue;
    let label = Number.POSITIVE_INFINITY;
    for (const x of group) label = Math.min(label, members[x] ?? 0);
    for (const x of group) labels[members[x] ?? 0] = label;
  }
}

function allCompatible(
  ga: readonly number[],
  gb: readonly number[],
  linkA: number,
  linkB: number,
  compatible: (x: number, y: number) => number | null,
): boolean {
  for (const x of ga) {
    for (const y of gb) {
      if ((x === linkA && y === linkB) || (x === linkB && y === linkA)) continue;
      if (compatible(x, y) === null) return false;
    }
  }
  return true;
}

/** Item indices grouped by cluster, clusters in order of their label. */
export function clustersOf(labels: Int32Array): number[][] {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? i;
    const list = byLabel.get(label);
    if (list === undefined) byLabel.set(label, [i]);
    else list.push(i);
  }
  return [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}
