import { X509Certificate, createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MtlsBenchError } from '../../src/errors.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import { keyTypeOfPublicKey } from '../../src/pki/keys.ts';
import type { CertificateSet } from '../../src/pki/types.ts';
import { x509 } from '../../src/pki/x509.ts';
import { CHAIN_DEPTHS, KEY_TYPES } from '../../src/scenario/types.ts';
import type { ChainDepth, KeyType } from '../../src/scenario/types.ts';

const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Returns the key type after `serverKeyType`, so every type also appears as a client leaf. */
function clientKeyTypeFor(serverKeyType: KeyType): KeyType {
  const index = KEY_TYPES.indexOf(serverKeyType);
  return KEY_TYPES[(index + 1) % KEY_TYPES.length] as KeyType;
}

function splitPemChain(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
}

function setKey(serverKeyType: KeyType, chainDepth: ChainDepth): string {
  return `${serverKeyType}/d${chainDepth}`;
}

const sets = new Map<string, CertificateSet>();

function getSet(serverKeyType: KeyType, chainDepth: ChainDepth): CertificateSet {
  const set = sets.get(setKey(serverKeyType, chainDepth));
  if (set === undefined) {
    throw new Error(`no certificate set for ${setKey(serverKeyType, chainDepth)}`);
  }
  return set;
}

describe.each(KEY_TYPES)('generateCertificateSet with server key type %s', (serverKeyType) => {
  const clientKeyType = clientKeyTypeFor(serverKeyType);
  let generatedAtMs = 0;

  // One hook per key type keeps the slow RSA-4096 generation within its own hook timeout.
  // The three depths run at once, so RSA key generation spreads over every core, and each
  // set is generated once in this file and shared by the tests below.
  beforeAll(async () => {
    generatedAtMs = Date.now();
    const generated = await Promise.all(
      CHAIN_DEPTHS.map((chainDepth) => generateCertificateSet({ serverKeyType, clientKeyType, chainDepth })),
    );
    for (const set of generated) {
      sets.set(setKey(set.serverKeyType, set.chainDepth), set);
    }
  });

  it.each(CHAIN_DEPTHS)('chains both leaves to the root at depth %i', (chainDepth) => {
    const set = getSet(serverKeyType, chainDepth);
    const root = new X509Certificate(set.caPem);
    const intermediates = set.intermediates.map((pair) => new X509Certificate(pair.certPem));
    const server = new X509Certificate(set.server.certPem);
    const client = new X509Certificate(set.client.certPem);

    expect(set.serverKeyType).toBe(serverKeyType);
    expect(set.clientKeyType).toBe(clientKeyType);
    expect(set.chainDepth).toBe(chainDepth);
    expect(intermediates).toHaveLength(chainDepth);

    expect(root.checkIssued(root)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);

    // Walk down from the root: each certificate is issued and signed by the one above it.
    const path = [root, ...intermediates];
    for (let index = 1; index < path.length; index++) {
      const cert = path[index] as X509Certificate;
      const issuer = path[index - 1] as X509Certificate;
      expect(cert.checkIssued(issuer)).toBe(true);
      expect(cert.verify(issuer.publicKey)).toBe(true);
    }

    const leafIssuer = path[path.length - 1] as X509Certificate;
    for (const leaf of [server, client]) {
      expect(leaf.checkIssued(leafIssuer)).toBe(true);
      expect(leaf.verify(leafIssuer.publicKey)).toBe(true);
      expect(leaf.verify(root.publicKey)).toBe(chainDepth === 0);
    }
  });

  it.each(CHAIN_DEPTHS)('orders chain PEMs leaf first without the root at depth %i', (chainDepth) => {
    const set = getSet(serverKeyType, chainDepth);
    const root = new X509Certificate(set.caPem);

    for (const [chainPem, leafPem] of [
      [set.serverChainPem, set.server.certPem],
      [set.clientChainPem, set.client.certPem],
    ] as const) {
      const chain = splitPemChain(chainPem).map((pem) => new X509Certificate(pem));
      expect(chain).toHaveLength(chainDepth + 1);
      expect(chain[0]?.fingerprint256).toBe(new X509Certificate(leafPem).fingerprint256);
      for (let index = 0; index + 1 < chain.length; index++) {
        expect(chain[index]?.checkIssued(chain[index + 1] as X509Certificate)).toBe(true);
      }
      expect(chain[chain.length - 1]?.checkIssued(root)).toBe(true);
      expect(chain.some((cert) => cert.fingerprint256 === root.fingerprint256)).toBe(false);
    }
  });

  it('marks CAs and leaves with basic constraints and usages', () => {
    const set = getSet(serverKeyType, 2);
    const root = new X509Certificate(set.caPem);
    const intermediates = set.intermediates.map((pair) => new X509Certificate(pair.certPem));
    const server = new X509Certificate(set.server.certPem);
    const client = new X509Certificate(set.client.certPem);

    expect(root.ca).toBe(true);
    for (const intermediate of intermediates) {
      expect(intermediate.ca).toBe(true);
    }
    expect(server.ca).toBe(false);
    expect(client.ca).toBe(false);

    // Node's keyUsage property lists extended key usage OIDs.
    expect(server.keyUsage).toEqual([SERVER_AUTH_OID]);
    expect(client.keyUsage).toEqual([CLIENT_AUTH_OID]);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(client.subjectAltName).toBe('DNS:mtls-bench-client');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });

  it('writes critical CA extensions with decreasing pathLen', () => {
    const set = getSet(serverKeyType, 2);
    const cas = [set.caPem, ...set.intermediates.map((pair) => pair.certPem)].map(
      (pem) => new x509.X509Certificate(pem),
    );

    expect(cas.map((cert) => cert.getExtension(x509.BasicConstraintsExtension)?.pathLength)).toEqual([2, 1, 0]);
    for (const cert of cas) {
      const basicConstraints = cert.getExtension(x509.BasicConstraintsExtension);
      const keyUsages = cert.getExtension(x509.KeyUsagesExtension);
      expect(basicConstraints?.ca).toBe(true);
      expect(basicConstraints?.critical).toBe(true);
      expect(keyUsages?.critical).toBe(true);
      expect(keyUsages?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    }
  });

  it('gives leaves digitalSignature and keyEncipherment only for RSA', () => {
    const set = getSet(serverKeyType, 1);
    const server = new x509.X509Certificate(set.server.certPem);
    const client = new x509.X509Certificate(set.client.certPem);
    const { digitalSignature, keyEncipherment } = x509.KeyUsageFlags;

    const expectedServerUsages = serverKeyType.startsWith('rsa-') ? digitalSignature | keyEncipherment : digitalSignature;
    expect(server.getExtension(x509.KeyUsagesExtension)?.usages).toBe(expectedServerUsages);
    expect(client.getExtension(x509.KeyUsagesExtension)?.usages).toBe(digitalSignature);
    for (const leaf of [server, client]) {
      const basicConstraints = leaf.getExtension(x509.BasicConstraintsExtension);
      expect(basicConstraints?.ca).toBe(false);
      expect(basicConstraints?.critical).toBe(true);
    }
  });

  it('links authority key identifiers to issuer subject key identifiers', () => {
    const set = getSet(serverKeyType, 2);
    const [root, first, second, server, client] = [
      set.caPem,
      ...set.intermediates.map((pair) => pair.certPem),
      set.server.certPem,
      set.client.certPem,
    ].map((pem) => new x509.X509Certificate(pem));
    const keyIdOf = (cert: x509.X509Certificate | undefined) =>
      cert?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    const authorityKeyIdOf = (cert: x509.X509Certificate | undefined) =>
      cert?.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;

    expect(keyIdOf(root)).toMatch(/^[0-9a-f]{40}$/);
    expect(authorityKeyIdOf(root)).toBe(keyIdOf(root));
    expect(authorityKeyIdOf(first)).toBe(keyIdOf(root));
    expect(authorityKeyIdOf(second)).toBe(keyIdOf(first));
    expect(authorityKeyIdOf(server)).toBe(keyIdOf(second));
    expect(authorityKeyIdOf(client)).toBe(keyIdOf(second));
    expect(keyIdOf(server)).not.toBe(keyIdOf(client));
  });

  it('signs with the CA key type and its hash', () => {
    const set = getSet(serverKeyType, 1);
    const expectedName = serverKeyType.startsWith('rsa-')
      ? 'RSASSA-PKCS1-v1_5'
      : serverKeyType === 'ed25519'
        ? 'Ed25519'
        : 'ECDSA';
    const expectedHash = serverKeyType === 'ecdsa-p384' ? 'SHA-384' : 'SHA-256';

    for (const pem of [set.caPem, set.intermediates[0]?.certPem ?? '', set.server.certPem, set.client.certPem]) {
      const algorithm = new x509.X509Certificate(pem).signatureAlgorithm as Algorithm & { hash?: Algorithm };
      expect(algorithm.name).toBe(expectedName);
      if (expectedName !== 'Ed25519') {
        expect(algorithm.hash?.name).toBe(expectedHash);
      }
    }
  });

  it('uses the server key type for CAs and each leaf its own', () => {
    const set = getSet(serverKeyType, 2);
    const caPems = [set.caPem, ...set.intermediates.map((pair) => pair.certPem)];

    for (const pem of caPems) {
      expect(keyTypeOfPublicKey(new X509Certificate(pem).publicKey)).toBe(serverKeyType);
    }
    expect(keyTypeOfPublicKey(new X509Certificate(set.server.certPem).publicKey)).toBe(serverKeyType);
    expect(keyTypeOfPublicKey(new X509Certificate(set.client.certPem).publicKey)).toBe(clientKeyType);
  });

  it('exports PKCS#8 keys matching their certificates', () => {
    const set = getSet(serverKeyType, 1);
    const pairs = [{ certPem: set.caPem, keyPem: set.rootKeyPem ?? '' }, ...set.intermediates, set.server, set.client];

    for (const pair of pairs) {
      expect(pair.keyPem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
      const privateKey = createPrivateKey(pair.keyPem);
      expect(new X509Certificate(pair.certPem).checkPrivateKey(privateKey)).toBe(true);
    }
    expect(new X509Certificate(set.server.certPem).checkPrivateKey(createPrivateKey(set.client.keyPem))).toBe(false);
  });

  it('backdates notBefore one hour and expires days later', () => {
    const set = getSet(serverKeyType, 2);
    const pems = [set.caPem, ...set.intermediates.map((pair) => pair.certPem), set.server.certPem, set.client.certPem];

    for (const pem of pems) {
      const cert = new X509Certificate(pem);
      const validFromMs = Date.parse(cert.validFrom);
      const validToMs = Date.parse(cert.validTo);
      // X.509 times have whole seconds, so allow rounding on both sides of the generation time.
      expect(validFromMs).toBeGreaterThanOrEqual(generatedAtMs - HOUR_MS - 2_000);
      expect(validFromMs).toBeLessThanOrEqual(Date.now() - HOUR_MS + 2_000);
      expect(validToMs - validFromMs).toBe(7 * DAY_MS);
    }
  });

  it('gives every certificate a distinct positive serial number', () => {
    const set = getSet(serverKeyType, 2);
    const pems = [set.caPem, ...set.intermediates.map((pair) => pair.certPem), set.server.certPem, set.client.certPem];
    const serials = pems.map((pem) => new X509Certificate(pem).serialNumber);

    expect(new Set(serials).size).toBe(serials.length);
    for (const serial of serials) {
      // 16 bytes whose first hex digit is below 8, so the DER INTEGER is positive.
      expect(serial).toMatch(/^[0-7][0-9A-F]{31}$/);
    }
  });
});

describe('generateCertificateSet options', () => {
  it('applies validFrom and validDays', async () => {
    const validFrom = new Date('2030-01-02T03:04:05Z');
    const set = await generateCertificateSet({
      serverKeyType: 'ecdsa-p256',
      clientKeyType: 'ecdsa-p256',
      chainDepth: 1,
      validFrom,
      validDays: 2,
    });

    for (const pem of [set.caPem, set.intermediates[0]?.certPem ?? '', set.server.certPem, set.client.certPem]) {
      const cert = new X509Certificate(pem);
      expect(Date.parse(cert.validFrom)).toBe(validFrom.getTime());
      expect(Date.parse(cert.validTo)).toBe(validFrom.getTime() + 2 * DAY_MS);
    }
  });

  it('generates fresh keys on every call', async () => {
    const options = { serverKeyType: 'ed25519', clientKeyType: 'ed25519', chainDepth: 0 } as const;
    const [first, second] = await Promise.all([generateCertificateSet(options), generateCertificateSet(options)]);

    expect(first.server.keyPem).not.toBe(second.server.keyPem);
    expect(first.caPem).not.toBe(second.caPem);
  });

  it.each([
    [{ serverKeyType: 'rsa-1024' }, 'serverKeyType: got rsa-1024'],
    [{ clientKeyType: 'dsa' }, 'clientKeyType: got dsa'],
    [{ chainDepth: 3 }, 'chainDepth: got 3'],
    [{ validDays: 0 }, 'validDays: got 0'],
    [{ validDays: Number.NaN }, 'validDays: got NaN'],
    [{ validFrom: new Date('not a date') }, 'validFrom: got Invalid Date'],
  ])('rejects invalid option %o', async (override, message) => {
    const options = { serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 0, ...override };
    const promise = generateCertificateSet(options as Parameters<typeof generateCertificateSet>[0]);

    await expect(promise).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(promise).rejects.toThrow(message);
  });
});
