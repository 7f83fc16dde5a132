import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LabelledDocument, loadLabelled } from '../extractors/evaluation.js';
import { extract } from '../extractors/index.js';

/**
 * `npm run bench:extract`: documents per second of the rule-based extractor on one core, for
 * pages of 5–50 KB built from the labelled corpus (each page: one labelled article inside the
 * boilerplate and neighbouring items real news pages carry), and the peak memory of the run.
 * `--seconds N` per size (default 3). Prints the ratio to the goal (500/s) and the aim (1,000/s).
 */

const GOAL_PER_S = 500;
const WARM_UP_MS = 500;
const AIM_PER_S = 1000;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  throw new TypeError(`Expected \`--seconds\` to be a positive number, got \`${values.seconds}\``);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = here.includes(`${path.sep}dist${path.sep}`)
  ? path.resolve(here, '../..')
  : path.resolve(here, '..');
const dir = path.join(root, 'tests', 'fixtures', 'extract');
const docs: LabelledDocument[] = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .flatMap((f) => loadLabelled(path.join(dir, f)));

// Boilerplate as real pages carry it: navigation, a sidebar of other headlines (some of which
// mention signings), footers. Kept in the page's own script so the Traditional path is timed.
const ZH_FILLER = [
  '首页 | 新闻中心 | 机构设置 | 政务公开 | 办事服务 | 互动交流 | 专题专栏',
  '当前位置：首页 > 新闻中心 > 公安要闻',
  '全国公安机关持续推进夏季治安打击整治行动，依法严厉打击各类违法犯罪活动，切实维护社会大局稳定。',
  '公安部召开新闻发布会，通报打击治理电信网络诈骗犯罪工作成效，截至目前共破获案件数万起。',
  '相关链接：中国政府网 国家移民管理局 中国禁毒网 网络违法犯罪举报网站',
  '各地公安机关深入开展“百日行动”，全力守护群众生命财产安全，取得阶段性成效。',
  '版权所有：中华人民共和国公安部 网站标识码 京ICP备05070602号 主办单位：公安部办公厅',
];
const EN_FILLER = [
  'Home | China | World | Business | Culture | Sports | Photos | Video | Opinion',
  'Most Viewed: Across China: rural tourism brings new life to mountain villages',
  'Police across the country stepped up patrols during the holiday, the ministry said in a statement on its website.',
  'Economic Watch: cross-border e-commerce keeps growing as new free trade zones open in the west.',
  'Related: Chinese police step up security for tourist season; Anti-drug campaign nets thousands of suspects',
  'About us | Contact us | Terms of use | Copyright 2024 Xinhua Net. All rights reserved.',
];

function pageOf(doc: LabelledDocument, targetBytes: number, seed: number): string {
  const filler = doc.lang === 'en' ? EN_FILLER : ZH_FILLER;
  const head: string[] = [];
  const tail: string[] = [];
  let bytes = Buffer.byteLength(doc.text);
  let i = seed;
  while (bytes < targetBytes) {
    const line = filler[i % filler.length] ?? '';
    (i % 3 === 0 ? head : tail).push(line);
    bytes += Buffer.byteLength(line) + 1;
    i += 1;
  }
  return [...head, doc.text, ...tail].join('\n');
}

interface Row {
  readonly kb: number;
  /** Documents per second of this process's CPU time (user + system): one core, however busy the machine. */
  readonly perSecond: number;
  readonly msPerDoc: number;
  /** Documents per wall-clock second, for comparison (lower when other processes share the core). */
  readonly perWallSecond: number;
}

function run(pages: readonly { text: string; published: string | null }[], budgetMs: number): Row {
  // Warm-up: JIT and the lazily built dictionaries are not what is being measured.
  const warm = performance.now();
  for (let i = 0; performance.now() - warm < WARM_UP_MS; i += 1) {
    const p = pages[i % pages.length];
    if (p !== undefined) extract({ text: p.text, published: p.published });
  }
  let n = 0;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let now = started;
  while (now - started < budgetMs) {
    const p = pages[n % pages.length];
    if (p !== undefined) extract({ text: p.text, published: p.published });
    n += 1;
    if (n % 16 === 0) now = performance.now();
  }
  now = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const avgBytes = pages.reduce((s, p) => s + Buffer.byteLength(p.text), 0) / pages.length;
  return {
    kb: avgBytes / 1024,
    perSecond: (n * 1000) / cpuMs,
    msPerDoc: cpuMs / n,
    perWallSecond: (n * 1000) / (now - started),
  };
}

const signing = docs.filter((d) => d.expected.is_signing);
const sizes = [5, 10, 25, 50];
const rows: { label: string; row: Row }[] = [];
for (const kb of sizes) {
  const pages = docs.map((d, i) => ({ text: pageOf(d, kb * 1024, i), published: d.published }));
  rows.push({ label: `${kb} KB, whole corpus`, row: run(pages, seconds * 1000) });
  const worst = signing.map((d, i) => ({ text: pageOf(d, kb * 1024, i), published: d.published }));
  rows.push({ label: `${kb} KB, signing pages only`, row: run(worst, seconds * 1000) });
}
// The worst case: a long page that is nothing but signing reports (a list page of readouts).
const dense = signing.map((d) => d.text).join('\n');
const densePages = [0, 1, 2].map((k) => {
  let text = dense.slice(k * 1000, k * 1000 + 25 * 1024);
  while (Buffer.byteLength(text) > 25 * 1024) text = text.slice(0, -200);
  return { text, published: '2019-06-30' };
});
rows.push({ label: '25 KB, nothing but signing reports', row: run(densePages, seconds * 1000) });

const usage = process.resourceUsage();
console.log(
  `extract bench: ${docs.length} labelled documents as pages, one core, ${seconds} s per row`,
);
console.log('');
console.log('docs/s = documents per second of CPU time on one core (wall-clock rate alongside)');
console.log('');
console.log(
  'pages                                  avg KB    docs/s   ms/doc   ×goal(500)  ×aim(1000)   wall docs/s',
);
for (const { label, row } of rows) {
  console.log(
    `${label.padEnd(38)} ${row.kb.toFixed(1).padStart(6)}  ${row.perSecond.toFixed(0).padStart(8)}  ${row.msPerDoc.toFixed(2).padStart(7)}  ${(row.perSecond / GOAL_PER_S).toFixed(2).padStart(10)}  ${(row.perSecond / AIM_PER_S).toFixed(2).padStart(10)}  ${row.perWallSecond.toFixed(0).padStart(12)}`,
  );
}
console.log('');
console.log(
  `peak memory (max RSS): ${(usage.maxRSS / 1024).toFixed(0)} MB; heap used now: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
);
