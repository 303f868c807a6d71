import type { Auth, ChainDepth, Group, KeyType, Resumption, TlsVersion } from './types.ts';

/**
 * Axis values a matrix gets for each axis it leaves out. `keyType` is the default for both
 * `serverKeyType` and `clientKeyType`, also when only one of the two is given.
 */
export const MATRIX_DEFAULTS: {
  readonly keyType: readonly KeyType[];
  readonly tlsVersion: readonly TlsVersion[];
  readonly cipherSuite: readonly string[];
  readonly group: readonly Group[];
  readonly resumption: readonly Resumption[];
  readonly auth: readonly Auth[];
  readonly chainDepth: readonly ChainDepth[];
} = {
  keyType: ['ecdsa-p256'],
  tlsVersion: ['tls1.3'],
  cipherSuite: ['default'],
  group: ['x25519'],
  resumption: ['none'],
  auth: ['tls', 'mtls'],
  chainDepth: [0],
};

/** Cipher suite value that leaves the choice to OpenSSL's default list. */
export const DEFAULT_CIPHER_SUITE = 'default';

/** Handshake workload fields as an author writes them, with the values used when left out. */
export const HANDSHAKE_DEFAULTS = {
  concurrency: 1,
  /** Maximum connections in flight for a workload with a `rate`, unless `concurrency` is set. */
  openLoopConcurrency: 100,
  workers: 1,
  /** Applies only when `count` is left out too, because a count alone bounds the run. */
  duration: '3s',
  warmup: 20,
  payloadBytes: 1,
} as const;

/** Requests workload fields as an author writes them, with the values used when left out. */
export const REQUESTS_DEFAULTS = {
  connections: 10,
  workers: 1,
  pipelining: 1,
  duration: '3s',
  warmup: '500ms',
  payloadBytes: 64,
} as const;
