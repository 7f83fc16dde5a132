import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

/**
 * A real HTTP server on a loopback address and port 0, with a small route table and builders
 * for the edge cases crawlers meet: redirect chains and loops, hanging and slow hosts, 429 and
 * 503 storms, robots.txt, GBK pages, oversized and truncated bodies.
 */

export interface StaticRoute {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export type Route = StaticRoute | RouteHandler;

/** Path (with or without query) -> route. An exact `path?query` entry wins over the bare path. */
export type Routes = Readonly<Record<string, Route>>;

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Date.now() when the request arrived. */
  readonly at: number;
}

export interface FixtureServer {
  /** `http://host:port`, no trailing slash. */
  readonly baseUrl: string;
  readonly host: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Adds or replaces a route while the server runs. */
  route(path: string, route: Route): void;
  /** Closes the server, cutting any connection still open (hanging routes included). */
  close(): Promise<void>;
}

export interface FixtureServerOptions {
  /** Any 127.x.y.z address, so a test can stand up several "hosts". @default '127.0.0.1' */
  readonly host?: string;
}

function sendStatic(res: ServerResponse, route: StaticRoute): void {
  const body =
    route.body === undefined
      ? Buffer.alloc(0)
      : typeof route.body === 'string'
        ? Buffer.from(route.body, 'utf8')
        : Buffer.from(route.body);
  const headers: Record<string, string> = { ...route.headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(body.byteLength);
  }
  res.writeHead(route.status ?? 200, headers);
  res.end(body);
}

export async function startFixtureServer(
  routes: Routes,
  options: FixtureServerOptions = {},
): Promise<FixtureServer> {
  const table = new Map<string, Route>(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({
      method: req.method ?? 'GET',
      url,
      headers: { ...req.headers },
      at: Date.now(),
    });
    const route = table.get(url) ?? table.get(url.replace(/\?.*$/, ''));
    if (route === undefined) {
      sendStatic(res, {
        status: 404,
        headers: { 'content-type': 'text/plain' },
        body: 'not found',
      });
      return;
    }
    if (typeof route === 'function') {
      Promise.resolve(route(req, res)).catch(() => res.destroy());
      return;
    }
    sendStatic(res, route);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}`,
    host,
    port,
    requests,
    route(path, route) {
      table.set(path, route);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Edge-case routes

/** `/redirect/0` -> ... -> `/redirect/{hops-1}` -> `target`; returns the routes to spread in. */
export function redirectChain(hops: number, target: string, status = 302): Record<string, Route> {
  const routes: Record<string, Route> = {};
  for (let i = 0; i < hops; i++) {
    const next = i === hops - 1 ? target : `/redirect/${i + 1}`;
    routes[`/redirect/${i}`] = { status, headers: { location: next } };
  }
  return routes;
}

/** `/loop/a` -> `/loop/b` -> `/loop/a` ... */
export function redirectLoop(): Record<string, Route> {
  return {
    '/loop/a': { status: 301, headers: { location: '/loop/b' } },
    '/loop/b': { status: 301, headers: { location: '/loop/a' } },
  };
}

/** Accepts the request and never answers (until the server closes). */
export function hangingRoute(): RouteHandler {
  return () => {
    // Deliberately nothing: the client has to give up on its own.
  };
}

/** Sends headers at once, then the body after `delayMs`. */
export function slowRoute(delayMs: number, body = 'slow'): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.flushHeaders();
    const timer = setTimeout(() => res.end(body), delayMs);
    res.on('close', () => clearTimeout(timer));
  };
}

/** 429 with the given Retry-After value (seconds or an HTTP-date). */
export function retryAfterRoute(retryAfter: string, status = 429): StaticRoute {
  return {
    status,
    headers: { 'retry-after': retryAfter, 'content-type': 'text/plain' },
    body: 'slow down',
  };
}

/** 503 for the first `failures` requests, then 200 with `body`. */
export function serviceUnavailableStorm(failures: number, body = 'recovered'): RouteHandler {
  let seen = 0;
  return (_req, res) => {
    seen++;
    if (seen <= failures) sendStatic(res, { status: 503, body: 'busy' });
    else sendStatic(res, { status: 200, headers: { 'content-type': 'text/plain' }, body });
  };
}

export function robotsRoute(text: string): StaticRoute {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: text };
}

/**
 * `html` encoded as GBK, the charset named only in a `<meta>` tag (the header says none), as on
 * older Chinese government sites. Put `<meta charset="gb2312">` or similar in `html` yourself.
 */
export function gbkMetaOnlyRoute(html: string, contentType = 'text/html'): StaticRoute {
  return { status: 200, headers: { 'content-type': contentType }, body: iconv.encode(html, 'gbk') };
}

/**
 * A body of `bytes` bytes. With `declareLength` false it is sent chunked, so only a streaming
 * count can catch it.
 */
export function oversizedRoute(bytes: number, declareLength = true): RouteHandler {
  return (_req, res) => {
    const headers: Record<string, string> = { 'content-type': 'text/html' };
    if (declareLength) headers['content-length'] = String(bytes);
    res.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.byteLength ? chunk : chunk.subarray(0, left);
        left -= piece.byteLength;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {
      // The client hanging up mid-body is the point of this route.
    });
    pump();
  };
}

/** Declares `declared` bytes, sends `body`, then cuts the connection. */
export function truncatedRoute(body: string, declared: number): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(declared) });
    res.write(body, () => {
      setTimeout(() => res.socket?.destroy(), 10);
    });
  };
}
