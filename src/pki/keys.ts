import type { KeyObject } from 'node:crypto';
import { webcrypto } from 'node:crypto';
import type { KeyType } from '../scenario/types.ts';

/** WebCrypto parameters for generating a key pair of one key type and signing with it. */
export interface KeyAlgorithm {
  /** Passed to `crypto.subtle.generateKey`. */
  generate: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm;
  /** Passed as `signingAlgorithm` when this key signs a certificate. */
  sign: Algorithm | EcdsaParams;
}

/** 65537, big-endian, as WebCrypto expects `publicExponent`. */
const RSA_PUBLIC_EXPONENT = new Uint8Array([0x01, 0x00, 0x01]);

function rsaAlgorithm(modulusLength: number): KeyAlgorithm {
  return {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: RSA_PUBLIC_EXPONENT, hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  };
}

const KEY_ALGORITHMS: Record<KeyType, KeyAlgorithm> = {
  'rsa-2048': rsaAlgorithm(2048),
  'rsa-3072': rsaAlgorithm(3072),
  'rsa-4096': rsaAlgorithm(4096),
  'ecdsa-p256': {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
  // SHA-384 matches the curve's strength and is the pairing TLS 1.3 names for P-384
  // (the ecdsa_secp384r1_sha384 signature scheme).
  'ecdsa-p384': {
    generate: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', hash: 'SHA-384' },
  },
  ed25519: {
    generate: { name: 'Ed25519' },
    sign: { name: 'Ed25519' },
  },
};

/**
 * Returns the WebCrypto parameters for a key type: RSASSA-PKCS1-v1_5 with SHA-256 and public
 * exponent 65537 for RSA, ECDSA P-256 with SHA-256, ECDSA P-384 with SHA-384, or Ed25519.
 */
export function keyAlgorithmFor(keyType: KeyType): KeyAlgorithm {
  return KEY_ALGORITHMS[keyType];
}

/** Generates an extractable key pair of the given type with Node's WebCrypto. */
export async function generateKeyPair(keyType: KeyType): Promise<webcrypto.CryptoKeyPair> {
  const { generate } = keyAlgorithmFor(keyType);
  // generateKey returns a CryptoKeyPair for every asymmetric algorithm used here.
  return (await webcrypto.subtle.generateKey(generate, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

const RSA_KEY_TYPES_BY_BITS: ReadonlyMap<number, KeyType> = new Map([
  [2048, 'rsa-2048'],
  [3072, 'rsa-3072'],
  [4096, 'rsa-4096'],
]);

/** OpenSSL curve names, as `asymmetricKeyDetails.namedCurve` reports them. */
const EC_KEY_TYPES_BY_CURVE: ReadonlyMap<string, KeyType> = new Map([
  ['prime256v1', 'ecdsa-p256'],
  ['secp384r1', 'ecdsa-p384'],
]);

/**
 * Maps a key, typically `X509Certificate.publicKey` of a peer certificate, to this project's
 * key type. Returns null for keys the project does not generate: RSA-PSS keys, other RSA
 * modulus sizes or exponents, other curves, Ed448, X25519 and the like.
 */
export function keyTypeOfPublicKey(key: KeyObject): KeyType | null {
  const details = key.asymmetricKeyDetails ?? {};

  switch (key.asymmetricKeyType) {
    case 'rsa': {
      if (details.publicExponent !== 65537n || details.modulusLength === undefined) {
        return null;
      }
      return RSA_KEY_TYPES_BY_BITS.get(details.modulusLength) ?? null;
    }
    case 'ec':
      return details.namedCurve === undefined ? null : (EC_KEY_TYPES_BY_CURVE.get(details.namedCurve) ?? null);
    case 'ed25519':
      return 'ed25519';
    default:
      return null;
  }
}

/** True when the key type is one of the RSA sizes, whose TLS leaves also get keyEncipherment. */
export function isRsaKeyType(keyType: KeyType): boolean {
  return keyType.startsWith('rsa-');
}
