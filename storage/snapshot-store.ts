import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SnapshotStoreOptions {
  /** Folder holding the bodies, two levels of fan-out by hash prefix. */
  readonly dir: string;
  /**
   * Bytes of recently written or read bodies kept in memory, so that parsing a page just
   * fetched does not read it back from disk. 0 turns the cache off.
   * @default 16777216 (16 MiB)
   */
  readonly cacheBytes?: number;
}

export const SNAPSHOT_STORE_DEFAULTS = { cacheBytes: 16 * 1024 * 1024 } as const;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Bodies on disk, content-addressed by sha256: writing the same bytes twice is a no-op, and a
 * write is atomic (temp file then rename), so a killed process never leaves a torn body.
 */
export class SnapshotStore {
  readonly #dir: string;
  readonly #cacheBytes: number;
  /** Insertion-ordered, so the first key is the least recently used. */
  readonly #recent = new Map<string, Buffer>();
  #recentBytes = 0;
  /** Fan-out folders known to exist: one mkdir per folder and process, not per body. */
  readonly #dirs = new Set<string>();

  constructor(options: SnapshotStoreOptions) {
    this.#dir = options.dir;
    const cacheBytes = options.cacheBytes ?? SNAPSHOT_STORE_DEFAULTS.cacheBytes;
    if (!Number.isInteger(cacheBytes) || cacheBytes < 0) {
      throw new TypeError(
        `Expected \`cacheBytes\` to be a non-negative integer, got \`${String(cacheBytes)}\``,
      );
    }
    this.#cacheBytes = cacheBytes;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new TypeError(`Expected a sha256 hex digest, got \`${sha256}\``);
    return path.join(this.#dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  #remember(sha: string, body: Buffer): void {
    if (body.byteLength > this.#cacheBytes / 4) return;
    const old = this.#recent.get(sha);
    if (old !== undefined) {
      this.#recent.delete(sha);
      this.#recentBytes -= old.byteLength;
    }
    this.#recent.set(sha, body);
    this.#recentBytes += body.byteLength;
    for (const [key, value] of this.#recent) {
      if (this.#recentBytes <= this.#cacheBytes) break;
      this.#recent.delete(key);
      this.#recentBytes -= value.byteLength;
    }
  }

  async put(body: Uint8Array): Promise<string> {
    const sha = sha256Hex(body);
    if (this.#recent.has(sha)) return sha;
    const file = this.pathOf(sha);
    const copy = Buffer.from(body);
    try {
      await fs.access(file);
      this.#remember(sha, copy);
      return sha;
    } catch {
      // Not stored yet.
    }
    const dir = path.dirname(file);
    if (!this.#dirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, copy);
    await fs.rename(tmp, file);
    this.#remember(sha, copy);
    return sha;
  }

  /** Whether the body is on disk (or was just written). */
  async has(sha256: string): Promise<boolean> {
    if (this.#recent.has(sha256)) return true;
    try {
      await fs.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** The body; callers must not modify the buffer (it may be shared with the cache). */
  async get(sha256: string): Promise<Buffer> {
    const cached = this.#recent.get(sha256);
    if (cached !== undefined) return cached;
    const body = await fs.readFile(this.pathOf(sha256));
    this.#remember(sha256, body);
    return body;
  }
}
