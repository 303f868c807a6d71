/**
 * Cipher suite names and what each suite requires.
 *
 * Authors may write OpenSSL names (`ECDHE-ECDSA-AES128-GCM-SHA256`) or IANA names
 * (`TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`), in any letter case. Both resolve to the OpenSSL
 * name, because that is what Node's `ciphers` option takes. TLS 1.3 suites have one name in
 * both schemes. A name must also appear in `tls.getCiphers()`, so a suite this Node's OpenSSL lacks
 * is rejected while the suite loads, not when the first handshake fails.
 *
 * Only ECDHE suites are accepted for TLS 1.2. With plain RSA key exchange or finite-field DHE
 * the `group` axis would not choose the key exchange, so cells would carry a group that was
 * never used; PSK, SRP and anonymous suites need credentials mtls-bench does not create.
 */
import { getCiphers } from 'node:tls';

import { DEFAULT_CIPHER_SUITE } from './defaults.ts';
import type { KeyType, TlsVersion } from './types.ts';

/** Kind of server key a suite needs: `ecdsa` covers Ed25519 too, `any` is for TLS 1.3 suites. */
export type ServerKeyRequirement = 'rsa' | 'ecdsa' | 'any';

export interface CipherSuiteInfo {
  /** Name in OpenSSL's notation, upper case, for example `ECDHE-RSA-AES128-GCM-SHA256`. */
  openSslName: string;
  tlsVersion: TlsVersion;
  serverKey: ServerKeyRequirement;
}

export type CipherSuiteLookup = { ok: true; suite: CipherSuiteInfo } | { ok: false; message: string };

/**
 * TLS 1.3 suites, whose IANA and OpenSSL names are the same (`openssl ciphers -stdname`). The
 * CCM suites are not in OpenSSL's default TLS 1.3 list, but Node accepts them through `ciphers`.
 */
const TLS13_SUITES = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
]);

/**
 * IANA names of the TLS 1.2 suites worth benchmarking (ECDHE with AES-GCM, ChaCha20-Poly1305,
 * or AES-CBC with SHA-256/384), with their OpenSSL names as `openssl ciphers -stdname` lists them.
 */
const TLS12_IANA_TO_OPENSSL = new Map([
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384'],
]);

/**
 * Reasons to reject suites that are not ECDHE, by OpenSSL name prefix. The first match wins,
 * so `DHE-PSK-` must come before `DHE-`. Among the names `tls.getCiphers()` returns, one that
 * matches no prefix here is a plain RSA key exchange suite, such as `AES128-GCM-SHA256`.
 */
const REJECTED_KEY_EXCHANGES: readonly { prefixes: readonly string[]; reason: string }[] = [
  {
    prefixes: ['PSK-', 'RSA-PSK-', 'DHE-PSK-', 'ECDHE-PSK-'],
    reason: 'authenticates with a pre-shared key, and mtls-bench sets up certificates only',
  },
  { prefixes: ['SRP-'], reason: 'authenticates with an SRP password, and mtls-bench sets up certificates only' },
  { prefixes: ['ADH-', 'AECDH-'], reason: 'is anonymous, so no certificate would be checked' },
  {
    prefixes: ['DHE-', 'EDH-'],
    reason: 'uses finite-field DHE key exchange, which the group axis does not control',
  },
];

const RSA_KEY_EXCHANGE_REASON = 'uses RSA key exchange, which has no group for the group axis to choose';

/**
 * Looks up a cipher suite by OpenSSL or IANA name. `available` defaults to this process's
 * `tls.getCiphers()`, and tests pass their own list. The message on failure follows the value,
 * as in `got "FOO"; not a cipher suite Node's OpenSSL offers (\`node -p "tls.getCiphers()"\` lists them)`.
 */
export function lookUpCipherSuite(name: string, available: readonly string[] = getCiphers()): CipherSuiteLookup {
  const upperName = name.toUpperCase();
  const got = `got ${JSON.stringify(name)}`;

  let openSslName = upperName;
  if (TLS12_IANA_TO_OPENSSL.has(upperName)) {
    openSslName = TLS12_IANA_TO_OPENSSL.get(upperName) ?? upperName;
  } else if (upperName.startsWith('TLS_') && !TLS13_SUITES.has(upperName)) {
    return {
      ok: false,
      message:
        `${got}; mtls-bench knows IANA names only for TLS 1.3 suites and for ECDHE suites with AES-GCM, ` +
        'ChaCha20-Poly1305 or AES-CBC-SHA256/384, so write the OpenSSL name (see `openssl ciphers -stdname`)',
    };
  }

  if (!available.includes(openSslName.toLowerCase())) {
    return { ok: false, message: `${got}; not a cipher suite Node's OpenSSL offers (\`node -p "tls.getCiphers()"\` lists them)` };
  }

  if (TLS13_SUITES.has(openSslName)) {
    return { ok: true, suite: { openSslName, tlsVersion: 'tls1.3', serverKey: 'any' } };
  }
  if (openSslName.startsWith('ECDHE-ECDSA-')) {
    return { ok: true, suite: { openSslName, tlsVersion: 'tls1.2', serverKey: 'ecdsa' } };
  }
  if (openSslName.startsWith('ECDHE-RSA-')) {
    return { ok: true, suite: { openSslName, tlsVersion: 'tls1.2', serverKey: 'rsa' } };
  }

  const rejected = REJECTED_KEY_EXCHANGES.find(({ prefixes }) =>
    prefixes.some((prefix) => openSslName.startsWith(prefix)),
  );
  const reason = rejected?.reason ?? RSA_KEY_EXCHANGE_REASON;
  return {
    ok: false,
    message: `${got}, which ${reason}; use an ECDHE-ECDSA-* or ECDHE-RSA-* suite, or a TLS 1.3 suite`,
  };
}

/** Reports whether `value` is the word that leaves the cipher suite to OpenSSL's defaults. */
export function isDefaultCipherSuite(value: string): boolean {
  return value === DEFAULT_CIPHER_SUITE;
}

/** Kind of key a key type names, as TLS 1.2 cipher suites classify server keys. */
export function serverKeyKind(keyType: KeyType): 'rsa' | 'ecdsa' {
  // Ed25519 server certificates negotiate the ECDHE-ECDSA suites in TLS 1.2 (checked with
  // Node 20 and OpenSSL 3.0), so they count as ECDSA here.
  return keyType.startsWith('rsa-') ? 'rsa' : 'ecdsa';
}

/** Reports whether a server with a key of this type can negotiate the suite. */
export function serverKeyFitsSuite(suite: CipherSuiteInfo, keyType: KeyType): boolean {
  return suite.serverKey === 'any' || suite.serverKey === serverKeyKind(keyType);
}
