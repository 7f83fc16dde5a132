import {
  type CountRow,
  type DatasetDiff,
  type RecordRef,
  SUMMARY_DIMENSIONS,
  type SummaryDimension,
} from './diff.js';

/** Renders a DatasetDiff for a terminal (text), a pull request or changelog (md), or tools (json). */

export const DIFF_FORMATS = ['text', 'md', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** Long cells (evidence JSON) are cut in text and Markdown; JSON keeps them whole. */
const MAX_CELL = 160;

const cut = (s: string) => (s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s);
const shown = (s: string) => (s === '' ? '∅' : cut(s));
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function refLine(r: RecordRef): string {
  const title = r.title === null ? '' : `  ${r.title}`;
  return `${r.id}  ${r.date ?? '?'}  ${r.partner}  ${r.doc_type}${title}`;
}

export function headline(d: DatasetDiff): string {
  return `${d.a.records} → ${d.b.records} records: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`;
}

const DIM_TITLES: Record<SummaryDimension, string> = {
  year: 'year',
  country: 'country',
  topic: 'topic',
  doc_type: 'document type',
};

function changedRows(rows: readonly CountRow[]): CountRow[] {
  return rows.filter((r) => r.delta !== 0);
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
  );
}

export function formatDiffText(d: DatasetDiff): string {
  const lines = [
    `diff ${d.a.label} → ${d.b.label} (records matched by ${d.matchedBy})`,
    `  ${headline(d)}`,
  ];
  if (d.added.length > 0) {
    lines.push('', `added (${d.added.length})`);
    for (const r of d.added) lines.push(`  + ${refLine(r)}`);
  }
  if (d.removed.length > 0) {
    lines.push('', `removed (${d.removed.length})`);
    for (const r of d.removed) lines.push(`  - ${refLine(r)}`);
  }
  if (d.changed.length > 0) {
    lines.push('', `changed (${d.changed.length})`);
    for (const c of d.changed) {
      const ids = c.before.id === c.after.id ? c.after.id : `${c.before.id} = ${c.after.id}`;
      lines.push(`  ~ ${refLine({ ...c.after, id: ids })}`);
      for (const f of c.changes)
        lines.push(`      ${f.field}: ${shown(f.before)} → ${shown(f.after)}`);
    }
  }
  for (const dim of SUMMARY_DIMENSIONS) {
    const rows = changedRows(d.summary[dim]);
    lines.push('', `counts by ${DIM_TITLES[dim]}`);
    if (rows.length === 0) {
      lines.push('  no change');
      continue;
    }
    const table = pad([
      [DIM_TITLES[dim], d.a.label, d.b.label, 'Δ'],
      ...rows.map((r) => [r.value, String(r.a), String(r.b), signed(r.delta)]),
    ]);
    lines.push(...table.map((l) => `  ${l}`));
    const same = d.summary[dim].length - rows.length;
    if (same > 0) lines.push(`  (${same} other values unchanged)`);
  }
  return `${lines.join('\n')}\n`;
}

const mdCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const mdCode = (s: string) => (s === '' ? '∅' : `\`${mdCell(cut(s)).replaceAll('`', "'")}\``);

function mdRefRow(r: RecordRef): string {
  return `| ${mdCell(r.id)} | ${r.date ?? '?'} | ${mdCell(r.partner)} | ${r.doc_type} | ${mdCell(r.title ?? '')} |`;
}

/** Markdown body without a top-level heading (the changelog adds its own). */
export function formatDiffMarkdownBody(d: DatasetDiff, level = 2): string {
  const h = '#'.repeat(level);
  const out: string[] = [`${headline(d)} (records matched by ${d.matchedBy}).`];
  const refTable = (title: string, refs: readonly RecordRef[]) => {
    if (refs.length === 0) return;
    out.push(
      '',
      `${h} ${title} (${refs.length})`,
      '',
      '| id | date | partner | document | title |',
      '|---|---|---|---|---|',
      ...refs.map(mdRefRow),
    );
  };
  refTable('Added', d.added);
  refTable('Removed', d.removed);
  if (d.changed.length > 0) {
    out.push('', `${h} Changed (${d.changed.length})`, '', '| id | field | before | after |');
    out.push('|---|---|---|---|');
    for (const c of d.changed)
      for (const f of c.changes)
        out.push(
          `| ${mdCell(c.after.id)} | ${f.field} | ${mdCode(f.before)} | ${mdCode(f.after)} |`,
        );
  }
  out.push('', `${h} Counts`);
  for (const dim of SUMMARY_DIMENSIONS) {
    const rows = changedRows(d.summary[dim]);
    out.push('', `By ${DIM_TITLES[dim]}:`, '');
    if (rows.length === 0) {
      out.push('no change');
      continue;
    }
    out.push(
      `| ${DIM_TITLES[dim]} | ${mdCell(d.a.label)} | ${mdCell(d.b.label)} | Δ |`,
      '|---|--:|--:|--:|',
    );
    for (const r of rows) out.push(`| ${mdCell(r.value)} | ${r.a} | ${r.b} | ${signed(r.delta)} |`);
  }
  return `${out.join('\n')}\n`;
}

export function formatDiff(d: DatasetDiff, format: DiffFormat): string {
  if (format === 'json') return `${JSON.stringify(d, null, 2)}\n`;
  if (format === 'md') return `# Diff ${d.a.label} → ${d.b.label}\n\n${formatDiffMarkdownBody(d)}`;
  return formatDiffText(d);
}
