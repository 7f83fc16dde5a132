import { createHash, randomBytes } from 'node:crypto';
import type { DB } from './database.js';
import type { Role, User } from './users.js';

export interface Session {
  readonly user: User;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface NewSession {
  /** The cookie value: shown once, stored only as its hash. */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(
  db: DB,
  userId: number,
  ttlMs: number,
  now: number = Date.now(),
): Promise<NewSession> {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new TypeError(`Expected \`ttlMs\` to be a positive integer, got \`${ttlMs}\``);
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + ttlMs;
  await db
    .insertInto('sessions')
    .values({
      token_hash: tokenHash(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: new Date(now).toISOString(),
      expires_at: expiresAt,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

export type SessionLookup =
  | { readonly state: 'valid'; readonly session: Session }
  | { readonly state: 'expired' | 'unknown' };

/** Looks a cookie token up; an expired session is deleted on sight and reported as such. */
export async function findSession(
  db: DB,
  token: string,
  now: number = Date.now(),
): Promise<SessionLookup> {
  const hash = tokenHash(token);
  const r = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.csrf_token',
      'sessions.expires_at',
      'users.id',
      'users.name',
      'users.role',
      'users.created_at',
    ])
    .where('sessions.token_hash', '=', hash)
    .executeTakeFirst();
  if (r === undefined) return { state: 'unknown' };
  if (Number(r.expires_at) <= now) {
    await db.deleteFrom('sessions').where('token_hash', '=', hash).execute();
    return { state: 'expired' };
  }
  return {
    state: 'valid',
    session: {
      user: { id: r.id, name: r.name, role: r.role as Role, createdAt: r.created_at },
      csrfToken: r.csrf_token,
      expiresAt: Number(r.expires_at),
    },
  };
}

export async function deleteSession(db: DB, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/** Removes sessions that expired more than `graceMs` ago (kept briefly to say "expired"). */
export async function purgeExpiredSessions(
  db: DB,
  now: number = Date.now(),
  graceMs = 86_400_000,
): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where('expires_at', '<=', now - graceMs)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
