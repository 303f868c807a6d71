/**
 * Servers that stand in for a user's target: plain Node HTTPS or TLS servers on 127.0.0.1 with
 * an ephemeral port, started by the test itself, and suite files that point at them.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { TLSSocket, TlsOptions } from 'node:tls';

import { generateCertificateSet, writeCertificateSetFiles } from '../../src/pki/index.ts';
import type { GenerateCertificateSetOptions } from '../../src/pki/index.ts';
import type { CertificateSet } from '../../src/pki/types.ts';

/** What a test server saw of one request or connection. */
export interface SeenConnection {
  /**
   * SNI name as the server reports it, or false. Node 20.20 reports false on a resumed TLS 1.2
   * handshake even when the client sent SNI, so only full handshakes show it.
   */
  servername: string | false;
  resumed: boolean;
  /** Whether the client presented a certificate at all. */
  presentedCertificate: boolean;
  /** `GET /` and its Host header, for HTTPS servers. */
  requestLine?: string;
  host?: string;
}

/** A running test server. */
export interface TestServer {
  port: number;
  seen: SeenConnection[];
}

const openServers: tls.Server[] = [];

/** Creates a scratch directory; it does not start with `mtls-bench-`, which the runner tests count. */
export function createScratchDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mtls-target-test-'));
}

export async function removeScratchDir(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/** Generates a certificate set and writes it to `directory` as `mtls-bench certs` would, `ca-key.pem` included. */
export async function writePki(
  directory: string,
  options: Partial<GenerateCertificateSetOptions> = {},
): Promise<CertificateSet> {
  const set = await generateCertificateSet({
    serverKeyType: 'ecdsa-p256',
    clientKeyType: 'ecdsa-p256',
    chainDepth: 1,
    ...options,
  });
  await writeCertificateSetFiles(set, directory);
  return set;
}

function describeSocket(socket: TLSSocket): SeenConnection {
  const peer = socket.getPeerCertificate();
  return {
    servername: (socket as TLSSocket & { servername: string | false }).servername,
    resumed: socket.isSessionReused(),
    presentedCertificate: peer !== null && Object.keys(peer).length > 0,
  };
}

async function listen(server: tls.Server): Promise<number> {
  openServers.push(server);
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Starts an HTTPS server that responds `200 ok` to every request, serving `set`'s server chain. */
export async function startHttpsTarget(set: CertificateSet, options: TlsOptions = {}): Promise<TestServer> {
  const seen: SeenConnection[] = [];
  const server = https.createServer(
    { cert: set.serverChainPem, key: set.server.keyPem, ...options },
    (request: IncomingMessage, response: ServerResponse) => {
      seen.push({
        ...describeSocket(request.socket as TLSSocket),
        requestLine: `${request.method} ${request.url}`,
        host: request.headers.host ?? '',
      });
      request.resume();
      request.on('end', () => response.end('ok'));
    },
  );
  return { port: await listen(server), seen };
}

/** Starts a raw TLS server that echoes what it receives, serving `set`'s server chain. */
export async function startTlsEchoTarget(set: CertificateSet, options: TlsOptions = {}): Promise<TestServer> {
  const seen: SeenConnection[] = [];
  const server = tls.createServer({ cert: set.serverChainPem, key: set.server.keyPem, ...options }, (socket) => {
    seen.push(describeSocket(socket));
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  return { port: await listen(server), seen };
}

/** Closes every server the fixture started, without waiting for keep-alive connections. */
export function closeServers(): void {
  for (const server of openServers.splice(0)) {
    server.close();
    (server as https.Server).closeAllConnections?.();
    server.unref();
  }
}

/** Writes suite YAML lines to `directory/name` and returns the file's path. */
export async function writeSuite(directory: string, name: string, lines: string[]): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}
