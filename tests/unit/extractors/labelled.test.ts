import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extract } from '../../../extractors/index.js';
import type { CodedAgreement } from '../../../schemas/agreement.js';
import { CodedAgreement as CodedAgreementSchema } from '../../../schemas/agreement.js';

interface Labelled {
  readonly id: string;
  readonly text: string;
  readonly url: string;
  readonly published: string | null;
  readonly expected: {
    readonly is_signing: boolean;
    readonly agreements: readonly Record<string, unknown>[];
  };
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/extract/labelled.jsonl', import.meta.url));

const labelled: Labelled[] = readFileSync(FIXTURES, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Labelled);

/** Fields of `expected` (nested one level) that `actual` gets wrong. */
function mismatches(expected: Record<string, unknown>, actual: CodedAgreement): string[] {
  const out: string[] = [];
  const got = actual as unknown as Record<string, unknown>;
  for (const [key, want] of Object.entries(expected)) {
    const have = got[key];
    if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
      const nested = (have ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) {
        if (JSON.stringify(nested[k]) !== JSON.stringify(v)) out.push(`${key}.${k}`);
      }
    } else if (JSON.stringify(have) !== JSON.stringify(want)) {
      out.push(key);
    }
  }
  return out;
}

/** Pairs each expected record with the unused actual record of its type that fits it best. */
function pair(
  expected: readonly Record<string, unknown>[],
  actual: readonly CodedAgreement[],
): { want: Record<string, unknown>; got: CodedAgreement | undefined }[] {
  const used = new Set<number>();
  return expected.map((want) => {
    let best: { index: number; misses: number } | undefined;
    actual.forEach((got, index) => {
      if (used.has(index) || got.doc_type !== want['doc_type']) return;
      const misses = mismatches(want, got).length;
      if (best === undefined || misses < best.misses) best = { index, misses };
    });
    if (best !== undefined) used.add(best.index);
    return { want, got: best === undefined ? undefined : actual[best.index] };
  });
}

describe('labelled documents', () => {
  it('has the documents the suite is meant to cover', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(25);
    expect(labelled.filter((d) => !d.expected.is_signing).length).toBeGreaterThanOrEqual(5);
    expect(labelled.filter((d) => !/[\u4e00-\u9fff]/.test(d.text)).length).toBeGreaterThanOrEqual(
      5,
    );
  });

  it.each(labelled.map((d) => [d.id, d] as const))('%s', (_id, doc) => {
    const result = extract({ text: doc.text, url: doc.url, published: doc.published });
    expect(result.is_signing).toBe(doc.expected.is_signing);
    expect(result.agreements.map((a) => a.doc_type).sort()).toEqual(
      doc.expected.agreements.map((a) => a['doc_type']).sort(),
    );
    for (const { want, got } of pair(doc.expected.agreements, result.agreements)) {
      expect(got, `no ${String(want['doc_type'])} record`).toBeDefined();
      if (got === undefined) continue;
      expect(CodedAgreementSchema.safeParse(got).success).toBe(true);
      expect(got).toMatchObject(want);
    }
  });

  it('scores every coded field on the labelled set', () => {
    const totals = new Map<string, { right: number; all: number }>();
    for (const doc of labelled) {
      const result = extract({ text: doc.text, url: doc.url, published: doc.published });
      for (const { want, got } of pair(doc.expected.agreements, result.agreements)) {
        const wrong = got === undefined ? Object.keys(want) : mismatches(want, got);
        for (const key of Object.keys(want)) {
          const t = totals.get(key) ?? { right: 0, all: 0 };
          t.all += 1;
          if (!wrong.some((w) => w === key || w.startsWith(`${key}.`))) t.right += 1;
          totals.set(key, t);
        }
      }
    }
    // Each field's floor: every labelled value right. Lower it only with a reason in the commit.
    for (const [field, t] of totals)
      expect(`${field} ${t.right}/${t.all}`).toBe(`${field} ${t.all}/${t.all}`);
  });
});
