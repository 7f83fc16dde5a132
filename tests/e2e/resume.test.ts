import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSites, startDemoSites } from '../../demo/server.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

/** Sources of the demo sites, slowed down so a crawl is still running when it is killed. */
function slowSources(sites: DemoSites) {
  return {
    sources: sites.sources.map((s) => ({ ...s, politeness: { concurrency: 1, delay_ms: 60 } })),
  };
}

const articleGets = (sites: DemoSites) => {
  const counts = new Map<string, number>();
  for (const r of sites.requests) {
    if (r.method !== 'GET' || r.path.endsWith('robots.txt') || /index|page\//.test(r.path))
      continue;
    const key = `${r.site}:${r.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};

/** What a record says, without what differs between two runs (ids, fetch times). */
function comparable(exportJson: string) {
  const records = JSON.parse(exportJson) as {
    sources: { url: string }[];
    doc_type: string;
    date_signed: string;
    counterpart_countries: string[];
    topics: string[];
  }[];
  return records
    .map((r) => ({
      paths: r.sources.map((s) => new URL(s.url).pathname).sort(),
      doc_type: r.doc_type,
      date_signed: r.date_signed,
      countries: r.counterpart_countries,
      topics: [...r.topics].sort(),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('kill -9 in the middle of a crawl', () => {
  let killedSites: DemoSites;
  let cleanSites: DemoSites;
  let dir: string;

  beforeAll(async () => {
    killedSites = await startDemoSites();
    cleanSites = await startDemoSites({ host: '127.0.0.1' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-resume-'));
  });
  afterAll(async () => {
    await killedSites?.close();
    await cleanSites?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resumes with no page lost and none fetched again but those in flight', async () => {
    const killedDir = path.join(dir, 'killed');
    const sourcesFile = path.join(dir, 'killed-sources.json');
    fs.writeFileSync(sourcesFile, JSON.stringify(slowSources(killedSites)));
    const env = {
      PATH: process.env['PATH'] ?? '',
      PACTWATCH_DATA_DIR: killedDir,
      PACTWATCH_LOG_LEVEL: 'silent',
    };

    const child = spawn(process.execPath, [BIN, 'crawl', '--sources', sourcesFile], {
      cwd: ROOT,
      env,
      stdio: 'ignore',
    });
    // Kill once a dozen articles were served: mid-crawl, with jobs of every stage in the database.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if ([...articleGets(killedSites).values()].reduce((a, b) => a + b, 0) >= 12) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('the crawl finished before it could be killed; slow it down'));
      });
    });
    await new Promise((r) => child.once('close', r));
    const beforeResume = new Map(articleGets(killedSites));

    const resumed = await runCli(['crawl', '--sources', sourcesFile], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/\(resumed\)/);

    // Only pages in flight at the kill (at most one per host: concurrency 1) are fetched twice;
    // the flaky page answers 500 twice by design and is left out.
    const after = articleGets(killedSites);
    const again = [...after].filter(
      ([page, n]) => n > 1 && beforeResume.has(page) && !page.includes('c6431278'),
    );
    expect(again.length).toBeLessThanOrEqual(killedSites.sites.length);

    // Nothing lost: the export equals that of a crawl that was never interrupted.
    const cleanFile = path.join(dir, 'clean-sources.json');
    fs.writeFileSync(cleanFile, JSON.stringify(slowSources(cleanSites)));
    const cleanEnv = { ...env, PACTWATCH_DATA_DIR: path.join(dir, 'clean') };
    expect((await runCli(['crawl', '--sources', cleanFile], { env: cleanEnv })).code).toBe(0);
    const killedExport = await runCli(['export', '--status', 'any'], { env });
    const cleanExport = await runCli(['export', '--status', 'any'], { env: cleanEnv });
    expect(comparable(killedExport.stdout).length).toBeGreaterThan(10);
    expect(comparable(killedExport.stdout)).toEqual(comparable(cleanExport.stdout));
  }, 120_000);
});
