import { PipelineError } from '../core/errors.js';

/** The CLI's own printing: results to stdout, messages to stderr. Nothing else prints. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

const USER_CODES = new Set(['USER_INPUT', 'NOT_FOUND', 'RELEASE_EXISTS', 'CONFLICT', 'CONFIG']);

/** Exit codes: 2 for a user mistake, 1 for a failure of the run, 70 for a bug. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof PipelineError) return USER_CODES.has(error.code) ? 2 : 1;
  return 70;
}

/** One line for any error; a stack only when PACTWATCH_DEBUG is set. */
export function describe(error: unknown): string {
  if (error instanceof PipelineError) {
    const cause =
      error.cause instanceof Error && !USER_CODES.has(error.code)
        ? ` (${error.cause.message})`
        : '';
    return `${error.message}${cause}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `internal error: ${message}`;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell + ' '.repeat(Math.max((widths[i] ?? 0) - displayWidth(cell), 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Terminal columns of a string: CJK characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}
