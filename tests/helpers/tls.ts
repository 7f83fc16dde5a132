import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordedRequest, StaticRoute } from './fixture-server.js';

const run = promisify(execFile);

/** PEM files of a throwaway CA and a server certificate it signed, for one loopback address. */
export interface TestCertificates {
  /** The CA certificate: what NODE_EXTRA_CA_CERTS points at. */
  readonly caFile: string;
  readonly key: string;
  readonly cert: string;
}

/**
 * Makes a CA and a server certificate for `ip` (subjectAltName IP:`ip`) with the `openssl`
 * binary, in `dir`. Nothing is committed: every test run gets fresh keys, valid for one day.
 * P-256 keys, since RSA key generation is what would make this slow.
 */
export async function makeTestCertificates(
  dir: string,
  ip = '127.0.0.1',
): Promise<TestCertificates> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: readonly string[]) => run('openssl', args, { cwd: dir });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=pactwatch test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    '-new',
    ...ecKey,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${ip}`,
  ]);
  fs.writeFileSync(
    file('server.ext'),
    [
      `subjectAltName=IP:${ip}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  ]);
  return {
    caFile: file('ca.pem'),
    key: fs.readFileSync(file('server.key'), 'utf8'),
    cert: fs.readFileSync(file('server.pem'), 'utf8'),
  };
}

export interface HttpsSite {
  /** `https://host:port`, no trailing slash. */
  readonly baseUrl: string;
  readonly host: string;
  readonly port: number;
  /** Requests that got through the TLS handshake, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Every TCP connection accepted, handshake completed or not. */
  readonly connections: number;
  /** Connections whose TLS handshake completed. */
  readonly secureConnections: number;
  /** Handshakes that failed on this side, or were abandoned by the client. */
  readonly tlsErrors: string[];
  close(): Promise<void>;
}

/** A real HTTPS server on `host` and port 0 that serves a fixed route table (404 otherwise). */
export async function startHttpsSite(
  routes: Readonly<Record<string, StaticRoute>>,
  tls: Pick<TestCertificates, 'key' | 'cert'>,
  host = '127.0.0.1',
): Promise<HttpsSite> {
  const requests: RecordedRequest[] = [];
  const tlsErrors: string[] = [];
  let connections = 0;
  let secureConnections = 0;
  const sockets = new Set<Socket>();
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = req.url ?? '/';
    requests.push({
      method: req.method ?? 'GET',
      url,
      headers: { ...req.headers },
      at: Date.now(),
    });
    const route = routes[url] ?? { status: 404, body: 'not found' };
    const body = Buffer.from(route.body ?? '');
    res.writeHead(route.status ?? 200, { ...route.headers, 'content-length': body.byteLength });
    res.end(body);
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => secureConnections++);
  server.on('tlsClientError', (err) => tlsErrors.push(err.message));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `https://${host}:${port}`,
    host,
    port,
    requests,
    get connections() {
      return connections;
    },
    get secureConnections() {
      return secureConnections;
    },
    tlsErrors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
