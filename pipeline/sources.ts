import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { findUp } from '../core/find-up.js';
import { SourceDefinition, type SourceDefinitionInput } from '../schemas/source.js';
import type { DB } from '../storage/database.js';

/**
 * Source definitions are data: JSON files of `{ "sources": [...] }`. The configured sources
 * ship in `crawlers/sources/`; `--sources FILE` reads another file.
 */

/** The folder of bundled source files, found from this module whether run from src or dist. */
export function bundledSourcesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = findUp(here, path.join('crawlers', 'sources'));
  if (dir === undefined) throw new UserError('Cannot find the bundled crawlers/sources folder');
  return dir;
}

export function parseSources(input: unknown, origin: string): SourceDefinition[] {
  const list = Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null && 'sources' in input
      ? input.sources
      : undefined;
  if (!Array.isArray(list))
    throw new UserError(`${origin}: expected {"sources": [...]} or an array of sources`);
  return list.map((raw: unknown, i) => {
    const parsed = SourceDefinition.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : `#${i}`;
      throw new UserError(
        `${origin}: source ${id}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  });
}

export function loadSourcesFile(file: string): SourceDefinition[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Cannot read sources file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseSources(json, file);
}

export function loadBundledSources(): SourceDefinition[] {
  const dir = bundledSourcesDir();
  const out: SourceDefinition[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    out.push(...loadSourcesFile(path.join(dir, name)));
  }
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.id)) throw new UserError(`Source id ${s.id} is defined twice in ${dir}`);
    seen.add(s.id);
  }
  return out;
}

export function defineSources(inputs: readonly SourceDefinitionInput[]): SourceDefinition[] {
  return parseSources(inputs, 'sources');
}

/** Picks sources by id; an unknown id is a user mistake, named with the known ones. */
export function selectSources(
  all: readonly SourceDefinition[],
  ids: readonly string[],
): SourceDefinition[] {
  if (ids.length === 0) return [...all];
  const byId = new Map(all.map((s) => [s.id, s]));
  return ids.map((id) => {
    const s = byId.get(id);
    if (s === undefined) {
      throw new UserError(
        `Unknown source \`${id}\`; known sources: ${[...byId.keys()].join(', ')}`,
      );
    }
    return s;
  });
}

export async function saveSources(db: DB, sources: readonly SourceDefinition[]): Promise<void> {
  const now = new Date().toISOString();
  for (const s of sources) {
    await db
      .insertInto('sources')
      .values({ id: s.id, kind: s.kind, definition: JSON.stringify(s), updated_at: now })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ kind: s.kind, definition: JSON.stringify(s), updated_at: now }),
      )
      .execute();
  }
}

export type PageType = 'article' | 'list';

/** Compiled patterns of one source, so link classification costs no regex compilation. */
export class SourceMatcher {
  readonly source: SourceDefinition;
  readonly #articles: RegExp[];
  readonly #lists: RegExp[];

  constructor(source: SourceDefinition) {
    this.source = source;
    this.#articles = source.article_patterns.map((p) => new RegExp(p));
    this.#lists = [
      ...source.list_patterns,
      ...(source.pagination_pattern === undefined ? [] : [source.pagination_pattern]),
    ].map((p) => new RegExp(p));
  }

  classify(url: string): PageType | null {
    if (this.#articles.some((r) => r.test(url))) return 'article';
    if (this.#lists.some((r) => r.test(url))) return 'list';
    return null;
  }
}
