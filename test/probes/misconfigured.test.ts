/**
 * Probes against servers started in this process with settings that a real deployment could
 * get wrong. Each server listens on 127.0.0.1 with an ephemeral port and is closed after its test.
 */
import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import { generateProbeCertificates, generateProbeCertificatesFor } from '../../src/pki/probe-certs.ts';
import type { ProbeCertificates } from '../../src/pki/probe-certs.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { failedProbes, runProbes } from '../../src/probes/run-probes.ts';
import type { ProbeOutcome, ProbeTarget } from '../../src/probes/types.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

const WRONG_CLIENTS = ['no-certificate', 'other-ca', 'expired', 'server-auth-only', 'unsent-intermediate'];

let certs: CertificateSet;
let material: ProbeCertificates;
const openServers: net.Server[] = [];

beforeAll(async () => {
  certs = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 1 });
  material = await generateProbeCertificatesFor(certs);
});

afterEach(async () => {
  for (const server of openServers.splice(0)) {
    server.close();
    server.unref();
  }
});

async function listen(server: net.Server): Promise<number> {
  openServers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function serverOptions(tlsScenario: TlsScenario, overrides: TlsOptions): TlsOptions {
  const version = tlsScenario.tlsVersion === 'tls1.2' ? 'TLSv1.2' : 'TLSv1.3';
  return { cert: certs.serverChainPem, key: certs.server.keyPem, minVersion: version, maxVersion: version, ...overrides };
}

/** Starts a raw TLS echo server with `overrides` on top of a server certificate and pinned version. */
async function startTlsEcho(tlsScenario: TlsScenario, overrides: TlsOptions): Promise<number> {
  const server = tls.createServer(serverOptions(tlsScenario, overrides), (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  server.on('tlsClientError', () => {});
  return listen(server);
}

function targetOf(tlsScenario: TlsScenario, port: number, overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    host: '127.0.0.1',
    port,
    ca: certs.caPem,
    tls: tlsScenario,
    rightClient: { certChainPem: certs.clientChainPem, keyPem: certs.client.keyPem },
    ...overrides,
  };
}

function outcomeOf(outcomes: ProbeOutcome[], name: string): ProbeOutcome | undefined {
  return outcomes.find((outcome) => outcome.name === name);
}

describe.each(['tls1.2', 'tls1.3'] as const)('probes of misconfigured servers, %s', (tlsVersion) => {
  const tlsScenario = scenarioOf({ tlsVersion, auth: 'mtls' });

  it('fail every wrong client when verification is off', async () => {
    const port = await startTlsEcho(tlsScenario, { ca: certs.caPem, requestCert: true, rejectUnauthorized: false });

    const outcomes = await runProbes(targetOf(tlsScenario, port), material);

    for (const name of WRONG_CLIENTS) {
      expect(outcomeOf(outcomes, name), name).toMatchObject({ actual: 'accepted', passed: false, code: null });
    }
    expect(outcomeOf(outcomes, 'right-certificate')).toMatchObject({ actual: 'accepted', passed: true });
  });

  it('fail every wrong client when no certificate is requested', async () => {
    const port = await startTlsEcho(tlsScenario, { requestCert: false });

    const outcomes = await runProbes(targetOf(tlsScenario, port), material);

    expect(failedProbes(outcomes).map((outcome) => outcome.name)).toEqual(WRONG_CLIENTS);
    expect(outcomeOf(outcomes, 'right-certificate')?.passed).toBe(true);
  });

  it('fail other-ca when the server trusts the other CA', async () => {
    const port = await startTlsEcho(tlsScenario, {
      ca: [certs.caPem, material.otherCaPem],
      requestCert: true,
      rejectUnauthorized: true,
    });

    const outcomes = await runProbes(targetOf(tlsScenario, port), material);

    expect(failedProbes(outcomes).map((outcome) => outcome.name)).toEqual(['other-ca']);
    expect(outcomeOf(outcomes, 'other-ca')?.actual).toBe('accepted');
  });
});

describe('probes over HTTPS', () => {
  const tlsScenario = scenarioOf({ tlsVersion: 'tls1.3', auth: 'mtls' });

  /**
   * With `checkClient`, rejects in the HTTP response the way nginx does under
   * `ssl_verify_client on`: the handshake completes and an unverified client gets 400.
   * Without it, responds 200 to every client.
   */
  async function startHttpsServer(overrides: TlsOptions, checkClient: boolean): Promise<number> {
    const server = https.createServer(serverOptions(tlsScenario, overrides), (request, response) => {
      const authorized = !checkClient || (request.socket as TLSSocket).authorized;
      response.writeHead(authorized ? 200 : 400, { connection: 'close' });
      response.end(authorized ? 'ok' : 'The SSL certificate error');
    });
    server.on('tlsClientError', () => {});
    return listen(server);
  }

  it('count a 400 after the handshake as rejected', async () => {
    const port = await startHttpsServer({ ca: certs.caPem, requestCert: true, rejectUnauthorized: false }, true);

    const outcomes = await runProbes(targetOf(tlsScenario, port, { protocol: 'https' }), material);

    expect(failedProbes(outcomes)).toEqual([]);
    for (const name of WRONG_CLIENTS) {
      expect(outcomeOf(outcomes, name), name).toMatchObject({ actual: 'rejected', code: 'HTTP_400', detail: 'HTTP/1.1 400 Bad Request' });
    }
    expect(outcomeOf(outcomes, 'right-certificate')).toMatchObject({ actual: 'accepted', detail: 'HTTP/1.1 200 OK' });
  });

  it('fail every wrong client when the server answers 200 to all', async () => {
    const port = await startHttpsServer({ requestCert: false }, false);

    const outcomes = await runProbes(targetOf(tlsScenario, port, { protocol: 'https' }), material);

    expect(failedProbes(outcomes).map((outcome) => outcome.name)).toEqual(WRONG_CLIENTS);
  });
});

describe('probes that cannot reach a verdict', () => {
  const tlsScenario = scenarioOf({ tlsVersion: 'tls1.3', auth: 'mtls' });

  it('report an error when the server certificate does not verify', async () => {
    const port = await startTlsEcho(tlsScenario, { ca: certs.caPem, requestCert: true, rejectUnauthorized: true });

    const outcomes = await runProbes(targetOf(tlsScenario, port, { ca: material.otherCaPem }), material);

    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ actual: 'error', passed: false });
      expect(outcome.detail, outcome.name).toContain("the client rejected the server's certificate");
    }
    expect(failedProbes(outcomes)).toHaveLength(6);
  });

  it('report an error when nothing listens', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    closed.close();
    await once(closed, 'close');

    const outcomes = await runProbes(targetOf(tlsScenario, port), material);

    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ actual: 'error', passed: false, code: 'ECONNREFUSED' });
    }
  });

  it('report a timeout when the server never answers', async () => {
    const heldSockets: net.Socket[] = [];
    const silent = net.createServer((socket) => heldSockets.push(socket));
    const port = await listen(silent);

    const outcomes = await runProbes(targetOf(tlsScenario, port, { timeoutMs: 100 }), material);
    for (const socket of heldSockets) socket.destroy();

    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ actual: 'timeout', passed: false, code: 'ETIMEDOUT' });
    }
  });

  it('report an error for a client key that does not match', async () => {
    const port = await startTlsEcho(tlsScenario, { ca: certs.caPem, requestCert: true, rejectUnauthorized: true });
    const rightClient = { certChainPem: certs.clientChainPem, keyPem: certs.server.keyPem };

    const outcomes = await runProbes(targetOf(tlsScenario, port, { rightClient }), material);

    expect(outcomeOf(outcomes, 'right-certificate')).toMatchObject({
      actual: 'error',
      passed: false,
      code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
    });
  });

  it('skip probes without material, not counted as failed', async () => {
    const port = await startTlsEcho(tlsScenario, { ca: certs.caPem, requestCert: true, rejectUnauthorized: true });
    const withoutKeys = await generateProbeCertificates({ caCertPem: certs.caPem, caKeyPem: null });

    const outcomes = await runProbes(targetOf(tlsScenario, port), withoutKeys);

    for (const name of ['expired', 'server-auth-only', 'unsent-intermediate']) {
      expect(outcomeOf(outcomes, name), name).toMatchObject({ actual: 'skipped', passed: false, code: null });
      expect(outcomeOf(outcomes, name)?.detail, name).toContain('ca-key.pem');
    }
    expect(failedProbes(outcomes)).toEqual([]);
  });
});
