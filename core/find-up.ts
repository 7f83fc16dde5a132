import fs from 'node:fs';
import path from 'node:path';

/**
 * The first `relative` path that exists in `start` or a folder above it. Bundled data (source
 * definitions, reference figures, the demo sites) is found this way from a module, which runs
 * from the source tree in tests and from `dist/` when compiled.
 */
export function findUp(start: string, relative: string): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
