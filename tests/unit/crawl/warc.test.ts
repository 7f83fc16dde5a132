import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARCParser, type WARCRecord } from 'warcio';
import { exportWarc } from '../../../pipeline/warc.js';
import { runCli } from '../../helpers/cli.js';
import {
  type FixtureServer,
  gbkMetaOnlyRoute,
  startFixtureServer,
} from '../../helpers/fixture-server.js';
import { tempApp } from '../../helpers/temp.js';
import { crawlFixture, escapeRegExp, fixtureSource, page, type TempApp } from './site.js';

const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n', 'latin1');

async function readWarc(file: string): Promise<{ record: WARCRecord; body: Uint8Array }[]> {
  const out: { record: WARCRecord; body: Uint8Array }[] = [];
  for await (const record of WARCParser.iterRecords(fs.createReadStream(file))) {
    out.push({ record, body: await record.readFully(false) });
  }
  return out;
}

describe('snapshots as WARC', () => {
  let server: FixtureServer;
  let other: FixtureServer;
  let app: TempApp;
  beforeAll(async () => {
    server = await startFixtureServer({
      '/news/index.html': page('新闻', ['/a/gbk.html', '/a/report.pdf', '/a/plain.html']),
      '/a/gbk.html': gbkMetaOnlyRoute(
        '<html><head><meta charset="gbk"><title>公安部</title></head><body><p>中越双方签署谅解备忘录。</p></body></html>',
      ),
      '/a/report.pdf': { headers: { 'content-type': 'application/pdf' }, body: PDF },
      '/a/plain.html': {
        headers: { 'content-type': 'text/html', etag: '"v1"', 'x-note': 'kept' },
        body: '<p>plain</p>',
      },
    });
    other = await startFixtureServer({ '/news/index.html': page('Other') }, { host: '127.0.0.61' });
    app = await tempApp();
    await crawlFixture(app, [
      fixtureSource(server, { article_patterns: [`^${escapeRegExp(server.baseUrl)}/a/.+$`] }),
      fixtureSource(other, { id: 'other' }),
    ]);
  });
  afterAll(async () => {
    await server.close();
    await other.close();
    await app.cleanup();
  });

  for (const name of ['all.warc', 'all.warc.gz']) {
    it(`writes a WARC 1.1 file (${name}) that a WARC reader reads back record for record`, async () => {
      const file = path.join(app.dir, name);
      const result = await exportWarc(app.db, app.store, { file });
      const snapshots = await app.db.selectFrom('snapshots').selectAll().orderBy('id').execute();
      expect(result.records).toBe(snapshots.length);
      expect(snapshots.length).toBe(5);

      const records = await readWarc(file);
      expect(records[0]?.record.warcType).toBe('warcinfo');
      expect(records[0]?.record.warcHeaders.statusline).toBe('WARC/1.1');
      const responses = records.slice(1);
      expect(responses).toHaveLength(snapshots.length);
      for (const [i, s] of snapshots.entries()) {
        const { record, body } = responses[i] ?? { record: undefined, body: undefined };
        expect(record?.warcType).toBe('response');
        expect(record?.warcTargetURI).toBe(s.final_url);
        expect(record?.warcDate).toBe(s.fetched_at);
        expect(record?.warcPayloadDigest).toBe(`sha256:${s.body_sha256}`);
        expect(record?.httpHeaders?.statusCode).toBe(s.status);
        // Byte for byte what the store holds (GBK and PDF bytes included).
        expect(
          Buffer.from(body ?? new Uint8Array()).equals(await app.store.get(s.body_sha256)),
        ).toBe(true);
      }
      const plain = responses.find((r) => r.record.warcTargetURI?.endsWith('/a/plain.html'));
      expect(plain?.record.httpHeaders?.headers.get('etag')).toBe('"v1"');
      expect(plain?.record.httpHeaders?.headers.get('x-note')).toBe('kept');
    });
  }

  it('exports one source only', async () => {
    const file = path.join(app.dir, 'other.warc');
    await exportWarc(app.db, app.store, { file, sourceId: 'other' });
    const uris = (await readWarc(file)).slice(1).map((r) => r.record.warcTargetURI);
    expect(uris).toEqual([`${other.baseUrl}/news/index.html`]);
  });

  it('is the `pactwatch snapshots export --warc` command', async () => {
    const env = { PACTWATCH_DATA_DIR: app.dir, PACTWATCH_LOG_LEVEL: 'silent' };
    const file = path.join(app.dir, 'cli.warc');
    const ok = await runCli(['snapshots', 'export', '--warc', file, '--source', 'fixture'], {
      env,
    });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/wrote 4 response records/);
    expect((await readWarc(file)).length).toBe(5);
    const bad = await runCli(['snapshots', 'export', '--warc', file, '--source', 'nope'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
