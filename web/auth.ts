import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Sign-in protections that do not need the database: constant-time token comparison and the
 * failed-login limiter. Sessions themselves live in storage/sessions.ts.
 */

export const SESSION_COOKIE = 'pw_session';
/** Double-submit token of the sign-in form (there is no session to hold one yet). */
export const LOGIN_COOKIE = 'pw_login';

export const newToken = () => randomBytes(24).toString('base64url');

/** Equal without leaking, through timing, how much of the secret a guess got right. */
export function tokensEqual(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || expected === undefined || expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface LoginLimiterOptions {
  /** Failed sign-ins allowed per user name within the window. @default 5 */
  readonly maxPerName?: number;
  /** Failed sign-ins allowed per client address within the window. @default 20 */
  readonly maxPerAddress?: number;
  /** @default 900000 (15 minutes) */
  readonly windowMs?: number;
}

export const LOGIN_LIMITER_DEFAULTS = {
  maxPerName: 5,
  maxPerAddress: 20,
  windowMs: 15 * 60_000,
} as const;

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
  return value;
}

/**
 * Counts failed sign-ins in a sliding window, per name (guessing one account's password) and
 * per address (trying many accounts). In memory: the review server is one process.
 */
export class LoginLimiter {
  readonly #maxPerName: number;
  readonly #maxPerAddress: number;
  readonly #windowMs: number;
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginLimiterOptions = {}) {
    this.#maxPerName = positiveInt(
      'maxPerName',
      options.maxPerName ?? LOGIN_LIMITER_DEFAULTS.maxPerName,
    );
    this.#maxPerAddress = positiveInt(
      'maxPerAddress',
      options.maxPerAddress ?? LOGIN_LIMITER_DEFAULTS.maxPerAddress,
    );
    this.#windowMs = positiveInt('windowMs', options.windowMs ?? LOGIN_LIMITER_DEFAULTS.windowMs);
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Milliseconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfterMs(name: string, address: string, now: number): number {
    let wait = 0;
    for (const [key, max] of [
      [`n:${name.toLowerCase()}`, this.#maxPerName],
      [`a:${address}`, this.#maxPerAddress],
    ] as const) {
      const list = this.#recent(key, now);
      if (list.length >= max)
        wait = Math.max(wait, (list[list.length - max] ?? now) + this.#windowMs - now);
    }
    return wait;
  }

  fail(name: string, address: string, now: number): void {
    for (const key of [`n:${name.toLowerCase()}`, `a:${address}`])
      this.#failures.set(key, [...this.#recent(key, now), now]);
  }

  /** A successful sign-in clears that name's count (not the address's). */
  succeed(name: string): void {
    this.#failures.delete(`n:${name.toLowerCase()}`);
  }
}
