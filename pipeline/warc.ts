import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { WARCRecord, WARCSerializer } from 'warcio';
import type { DB } from '../storage/database.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';

/**
 * Snapshots as a standard WARC 1.1 file (ISO 28500:2017): a `warcinfo` record, then one
 * `response` record per stored response, with its HTTP status line and headers, the body,
 * `WARC-Target-URI`, `WARC-Date` (when it was fetched) and a sha256 `WARC-Payload-Digest`,
 * which is the snapshot's own content address. Any WARC tool (warcio, pywb, ...) reads it.
 */

export interface WarcExportOptions {
  /** The file to write; `.gz` at the end writes per-record gzip (`.warc.gz`). */
  readonly file: string;
  /** Only this source's snapshots. @default every source */
  readonly sourceId?: string;
  /** Written into the warcinfo record. @default 'pactwatch' */
  readonly software?: string;
}

export interface WarcExportResult {
  readonly file: string;
  readonly records: number;
  /** Snapshots whose body is missing from the store (not written). */
  readonly missing: number;
}

/** Headers describing the body on the wire that do not describe the stored (decoded) body. */
const WIRE_HEADERS = new Set(['transfer-encoding', 'content-encoding', 'content-length']);

function httpHeaders(json: string, bodyBytes: number): Record<string, string> {
  const out: Record<string, string> = {};
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    stored = {};
  }
  if (stored !== null && typeof stored === 'object') {
    for (const [name, value] of Object.entries(stored)) {
      if (typeof value === 'string' && !WIRE_HEADERS.has(name.toLowerCase())) out[name] = value;
    }
  }
  out['content-length'] = String(bodyBytes);
  return out;
}

async function* once(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
}

/** Writes the snapshots to `options.file` (via a temporary file, so a crash leaves no half WARC). */
export async function exportWarc(
  db: DB,
  store: SnapshotStore,
  options: WarcExportOptions,
): Promise<WarcExportResult> {
  const gzip = options.file.endsWith('.gz');
  const target = path.resolve(options.file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${randomUUID()}.tmp`;
  const out = fs.createWriteStream(tmp);
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      out.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  let records = 0;
  let missing = 0;
  try {
    const info = WARCRecord.createWARCInfo(
      { filename: path.basename(target), warcVersion: 'WARC/1.1' },
      {
        software: options.software ?? 'pactwatch',
        format: 'WARC File Format 1.1',
        conformsTo:
          'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/',
        description: `pactwatch snapshots${options.sourceId === undefined ? '' : ` of source ${options.sourceId}`}`,
      },
    );
    await write(await WARCSerializer.serialize(info, { gzip }));
    let after = 0;
    for (;;) {
      let q = db
        .selectFrom('snapshots')
        .select(['id', 'final_url', 'status', 'headers', 'body_sha256', 'fetched_at'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(200);
      if (options.sourceId !== undefined) q = q.where('source_id', '=', options.sourceId);
      const rows = await q.execute();
      if (rows.length === 0) break;
      for (const r of rows) {
        after = r.id;
        let body: Uint8Array;
        try {
          body = await store.get(r.body_sha256);
        } catch {
          missing++;
          continue;
        }
        const record = WARCRecord.create(
          {
            url: r.final_url,
            date: r.fetched_at,
            type: 'response',
            warcVersion: 'WARC/1.1',
            statusline: `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}`.trimEnd(),
            httpHeaders: httpHeaders(r.headers, body.byteLength),
          },
          once(body),
        );
        await write(await WARCSerializer.serialize(record, { gzip }));
        records++;
      }
    }
    await new Promise<void>((resolve, reject) =>
      out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
    fs.renameSync(tmp, target);
  } catch (e) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: target, records, missing };
}
