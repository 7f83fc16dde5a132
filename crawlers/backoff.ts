/**
 * Retry timing. Retries are done by rescheduling the job, never by sleeping inside a fetch, so
 * these are pure functions the queue calls.
 */

export interface BackoffOptions {
  /**
   * Upper bound of the first retry's delay; it doubles with each attempt.
   * @default 1000
   */
  readonly baseMs?: number;
  /**
   * Upper bound of any delay (before `retryAfterMs` is applied).
   * @default 300000 (5 minutes)
   */
  readonly maxMs?: number;
  /**
   * Source of randomness in [0, 1); injected so tests can pin it.
   * @default Math.random
   */
  readonly random?: () => number;
}

export const BACKOFF_DEFAULTS: Required<BackoffOptions> = Object.freeze({
  baseMs: 1000,
  maxMs: 300_000,
  random: Math.random,
});

function checkNonNegative(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `Expected \`${name}\` to be a non-negative number, got \`${String(value)}\``,
    );
  }
}

/**
 * Delay before retry number `attempt` (1-based: the attempt that just failed): exponential
 * backoff with full jitter, a uniform draw from [0, min(maxMs, baseMs * 2^(attempt-1))], so that
 * many jobs failing together do not all come back together. Never less than `retryAfterMs`,
 * which is the server's own request (Retry-After).
 */
export function backoffMs(
  attempt: number,
  retryAfterMs?: number,
  options: BackoffOptions = {},
): number {
  const { baseMs, maxMs, random } = { ...BACKOFF_DEFAULTS, ...options };
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new TypeError(
      `Expected \`attempt\` to be a positive integer, got \`${String(attempt)}\``,
    );
  }
  checkNonNegative('baseMs', baseMs);
  checkNonNegative('maxMs', maxMs);
  if (retryAfterMs !== undefined) checkNonNegative('retryAfterMs', retryAfterMs);
  if (typeof random !== 'function') {
    throw new TypeError(`Expected \`random\` to be a function, got \`${String(random)}\``);
  }
  // 2 ** 1024 is Infinity; min() keeps the cap finite for absurd attempt counts.
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 60));
  const jittered = Math.floor(random() * cap);
  return Math.max(jittered, Math.ceil(retryAfterMs ?? 0));
}

/**
 * Parses a Retry-After header value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `nowMs`, never negative, or undefined when absent or unreadable.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
