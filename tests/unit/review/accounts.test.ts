import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, UserError } from '../../../core/errors.js';
import { createSession, deleteSession, findSession } from '../../../storage/sessions.js';
import { authenticate, createUser, hashPassword, verifyPassword } from '../../../storage/users.js';
import { LoginLimiter, tokensEqual } from '../../../web/auth.js';
import { tempApp } from '../../helpers/temp.js';
import { TEST_COST } from './seed.js';

let app: Awaited<ReturnType<typeof tempApp>>;
beforeAll(async () => {
  app = await tempApp();
});
afterAll(async () => {
  await app.cleanup();
});

describe('passwords', () => {
  it('are stored as salted scrypt hashes that carry their cost', async () => {
    const a = await hashPassword('correct horse battery', TEST_COST);
    const b = await hashPassword('correct horse battery', TEST_COST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('the default cost is scrypt N=2^15', async () => {
    expect(await hashPassword('correct horse battery')).toMatch(/^scrypt\$32768\$8\$1\$/);
  });
});

describe('accounts', () => {
  it('signs in with the right password only, and refuses weak passwords and duplicate names', async () => {
    await createUser(app.db, {
      name: 'ann',
      password: 'correct horse battery',
      role: 'reviewer',
      cost: TEST_COST,
    });
    expect((await authenticate(app.db, 'ann', 'correct horse battery'))?.role).toBe('reviewer');
    expect(await authenticate(app.db, 'ann', 'wrong password!')).toBeUndefined();
    expect(await authenticate(app.db, 'nobody', 'correct horse battery')).toBeUndefined();
    await expect(
      createUser(app.db, { name: 'bob', password: 'short', role: 'reviewer' }),
    ).rejects.toBeInstanceOf(UserError);
    await expect(
      createUser(app.db, {
        name: 'ann',
        password: 'another long one',
        role: 'admin',
        cost: TEST_COST,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      createUser(app.db, {
        name: '<script>',
        password: 'another long one',
        role: 'admin',
        cost: TEST_COST,
      }),
    ).rejects.toBeInstanceOf(UserError);
  });

  it('a changed password ends the user’s sessions', async () => {
    const u = await createUser(app.db, {
      name: 'cy',
      password: 'first password',
      role: 'reviewer',
      cost: TEST_COST,
    });
    const s = await createSession(app.db, u.id, 60_000);
    await createUser(app.db, {
      name: 'cy',
      password: 'second password',
      role: 'admin',
      update: true,
      cost: TEST_COST,
    });
    expect((await findSession(app.db, s.token)).state).toBe('unknown');
    expect((await authenticate(app.db, 'cy', 'second password'))?.role).toBe('admin');
  });
});

describe('sessions', () => {
  it('are found by token until they expire, and stored only as a hash', async () => {
    const u = await createUser(app.db, {
      name: 'dee',
      password: 'a long password',
      role: 'admin',
      cost: TEST_COST,
    });
    const now = Date.parse('2026-01-01T00:00:00Z');
    const s = await createSession(app.db, u.id, 60_000, now);
    const row = await app.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).not.toBe(s.token);
    const found = await findSession(app.db, s.token, now + 59_000);
    expect(found.state === 'valid' && found.session.user.name).toBe('dee');
    expect(found.state === 'valid' && found.session.csrfToken).toBe(s.csrfToken);
    expect((await findSession(app.db, s.token, now + 60_000)).state).toBe('expired');
    // Deleted on sight: the same token is unknown afterwards.
    expect((await findSession(app.db, s.token, now)).state).toBe('unknown');
    const t = await createSession(app.db, u.id, 60_000, now);
    await deleteSession(app.db, t.token);
    expect((await findSession(app.db, t.token, now)).state).toBe('unknown');
  });
});

describe('sign-in protections', () => {
  it('limits failed sign-ins per name and per address within the window', () => {
    const limiter = new LoginLimiter({ maxPerName: 3, maxPerAddress: 5, windowMs: 60_000 });
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) limiter.fail('ann', '10.0.0.1', t + i);
    expect(limiter.retryAfterMs('ann', '10.0.0.2', t + 10)).toBeGreaterThan(59_000);
    expect(limiter.retryAfterMs('bob', '10.0.0.2', t + 10)).toBe(0);
    limiter.fail('bob', '10.0.0.1', t + 20);
    limiter.fail('cy', '10.0.0.1', t + 21);
    expect(limiter.retryAfterMs('dee', '10.0.0.1', t + 30)).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('ann', '10.0.0.2', t + 60_003)).toBe(0);
    expect(() => new LoginLimiter({ windowMs: -1 })).toThrow(/windowMs.*-1/);
  });

  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual(undefined, 'abc')).toBe(false);
    expect(tokensEqual('', '')).toBe(false);
  });
});
