import { setTimeout as sleep } from 'node:timers/promises';
import { PipelineError } from '../core/errors.js';
import { httpStatusOf } from './http-errors.js';

/**
 * Spaces the requests sent to each host: at least a minimum gap between two sends, and none
 * while a host has asked us to wait (Retry-After). It is applied right before a request goes
 * out, so the gap holds on the wire even when the work before a send (robots.txt, database
 * look-ups, an event loop busy parsing) bunches jobs up.
 */

export interface SendSpacingOptions {
  /**
   * Gap imposed on a host that answered 429 (at least its Retry-After), for the rest of the run.
   * @default 1000
   */
  readonly rateLimitGapMs?: number;
  /** Cap on any gap or pause one answer can impose. @default 60000 */
  readonly maxGapMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export const SEND_SPACING_DEFAULTS = Object.freeze({
  rateLimitGapMs: 1000,
  maxGapMs: 60_000,
});

interface HostSpacing {
  lastSendAt: number;
  /** Raised by rate limiting; never lowered during a run. */
  minGapMs: number;
  pausedUntil: number;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `Expected \`${name}\` to be a non-negative number, got \`${String(value)}\``,
    );
  }
  return value;
}

export class SendSpacing {
  readonly #hosts = new Map<string, HostSpacing>();
  readonly #rateLimitGapMs: number;
  readonly #maxGapMs: number;
  readonly #now: () => number;

  constructor(options: SendSpacingOptions = {}) {
    this.#rateLimitGapMs = nonNegative(
      'rateLimitGapMs',
      options.rateLimitGapMs ?? SEND_SPACING_DEFAULTS.rateLimitGapMs,
    );
    this.#maxGapMs = nonNegative('maxGapMs', options.maxGapMs ?? SEND_SPACING_DEFAULTS.maxGapMs);
    this.#now = options.now ?? Date.now;
  }

  #state(host: string): HostSpacing {
    let s = this.#hosts.get(host);
    if (s === undefined) {
      s = { lastSendAt: Number.NEGATIVE_INFINITY, minGapMs: 0, pausedUntil: 0 };
      this.#hosts.set(host, s);
    }
    return s;
  }

  /** Waits until the host may be sent another request, then takes that slot. */
  async wait(host: string, gapMs: number, signal?: AbortSignal): Promise<void> {
    const s = this.#state(host);
    for (;;) {
      const now = this.#now();
      const due = Math.max(s.lastSendAt + Math.max(gapMs, s.minGapMs), s.pausedUntil);
      if (now >= due) {
        s.lastSendAt = now;
        return;
      }
      await sleep(due - now, undefined, signal === undefined ? {} : { signal });
    }
  }

  /** The host answered 429 (or 503 with Retry-After): pause it, and slow it for good. */
  rateLimited(host: string, retryAfterMs: number | undefined): void {
    const s = this.#state(host);
    const gap = Math.min(Math.max(this.#rateLimitGapMs, retryAfterMs ?? 0), this.#maxGapMs);
    s.minGapMs = Math.max(s.minGapMs, gap);
    s.pausedUntil = Math.max(
      s.pausedUntil,
      this.#now() + Math.min(retryAfterMs ?? 0, this.#maxGapMs),
    );
  }
}

/** 429, or 503 with Retry-After: the host asks us to slow down rather than failing. */
export function isRateLimited(err: unknown): boolean {
  const status = httpStatusOf(err);
  return (
    status === 429 ||
    (status === 503 && err instanceof PipelineError && err.retryAfterMs !== undefined)
  );
}
