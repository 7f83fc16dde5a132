import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  evaluate,
  formatEvaluation,
  type LabelledDocument,
  loadLabelled,
} from '../extractors/evaluation.js';
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
let docs: LabelledDocument[] = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .flatMap((f) => loadLabelled(path.join(dir, f)));
if (values.id !== undefined) docs = docs.filter((d) => d.id.includes(values.id ?? ''));

const started = performance.now();
const all = evaluate(docs, extract);
const ms = performance.now() - started;
console.log(formatEvaluation(`rules extractor on ${dir}`, all));
console.log(`\n(${ms.toFixed(0)} ms for ${docs.length} documents)`);
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
