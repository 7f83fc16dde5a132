import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { HostPolicy } from './types.js';

interface HostState {
  readonly queue: PQueue;
  delayMs: number;
  nextStartAt: number;
}

/**
 * Per-host politeness inside one process: at most `concurrency` requests at once and at least
 * `delayMs` between two request starts. The delay can only grow during a run (robots.txt
 * Crawl-delay, a 429's Retry-After), so a host that asked us to slow down stays slowed.
 */
export class HostGate {
  readonly #hosts = new Map<string, HostState>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #state(host: string, policy: HostPolicy): HostState {
    let state = this.#hosts.get(host);
    if (state === undefined) {
      state = {
        queue: new PQueue({ concurrency: policy.concurrency }),
        delayMs: policy.delayMs,
        nextStartAt: 0,
      };
      this.#hosts.set(host, state);
    }
    return state;
  }

  /** Runs `task` when the host's politeness allows. */
  run<T>(host: string, policy: HostPolicy, task: () => Promise<T>): Promise<T> {
    const state = this.#state(host, policy);
    return state.queue.add(async () => {
      // Reserve the start slot before waiting so concurrent tasks queue up behind each other.
      const now = this.#now();
      const startAt = Math.max(now, state.nextStartAt);
      state.nextStartAt = startAt + state.delayMs;
      if (startAt > now) await sleep(startAt - now);
      return task();
    }) as Promise<T>;
  }

  /** Jobs waiting or running for the host. */
  pending(host: string): number {
    const state = this.#hosts.get(host);
    return state === undefined ? 0 : state.queue.size + state.queue.pending;
  }

  slowDown(host: string, delayMs: number): void {
    const state = this.#hosts.get(host);
    if (state === undefined) return;
    state.delayMs = Math.max(state.delayMs, delayMs);
  }

  /** Pushes the host's next start to at least `untilMs` (a 429's Retry-After). */
  pauseUntil(host: string, untilMs: number): void {
    const state = this.#hosts.get(host);
    if (state !== undefined) state.nextStartAt = Math.max(state.nextStartAt, untilMs);
  }

  busyHosts(limitPerHost: (host: string) => number): Set<string> {
    const busy = new Set<string>();
    for (const [host, state] of this.#hosts) {
      if (state.queue.size + state.queue.pending >= limitPerHost(host)) busy.add(host);
    }
    return busy;
  }
}
