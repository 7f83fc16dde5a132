/**
 * Clustering scores against known truth. Pairwise: every pair of reports put together is a
 * prediction that they are one signing. B-cubed: per report, how much of its predicted cluster
 * is right (precision) and how much of its true cluster it found (recall), averaged; unlike
 * pairwise scores it does not let one big cluster dominate.
 */

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const pairs = (n: number) => (n * (n - 1)) / 2;

function counts(keys: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < keys.length; i++) m.set(keys[i] ?? 0, (m.get(keys[i] ?? 0) ?? 0) + 1);
  return m;
}

/** Cell sizes of the contingency table of predicted × true clusters. */
function cells(truth: ArrayLike<number>, predicted: ArrayLike<number>): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < truth.length; i++) {
    const k = `${predicted[i]}:${truth[i]}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function pairwise(truth: ArrayLike<number>, predicted: ArrayLike<number>): Scores {
  let tp = 0;
  for (const n of cells(truth, predicted).values()) tp += pairs(n);
  let predictedPairs = 0;
  for (const n of counts(predicted).values()) predictedPairs += pairs(n);
  let truePairs = 0;
  for (const n of counts(truth).values()) truePairs += pairs(n);
  const precision = predictedPairs === 0 ? 1 : tp / predictedPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  return { precision, recall, f1: f1(precision, recall) };
}

/** B-cubed over all reports, or over the reports `subset` selects (per-case scores). */
export function bcubed(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  subset?: (i: number) => boolean,
): Scores {
  const cell = cells(truth, predicted);
  const predSize = counts(predicted);
  const trueSize = counts(truth);
  let p = 0;
  let r = 0;
  let n = 0;
  for (let i = 0; i < truth.length; i++) {
    if (subset !== undefined && !subset(i)) continue;
    const both = cell.get(`${predicted[i]}:${truth[i]}`) ?? 0;
    p += both / (predSize.get(predicted[i] ?? 0) ?? 1);
    r += both / (trueSize.get(truth[i] ?? 0) ?? 1);
    n++;
  }
  const precision = n === 0 ? 1 : p / n;
  const recall = n === 0 ? 1 : r / n;
  return { precision, recall, f1: f1(precision, recall) };
}
