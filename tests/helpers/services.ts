import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Real Redis and PostgreSQL for tests: the shared servers on this machine (and in CI), with a
 * key prefix or a schema per test removed afterwards, and throw-away redis-server processes
 * for fault tests that kill and restart Redis.
 */

export const REDIS_URL = process.env['PACTWATCH_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Trust auth: the user name is this machine's, as psql would send it. */
export const POSTGRES_URL =
  process.env['PACTWATCH_TEST_DATABASE_URL'] ??
  `postgres://${encodeURIComponent(process.env['PGUSER'] ?? os.userInfo().username)}@127.0.0.1:5432/test`;

type Service = 'redis' | 'postgres' | 'redis-server';

async function redisUp(): Promise<boolean> {
  const r = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function postgresUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * True when every named service answers. Otherwise: with CI=true this throws (the test file
 * fails); on a developer's machine it prints a loud line naming what is missing and the
 * caller skips.
 */
export async function needServices(...services: Service[]): Promise<boolean> {
  const missing: string[] = [];
  for (const s of services) {
    if (s === 'redis' && !(await redisUp())) missing.push(`Redis at ${REDIS_URL}`);
    if (s === 'postgres' && !(await postgresUp())) missing.push(`PostgreSQL at ${POSTGRES_URL}`);
    if (s === 'redis-server' && !redisServerInstalled()) missing.push('the redis-server program');
  }
  if (missing.length === 0) return true;
  const message = `these tests need ${missing.join(' and ')}`;
  if (process.env['CI'] === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED: ${message} (set CI=true to make this a failure) ***\n\n`);
  return false;
}

/** A key prefix no other test uses (BullMQ's `test-${uuid}` pattern). */
export function uniquePrefix(): string {
  return `pwtest-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix` on the shared Redis. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface TestSchema {
  readonly name: string;
  /** DATABASE_URL whose connections put everything in this schema. */
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema on the shared server; `drop` removes it with all it holds. */
export async function createSchema(): Promise<TestSchema> {
  const name = `pwtest_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  url.searchParams.set('application_name', name);
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      try {
        // Connections of a killed worker may still hold locks on the schema's tables.
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server: SIGTERM (AOF flushed, as a restart) or SIGKILL (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

/** A redis-server of the test's own, with AOF persistence in a temporary directory. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactwatch-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--appendonly',
        'yes',
        '--dir',
        dir,
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      r.on('error', () => {});
      try {
        await r.connect();
        // Loading the AOF answers LOADING until done.
        if ((await r.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      } finally {
        r.disconnect();
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((res) => c.once('exit', res));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async destroy() {
      await stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
