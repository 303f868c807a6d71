/**
 * The handshake driver's HTTPS mode against TLS servers on 127.0.0.1 that respond to its
 * request with a fixed text, so each test decides what the response looks like.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HandshakeDriver, INVALID_HTTP_RESPONSE } from '../../src/drivers/handshake.ts';
import { generateCertificateSet } from '../../src/pki/index.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

let set: CertificateSet;
const servers: tls.Server[] = [];

beforeAll(async () => {
  set = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 });
});

afterAll(() => {
  for (const server of servers) server.close();
});

/** Starts a server that reads the request head, records it, writes `response` and closes. */
async function startRespondingServer(response: string): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = tls.createServer({ cert: set.serverChainPem, key: set.server.keyPem }, (socket) => {
    let head = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      requests.push(head);
      socket.end(response);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, requests };
}

function driverFor(port: number): HandshakeDriver {
  return new HandshakeDriver({
    port,
    servername: 'localhost',
    protocol: 'https',
    tls: scenarioOf({ tlsVersion: 'tls1.3', auth: 'tls' }),
    certs: set,
    concurrency: 2,
    payloadBytes: 1,
  });
}

describe('handshake driver with protocol https', () => {
  it('sends GET / with Connection: close', async () => {
    const server = await startRespondingServer('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');

    const run = await driverFor(server.port).run({ maxCount: 4, durationMs: null });

    expect(run.count).toBe(4);
    expect(run.errorCount).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(server.requests[0]).toBe(`GET / HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`);
  });

  it('completes on any status line', async () => {
    const server = await startRespondingServer('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');

    const run = await driverFor(server.port).run({ maxCount: 3, durationMs: null });

    expect(run.count).toBe(3);
    expect(run.errors).toEqual({});
  });

  it('fails a response that is not HTTP', async () => {
    const server = await startRespondingServer('hello\n');

    const run = await driverFor(server.port).run({ maxCount: 3, durationMs: null });

    expect(run.count).toBe(0);
    expect(run.errors).toEqual({ [INVALID_HTTP_RESPONSE]: 3 });
  });
});
