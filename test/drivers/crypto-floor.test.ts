import { beforeAll, describe, expect, it } from 'vitest';
import { handshakeFloorUs, measureCryptoFloor } from '../../src/drivers/crypto-floor.ts';
import type { CryptoFloor } from '../../src/drivers/crypto-floor.ts';
import { MtlsBenchError } from '../../src/errors.ts';
import type { Group, KeyType } from '../../src/scenario/types.ts';

describe('measureCryptoFloor', () => {
  const keyTypes: KeyType[] = ['rsa-2048', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'];
  const groups: Group[] = ['x25519', 'p-256', 'p-384'];
  let floor: CryptoFloor;

  beforeAll(async () => {
    floor = await measureCryptoFloor({ keyTypes, groups, timeMs: 40 });
  });

  it('measures every requested key type', () => {
    for (const keyType of keyTypes) {
      const signUs = floor.signUs[keyType];
      const verifyUs = floor.verifyUs[keyType];
      expect(signUs, `sign ${keyType}`).toBeGreaterThan(0);
      expect(Number.isFinite(signUs), `sign ${keyType}`).toBe(true);
      expect(verifyUs, `verify ${keyType}`).toBeGreaterThan(0);
      expect(Number.isFinite(verifyUs), `verify ${keyType}`).toBe(true);
    }
  });

  it('measures every requested group', () => {
    for (const group of groups) {
      const keyExchangeUs = floor.keyExchangeUs[group];
      expect(keyExchangeUs, group).toBeGreaterThan(0);
      expect(Number.isFinite(keyExchangeUs), group).toBe(true);
    }
  });

  it('leaves out key types nobody requested', () => {
    expect(Object.keys(floor.signUs).sort()).toEqual([...keyTypes].sort());
    expect(floor.signUs['rsa-3072']).toBeUndefined();
  });

  it('finds RSA-4096 signing slower than RSA-2048', () => {
    // Private-key operations grow about with the cube of the modulus size, so 4096 bits cost several times 2048.
    expect(floor.signUs['rsa-4096']!).toBeGreaterThan(2 * floor.signUs['rsa-2048']!);
  });

  it('finds RSA verification cheaper than RSA signing', () => {
    expect(floor.verifyUs['rsa-2048']!).toBeLessThan(floor.signUs['rsa-2048']!);
  });

  it('rejects an unknown key type', async () => {
    const measuring = measureCryptoFloor({ keyTypes: ['rsa-1024' as KeyType], groups: [] });

    await expect(measuring).rejects.toBeInstanceOf(MtlsBenchError);
    await expect(measuring).rejects.toThrow(/keyTypes\[0\]: got "rsa-1024"/);
  });

  it('rejects a non-positive time budget', async () => {
    await expect(measureCryptoFloor({ keyTypes: [], groups: ['x25519'], timeMs: 0 })).rejects.toThrow(/timeMs: got 0/);
  });
});

describe('handshakeFloorUs', () => {
  const floor: CryptoFloor = {
    signUs: { 'rsa-2048': 1000, 'ecdsa-p256': 30 },
    verifyUs: { 'rsa-2048': 20, 'ecdsa-p256': 60 },
    keyExchangeUs: { x25519: 50 },
  };

  it('prices a tls handshake without a chain', () => {
    const estimate = handshakeFloorUs(floor, {
      serverKeyType: 'rsa-2048',
      clientKeyType: 'ecdsa-p256',
      group: 'x25519',
      auth: 'tls',
      chainDepth: 0,
    });

    // Server: sign 1000 + key exchange 50. Client: key exchange 50 + CertificateVerify 20 + leaf 20.
    expect(estimate.serverUs).toBe(1050);
    expect(estimate.clientUs).toBe(90);
  });

  it('adds client authentication work for mtls', () => {
    const estimate = handshakeFloorUs(floor, {
      serverKeyType: 'rsa-2048',
      clientKeyType: 'ecdsa-p256',
      group: 'x25519',
      auth: 'mtls',
      chainDepth: 2,
    });

    // Server: 1000 + 50 + client CertificateVerify 60 + three chain signatures 3 × 20.
    expect(estimate.serverUs).toBe(1170);
    // Client: 50 + server CertificateVerify 20 + three chain signatures 3 × 20 + own sign 30.
    expect(estimate.clientUs).toBe(160);
  });

  it('prices chain signatures with the server key type', () => {
    const estimate = handshakeFloorUs(floor, {
      serverKeyType: 'ecdsa-p256',
      clientKeyType: 'rsa-2048',
      group: 'x25519',
      auth: 'mtls',
      chainDepth: 1,
    });

    // Server: sign 30 + 50 + client CertificateVerify 20 + two chain signatures 2 × 60.
    expect(estimate.serverUs).toBe(220);
    // Client: 50 + 60 + 2 × 60 + own sign 1000.
    expect(estimate.clientUs).toBe(1230);
  });

  it('rejects a floor without the needed group', () => {
    const estimate = () =>
      handshakeFloorUs(floor, {
        serverKeyType: 'rsa-2048',
        clientKeyType: 'rsa-2048',
        group: 'p-384',
        auth: 'tls',
        chainDepth: 0,
      });

    expect(estimate).toThrow(MtlsBenchError);
    expect(estimate).toThrow(/keyExchangeUs has no entry for p-384/);
  });
});
