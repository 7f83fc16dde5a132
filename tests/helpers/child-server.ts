import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * A fixture HTTP server in its own process, for tests that assert *when* requests arrive:
 * an in-process server stamps arrivals on the crawler's event loop, which parsing can block for
 * tens of milliseconds. Routes are data; the log is read back over HTTP (`/__log`).
 */

export interface ChildRoute {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Answer the first `count` requests for this path with `status` (and `headers`) instead. */
  readonly failFirst?: {
    readonly count: number;
    readonly status: number;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Accept the request and never answer. */
  readonly hang?: boolean;
}

export interface ChildRequest {
  readonly url: string;
  readonly at: number;
  readonly status: number;
}

export interface ChildServer {
  readonly baseUrl: string;
  readonly host: string;
  readonly port: number;
  /** Every request so far, with its arrival time (Date.now() in the server process). */
  requests(): Promise<ChildRequest[]>;
  close(): Promise<void>;
}

const SERVER = `
import { createServer } from 'node:http';
const [host, spec] = [process.argv[1], JSON.parse(process.argv[2])];
const log = [];
const hits = new Map();
const server = createServer((req, res) => {
  const at = Date.now();
  if (req.url === '/__log') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(log));
    return;
  }
  const path = req.url.replace(/\\?.*$/, '');
  const route = spec[req.url] ?? spec[path];
  const n = (hits.get(path) ?? 0) + 1;
  hits.set(path, n);
  let status = 404, headers = { 'content-type': 'text/plain' }, body = 'not found';
  if (route !== undefined) {
    if (route.hang) { log.push({ url: req.url, at, status: 0 }); return; }
    if (route.failFirst !== undefined && n <= route.failFirst.count) {
      status = route.failFirst.status; headers = route.failFirst.headers ?? {}; body = 'no';
    } else {
      status = route.status ?? 200; headers = route.headers ?? { 'content-type': 'text/html' }; body = route.body ?? '';
    }
  }
  log.push({ url: req.url, at, status });
  res.writeHead(status, headers);
  res.end(body);
});
server.listen(0, host, () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

export async function startChildServer(
  routes: Readonly<Record<string, ChildRoute>>,
  host = '127.0.0.1',
): Promise<ChildServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', SERVER, host, JSON.stringify(routes)],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
  });
  const baseUrl = `http://${host}:${port}`;
  return {
    baseUrl,
    host,
    port,
    async requests() {
      const res = await fetch(`${baseUrl}/__log`);
      return (await res.json()) as ChildRequest[];
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}
