/**
 * Crypto floor: what the public-key operations of one full handshake cost on this machine,
 * measured one by one with tinybench through `node:crypto`'s synchronous APIs (OpenSSL
 * underneath, the same library the TLS stack uses).
 *
 * Known limits:
 * - RSA signatures use RSA-PSS with SHA-256 and a 32-byte salt for both TLS versions, because
 *   OpenSSL also prefers rsa_pss_rsae_sha256 in TLS 1.2. A TLS 1.2 server with an RSA leaf
 *   signed with RSA-PSS when checked on Node 20.20 with OpenSSL 3.0.19. The certificates
 *   themselves carry RSASSA-PKCS1-v1_5 signatures. Both paddings cost one modular
 *   exponentiation of the same size, so one verify figure serves for both.
 * - Each operation goes through Node's KeyObject layer, which adds a few microseconds per call
 *   compared with `openssl speed`. On the fastest operations, such as ECDSA P-256 signing,
 *   that is a visible share of the figure.
 */
import { constants, diffieHellman, generateKeyPair, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { Bench } from 'tinybench';
import { MtlsBenchError } from '../errors.ts';
import { GROUPS, KEY_TYPES } from '../scenario/types.ts';
import type { Auth, ChainDepth, Group, KeyType } from '../scenario/types.ts';

/** Time budget per measured operation in milliseconds, when the caller gives none. */
export const DEFAULT_CRYPTO_FLOOR_TIME_MS = 100;

/**
 * Minimum samples per operation. RSA-4096 signing takes milliseconds per call, so a short time
 * budget alone could leave too few samples for a stable median.
 */
const MIN_ITERATIONS = 8;

/** Warm-up runs before measuring, so cold caches and lazy initialisation of the first calls are not timed. */
const WARMUP_ITERATIONS = 4;

/**
 * Signed message. A handshake signs a hash-sized transcript digest wrapped in a short header,
 * and hashing 64 bytes costs nothing next to the public-key operation.
 */
const MESSAGE = Buffer.alloc(64, 0x20);

const RSA_PUBLIC_EXPONENT = 0x10001;

/**
 * Median time per operation in microseconds. Each record contains exactly the key types and
 * groups that were requested.
 */
export interface CryptoFloor {
  /** One signature with the key type's TLS signature scheme: what a CertificateVerify costs. */
  signUs: Partial<Record<KeyType, number>>;
  /** One verification of such a signature. */
  verifyUs: Partial<Record<KeyType, number>>;
  /** One ephemeral key pair plus one shared-secret derivation: what one side's key exchange costs. */
  keyExchangeUs: Partial<Record<Group, number>>;
}

/** Options of `measureCryptoFloor`. */
export interface CryptoFloorOptions {
  keyTypes: readonly KeyType[];
  groups: readonly Group[];
  /** Time budget per operation in milliseconds. Default 100. */
  timeMs?: number;
}

const generateKeyPairAsync = promisify(generateKeyPair);

interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Generates a key pair off the main thread, so RSA-4096 keys of several types build in parallel. */
async function generateSigningKeys(keyType: KeyType): Promise<SigningKeys> {
  switch (keyType) {
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096': {
      const modulusLength = Number(keyType.slice('rsa-'.length));
      return generateKeyPairAsync('rsa', { modulusLength, publicExponent: RSA_PUBLIC_EXPONENT });
    }
    case 'ecdsa-p256':
      return generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
    case 'ecdsa-p384':
      return generateKeyPairAsync('ec', { namedCurve: 'secp384r1' });
    case 'ed25519':
      return generateKeyPairAsync('ed25519');
  }
}

interface SignatureScheme {
  /** Digest name for `crypto.sign`, or null for Ed25519, which hashes internally. */
  digest: string | null;
  rsaPss: boolean;
}

/** TLS 1.3 signature schemes: rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ed25519. */
function signatureSchemeOf(keyType: KeyType): SignatureScheme {
  switch (keyType) {
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return { digest: 'sha256', rsaPss: true };
    case 'ecdsa-p256':
      return { digest: 'sha256', rsaPss: false };
    case 'ecdsa-p384':
      return { digest: 'sha384', rsaPss: false };
    case 'ed25519':
      return { digest: null, rsaPss: false };
  }
}

function signingKeyInput(key: KeyObject, scheme: SignatureScheme) {
  return scheme.rsaPss
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : key;
}

function generateEphemeralKeyPair(group: Group): SigningKeys {
  switch (group) {
    case 'x25519':
      return generateKeyPairSync('x25519');
    case 'p-256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'p-384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  }
}

function validateOptions(options: CryptoFloorOptions): void {
  for (const [index, keyType] of options.keyTypes.entries()) {
    if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
      throw new MtlsBenchError(
        'INVALID_ARGUMENT',
        `measureCryptoFloor: keyTypes[${index}]: got ${JSON.stringify(keyType)}; expected one of ${KEY_TYPES.join(', ')}`,
      );
    }
  }
  for (const [index, group] of options.groups.entries()) {
    if (!(GROUPS as readonly string[]).includes(group)) {
      throw new MtlsBenchError(
        'INVALID_ARGUMENT',
        `measureCryptoFloor: groups[${index}]: got ${JSON.stringify(group)}; expected one of ${GROUPS.join(', ')}`,
      );
    }
  }
  const { timeMs } = options;
  if (timeMs !== undefined && !(Number.isFinite(timeMs) && timeMs > 0)) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `measureCryptoFloor: timeMs: got ${timeMs}; expected a positive number of milliseconds`,
    );
  }
}

/**
 * Measures sign and verify for each key type and one side's key exchange for each group.
 * The figure per operation is tinybench's median sample, not its mean, because a GC pause or
 * a preempted core lands in a few samples and would drag a mean of only tens of samples.
 * Takes about `2 × keyTypes + groups` times `1.25 × timeMs`, plus RSA key generation.
 */
export async function measureCryptoFloor(options: CryptoFloorOptions): Promise<CryptoFloor> {
  validateOptions(options);
  const timeMs = options.timeMs ?? DEFAULT_CRYPTO_FLOOR_TIME_MS;
  const keyTypes = [...new Set(options.keyTypes)];
  const groups = [...new Set(options.groups)];

  const bench = new Bench({
    time: timeMs,
    iterations: MIN_ITERATIONS,
    warmupTime: timeMs / 4,
    warmupIterations: WARMUP_ITERATIONS,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });

  const keys = await Promise.all(keyTypes.map(generateSigningKeys));
  for (const [index, keyType] of keyTypes.entries()) {
    const { privateKey, publicKey } = keys[index]!;
    const scheme = signatureSchemeOf(keyType);
    const signature = sign(scheme.digest, MESSAGE, signingKeyInput(privateKey, scheme));

    bench.add(`sign ${keyType}`, () => {
      sign(scheme.digest, MESSAGE, signingKeyInput(privateKey, scheme));
    });
    bench.add(`verify ${keyType}`, () => {
      if (!verify(scheme.digest, MESSAGE, signingKeyInput(publicKey, scheme), signature)) {
        throw new Error(`${keyType} signature did not verify`);
      }
    });
  }

  for (const group of groups) {
    // The peer's share is fixed, so only this side's work is timed.
    const peer = generateEphemeralKeyPair(group);
    bench.add(`key exchange ${group}`, () => {
      const { privateKey } = generateEphemeralKeyPair(group);
      diffieHellman({ privateKey, publicKey: peer.publicKey });
    });
  }

  try {
    await bench.run();
  } catch (error) {
    throw new MtlsBenchError('RUN_FAILED', `crypto floor: a micro-benchmark failed: ${String(error)}`, { cause: error });
  }

  const floor: CryptoFloor = { signUs: {}, verifyUs: {}, keyExchangeUs: {} };
  for (const keyType of keyTypes) {
    floor.signUs[keyType] = medianUs(bench, `sign ${keyType}`);
    floor.verifyUs[keyType] = medianUs(bench, `verify ${keyType}`);
  }
  for (const group of groups) {
    floor.keyExchangeUs[group] = medianUs(bench, `key exchange ${group}`);
  }
  return floor;
}

function medianUs(bench: Bench, taskName: string): number {
  const result = bench.getTask(taskName)?.result;
  if (result?.state !== 'completed') {
    throw new MtlsBenchError('RUN_FAILED', `crypto floor: task "${taskName}" ended as ${result?.state ?? 'missing'}`);
  }
  return result.latency.p50 * 1000;
}

/** Scenario fields that decide a handshake's public-key work. A `TlsScenario` fits. */
export interface HandshakeFloorScenario {
  serverKeyType: KeyType;
  clientKeyType: KeyType;
  group: Group;
  auth: Auth;
  chainDepth: ChainDepth;
}

/** Estimated minimum public-key work of one full handshake per side, in microseconds. */
export interface HandshakeFloorUs {
  serverUs: number;
  clientUs: number;
}

/**
 * Estimates the public-key work of one full handshake on each side from measured operation
 * costs. It is a floor, not a prediction. Record encryption, hashing, certificate parsing,
 * chain building, memory allocation and the TCP and event-loop work of a real handshake are
 * all left out, and a resumed handshake skips most of the public-key work.
 *
 * Per full handshake:
 * - server: one signature (CertificateVerify, or ServerKeyExchange in TLS 1.2) and one key
 *   exchange. With mTLS it also verifies the client's CertificateVerify and the client chain.
 * - client: one key exchange, the server's CertificateVerify and the server chain. With mTLS
 *   it also signs its own CertificateVerify.
 *
 * A chain of depth d carries d + 1 signatures: the leaf's and one per intermediate. The root's
 * self-signature is not checked, because OpenSSL trusts an anchor without verifying it. Every
 * CA in a certificate set, which issues both leaves, has the server's key type, so all chain
 * signatures are priced as verifications with `serverKeyType`.
 *
 * Throws an `INVALID_ARGUMENT` error when the floor lacks a key type or group the scenario needs.
 */
export function handshakeFloorUs(floor: CryptoFloor, scenario: HandshakeFloorScenario): HandshakeFloorUs {
  const { serverKeyType, clientKeyType, group, auth, chainDepth } = scenario;
  const chainSignatures = chainDepth + 1;
  const keyExchangeUs = lookup(floor.keyExchangeUs, group, 'keyExchangeUs');
  const serverSignUs = lookup(floor.signUs, serverKeyType, 'signUs');
  const serverVerifyUs = lookup(floor.verifyUs, serverKeyType, 'verifyUs');

  let serverUs = serverSignUs + keyExchangeUs;
  let clientUs = keyExchangeUs + (1 + chainSignatures) * serverVerifyUs;

  if (auth === 'mtls') {
    const clientVerifyUs = lookup(floor.verifyUs, clientKeyType, 'verifyUs');
    serverUs += clientVerifyUs + chainSignatures * serverVerifyUs;
    clientUs += lookup(floor.signUs, clientKeyType, 'signUs');
  }
  return { serverUs, clientUs };
}

function lookup<K extends string>(record: Partial<Record<K, number>>, key: K, field: string): number {
  const value = record[key];
  if (value === undefined) {
    throw new MtlsBenchError(
      'INVALID_ARGUMENT',
      `handshakeFloorUs: floor.${field} has no entry for ${key}; measure the crypto floor with ${key} included`,
    );
  }
  return value;
}
