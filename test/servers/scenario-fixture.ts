import { generateCertificateSet } from '../../src/pki/generate.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import type { KeyType, TlsScenario } from '../../src/scenario/types.ts';
import { startEchoServer } from '../../src/servers/spawn.ts';
import type { EchoServerHandle } from '../../src/servers/spawn.ts';

/** Builds a TLS 1.3 mTLS scenario with ECDSA P-256 keys, X25519 and no resumption, with overrides. */
export function scenarioOf(overrides: Partial<TlsScenario> = {}): TlsScenario {
  return {
    serverKeyType: 'ecdsa-p256',
    clientKeyType: 'ecdsa-p256',
    tlsVersion: 'tls1.3',
    cipherSuite: null,
    group: 'x25519',
    resumption: 'none',
    auth: 'mtls',
    chainDepth: 1,
    ...overrides,
  };
}

const certificateSets = new Map<string, Promise<CertificateSet>>();

/** Generates a certificate set once per key-type pair and test file, with one intermediate. */
export function certsFor(serverKeyType: KeyType = 'ecdsa-p256', clientKeyType: KeyType = serverKeyType): Promise<CertificateSet> {
  const key = `${serverKeyType}+${clientKeyType}`;
  let certs = certificateSets.get(key);
  if (certs === undefined) {
    certs = generateCertificateSet({ serverKeyType, clientKeyType, chainDepth: 1 });
    certificateSets.set(key, certs);
  }
  return certs;
}

/** Starts an echo server for `tls`, runs `body` with it and stops the server afterwards. */
export async function withEchoServer<T>(
  tls: TlsScenario,
  certs: CertificateSet,
  body: (server: EchoServerHandle) => Promise<T>,
): Promise<T> {
  const server = await startEchoServer({ tls, certs, payloadBytes: 64 });
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
