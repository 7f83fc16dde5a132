import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTruthSet } from '../../../bench/dedup-data.js';
import { type Evaluation, evaluateBatch, evaluateStage } from '../../../bench/dedup-eval.js';
import { tempApp } from '../../helpers/temp.js';

/**
 * Floors under the dedup quality that `npm run eval:dedup` measures, set a little below the
 * figures measured on these seeds (README, "Dedup"): batch clustering of 3,000 generated
 * reports scored pairwise P 0.995 / R 0.962 / F1 0.978 and B-cubed F1 0.988; the dedup stage
 * fed 800 of them one by one into SQLite scored pairwise F1 0.977 and B-cubed F1 0.986.
 * A change that makes matching worse fails here.
 */

describe('dedup quality on a generated set with known truth', () => {
  it('batch clustering stays above its floors, and keeps renewals and series apart', () => {
    const e = evaluateBatch(generateTruthSet({ candidates: 3000, seed: 1 }).items);
    expect(e.pairwise.precision).toBeGreaterThanOrEqual(0.98);
    expect(e.pairwise.f1).toBeGreaterThanOrEqual(0.96);
    expect(e.bcubed.f1).toBeGreaterThanOrEqual(0.975);
    // The hard cases: a renewal or another meeting of a series is never merged with its kin.
    expect(e.byCategory.renewal.precision).toBeGreaterThanOrEqual(0.99);
    expect(e.byCategory.series.precision).toBeGreaterThanOrEqual(0.99);
    expect(e.byCategory.near_miss.precision).toBeGreaterThanOrEqual(0.97);
  });

  describe('the dedup stage, one candidate at a time', () => {
    let app: Awaited<ReturnType<typeof tempApp>>;
    let e: Evaluation;
    beforeAll(async () => {
      app = await tempApp();
      e = await evaluateStage(app.db, generateTruthSet({ candidates: 800, seed: 2 }).items, 2);
    }, 60_000);
    afterAll(async () => {
      await app?.cleanup();
    });

    it('stays above its floors in any arrival order', () => {
      expect(e.pairwise.f1).toBeGreaterThanOrEqual(0.95);
      expect(e.bcubed.f1).toBeGreaterThanOrEqual(0.97);
      expect(e.byCategory.renewal.precision).toBeGreaterThanOrEqual(0.99);
      expect(e.byCategory.series.precision).toBeGreaterThanOrEqual(0.99);
    });
  });
});
