import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempApp } from '../helpers/temp.js';
import { seedFixture } from '../unit/release/fixture.js';

/**
 * A data team's session from the command line: cut a release of the fixture, list, verify,
 * diff it against a hand-built CSV, compare with the published totals, and write the report,
 * which real Chromium then opens and screenshots (tests/artifacts/report.png).
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
const HAND_BUILT = path.join(ROOT, 'tests', 'fixtures', 'release', 'hand-built-v2.csv');
/** Each test runs the CLI several times; a cold start takes seconds on a busy machine. */
const CLI_TIMEOUT_MS = 120_000;

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env['CI'] !== 'true')
  process.stderr.write(
    `\n!!! SKIPPED the report browser test: Chromium is not installed at ${CHROMIUM} (set CI=true to make this a failure)\n\n`,
  );

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  const app = await tempApp();
  dir = app.dir;
  await seedFixture(app);
  // The CLI opens the same SQLite file; close ours first.
  await app.close();
  env = { PACTWATCH_DATA_DIR: dir };
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function oneLineError(result: { code: number | null; stderr: string }): string {
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('release, totals and report from the CLI', () => {
  it(
    'cuts a release and refuses to cut it again or to cut an empty change',
    async () => {
      const cut = await runCli(['release', 'cut', '1.0.0'], { env });
      expect(cut.stderr).toBe('');
      expect(cut.code).toBe(0);
      expect(cut.stdout).toMatch(
        /^release 1\.0\.0: 23 approved agreements in .*releases\/1\.0\.0 \(first release\)\n$/,
      );
      expect(oneLineError(await runCli(['release', 'cut', '1.0.0'], { env }))).toBe(
        'pactwatch: Release 1.0.0 already exists; releases are immutable, cut a new version',
      );
      expect(oneLineError(await runCli(['release', 'cut', '1.0.1'], { env }))).toBe(
        'pactwatch: Nothing to release: the approved records are identical to release 1.0.0',
      );
      const list = await runCli(['release', 'list'], { env });
      expect(list.stdout).toMatch(/^1\.0\.0\s+\S+ \S+\s+23\s+first\s+ok$/m);
      const verify = await runCli(['release', 'verify', '1.0.0'], { env });
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain('checksums match and every file validates');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'diffs the release against a hand-built CSV and rejects a bad format in one line',
    async () => {
      const diff = await runCli(['release', 'diff', '1.0.0', HAND_BUILT, '--format', 'md'], {
        env,
      });
      expect(diff.code).toBe(0);
      expect(diff.stdout).toContain('# Diff 1.0.0 → hand-built-v2.csv');
      expect(diff.stdout).toContain('23 → 4 records: 1 added, 20 removed, 2 changed, 1 unchanged');
      expect(diff.stdout).toMatch(/^\| CISD-004 \| 2014-05 \| KHM \| protocol \|/m);
      expect(
        oneLineError(
          await runCli(['release', 'diff', '1.0.0', HAND_BUILT, '--format', 'xml'], { env }),
        ),
      ).toBe('pactwatch: --format expects text, md, json, got `xml`');
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'compares the latest release with the published totals',
    async () => {
      const totals = await runCli(['totals'], { env });
      expect(totals.code).toBe(0);
      expect(totals.stdout).toContain('release 1.0.0: 23 agreements, 22 signed by MPS itself');
      const json = JSON.parse((await runCli(['totals', '--format', 'json'], { env })).stdout);
      expect(json.mps.map((m: { count: number }) => m.count)).toEqual([1, 4, 12, 14, 19, 20]);
      expect(oneLineError(await runCli(['totals', '--release', '9.9.9'], { env }))).toBe(
        'pactwatch: No release 9.9.9; `pactwatch release list` shows the releases',
      );
    },
    CLI_TIMEOUT_MS,
  );

  it.skipIf(!haveChromium && process.env['CI'] !== 'true')(
    'writes a report whose figures render in Chromium',
    async () => {
      const out = path.join(dir, 'report');
      const result = await runCli(['report', '--out', out], { env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `report for 1.0.0: ${path.join(out, 'index.html')} (9 figures)`,
      );

      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });

        const figures = await page.$$eval('figure.chart', (nodes) =>
          nodes.map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            // Marks (bars, circles, lines, cells) that the browser actually laid out.
            const marks = [...(svg?.querySelectorAll('.role-mark path, .role-mark line') ?? [])]
              // tsconfig has no DOM lib; getBBox is what SVG elements offer in the page.
              .map((m) =>
                (m as unknown as { getBBox(): { width: number; height: number } }).getBBox(),
              )
              .filter((b) => b.width > 0 || b.height > 0).length;
            return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks };
          }),
        );
        expect(figures.map((f) => f.id)).toEqual([
          'figure-per-year',
          'figure-topic-network',
          'figure-topics-over-time',
          'figure-partners',
          'figure-cn-titles',
          'figure-rank-matrix',
          'figure-agency-types',
          'figure-doc-types',
          'figure-forums',
        ]);
        for (const f of figures) {
          expect(f.width, f.id).toBeGreaterThan(100);
          expect(f.height, f.id).toBeGreaterThan(40);
          expect(f.marks, f.id).toBeGreaterThan(0);
        }
        // Every figure fits the page width (no SVG overflowing its card).
        const overflow = await page.$$eval(
          'figure.chart',
          (nodes) =>
            nodes.filter(
              (f) =>
                (f.querySelector('svg')?.getBoundingClientRect().right ?? 0) >
                f.getBoundingClientRect().right + 1,
            ).length,
        );
        expect(overflow).toBe(0);
        expect(
          await page.textContent('#table-top-countries tr[data-key="VNM"] td[data-col="total"]'),
        ).toBe('5');
        expect(problems).toEqual([]);
      } finally {
        await browser?.close();
      }
    },
    CLI_TIMEOUT_MS,
  );
});
