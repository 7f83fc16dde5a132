import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SnapshotStoreOptions {
  /** Folder holding the bodies, two levels of fan-out by hash prefix. */
  readonly dir: string;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Bodies on disk, content-addressed by sha256: writing the same bytes twice is a no-op, and a
 * write is atomic (temp file then rename), so a killed process never leaves a torn body.
 */
export class SnapshotStore {
  readonly #dir: string;

  constructor(options: SnapshotStoreOptions) {
    this.#dir = options.dir;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new TypeError(`Expected a sha256 hex digest, got \`${sha256}\``);
    return path.join(this.#dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(body: Uint8Array): Promise<string> {
    const sha = sha256Hex(body);
    const file = this.pathOf(sha);
    try {
      await fs.access(file);
      return sha;
    } catch {
      // Not stored yet.
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, file);
    return sha;
  }

  async get(sha256: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(sha256));
  }
}
