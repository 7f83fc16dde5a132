import type { Figure, MpsComparison, TotalsReport } from './totals.js';

/** Renders a TotalsReport as aligned text, Markdown tables, or JSON. */

export const TOTALS_FORMATS = ['text', 'md', 'json'] as const;
export type TotalsFormat = (typeof TOTALS_FORMATS)[number];

export const percent = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
const signed = (n: number | null) => (n === null ? '' : n > 0 ? `+${n}` : String(n));

export function figureText(f: Figure): string {
  if (f === null) return '—';
  if (typeof f === 'boolean') return f ? 'yes' : 'no';
  return String(f);
}

const BOUND_MARK: Record<MpsComparison['bound'], string> = {
  exact: '',
  approximate: '≈',
  lower_bound: '>',
};

export function mpsFigure(m: MpsComparison): string {
  return `${BOUND_MARK[m.bound]}${m.published}`;
}

export function countText(m: MpsComparison): string {
  return m.uncertain > 0 ? `${m.count} (+${m.uncertain}?)` : String(m.count);
}

function columns(rows: readonly (readonly string[])[], right: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const r of rows)
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, [...c].length);
  return rows.map((r) =>
    r
      .map((c, i) => {
        const padding = ' '.repeat(Math.max((widths[i] ?? 0) - [...c].length, 0));
        return right.has(i) ? padding + c : c + padding;
      })
      .join('  ')
      .trimEnd(),
  );
}

function mpsRows(report: TotalsReport): string[][] {
  return [
    ['as of', 'counting rule', 'MPS', 'release', 'gap', 'coverage', 'countries (MPS / release)'],
    ...report.mps.map((m) => [
      m.as_of,
      m.rule,
      mpsFigure(m),
      countText(m),
      String(m.gap),
      percent(m.coverage),
      `${m.countries_published ?? '—'} / ${m.countries}`,
    ]),
  ];
}

function intro(report: TotalsReport): string[] {
  return [
    `release ${report.release}: ${report.records} agreements, ${report.core} signed by MPS itself`,
  ];
}

function universeLine(report: TotalsReport): string {
  const [from, to] = report.universe.period;
  return `v2.0's universe: signed by MPS, ${from}–${to} — ${report.universe.agreements} agreements in this release`;
}

export function formatTotalsText(report: TotalsReport): string {
  const out = [...intro(report), '', "MPS's own published totals"];
  out.push(...columns(mpsRows(report), new Set([2, 3, 4, 5])).map((l) => `  ${l}`));
  if (report.mps.some((m) => m.uncertain > 0))
    out.push('  (+n?: records dated only to a year or month that may also fall under the rule)');
  out.push('  ≈ approximate figure, > lower bound ("over"); coverage = release / MPS');
  out.push('', `Published aggregates of dataset v2.0 (${universeLine(report)})`);
  const sections = [...new Set(report.aggregates.map((a) => a.section))];
  const table: string[][] = [['figure', 'v2.0', 'release', 'Δ']];
  for (const s of sections) {
    table.push([s]);
    for (const r of report.aggregates.filter((a) => a.section === s))
      table.push([
        `  ${r.item}`,
        figureText(r.published),
        figureText(r.release),
        signed(r.difference),
      ]);
  }
  out.push(...columns(table, new Set([1, 2, 3])).map((l) => `  ${l}`));
  const notes = report.aggregates.filter((a) => a.note !== undefined);
  if (notes.length > 0) {
    out.push('', 'notes');
    for (const a of notes) out.push(`  ${a.section} ${a.item}: ${a.note}`);
  }
  out.push('', 'sources');
  for (const m of report.mps) out.push(`  ${m.id}: ${m.source}`);
  for (const [k, v] of Object.entries(report.citations)) out.push(`  v2.0 ${k}: ${v}`);
  return `${out.join('\n')}\n`;
}

const md = (s: string) => s.replaceAll('|', '\\|');

export function formatTotalsMarkdown(report: TotalsReport): string {
  const out = [`# Totals — release ${report.release}`, '', `${intro(report)[0]}.`, ''];
  out.push("## MPS's own published totals", '');
  const [head, ...rows] = mpsRows(report);
  out.push(`| ${head!.join(' | ')} | source |`, '|---|---|--:|--:|--:|--:|---|---|');
  for (const [i, r] of rows.entries())
    out.push(`| ${r.map(md).join(' | ')} | ${md(report.mps[i]!.source)} |`);
  out.push('', '## Published aggregates of dataset v2.0', '', `${universeLine(report)}.`, '');
  out.push('| section | figure | v2.0 | release | Δ | note |', '|---|---|--:|--:|--:|---|');
  for (const a of report.aggregates)
    out.push(
      `| ${a.section} | ${md(a.item)} | ${figureText(a.published)} | ${figureText(a.release)} | ${signed(a.difference)} | ${md(a.note ?? '')} |`,
    );
  out.push('', ...Object.entries(report.citations).map(([k, v]) => `- ${k}: ${md(v)}`));
  return `${out.join('\n')}\n`;
}

export function formatTotals(report: TotalsReport, format: TotalsFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'md') return formatTotalsMarkdown(report);
  return formatTotalsText(report);
}
