import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAgreement } from '../../../storage/agreements.js';
import { createAssignments, getAssignment } from '../../../storage/assignments.js';
import { addReviewItem } from '../../../storage/review-items.js';
import { type RunningReviewServer, SNAPSHOT_CSP, startReviewServer } from '../../../web/server.js';
import { codedRecord } from '../../helpers/records.js';
import { tempApp } from '../../helpers/temp.js';
import { addRecord, addUser } from './seed.js';

/** A minimal cookie-keeping HTTP client against the real server. */
class Client {
  readonly cookies = new Map<string, string>();
  lastSetCookies: string[] = [];
  constructor(readonly base: string) {}
  async req(
    path: string,
    init: {
      method?: string;
      form?: Record<string, string | string[]>;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0)
      headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form !== undefined) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form))
        for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      body = p.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.base + path, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const c of this.lastSetCookies) {
      const [pair] = c.split(';');
      const [k, v] = (pair ?? '').split('=') as [string, string];
      if (v === '' || /Max-Age=0/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return { res, text: await res.text() };
  }
  async signIn(name: string, password: string) {
    const page = await this.req('/login');
    const token = /name="_login" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return this.req('/login', { form: { _login: token, name, password, next: '/queue' } });
  }
  async csrf(path: string) {
    const { text } = await this.req(path);
    return /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';
  }
}

let app: Awaited<ReturnType<typeof tempApp>>;
let server: RunningReviewServer;
let clock = 0;
let hostile = '';
let plain = '';
let sha = '';
const TTL = 60_000;

beforeAll(async () => {
  app = await tempApp();
  await addUser(app, 'ann', 'correct horse battery');
  await addUser(app, 'eve', 'correct horse battery');
  await addUser(app, 'root', 'correct horse battery', 'admin');
  hostile = await addRecord(
    app,
    codedRecord({
      title_zh: '<script>alert("t")</script>协议',
      counterpart_agency: '<img src=x onerror=alert(1)>',
      evidence: [
        {
          field: 'doc_type',
          source_url: 'http://evil.test/a"onmouseover="x',
          quote: '<b>协议</b>',
        },
      ],
    }),
    [
      {
        url: 'http://evil.test/a"onmouseover="x',
        text: 'text <b>协议</b> <iframe src=//x>',
        html: '<script>top.x=1</script>',
      },
    ],
  );
  plain = await addRecord(
    app,
    codedRecord({ counterpart_countries: ['LAO'], region: 'southeast_asia' }),
    [{ url: 'http://mps.test/1', text: '签署了谅解备忘录' }],
  );
  sha = (await app.db.selectFrom('snapshots').select('body_sha256').executeTakeFirstOrThrow())
    .body_sha256;
  server = await startReviewServer({
    db: app.db,
    store: app.store,
    port: 0,
    sessionTtlMs: TTL,
    now: () => Date.now() + clock,
    loginLimiter: { maxPerName: 3 },
  });
});

afterAll(async () => {
  await server?.close();
  await app?.cleanup();
});

describe('the review server', () => {
  it('listens on loopback by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('sends everyone who is not signed in to the sign-in page, keeping where they wanted to go', async () => {
    const c = new Client(server.url);
    for (const path of ['/queue', `/items/${plain}`, `/snapshots/${sha}`, '/log']) {
      const { res } = await c.req(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('signs in with HttpOnly SameSite=Strict cookies and refuses a wrong password', async () => {
    const c = new Client(server.url);
    const wrong = await c.signIn('ann', 'not the password');
    expect(wrong.res.status).toBe(401);
    expect(wrong.text).toContain('Wrong name or password');
    const ok = await c.signIn('ann', 'correct horse battery');
    expect(ok.res.status).toBe(303);
    const cookie = c.lastSetCookies.find((x) => x.startsWith('pw_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await c.req('/queue')).res.status).toBe(200);
  });

  it('marks cookies Secure when told it is served over https', async () => {
    const s = await startReviewServer({
      db: app.db,
      store: app.store,
      port: 0,
      secureCookies: true,
    });
    try {
      const c = new Client(s.url);
      await c.signIn('ann', 'correct horse battery');
      expect(c.lastSetCookies.find((x) => x.startsWith('pw_session='))).toMatch(/Secure/);
    } finally {
      await s.close();
    }
  });

  it('rate-limits failed sign-ins', async () => {
    const c = new Client(server.url);
    for (let i = 0; i < 3; i++)
      expect((await c.signIn('eve', `guess number ${i}`)).res.status).toBe(401);
    const limited = await c.signIn('eve', 'correct horse battery');
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Too many failed sign-ins');
  });

  it('refuses a state-changing request without the session’s CSRF token', async () => {
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const token = await c.csrf(`/items/${plain}`);
    expect(token.length).toBeGreaterThan(20);
    const none = await c.req(`/items/${plain}/approve`, { form: { version: '1' } });
    expect(none.res.status).toBe(403);
    const wrong = await c.req(`/items/${plain}/approve`, {
      form: { _csrf: `${token}x`, version: '1' },
    });
    expect(wrong.res.status).toBe(403);
    const other = await c.req(`/items/${plain}/approve`, {
      form: { _csrf: token, version: '1' },
      headers: { origin: 'http://evil.test' },
    });
    expect(other.res.status).toBe(403);
    expect((await getAgreement(app.db, plain))?.status).toBe('pending');
  });

  it('answers a stale decision with a conflict naming who decided first', async () => {
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const token = await c.csrf(`/items/${plain}`);
    const first = await c.req(`/items/${plain}/approve`, { form: { _csrf: token, version: '1' } });
    expect(first.res.status).toBe(303);
    const second = await c.req(`/items/${plain}/reject`, {
      form: { _csrf: token, version: '1', reason: 'dup' },
    });
    expect(second.res.status).toBe(409);
    expect(second.text).toMatch(/Conflict: .* was changed \(approve\) by ann/);
    expect((await getAgreement(app.db, plain))?.status).toBe('approved');
  });

  it('escapes every scraped string and serves snapshots under a CSP that lets nothing run or load', async () => {
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const item = await c.req(`/items/${hostile}`);
    expect(item.res.status).toBe(200);
    expect(item.text).not.toContain('<script>alert');
    expect(item.text).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;协议');
    expect(item.text).not.toContain('<img src=x');
    expect(item.text).not.toContain('<iframe src=//x>');
    expect(item.text).not.toContain('a"onmouseover');
    expect(item.text).toContain(`<iframe class="snap" sandbox src="/snapshots/${sha}"`);
    const csp = item.res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    const queue = await c.req('/queue');
    expect(queue.text).not.toContain('<script>alert');

    const snap = await c.req(`/snapshots/${sha}`);
    expect(snap.res.status).toBe(200);
    expect(snap.res.headers.get('content-security-policy')).toBe(SNAPSHOT_CSP);
    expect(SNAPSHOT_CSP).toContain("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect(snap.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await c.req(`/snapshots/${'0'.repeat(64)}`)).res.status).toBe(404);
  });

  it('shows what changed on a source page and what the model coded differently, readably and escaped', async () => {
    const id = await addRecord(
      app,
      codedRecord({ counterpart_countries: ['KHM'], region: 'southeast_asia' }),
      [{ url: 'http://mps.test/changed', text: '签署了谅解备忘录' }],
    );
    await addReviewItem(app.db, {
      agreementId: id,
      kind: 'source_changed',
      field: null,
      details: {
        url: 'http://mps.test/changed',
        old_snapshot_sha256: sha,
        new_snapshot_sha256: 'f'.repeat(64),
        diff: '- 访华期间，双方将赴云南参观。\n+ 访华期间，双方将赴云南、广西参观。\n+ <b>新增</b>一句。',
      },
    });
    await addReviewItem(app.db, {
      agreementId: id,
      kind: 'extractor_disagreement',
      field: 'doc_type',
      details: { field: 'doc_type', rules: 'mou', llm: 'protocol', url: 'http://mps.test/changed' },
    });
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const page = (await c.req(`/items/${id}`)).text;
    expect(page).toContain('<del>- 访华期间，双方将赴云南参观。</del>');
    expect(page).toContain('<ins>+ 访华期间，双方将赴云南、广西参观。</ins>');
    expect(page).toContain('<ins>+ &lt;b&gt;新增&lt;/b&gt;一句。</ins>');
    expect(page).toContain(`<a href="/snapshots/${sha}" target="_blank" rel="noopener">before</a>`);
    expect(page).toContain('Seen: the record stands');
    expect(page).toMatch(/<th scope="row">rules<\/th><td>mou<\/td>/);
    expect(page).toMatch(/<th scope="row">model<\/th><td><strong>protocol<\/strong><\/td>/);
    expect(page).toMatch(/Keep the rules(&#39;|&#x27;|') value/);
  });

  it('ends an expired session and says so on the sign-in page', async () => {
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    expect((await c.req('/queue')).res.status).toBe(200);
    clock += TTL + 1000;
    try {
      const { res } = await c.req('/queue');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login\?expired=1&next=/);
      const login = await c.req(res.headers.get('location') ?? '/login');
      expect(login.text).toContain('Your session expired');
    } finally {
      clock = 0;
    }
  });

  it('never redirects off-site after sign-in', async () => {
    const c = new Client(server.url);
    const page = await c.req('/login');
    const token = /name="_login" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const { res } = await c.req('/login', {
      form: {
        _login: token,
        name: 'ann',
        password: 'correct horse battery',
        next: '//evil.test/x',
      },
    });
    expect(res.headers.get('location')).toBe('/queue');
  });

  it('exports the audit log as JSON lines and CSV', async () => {
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const jsonl = await c.req('/log/export.jsonl');
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.some((l) => l.action === 'approve')).toBe(true);
    const csv = await c.req('/log/export.csv');
    expect(csv.text.split('\n')[0]).toBe('id,at,reviewer,action,agreement_id,note,details');
  });

  it('takes a double reviewer’s coding without touching the record, and keeps admin pages for admins', async () => {
    const id = await addRecord(app, codedRecord({ counterpart_countries: ['MMR'] }), [
      { url: 'http://mps.test/mm' },
    ]);
    await createAssignments(app.db, {
      batch: 'b1',
      agreementIds: [id],
      reviewers: ['ann'],
      assignedBy: 'root',
    });
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const page = await c.req(`/items/${id}`);
    expect(page.text).toContain(`action="/items/${id}/double-review"`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const saved = await c.req(`/items/${id}/double-review`, {
      form: { _csrf: token, decision: 'approve', 'f.doc_type': 'accord' },
    });
    expect(saved.res.status).toBe(303);
    expect((await getAssignment(app.db, id, 'ann'))?.record?.doc_type).toBe('accord');
    expect((await getAgreement(app.db, id))?.record.doc_type).toBe('mou');
    expect((await getAgreement(app.db, id))?.status).toBe('pending');
    expect((await c.req('/assignments')).text).toContain(id);
    expect((await c.req('/agreement')).res.status).toBe(403);
    const admin = new Client(server.url);
    await admin.signIn('root', 'correct horse battery');
    expect((await admin.req('/agreement')).res.status).toBe(200);
  });

  it('lets only an admin reopen a decided record', async () => {
    const id = await addRecord(
      app,
      codedRecord({ counterpart_countries: ['BGD'] }),
      [{ url: 'http://mps.test/bd' }],
      'approved',
    );
    const c = new Client(server.url);
    await c.signIn('ann', 'correct horse battery');
    const token = await c.csrf(`/items/${id}`);
    const refused = await c.req(`/items/${id}/reopen`, { form: { _csrf: token, version: '1' } });
    expect(refused.res.status).toBe(403);
    const admin = new Client(server.url);
    await admin.signIn('root', 'correct horse battery');
    const adminToken = await admin.csrf(`/items/${id}`);
    const ok = await admin.req(`/items/${id}/reopen`, {
      form: { _csrf: adminToken, version: '1' },
    });
    expect(ok.res.status).toBe(303);
    expect((await getAgreement(app.db, id))?.status).toBe('pending');
  });
});
