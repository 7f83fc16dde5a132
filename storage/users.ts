import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { ConflictError, UserError } from '../core/errors.js';
import type { DB } from './database.js';

export const ROLES = ['reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
}

export interface ScryptCost {
  /** CPU/memory cost, a power of two. @default 32768 */
  readonly N: number;
  /** Block size. @default 8 */
  readonly r: number;
  /** Parallelism. @default 1 */
  readonly p: number;
}

/**
 * OWASP's scrypt floor is N=2^17 with r=8; 2^15 keeps a sign-in near 100 ms on a laptop while
 * staying far beyond what a leaked database can be brute-forced with. The cost travels inside
 * each hash, so raising it later only affects new passwords.
 */
export const SCRYPT_DEFAULTS: ScryptCost = { N: 32_768, r: 8, p: 1 };

const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 10;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err === null ? resolve(key) : reject(err),
    );
  });
}

export async function hashPassword(
  password: string,
  cost: ScryptCost = SCRYPT_DEFAULTS,
): Promise<string> {
  if (!Number.isInteger(Math.log2(cost.N)) || cost.N < 2)
    throw new TypeError(`Expected \`N\` to be a power of two, got \`${cost.N}\``);
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')]
    .map(String)
    .join('$');
}

/** Compares in constant time; a malformed stored hash simply does not verify. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new UserError(`--role expects reviewer or admin, got \`${value}\``);
}

export function checkUserName(name: string): string {
  if (!NAME_RE.test(name))
    throw new UserError(
      `A user name is 1-64 letters, digits or . _ @ - (starting with a letter or digit), got \`${name}\``,
    );
  return name;
}

export function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new UserError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  return password;
}

type UserRow = { id: number; name: string; role: string; created_at: string };
const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  createdAt: r.created_at,
});

export interface NewUser {
  readonly name: string;
  readonly password: string;
  readonly role: Role;
  /** Replace the password and role of an existing user instead of refusing. @default false */
  readonly update?: boolean;
  /** @default SCRYPT_DEFAULTS */
  readonly cost?: ScryptCost;
}

export async function createUser(db: DB, u: NewUser): Promise<User> {
  checkUserName(u.name);
  checkPassword(u.password);
  const passwordHash = await hashPassword(u.password, u.cost ?? SCRYPT_DEFAULTS);
  const now = new Date().toISOString();
  const existing = await db.selectFrom('users').select('id').where('name', '=', u.name).execute();
  if (existing.length > 0) {
    if (u.update !== true)
      throw new ConflictError(
        `User ${u.name} exists; pass --update to change the password or role`,
      );
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash, role: u.role, updated_at: now })
      .where('name', '=', u.name)
      .execute();
    // A changed password ends every session of that user.
    await db
      .deleteFrom('sessions')
      .where('user_id', '=', existing[0]?.id ?? -1)
      .execute();
  } else {
    await db
      .insertInto('users')
      .values({
        name: u.name,
        password_hash: passwordHash,
        role: u.role,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const user = await getUserByName(db, u.name);
  if (user === undefined) throw new ConflictError(`User ${u.name} vanished while being saved`);
  return user;
}

export async function getUserByName(db: DB, name: string): Promise<User | undefined> {
  const r = await db
    .selectFrom('users')
    .select(['id', 'name', 'role', 'created_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return r === undefined ? undefined : toUser(r);
}

export async function listUsers(db: DB): Promise<User[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'role', 'created_at'])
    .orderBy('name')
    .execute();
  return rows.map(toUser);
}

/** A hash of a random password: unknown names cost as much as known ones, so timing tells nothing. */
let decoy: Promise<string> | undefined;

/** The user when name and password match, otherwise undefined (never says which was wrong). */
export async function authenticate(
  db: DB,
  name: string,
  password: string,
): Promise<User | undefined> {
  const r = await db
    .selectFrom('users')
    .select(['id', 'name', 'role', 'created_at', 'password_hash'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (r === undefined) {
    decoy ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password, await decoy);
    return undefined;
  }
  return (await verifyPassword(password, r.password_hash)) ? toUser(r) : undefined;
}
