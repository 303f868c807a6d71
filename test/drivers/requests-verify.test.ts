/**
 * The requests driver must not send a request to a server whose certificate fails
 * verification. autocannon opens its sockets with verification off, so this counts what a real
 * HTTPS server with a certificate from another CA receives.
 */
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRequests } from '../../src/drivers/requests.ts';
import { generateCertificateSet } from '../../src/pki/index.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

let server: https.Server;
let port: number;
let trusted: CertificateSet;
let requestsSeen = 0;

beforeAll(async () => {
  const [serverSet, clientSet] = await Promise.all([
    generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 }),
    generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 }),
  ]);
  trusted = clientSet;
  server = https.createServer({ cert: serverSet.serverChainPem, key: serverSet.server.keyPem }, (request, response) => {
    requestsSeen += 1;
    request.resume();
    request.on('end', () => response.end('leaked'));
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('requests against a server from another CA', () => {
  it('sends no request at all, and counts the verification error', async () => {
    const result = await runRequests({
      port,
      tls: scenarioOf({ auth: 'tls' }),
      certs: trusted,
      connections: 2,
      pipelining: 4,
      durationMs: 400,
      maxCount: null,
      rateRps: null,
      payloadBytes: 64,
    });
    expect(requestsSeen).toBe(0);
    expect(result.count).toBe(0);
    // Each connection failed verification; autocannon reconnects after each failure.
    expect(result.errors.UNABLE_TO_VERIFY_LEAF_SIGNATURE).toBeGreaterThanOrEqual(2);
    expect(Object.keys(result.errors)).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
  });
});
