import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../storage/database.js';
import { generateTruthSet } from './dedup-data.js';
import { evaluateBatch, evaluateStage, formatEvaluation } from './dedup-eval.js';

/**
 * `npm run eval:dedup`: scores dedup on a generated candidate set with known truth, both the
 * batch clusterer and the dedup stage (real SQLite). `--candidates N`, `--seed N`.
 */

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
  },
});
const candidates = Number(values.candidates);
const seed = Number(values.seed);
if (!Number.isInteger(candidates) || candidates <= 0) {
  throw new TypeError(
    `Expected \`--candidates\` to be a positive integer, got \`${values.candidates}\``,
  );
}
if (!Number.isInteger(seed))
  throw new TypeError(`Expected \`--seed\` to be an integer, got \`${values.seed}\``);

const set = generateTruthSet({ candidates, seed });
console.log(`truth set: ${set.items.length} reports of ${set.signings} signings (seed ${seed})\n`);
console.log(formatEvaluation('batch clusterRecords', evaluateBatch(set.items)));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-eval-'));
try {
  const { db, close } = await openDatabase({ file: path.join(dir, 'eval.db') });
  try {
    console.log(
      `\n${formatEvaluation('dedup stage (SQLite, shuffled order)', await evaluateStage(db, set.items, seed))}`,
    );
  } finally {
    await close();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
