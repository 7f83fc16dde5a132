import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** A user mistake is one line on stderr and exit code 2, never a stack trace. */
function expectOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('CLI user mistakes', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-cli-'));
    env = { PACTWATCH_DATA_DIR: dir };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the known sources when a source id is unknown', async () => {
    expectOneLineError(
      await runCli(['crawl', '--source', 'nope'], { env }),
      /Unknown source `nope`; known sources: .*mps-news/,
    );
  });

  it('rejects a bad date', async () => {
    expectOneLineError(
      await runCli(['crawl', '--since', '2020-13-01'], { env }),
      /--since expects a date YYYY-MM-DD/,
    );
  });

  it('rejects a bad --max-pages', async () => {
    expectOneLineError(
      await runCli(['crawl', '--max-pages', '-1'], { env }),
      /--max-pages expects a positive integer/,
    );
  });

  it('rejects a --wayback that is not an http(s) URL', async () => {
    expectOneLineError(
      await runCli(['crawl', '--wayback', 'ftp://archive.example/cdx'], { env }),
      /--wayback expects an http\(s\) CDX API URL/,
    );
  });

  it('reports a missing file', async () => {
    expectOneLineError(
      await runCli(['extract', path.join(dir, 'missing.html')], { env }),
      /Cannot read .*missing\.html/,
    );
  });

  it('reports an unknown agreement id', async () => {
    expectOneLineError(
      await runCli(['review', 'show', 'PW-999999'], { env }),
      /No agreement PW-999999/,
    );
  });

  it('refuses a rejection without a reason', async () => {
    const r = await runCli(['review', 'reject', 'PW-000001'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reason/);
  });

  it('rejects a sources file that is not valid', async () => {
    const file = path.join(dir, 'bad-sources.json');
    fs.writeFileSync(file, JSON.stringify({ sources: [{ id: 'x', kind: 'blog' }] }));
    expectOneLineError(await runCli(['crawl', '--sources', file], { env }), /source x: kind: /);
  });
});

describe('crawl without internet', () => {
  let dir: string;
  let closedPort: number;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-offline-'));
    // A port nobody listens on: the proxy "is down", like a machine with no way out. No packet
    // leaves the machine.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closedPort = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails each source with a one-line reason and points at the demo', async () => {
    const proxy = `http://127.0.0.1:${closedPort}`;
    const r = await runCli(['crawl', '--source', 'mps-news', '--source', 'xinhua-en'], {
      env: {
        PACTWATCH_DATA_DIR: dir,
        HTTPS_PROXY: proxy,
        HTTP_PROXY: proxy,
        PACTWATCH_LOG_LEVEL: 'silent',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/mps-news: 0 pages fetched, 2 failed/);
    expect(r.stdout).toMatch(/xinhua-en: 0 pages fetched, 2 failed/);
    expect(r.stdout).toMatch(/failed: .*(ECONNREFUSED|NETWORK)/);
    expect(r.stderr).toMatch(/pactwatch demo/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
