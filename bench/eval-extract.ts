import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  evaluate,
  f1,
  formatEvaluation,
  type LabelledDocument,
  loadLabelled,
} from '../extractors/evaluation.js';

const pct = (x: number): string => (x * 100).toFixed(1);

import { extract } from '../extractors/index.js';

/**
 * `npm run eval:extract`: scores the rule-based extractor on every labelled file in
 * tests/fixtures/extract/ (per-field precision, recall, F1; pages; records; doc_type confusion),
 * then per script. `--verbose` lists each document's misses; `--id SUBSTRING` narrows the set.
 */

const { values } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    id: { type: 'string' },
    dir: { type: 'string' },
  },
});

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/: the fixtures stay in the source tree.
const root = here.includes(`${path.sep}dist${path.sep}`)
  ? path.resolve(here, '../..')
  : path.resolve(here, '..');
const dir = values.dir ?? path.join(root, 'tests', 'fixtures', 'extract');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const byFile = new Map<string, LabelledDocument[]>();
for (const f of files) {
  const docsOfFile = loadLabelled(path.join(dir, f)).filter((d) => d.id.includes(values.id ?? ''));
  byFile.set(f, docsOfFile);
}
const docs: LabelledDocument[] = [...byFile.values()].flat();

const started = performance.now();
const all = evaluate(docs, extract);
const ms = performance.now() - started;
console.log(formatEvaluation(`rules extractor on ${dir}`, all));
console.log(`\n(${ms.toFixed(0)} ms for ${docs.length} documents)`);
// Per file: holdout.jsonl was written after the rules were tuned on the others (see its README).
const fileScores = [...byFile].map(([f, d]) => [f, evaluate(d, extract)] as const);
console.log(
  `\nF1 by file${' '.repeat(15)}${fileScores.map(([f]) => f.replace('.jsonl', '').padStart(10)).join('')}`,
);
for (const field of all.fields) {
  const cells = fileScores.map(([, e]) => {
    const s = e.fields.find((x) => x.field === field.field);
    return s === undefined || s.labelled === 0 ? '         .' : pct(f1(s)).padStart(10);
  });
  console.log(`${field.field.padEnd(36)}${cells.join('')}`);
}
console.log(
  `${'is_signing (pages)'.padEnd(36)}${fileScores.map(([, e]) => pct(f1(e.signing)).padStart(10)).join('')}`,
);
console.log(
  `${'records'.padEnd(36)}${fileScores.map(([, e]) => pct(f1(e.records)).padStart(10)).join('')}`,
);
console.log(
  `${'documents'.padEnd(36)}${fileScores.map(([, e]) => String(e.documents).padStart(10)).join('')}`,
);

for (const lang of ['zh-Hans', 'zh-Hant', 'en']) {
  const subset = docs.filter((d) => d.lang === lang);
  if (subset.length === 0) continue;
  const e = evaluate(subset, extract);
  const lines = formatEvaluation(lang, e).split('\n');
  // Per script: the field table and the two detection lines only.
  const cut = lines.findIndex((l) => l.startsWith('doc_type confusion'));
  console.log(`\n${lines.slice(0, cut - 1).join('\n')}`);
}
if (values.verbose) {
  console.log('\nmisses per document:');
  for (const o of all.outcomes) {
    if (o.misses.length === 0 && o.expectedSigning === o.predictedSigning) continue;
    console.log(
      `- ${o.id} (${o.lang})${o.expectedSigning === o.predictedSigning ? '' : ` is_signing ${o.expectedSigning} ≠ ${o.predictedSigning}`}`,
    );
    for (const m of o.misses) console.log(`    ${m}`);
  }
}
