import { KeyObject, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, keyAlgorithmFor, keyTypeOfPublicKey } from '../../src/pki/keys.ts';
import { KEY_TYPES } from '../../src/scenario/types.ts';
import type { KeyType } from '../../src/scenario/types.ts';

describe('keyAlgorithmFor', () => {
  it.each([
    ['rsa-2048', 2048],
    ['rsa-3072', 3072],
    ['rsa-4096', 4096],
  ] as const)('uses RSASSA-PKCS1-v1_5 with SHA-256 for %s', (keyType, modulusLength) => {
    const algorithm = keyAlgorithmFor(keyType);

    expect(algorithm.generate).toEqual({
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    });
    expect(algorithm.sign).toEqual({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  });

  it.each([
    ['ecdsa-p256', 'P-256', 'SHA-256'],
    ['ecdsa-p384', 'P-384', 'SHA-384'],
  ] as const)('pairs %s with its curve and hash', (keyType, namedCurve, hash) => {
    const algorithm = keyAlgorithmFor(keyType);

    expect(algorithm.generate).toEqual({ name: 'ECDSA', namedCurve });
    expect(algorithm.sign).toEqual({ name: 'ECDSA', hash });
  });

  it('uses Ed25519 without a separate hash', () => {
    expect(keyAlgorithmFor('ed25519')).toEqual({ generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } });
  });
});

describe('keyTypeOfPublicKey', () => {
  // One generation per key type, RSA-4096 included, because the round trip is the point.
  it.each(KEY_TYPES)('round-trips a generated %s key', async (keyType: KeyType) => {
    const keys = await generateKeyPair(keyType);
    const publicKey = KeyObject.from(keys.publicKey);

    expect(publicKey.type).toBe('public');
    expect(keyTypeOfPublicKey(publicKey)).toBe(keyType);
  });

  it.each([
    ['rsa 1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 })],
    ['rsa 2048 with exponent 3', () => generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 })],
    ['rsa-pss 2048', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 })],
    ['ec secp256k1', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' })],
    ['ec P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['ed448', () => generateKeyPairSync('ed448')],
    ['x25519', () => generateKeyPairSync('x25519')],
  ])('returns null for %s', (_label, generate) => {
    expect(keyTypeOfPublicKey(generate().publicKey)).toBeNull();
  });

  it('maps Node-generated keys of the project types', () => {
    expect(keyTypeOfPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toBe('ecdsa-p256');
    expect(keyTypeOfPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)).toBe('ecdsa-p384');
    expect(keyTypeOfPublicKey(generateKeyPairSync('ed25519').publicKey)).toBe('ed25519');
    expect(keyTypeOfPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).toBe('rsa-2048');
  });
});
