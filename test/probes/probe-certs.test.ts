import { X509Certificate, createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MtlsBenchError } from '../../src/errors.ts';
import { generateCertificateSet } from '../../src/pki/generate.ts';
import { keyTypeOfPublicKey } from '../../src/pki/keys.ts';
import { generateProbeCertificates, generateProbeCertificatesFor } from '../../src/pki/probe-certs.ts';
import type { ProbeCertificate, ProbeCertificates, ProbeClientCertificate } from '../../src/pki/probe-certs.ts';
import type { CertificateSet } from '../../src/pki/types.ts';

const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

let depthZero: CertificateSet;
let depthOne: CertificateSet;
let depthZeroProbes: ProbeCertificates;
let depthOneProbes: ProbeCertificates;

beforeAll(async () => {
  [depthZero, depthOne] = await Promise.all([
    generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ed25519', chainDepth: 0 }),
    generateCertificateSet({ serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256', chainDepth: 1 }),
  ]);
  [depthZeroProbes, depthOneProbes] = await Promise.all([
    generateProbeCertificatesFor(depthZero),
    generateProbeCertificatesFor(depthOne),
  ]);
});

function ready(certificate: ProbeCertificate): ProbeClientCertificate {
  if (certificate.state !== 'ready') throw new Error(`probe certificate was skipped: ${certificate.reason}`);
  return certificate;
}

/** Splits a PEM bundle into its certificates, in order. */
function certificatesOf(chainPem: string): X509Certificate[] {
  const pems = chainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
  return pems.map((pem) => new X509Certificate(pem));
}

function leafOf(certificate: ProbeCertificate): X509Certificate {
  const [leaf] = certificatesOf(ready(certificate).certChainPem);
  if (leaf === undefined) throw new Error('the chain contains no certificate');
  return leaf;
}

describe('generateProbeCertificates', () => {
  it('issues an expired leaf under the right chain', () => {
    const expired = ready(depthOneProbes.expired);
    const leaf = leafOf(expired);
    const intermediate = new X509Certificate(depthOne.intermediates[0]?.certPem ?? '');

    expect(Date.parse(leaf.validTo)).toBeLessThan(Date.now() - 23 * 60 * 60 * 1000);
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.parse(leaf.validTo));
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(leaf.keyUsage).toEqual([CLIENT_AUTH_OID]);
  });

  it('sends the intermediates after a right-chain leaf', () => {
    const chain = certificatesOf(ready(depthOneProbes.expired).certChainPem);

    expect(chain).toHaveLength(2);
    expect(chain[1]?.raw.equals(new X509Certificate(depthOne.intermediates[0]?.certPem ?? '').raw)).toBe(true);
  });

  it('issues a serverAuth-only leaf under the right chain', () => {
    const leaf = leafOf(depthOneProbes.serverAuthOnly);
    const intermediate = new X509Certificate(depthOne.intermediates[0]?.certPem ?? '');

    expect(leaf.keyUsage).toEqual([SERVER_AUTH_OID]);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(Date.parse(leaf.validTo)).toBeGreaterThan(Date.now());
  });

  it('signs right-chain leaves with the root at depth 0', () => {
    const root = new X509Certificate(depthZero.caPem);

    for (const certificate of [depthZeroProbes.expired, depthZeroProbes.serverAuthOnly]) {
      const chain = certificatesOf(ready(certificate).certChainPem);
      expect(chain).toHaveLength(1);
      expect(chain[0]?.verify(root.publicKey)).toBe(true);
    }
  });

  it('issues the unsent-intermediate leaf under the set intermediate', () => {
    const unsent = ready(depthOneProbes.unsentIntermediate);
    const chain = certificatesOf(unsent.certChainPem);
    const intermediate = new X509Certificate(depthOne.intermediates[0]?.certPem ?? '');

    expect(chain).toHaveLength(1);
    expect(chain[0]?.issuer).toBe(intermediate.subject);
    expect(chain[0]?.verify(intermediate.publicKey)).toBe(true);
    expect(unsent.issuerCertPem).toBe(depthOne.intermediates[0]?.certPem);
  });

  it('makes an extra intermediate under the root at depth 0', () => {
    const unsent = ready(depthZeroProbes.unsentIntermediate);
    const chain = certificatesOf(unsent.certChainPem);
    const extra = new X509Certificate(unsent.issuerCertPem);
    const root = new X509Certificate(depthZero.caPem);

    expect(chain).toHaveLength(1);
    expect(extra.ca).toBe(true);
    expect(extra.subject).not.toBe(root.subject);
    expect(extra.verify(root.publicKey)).toBe(true);
    expect(chain[0]?.issuer).toBe(extra.subject);
    expect(chain[0]?.verify(extra.publicKey)).toBe(true);
  });

  it('issues the other-CA leaf under a root the server does not trust', () => {
    const otherRoot = new X509Certificate(depthOneProbes.otherCaPem);
    const realRoot = new X509Certificate(depthOne.caPem);
    const leaf = leafOf(depthOneProbes.otherCa);

    expect(otherRoot.ca).toBe(true);
    expect(otherRoot.subject).not.toBe(realRoot.subject);
    expect(otherRoot.publicKey.equals(realRoot.publicKey)).toBe(false);
    expect(leaf.verify(otherRoot.publicKey)).toBe(true);
    expect(leaf.checkIssued(realRoot)).toBe(false);
    expect(leaf.keyUsage).toEqual([CLIENT_AUTH_OID]);
  });

  it('gives every leaf its key and the client key type', () => {
    const leaves = [depthZeroProbes.otherCa, depthZeroProbes.expired, depthZeroProbes.serverAuthOnly, depthZeroProbes.unsentIntermediate];

    for (const certificate of leaves) {
      const leaf = leafOf(certificate);
      expect(leaf.checkPrivateKey(createPrivateKey(ready(certificate).keyPem))).toBe(true);
      expect(keyTypeOfPublicKey(leaf.publicKey)).toBe('ed25519');
    }
  });

  it('skips right-chain probes without a CA key', async () => {
    const probes = await generateProbeCertificates({ caCertPem: depthZero.caPem, caKeyPem: null });

    for (const certificate of [probes.expired, probes.serverAuthOnly, probes.unsentIntermediate]) {
      expect(certificate.state).toBe('skipped');
      expect(certificate.state === 'skipped' ? certificate.reason : '').toContain('ca-key.pem');
    }
    expect(probes.otherCa.state).toBe('ready');
  });

  it('uses intermediates when the root key is missing', async () => {
    const probes = await generateProbeCertificates({
      caCertPem: depthOne.caPem,
      caKeyPem: null,
      intermediates: depthOne.intermediates,
    });

    expect(probes.expired.state).toBe('ready');
    expect(probes.serverAuthOnly.state).toBe('ready');
    expect(probes.unsentIntermediate.state).toBe('ready');
  });

  it('rejects a CA key that does not match', async () => {
    const promise = generateProbeCertificates({ caCertPem: depthZero.caPem, caKeyPem: depthOne.rootKeyPem ?? '' });

    await expect(promise).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(promise).rejects.toThrow('does not match');
  });

  it('rejects a CA certificate that is not PEM', async () => {
    const promise = generateProbeCertificates({ caCertPem: 'not a certificate', caKeyPem: null });

    await expect(promise).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(promise).rejects.toThrow('root CA certificate: not a PEM certificate');
  });

  it('makes a fresh other CA per call', async () => {
    const again = await generateProbeCertificatesFor(depthOne);

    expect(again.otherCaPem).not.toBe(depthOneProbes.otherCaPem);
  });
});
