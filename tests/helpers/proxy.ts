import { createServer, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';

/**
 * A small HTTP proxy on loopback: CONNECT tunnels (what undici's ProxyAgent uses for every
 * URL) and plain forwarding of absolute-form requests. It logs what it was asked to reach.
 */
export interface TestProxy {
  readonly url: string;
  /** `CONNECT host:port` or `GET http://...`, in arrival order. */
  readonly log: string[];
  /** Proxy-Authorization / User-Agent headers seen on CONNECT or forwarded requests. */
  readonly headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

export async function startTestProxy(host = '127.0.0.1'): Promise<TestProxy> {
  const log: string[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const server = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    headers.push({ ...req.headers });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  // Tunnels leave the HTTP server's bookkeeping: closeAllConnections() does not see them.
  const tunnels = new Set<{ destroy(): void }>();
  server.on('connect', (req, client, head) => {
    log.push(`CONNECT ${req.url}`);
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    headers.push({ ...req.headers });
    const [h, p] = (req.url ?? '').split(':');
    const upstream = connect(Number(p), h ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.byteLength > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    log,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of tunnels) t.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
