import { getCiphers } from 'node:tls';

import { describe, expect, it } from 'vitest';

import { lookUpCipherSuite, serverKeyFitsSuite } from '../../src/scenario/ciphers.ts';
import type { CipherSuiteInfo } from '../../src/scenario/ciphers.ts';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';

function expectSuite(name: string): CipherSuiteInfo {
  const lookup = lookUpCipherSuite(name);
  if (!lookup.ok) {
    throw new Error(`${name} did not resolve: ${lookup.message}`);
  }
  return lookup.suite;
}

function expectRejection(name: string): string {
  const lookup = lookUpCipherSuite(name);
  if (lookup.ok) {
    throw new Error(`${name} resolved to ${lookup.suite.openSslName}`);
  }
  return lookup.message;
}

describe('lookUpCipherSuite', () => {
  it('resolves IANA and OpenSSL names alike', () => {
    const fromOpenSsl = expectSuite('ECDHE-ECDSA-AES128-GCM-SHA256');
    const fromIana = expectSuite('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');

    expect(fromIana).toEqual(fromOpenSsl);
    expect(fromOpenSsl).toEqual({ openSslName: 'ECDHE-ECDSA-AES128-GCM-SHA256', tlsVersion: 'tls1.2', serverKey: 'ecdsa' });
  });

  it('maps every IANA name in the table', () => {
    const pairs = [
      ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
      ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
      ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256'],
      ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384'],
      ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
      ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
      ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
      ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256'],
      ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384'],
    ];
    for (const [iana, openSsl] of pairs) {
      expect(expectSuite(iana ?? '').openSslName).toBe(openSsl);
    }
  });

  it('ignores letter case', () => {
    expect(expectSuite('ecdhe-rsa-aes256-gcm-sha384').openSslName).toBe('ECDHE-RSA-AES256-GCM-SHA384');
    expect(expectSuite('tls_aes_256_gcm_sha384').openSslName).toBe('TLS_AES_256_GCM_SHA384');
  });

  it('knows the TLS 1.3 suites', () => {
    for (const name of [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'TLS_AES_128_CCM_SHA256',
      'TLS_AES_128_CCM_8_SHA256',
    ]) {
      expect(expectSuite(name)).toEqual({ openSslName: name, tlsVersion: 'tls1.3', serverKey: 'any' });
    }
  });

  it('classifies ECDHE-RSA suites as RSA', () => {
    expect(expectSuite('ECDHE-RSA-CHACHA20-POLY1305')).toEqual({
      openSslName: 'ECDHE-RSA-CHACHA20-POLY1305',
      tlsVersion: 'tls1.2',
      serverKey: 'rsa',
    });
  });

  it('rejects finite-field DHE', () => {
    expect(expectRejection('DHE-RSA-AES128-GCM-SHA256')).toBe(
      'got "DHE-RSA-AES128-GCM-SHA256", which uses finite-field DHE key exchange, which the group axis does not ' +
        'control; use an ECDHE-ECDSA-* or ECDHE-RSA-* suite, or a TLS 1.3 suite',
    );
  });

  it('rejects pre-shared-key suites', () => {
    expect(expectRejection('ECDHE-PSK-CHACHA20-POLY1305')).toContain('authenticates with a pre-shared key');
    expect(expectRejection('DHE-PSK-AES128-GCM-SHA256')).toContain('authenticates with a pre-shared key');
  });

  it('rejects IANA names outside the table', () => {
    expect(expectRejection('TLS_RSA_WITH_AES_128_GCM_SHA256')).toBe(
      'got "TLS_RSA_WITH_AES_128_GCM_SHA256"; mtls-bench knows IANA names only for TLS 1.3 suites and for ECDHE ' +
        'suites with AES-GCM, ChaCha20-Poly1305 or AES-CBC-SHA256/384, so write the OpenSSL name ' +
        '(see `openssl ciphers -stdname`)',
    );
  });

  it('rejects suites missing from this OpenSSL', () => {
    const lookup = lookUpCipherSuite('ECDHE-ECDSA-AES128-GCM-SHA256', ['tls_aes_128_gcm_sha256']);

    expect(lookup).toEqual({
      ok: false,
      message: `got "ECDHE-ECDSA-AES128-GCM-SHA256"; not a cipher suite Node's OpenSSL offers (\`node -p "tls.getCiphers()"\` lists them)`,
    });
  });

  it('finds every tabled suite in this OpenSSL', () => {
    const available = getCiphers();

    expect(available).toContain('ecdhe-ecdsa-aes128-gcm-sha256');
    expect(available).toContain('ecdhe-rsa-aes256-sha384');
    expect(available).toContain('tls_chacha20_poly1305_sha256');
  });
});

describe('serverKeyFitsSuite', () => {
  it('fits Ed25519 and ECDSA keys to ECDSA suites', () => {
    const suite = expectSuite('ECDHE-ECDSA-AES128-GCM-SHA256');

    expect(serverKeyFitsSuite(suite, 'ed25519')).toBe(true);
    expect(serverKeyFitsSuite(suite, 'ecdsa-p384')).toBe(true);
    expect(serverKeyFitsSuite(suite, 'rsa-2048')).toBe(false);
  });

  it('fits only RSA keys to RSA suites', () => {
    const suite = expectSuite('ECDHE-RSA-AES128-GCM-SHA256');

    expect(serverKeyFitsSuite(suite, 'rsa-4096')).toBe(true);
    expect(serverKeyFitsSuite(suite, 'ed25519')).toBe(false);
  });

  it('fits any key to TLS 1.3 suites', () => {
    const suite = expectSuite('TLS_AES_128_GCM_SHA256');

    expect(serverKeyFitsSuite(suite, 'rsa-2048')).toBe(true);
    expect(serverKeyFitsSuite(suite, 'ed25519')).toBe(true);
  });
});

describe('cipher suites in a suite', () => {
  const resolveMatrix = (matrix: Record<string, unknown>) =>
    resolveSuite({ name: 'x', matrix, workloads: [{ kind: 'handshake' }] }, { file: INLINE_SUITE_FILE });

  it('accepts ECDHE-ECDSA with Ed25519 keys under TLS 1.2', () => {
    const suite = resolveMatrix({ keyType: 'ed25519', tlsVersion: 'tls1.2', cipherSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256' });

    expect(suite.cells.map((cell) => cell.id)).toEqual([
      'handshake/ed25519/tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/x25519/none/d0/tls',
      'handshake/ed25519/tls1.2/ECDHE-ECDSA-AES128-GCM-SHA256/x25519/none/d0/mtls',
    ]);
  });

  it('rejects ECDHE-RSA with Ed25519 keys', () => {
    expect(() =>
      resolveMatrix({ keyType: 'ed25519', tlsVersion: 'tls1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' }),
    ).toThrow(
      '<inline>: matrix.cipherSuite: "ECDHE-RSA-AES128-GCM-SHA256" needs an RSA server key, but keyType is ' +
        '"ed25519"; use an ECDHE-ECDSA-* suite, or an RSA key type',
    );
  });

  it('accepts TLS 1.3 suites under tls1.3', () => {
    const suite = resolveMatrix({
      keyType: ['rsa-2048', 'ed25519'],
      tlsVersion: 'tls1.3',
      cipherSuite: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    });

    expect(suite.matrix.cipherSuite).toEqual([
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
    ]);
    expect(suite.cells).toHaveLength(12);
  });
});
