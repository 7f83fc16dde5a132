import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy with a fixed address in front of a server that may be restarted on another
 * port: re-crawl tests keep their URLs while the site behind them is restarted with edited
 * files. Requests (conditional headers included) and answers pass through unchanged.
 */
export interface Relay {
  /** `http://host:port` of the relay. */
  readonly baseUrl: string;
  /** Sends later requests to this `http://host:port`. */
  point(targetBaseUrl: string): void;
  close(): Promise<void>;
}

export async function startRelay(host: string, targetBaseUrl: string): Promise<Relay> {
  let target = new URL(targetBaseUrl);
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}`,
    point(next) {
      target = new URL(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
