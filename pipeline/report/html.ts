import type { Table } from './tables.js';

/**
 * The report page: one self-contained HTML file (inline CSS, inline SVG, no script, no
 * outbound loads). Every value that comes from the data is escaped.
 */

export function escapeHtml(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function renderTable(t: Table): string {
  const head = t.columns
    .map(
      (c) =>
        `<th scope="col" data-col="${escapeHtml(c.id)}"${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`,
    )
    .join('');
  let group: string | undefined;
  const body = t.rows
    .map((r) => {
      const cells = t.columns
        .map((c) => {
          const v = r.cells[c.id] ?? '';
          const value = typeof v === 'number' ? ` data-value="${v}"` : '';
          const cls = [c.numeric ? 'num' : '', c.nowrap ? 'nowrap' : ''].filter(Boolean).join(' ');
          return `<td data-col="${escapeHtml(c.id)}"${value}${cls === '' ? '' : ` class="${cls}"`}>${escapeHtml(v)}</td>`;
        })
        .join('');
      // A row that starts a new group gets a header row above it.
      const head =
        r.group !== undefined && r.group !== group
          ? `<tr class="group"><th colspan="${t.columns.length}">${escapeHtml(r.group)}</th></tr>`
          : '';
      group = r.group;
      return `${head}<tr data-key="${escapeHtml(r.key)}">${cells}</tr>`;
    })
    .join('\n');
  const empty =
    t.rows.length === 0 ? `<tr><td colspan="${t.columns.length}" class="empty">none</td></tr>` : '';
  return `<table id="table-${escapeHtml(t.id)}"><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}${empty}</tbody></table>`;
}

export interface RenderedFigure {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

/** A figure with its data table folded underneath. */
export function renderFigure(f: RenderedFigure, table?: Table): string {
  const data =
    table === undefined ? '' : `<details><summary>Data</summary>${renderTable(table)}</details>`;
  return `<figure id="figure-${escapeHtml(f.id)}" class="chart"><h3>${escapeHtml(f.title)}</h3><div class="svg">${f.svg}</div><figcaption>${escapeHtml(f.caption)} <a href="figures/${escapeHtml(f.id)}.svg">SVG</a></figcaption>${data}</figure>`;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly body: readonly string[];
}

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 0 0 8px; }
.meta { color: #666; margin: 0 0 16px; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 20px; }
figure.chart { background: white; border: 1px solid #e3e3e3; border-radius: 6px; padding: 14px; margin: 0 0 20px; }
figure .svg { overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 13px; margin-top: 6px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; background: white; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 3px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: #888; font-style: italic; }
td.nowrap { white-space: nowrap; }
tr.group th { background: #e8edf3; text-align: left; font-weight: bold; }
details summary { cursor: pointer; color: #335; font-size: 13px; }
footer { color: #666; font-size: 13px; padding-bottom: 40px; }
`;

export function renderPage(input: {
  readonly title: string;
  readonly meta: string;
  readonly sections: readonly Section[];
  readonly footer: readonly string[];
}): string {
  const nav = input.sections
    .map((s) => `<li><a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a></li>`)
    .join('');
  const sections = input.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${s.intro === undefined ? '' : `<p>${escapeHtml(s.intro)}</p>`}\n${s.body.join('\n')}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(input.title)}</h1><p class="meta">${escapeHtml(input.meta)}</p><nav><ul>${nav}</ul></nav></header>
<main>
${sections}
</main>
<footer>${input.footer.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</footer>
</body>
</html>
`;
}
