import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { findUp } from '../core/find-up.js';
import { PartialDate } from '../schemas/codes.js';

/**
 * The project's copies of published figures (`reference/`): MPS's own totals and the
 * aggregates published for the hand-built dataset v2.0, each with its citation. They are data:
 * a new figure is a new CSV row or JSON key, read here and compared by `totals`.
 */

const blankToNull = (v: unknown) => (v === '' ? null : v);
const year = z.preprocess(blankToNull, z.coerce.number().int().min(1949).max(2100).nullable());

export const MpsTotal = z.object({
  id: z.string().min(1),
  as_of: PartialDate,
  scope: z.string(),
  agreements: z.coerce.number().int().positive(),
  countries: z.preprocess(blankToNull, z.coerce.number().int().positive().nullable()),
  counting: z.string(),
  /** `cumulative`: everything signed by as_of; `period`: signed in period_from..period_to. */
  rule: z.enum(['cumulative', 'period']),
  period_from: year,
  period_to: year,
  /** How the figure is stated: exact, approximate ("nearly"), or a lower bound ("over"). */
  bound: z.enum(['exact', 'approximate', 'lower_bound']),
  partners: z.enum(['any', 'bilateral', 'multilateral']),
  /** `mps`: documents MPS itself signed; `any`: also its bureaus, MFA, provinces, embassies. */
  signing_bodies: z.enum(['mps', 'any']),
  wording: z.string(),
  source: z.string().min(1),
  confidence: z.string(),
  note: z.string(),
});
export type MpsTotal = z.infer<typeof MpsTotal>;

/** Sections are read by name; a section the code does not know is shown without a figure. */
export const PublishedAggregates = z
  .object({
    about: z.string(),
    citation: z.record(z.string(), z.string()),
    universe: z.object({
      period: z.tuple([z.number().int(), z.number().int()]),
      signing_bodies: z.array(z.string()),
      note: z.string().optional(),
    }),
  })
  .catchall(z.unknown());
export type PublishedAggregates = z.infer<typeof PublishedAggregates>;

export interface Reference {
  readonly dir: string;
  readonly mps: readonly MpsTotal[];
  readonly aggregates: PublishedAggregates;
}

/** The bundled `reference/` folder, found from this module whether run from source or dist. */
export function bundledReferenceDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = findUp(here, path.join('reference', 'mps-reported-totals.csv'));
  if (file === undefined) throw new UserError('Cannot find the bundled reference/ folder');
  return path.dirname(file);
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${file}`);
  }
}

export function loadReference(dir: string = bundledReferenceDir()): Reference {
  const csvFile = path.join(dir, 'mps-reported-totals.csv');
  const rows = parse(read(csvFile), { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const mps = rows.map((row, i) => {
    const parsed = MpsTotal.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(
        `${csvFile} row ${i + 1}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    if (
      parsed.data.rule === 'period' &&
      (parsed.data.period_from === null || parsed.data.period_to === null)
    )
      throw new UserError(
        `${csvFile} row ${i + 1}: a period total needs period_from and period_to`,
      );
    return parsed.data;
  });
  const jsonFile = path.join(dir, 'published-aggregates.json');
  let raw: unknown;
  try {
    raw = JSON.parse(read(jsonFile));
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${jsonFile} is not valid JSON`);
  }
  const aggregates = PublishedAggregates.safeParse(raw);
  if (!aggregates.success) {
    const issue = aggregates.error.issues[0];
    throw new UserError(
      `${jsonFile}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { dir, mps, aggregates: aggregates.data };
}
