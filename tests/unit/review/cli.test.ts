import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAgreement, sourcesOf } from '../../../storage/agreements.js';
import { authenticate } from '../../../storage/users.js';
import { BIN, ROOT, runCli } from '../../helpers/cli.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';
import { addRecord } from './seed.js';

/** The `review` commands of the built CLI (`npm test` builds first) on a real database. */
// Each test runs the CLI several times; a loaded machine needs seconds per start.
describe('pactwatch review (CLI)', { timeout: 120_000 }, () => {
  let app: Awaited<ReturnType<typeof tempApp>>;
  let env: Record<string, string>;
  const ids = { a: '', b: '', c: '' };

  beforeAll(async () => {
    app = await tempApp();
    env = { PACTWATCH_DATA_DIR: app.dir, PACTWATCH_REVIEWER: 'ann' };
    ids.a = await addRecord(app, codedRecord(), [{ url: 'http://mps.test/1' }]);
    ids.b = await addRecord(app, codedRecord({ date_signed: '2016-11-23' }), [
      { url: 'http://news.test/2', kind: 'news' },
    ]);
    ids.c = await addRecord(app, codedRecord({ counterpart_countries: ['LAO'] }), [
      { url: 'http://mps.test/3' },
      { url: 'http://emb.test/4', kind: 'embassy' },
    ]);
  });
  afterAll(async () => {
    await app?.cleanup();
  });

  it('adds users with the password from standard input, never from the command line', async () => {
    const ok = await runCli(['review', 'add-user', 'root', '--role', 'admin'], {
      env,
      input: 'a long admin password\n',
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('added admin root');
    expect((await authenticate(app.db, 'root', 'a long admin password'))?.role).toBe('admin');
    const row = await app.db
      .selectFrom('users')
      .select('password_hash')
      .where('name', '=', 'root')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain('password');
    const weak = await runCli(['review', 'add-user', 'bob', '--role', 'reviewer'], {
      env,
      input: 'short\n',
    });
    expect(weak.code).toBe(2);
    expect(weak.stderr.trim().split('\n')).toHaveLength(1);
    const role = await runCli(['review', 'add-user', 'bob', '--role', 'boss'], {
      env,
      input: 'a long enough one\n',
    });
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--role expects reviewer or admin, got `boss`');
    const dup = await runCli(['review', 'add-user', 'root', '--role', 'reviewer'], {
      env,
      input: 'another long one\n',
    });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('--update');
  });

  it('edits, merges and splits, and exports the audit log', async () => {
    const edit = await runCli(
      [
        'review',
        'edit',
        ids.a,
        '--set',
        'doc_type=protocol',
        '--set',
        'cn_signatory.title=vice_minister',
      ],
      { env },
    );
    expect(edit.code).toBe(0);
    expect((await getAgreement(app.db, ids.a))?.record).toMatchObject({
      doc_type: 'protocol',
      cn_signatory: { title: 'vice_minister' },
    });
    const bad = await runCli(['review', 'edit', ids.a, '--set', 'year=soon'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('year');

    const merged = await runCli(['review', 'merge', ids.a, ids.b], { env });
    expect(merged.code).toBe(0);
    expect((await getAgreement(app.db, ids.b))?.mergedInto).toBe(ids.a);

    const split = await runCli(['review', 'split', ids.c, '--sources', 'http://emb.test/4'], {
      env,
    });
    expect(split.code).toBe(0);
    const created = /split (PW-\d+) off/.exec(split.stdout)?.[1] ?? '';
    expect((await sourcesOf(app.db, [created])).get(created)?.map((s) => s.url)).toEqual([
      'http://emb.test/4',
    ]);

    const jsonl = await runCli(['review', 'log'], { env });
    const actions = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toEqual(['edit', 'merge', 'merge', 'split', 'split']);
    const file = path.join(app.dir, 'out', 'log.csv');
    const csv = await runCli(['review', 'log', '--out', file], { env });
    expect(csv.code).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,at,reviewer,action,agreement_id,note,details');
    expect(lines).toHaveLength(6);
  });

  it('assigns a double-review sample and reports agreement', async () => {
    await runCli(['review', 'add-user', 'ann', '--role', 'reviewer'], {
      env,
      input: 'ann long password\n',
    });
    await runCli(['review', 'add-user', 'bob', '--role', 'reviewer'], {
      env,
      input: 'bob long password\n',
    });
    const assigned = await runCli(
      ['review', 'assign', '--sample', '2', '--reviewers', 'ann,bob', '--seed', '3'],
      { env },
    );
    expect(assigned.code).toBe(0);
    expect(assigned.stdout).toMatch(/batch S-\S+: 2 records sent to ann,bob/);
    const report = await runCli(['review', 'agreement'], { env });
    expect(report.stdout).toContain('no record has been coded by two reviewers yet');
  });

  it('serves the web app on loopback until interrupted', async () => {
    const child = spawn(process.execPath, [BIN, 'review', 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', PACTWATCH_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /review app: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m?.[1] !== undefined) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/login`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Sign in to review');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
