import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import type { Logger } from '../../core/logger.js';
import type { HostPolicy } from './types.js';

/**
 * Per-host politeness shared by every worker on every machine. BullMQ's open-source rate
 * limiter is per queue, so hosts get their own small protocol in Redis, each step one Lua
 * script (atomic, and timed by the Redis clock so machines with skewed clocks agree):
 *
 * - `leases`: a sorted set of lease ids scored by expiry. A fetch holds a lease while it runs;
 *   at most `concurrency` unexpired leases exist. A worker killed mid-fetch stops renewing and
 *   its lease lapses after `leaseTtlMs`, so a crash never blocks a host for good.
 * - `next`: the earliest time the next request may start (last start + delay). The delay is the
 *   larger of the source's and any raised by `slowDown` (robots.txt Crawl-delay, 429s).
 * - `ticket`: a reservation horizon. A job turned away from a delay-limited host is told when
 *   its turn comes (one delay after the previous reservation), so waiting jobs come back one by
 *   one instead of all polling at once. A ticket is a hint: `next` alone decides a start.
 * - `waiters`: jobs turned away because the host is at its concurrency limit, oldest first.
 *   Releasing a lease hands back the oldest, for the caller to wake; so a slot is taken again
 *   as soon as it frees, and a waiting job is not polled over and over.
 */

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local delay = math.max(tonumber(ARGV[3]), tonumber(redis.call('GET', KEYS[3]) or '0'))
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
local held = redis.call('ZCARD', KEYS[1])
if nextAt <= now and held < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
  if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + ttl) end
  return {1, 0}
end
if nextAt > now then
  local ticket = math.max(now, nextAt, tonumber(redis.call('GET', KEYS[4]) or '0'))
  redis.call('SET', KEYS[4], ticket + delay, 'PX', ticket + delay - now + ttl)
  return {0, ticket - now}
end
if ARGV[5] ~= '' then
  -- Microseconds, so waiters that came in the same millisecond keep their order.
  redis.call('ZADD', KEYS[5], 'NX', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[5])
  redis.call('PEXPIRE', KEYS[5], 3600000)
end
return {0, -1}
`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
local w = redis.call('ZPOPMIN', KEYS[2])
if w[1] then return w[1] end
return false
`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
`;

const RAISE_DELAY = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if want > cur then redis.call('SET', KEYS[1], want, 'PX', tonumber(ARGV[2])) return 1 end
return 0
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilAt = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilAt > cur then redis.call('SET', KEYS[1], untilAt, 'PX', tonumber(ARGV[1]) + tonumber(ARGV[2])) end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    pwLeaseAcquire(
      leases: string,
      next: string,
      delay: string,
      ticket: string,
      waiters: string,
      leaseId: string,
      concurrency: number,
      delayMs: number,
      ttlMs: number,
      waiterId: string,
    ): Result<[number, number], Context>;
    pwLeaseRelease(
      leases: string,
      waiters: string,
      leaseId: string,
    ): Result<string | null, Context>;
    pwLeaseRenew(leases: string, leaseId: string, ttlMs: number): Result<number, Context>;
    pwLeaseRaiseDelay(delay: string, delayMs: number, keepMs: number): Result<number, Context>;
    pwLeasePause(next: string, forMs: number, keepMs: number): Result<number, Context>;
  }
}

export interface HostLeasesOptions {
  readonly redis: Redis;
  /** Key prefix, shared with the BullMQ queues of the same deployment. */
  readonly prefix: string;
  readonly logger: Logger;
  /**
   * How long a lease outlives a worker that stopped renewing it (killed, frozen). Renewed
   * every third of this while the fetch runs.
   * @default 30000
   */
  readonly leaseTtlMs?: number;
  /**
   * Wait before asking again when a host is at its concurrency limit and the caller gave no
   * waiter id to be woken by, or as a fallback should the wake-up be lost.
   * @default 2000
   */
  readonly busyRetryMs?: number;
  /** How long a raised delay (Crawl-delay, 429) is remembered. @default 86400000 (a day) */
  readonly raisedDelayKeepMs?: number;
}

export const HOST_LEASES_DEFAULTS = {
  leaseTtlMs: 30_000,
  busyRetryMs: 2000,
  raisedDelayKeepMs: 86_400_000,
} as const;

/** A held slot on a host; `release` when the request is done. */
export interface HostLease {
  readonly host: string;
  /** Frees the slot; returns the id of the oldest waiter to wake, if any. */
  release(): Promise<string | null>;
}

export type AcquireResult =
  | { readonly granted: true; readonly lease: HostLease }
  /** `waiting`: registered as a waiter, woken by the next release (or after `waitMs`). */
  | { readonly granted: false; readonly waitMs: number; readonly waiting: boolean };

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${value}\``);
  }
  return value;
}

export class HostLeases {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #busyRetryMs: number;
  readonly #keepMs: number;
  /** Delays this process already pushed, so a Crawl-delay seen on every fetch is sent once. */
  readonly #raised = new Map<string, number>();

  constructor(options: HostLeasesOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#logger = options.logger.child({ component: 'host-leases' });
    this.#ttlMs = positiveInt('leaseTtlMs', options.leaseTtlMs ?? HOST_LEASES_DEFAULTS.leaseTtlMs);
    this.#busyRetryMs = positiveInt(
      'busyRetryMs',
      options.busyRetryMs ?? HOST_LEASES_DEFAULTS.busyRetryMs,
    );
    this.#keepMs = positiveInt(
      'raisedDelayKeepMs',
      options.raisedDelayKeepMs ?? HOST_LEASES_DEFAULTS.raisedDelayKeepMs,
    );
    // defineCommand is idempotent per connection; scripts are loaded with EVALSHA fallback.
    this.#redis.defineCommand('pwLeaseAcquire', { numberOfKeys: 5, lua: ACQUIRE });
    this.#redis.defineCommand('pwLeaseRelease', { numberOfKeys: 2, lua: RELEASE });
    this.#redis.defineCommand('pwLeaseRenew', { numberOfKeys: 1, lua: RENEW });
    this.#redis.defineCommand('pwLeaseRaiseDelay', { numberOfKeys: 1, lua: RAISE_DELAY });
    this.#redis.defineCommand('pwLeasePause', { numberOfKeys: 1, lua: PAUSE });
  }

  #key(host: string, part: 'leases' | 'next' | 'delay' | 'ticket' | 'waiters'): string {
    return `${this.#prefix}:host:${host}:${part}`;
  }

  /**
   * Takes a slot on `host` now, or says how long to wait before asking again. Turned away
   * for want of a free slot, `waiterId` is queued to be handed to whoever releases one.
   */
  async acquire(host: string, policy: HostPolicy, waiterId = ''): Promise<AcquireResult> {
    const id = randomUUID();
    const [granted, waitMs] = await this.#redis.pwLeaseAcquire(
      this.#key(host, 'leases'),
      this.#key(host, 'next'),
      this.#key(host, 'delay'),
      this.#key(host, 'ticket'),
      this.#key(host, 'waiters'),
      id,
      Math.max(1, policy.concurrency),
      Math.max(0, Math.round(policy.delayMs)),
      this.#ttlMs,
      waiterId,
    );
    if (granted !== 1) {
      return waitMs < 0
        ? { granted: false, waitMs: this.#busyRetryMs, waiting: waiterId !== '' }
        : { granted: false, waitMs, waiting: false };
    }
    return { granted: true, lease: this.#hold(host, id) };
  }

  #hold(host: string, id: string): HostLease {
    const leases = this.#key(host, 'leases');
    const timer = setInterval(
      () => {
        this.#redis.pwLeaseRenew(leases, id, this.#ttlMs).then(
          (kept) => {
            if (kept === 0) this.#logger.warn({ host }, 'host lease lapsed while the request ran');
          },
          (err: unknown) =>
            this.#logger.warn({ host, err: String(err) }, 'cannot renew host lease'),
        );
      },
      Math.max(Math.floor(this.#ttlMs / 3), 50),
    );
    timer.unref();
    let released = false;
    return {
      host,
      release: async () => {
        if (released) return null;
        released = true;
        clearInterval(timer);
        return this.#redis.pwLeaseRelease(leases, this.#key(host, 'waiters'), id);
      },
    };
  }

  /** Raises the host's minimum delay for every worker (robots.txt Crawl-delay, 429). */
  async slowDown(host: string, delayMs: number): Promise<void> {
    const want = Math.round(delayMs);
    if (want <= (this.#raised.get(host) ?? 0)) return;
    this.#raised.set(host, want);
    await this.#redis.pwLeaseRaiseDelay(this.#key(host, 'delay'), want, this.#keepMs);
  }

  /** No request to `host` from any worker for `forMs` (a Retry-After). */
  async pause(host: string, forMs: number): Promise<void> {
    await this.#redis.pwLeasePause(this.#key(host, 'next'), Math.round(forMs), this.#ttlMs);
  }
}
