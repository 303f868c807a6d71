import { X509Certificate, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NegotiationTally, PEER_CERT_SAMPLE_INTERVAL, peerKeyTypeOf } from '../../src/checks/tally.ts';
import type { NegotiationObservation } from '../../src/checks/tally.ts';
import { x509 } from '../../src/pki/x509.ts';
import { certsFor } from '../servers/scenario-fixture.ts';

const FULL: NegotiationObservation = {
  protocol: 'TLSv1.3',
  cipherSuite: 'TLS_AES_256_GCM_SHA384',
  resumed: false,
  group: 'x25519',
  peerKeyType: null,
  clientCertVerified: null,
};

describe('NegotiationTally', () => {
  it('merges connections with the same values', () => {
    const tally = new NegotiationTally();

    tally.add(FULL);
    tally.add({ ...FULL });
    tally.add({ ...FULL, resumed: true, group: null });

    expect(tally.counts()).toEqual([
      { ...FULL, count: 2 },
      { ...FULL, resumed: true, group: null, count: 1 },
    ]);
  });

  it('keeps null and unknown values apart', () => {
    const tally = new NegotiationTally();

    tally.add(FULL);
    tally.add({ ...FULL, peerKeyType: 'none' });
    tally.add({ ...FULL, peerKeyType: 'unknown' });

    expect(tally.counts().map((entry) => entry.peerKeyType)).toEqual([null, 'none', 'unknown']);
  });

  it('samples full handshakes at the interval', () => {
    const tally = new NegotiationTally();
    const due: number[] = [];

    for (let handshake = 0; handshake < 2 * PEER_CERT_SAMPLE_INTERVAL + 1; handshake++) {
      if (tally.peerCertDue()) due.push(handshake);
      tally.add(FULL);
      // Resumed handshakes carry no certificate and do not move the sampling on.
      tally.add({ ...FULL, resumed: true });
    }

    expect(due).toEqual([0, PEER_CERT_SAMPLE_INTERVAL, 2 * PEER_CERT_SAMPLE_INTERVAL]);
  });

  it('starts over after clear', () => {
    const tally = new NegotiationTally();
    tally.add(FULL);

    tally.clear();

    expect(tally.counts()).toEqual([]);
    expect(tally.peerCertDue()).toBe(true);
  });

  it('returns counts that later adds leave alone', () => {
    const tally = new NegotiationTally();
    tally.add(FULL);

    const counts = tally.counts();
    tally.add(FULL);

    expect(counts[0]?.count).toBe(1);
  });
});

describe('peerKeyTypeOf', () => {
  it('names the key type of a generated leaf', async () => {
    const certs = await certsFor('ed25519', 'ecdsa-p256');

    expect(peerKeyTypeOf(new X509Certificate(certs.server.certPem))).toBe('ed25519');
    expect(peerKeyTypeOf(new X509Certificate(certs.client.certPem))).toBe('ecdsa-p256');
  });

  it('calls a missing certificate none', () => {
    expect(peerKeyTypeOf(undefined)).toBe('none');
  });

  it('calls another key type unknown', async () => {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 };
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=rsa-1024',
      keys: keys as unknown as CryptoKeyPair,
      signingAlgorithm: algorithm,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 60_000),
    });

    expect(peerKeyTypeOf(new X509Certificate(certificate.toString('pem')))).toBe('unknown');
  });
});
