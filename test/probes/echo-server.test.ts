import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MtlsBenchError } from '../../src/errors.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import type { ProbeCertificates } from '../../src/pki/probe-certs.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { createProbeCertificateCache, probeEchoServer } from '../../src/probes/echo-server.ts';
import { CLOSED_BEFORE_RESPONSE } from '../../src/probes/probe-connection.ts';
import { failedProbes, runProbes } from '../../src/probes/run-probes.ts';
import { PROBE_NAMES } from '../../src/probes/types.ts';
import type { ProbeOutcome } from '../../src/probes/types.ts';
import type { ChainDepth, TlsScenario } from '../../src/scenario/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

/**
 * Codes a Node server's rejection of a client certificate can reach the client with. Node checks
 * the certificate after OpenSSL's handshake and destroys the socket without an alert, so the
 * client sees a reset (TLS 1.2, before its own Finished was read) or a closed connection (TLS 1.3).
 */
const CLOSE_CODES = ['ECONNRESET', 'EPIPE', CLOSED_BEFORE_RESPONSE];

/** The alert OpenSSL sends when a client sends no certificate to a server that requires one. */
const NO_CERTIFICATE_ALERTS: Record<TlsScenario['tlsVersion'], string> = {
  'tls1.2': 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'tls1.3': 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
};

function byName(outcomes: ProbeOutcome[]): Map<string, ProbeOutcome> {
  return new Map(outcomes.map((outcome) => [outcome.name, outcome]));
}

const CASES: { tlsVersion: TlsScenario['tlsVersion']; chainDepth: ChainDepth }[] = [
  { tlsVersion: 'tls1.2', chainDepth: 1 },
  { tlsVersion: 'tls1.3', chainDepth: 1 },
  { tlsVersion: 'tls1.3', chainDepth: 0 },
];

describe.each(CASES)('probes of an mtls echo server, $tlsVersion, depth $chainDepth', ({ tlsVersion, chainDepth }) => {
  let tls: TlsScenario;
  let certs: CertificateSet;
  let material: ProbeCertificates;
  let server: EchoServerHandle;

  beforeAll(async () => {
    tls = scenarioOf({ tlsVersion, chainDepth, auth: 'mtls' });
    certs = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth });
    material = await createProbeCertificateCache().get(certs);
    server = await startEchoServer({ tls, certs, payloadBytes: 64 });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('rejects every wrong client and accepts the right one', async () => {
    const outcomes = await probeEchoServer(server, tls, certs, material);

    expect(outcomes.map((outcome) => outcome.name)).toEqual([...PROBE_NAMES]);
    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ actual: outcome.expected, passed: true });
    }
    expect(failedProbes(outcomes)).toEqual([]);
  });

  it('reports the alert or close each wrong client saw', async () => {
    const outcomes = byName(await probeEchoServer(server, tls, certs, material));

    expect(outcomes.get('no-certificate')?.code).toBe(NO_CERTIFICATE_ALERTS[tlsVersion]);
    for (const name of ['other-ca', 'expired', 'server-auth-only', 'unsent-intermediate']) {
      expect(CLOSE_CODES, name).toContain(outcomes.get(name)?.code);
    }
    expect(outcomes.get('right-certificate')).toMatchObject({ code: null, detail: 'the server sent data back after the handshake' });
  });

  it('probes the HTTPS listener too', async () => {
    const outcomes = await runProbes(
      {
        host: '127.0.0.1',
        port: server.ports.https,
        ca: certs.caPem,
        tls,
        rightClient: { certChainPem: certs.clientChainPem, keyPem: certs.client.keyPem },
        protocol: 'https',
      },
      material,
    );

    expect(failedProbes(outcomes)).toEqual([]);
    expect(byName(outcomes).get('right-certificate')).toMatchObject({ actual: 'accepted', detail: 'HTTP/1.1 200 OK' });
  });
});

describe('probeEchoServer', () => {
  it('rejects a scenario without client authentication', async () => {
    const certs = await generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 });
    const material = await createProbeCertificateCache().get(certs);

    const call = () => probeEchoServer({ ports: { tls: 1, https: 1 } }, scenarioOf({ auth: 'tls' }), certs, material);

    expect(call).toThrow(MtlsBenchError);
    expect(call).toThrow('only mtls servers are probed');
  });
});

describe('createProbeCertificateCache', () => {
  it('generates once per certificate set', async () => {
    const [first, second] = await Promise.all([
      generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 }),
      generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0 }),
    ]);
    const cache = createProbeCertificateCache();

    const firstCall = cache.get(first);
    const secondCall = cache.get(first);
    const otherSet = await cache.get(second);

    expect(secondCall).toBe(firstCall);
    expect((await firstCall).otherCaPem).not.toBe(otherSet.otherCaPem);
    expect((await createProbeCertificateCache().get(first)).otherCaPem).not.toBe((await firstCall).otherCaPem);
  });
});
