import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLog } from '../../../pipeline/review.js';
import {
  assignSample,
  cohensKappa,
  reviewerAgreement,
  submitDoubleReview,
} from '../../../pipeline/review-agreement.js';
import { getAgreement } from '../../../storage/agreements.js';
import { listAssignments } from '../../../storage/assignments.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';
import { addRecord, addUser } from './seed.js';

describe("Cohen's kappa", () => {
  it('matches a worked example', () => {
    // 50 items: both yes 20, both no 15, A yes/B no 5, A no/B yes 10.
    // po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4.
    const pairs: [string, string][] = [
      ...Array.from({ length: 20 }, () => ['yes', 'yes'] as [string, string]),
      ...Array.from({ length: 15 }, () => ['no', 'no'] as [string, string]),
      ...Array.from({ length: 5 }, () => ['yes', 'no'] as [string, string]),
      ...Array.from({ length: 10 }, () => ['no', 'yes'] as [string, string]),
    ];
    const k = cohensKappa(pairs);
    expect(k.observed).toBeCloseTo(0.7);
    expect(k.expected).toBeCloseTo(0.5);
    expect(k.kappa).toBeCloseTo(0.4);
  });

  it('is 1 for perfect agreement, below 0 for systematic disagreement, undefined without variation', () => {
    expect(
      cohensKappa([
        ['a', 'a'],
        ['b', 'b'],
      ]).kappa,
    ).toBe(1);
    expect(
      cohensKappa([
        ['a', 'b'],
        ['b', 'a'],
      ]).kappa,
    ).toBe(-1);
    expect(
      cohensKappa([
        ['a', 'a'],
        ['a', 'a'],
      ]).kappa,
    ).toBeNull();
    expect(cohensKappa([]).n).toBe(0);
  });
});

describe('double review', () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  beforeAll(async () => {
    app = await tempApp();
  });
  afterAll(async () => {
    await app.cleanup();
  });

  it('sends a sample to two reviewers, keeps their codings apart and reports agreement per field', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        await addRecord(app, codedRecord({ date_signed: `2018-0${i + 1}-01`, year: 2018 }), [
          { url: `http://mps.test/${i}` },
        ]),
      );
    await addUser(app, 'ann', 'a long password');
    await addUser(app, 'bob', 'a long password');
    await expect(
      assignSample(app.db, { sample: 2, reviewers: ['ann', 'zed'], assignedBy: 'root' }),
    ).rejects.toThrow(/No user zed/);
    const sample = await assignSample(app.db, {
      sample: 4,
      reviewers: ['ann', 'bob'],
      assignedBy: 'root',
      seed: 7,
    });
    expect(sample.agreementIds).toHaveLength(4);
    expect(await listAssignments(app.db, { reviewer: 'bob', decided: false })).toHaveLength(4);
    // A second sample never repeats what the pair already has.
    const more = await assignSample(app.db, {
      sample: 10,
      reviewers: ['ann', 'bob'],
      assignedBy: 'root',
    });
    expect(more.agreementIds.filter((id) => sample.agreementIds.includes(id))).toEqual([]);
    expect(more.agreementIds).toHaveLength(2);

    const [p, q, r, s] = sample.agreementIds as [string, string, string, string];
    await submitDoubleReview(app.db, { id: p, reviewer: 'ann', decision: 'approve' });
    await submitDoubleReview(app.db, { id: p, reviewer: 'bob', decision: 'approve' });
    await submitDoubleReview(app.db, {
      id: q,
      reviewer: 'ann',
      decision: 'approve',
      changes: { doc_type: 'protocol' },
    });
    await submitDoubleReview(app.db, { id: q, reviewer: 'bob', decision: 'approve' });
    await submitDoubleReview(app.db, {
      id: r,
      reviewer: 'ann',
      decision: 'reject',
      note: 'not signed',
    });
    await submitDoubleReview(app.db, { id: r, reviewer: 'bob', decision: 'approve' });
    await submitDoubleReview(app.db, { id: s, reviewer: 'ann', decision: 'approve' });
    // s coded by one reviewer only: not part of the comparison.
    await expect(
      submitDoubleReview(app.db, {
        id:
          ids.find((i) => !sample.agreementIds.includes(i) && !more.agreementIds.includes(i)) ??
          'PW-0',
        reviewer: 'ann',
        decision: 'approve',
      }),
    ).rejects.toThrow(/not assigned|No agreement/);

    // The canonical records are untouched by double review.
    expect((await getAgreement(app.db, q))?.record.doc_type).toBe('mou');
    expect((await getAgreement(app.db, q))?.status).toBe('pending');

    const [report] = await reviewerAgreement(app.db);
    expect(report?.reviewers).toEqual(['ann', 'bob']);
    expect(report?.items).toBe(3);
    const field = (name: string) => report?.fields.find((f) => f.field === name);
    expect(field('decision')).toMatchObject({ n: 3, observed: 2 / 3 });
    // Fields are compared only where both accepted the record: p and q.
    expect(field('doc_type')).toMatchObject({ n: 2, observed: 0.5 });
    expect(field('scope')?.kappa).toBeNull();
    expect(report?.disagreements).toEqual(
      expect.arrayContaining([
        { agreementId: q, field: 'doc_type', values: { ann: 'protocol', bob: 'mou' } },
        { agreementId: r, field: 'decision', values: { ann: 'reject', bob: 'approve' } },
      ]),
    );
    expect((await queryLog(app.db, { action: 'double_review' })).length).toBe(7);
    expect((await queryLog(app.db, { action: 'assign' })).length).toBe(6);
  });
});
