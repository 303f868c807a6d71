import { constants as cryptoConstants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientTlsOptions, groupListOf, serverTlsOptions } from '../../src/servers/tls-options.ts';
import { certsFor, scenarioOf } from './scenario-fixture.ts';

describe('serverTlsOptions', () => {
  it('pins the protocol version', async () => {
    const certs = await certsFor();

    const options = serverTlsOptions(scenarioOf({ tlsVersion: 'tls1.2' }), certs);

    expect(options.minVersion).toBe('TLSv1.2');
    expect(options.maxVersion).toBe('TLSv1.2');
  });

  it('sends the chain and trusts only the root for mtls', async () => {
    const certs = await certsFor();

    const options = serverTlsOptions(scenarioOf({ auth: 'mtls' }), certs);

    expect(options.cert).toBe(certs.serverChainPem);
    expect(options.key).toBe(certs.server.keyPem);
    expect(options.ca).toBe(certs.caPem);
    expect(options.requestCert).toBe(true);
    expect(options.rejectUnauthorized).toBe(true);
  });

  it('requests no certificate for tls', async () => {
    const options = serverTlsOptions(scenarioOf({ auth: 'tls' }), await certsFor());

    expect(options.requestCert).toBe(false);
    expect(options.ca).toBeUndefined();
  });

  it('passes the cipher suite through', async () => {
    const options = serverTlsOptions(scenarioOf({ cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' }), await certsFor());

    expect(options.ciphers).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });

  it('leaves ciphers unset for the default list', async () => {
    const options = serverTlsOptions(scenarioOf({ cipherSuite: null }), await certsFor());

    expect(options.ciphers).toBeUndefined();
  });

  it('turns tickets off unless resumption uses them', async () => {
    const certs = await certsFor();

    expect(serverTlsOptions(scenarioOf({ resumption: 'none' }), certs).secureOptions).toBe(cryptoConstants.SSL_OP_NO_TICKET);
    expect(serverTlsOptions(scenarioOf({ tlsVersion: 'tls1.2', resumption: 'session-ids' }), certs).secureOptions).toBe(
      cryptoConstants.SSL_OP_NO_TICKET,
    );
    expect(serverTlsOptions(scenarioOf({ resumption: 'tickets' }), certs).secureOptions).toBeUndefined();
  });
});

describe('clientTlsOptions', () => {
  it('always verifies the server', async () => {
    const certs = await certsFor();

    const options = clientTlsOptions(scenarioOf({ auth: 'tls' }), certs);

    expect(options.host).toBe('127.0.0.1');
    expect(options.ca).toBe(certs.caPem);
    expect(options.rejectUnauthorized).toBe(true);
    expect(options.servername).toBeUndefined();
    expect(options.cert).toBeUndefined();
  });

  it('presents the client chain for mtls', async () => {
    const certs = await certsFor();

    const options = clientTlsOptions(scenarioOf({ auth: 'mtls' }), certs);

    expect(options.cert).toBe(certs.clientChainPem);
    expect(options.key).toBe(certs.client.keyPem);
  });
});

describe('groupListOf', () => {
  it('lists only the requested group in TLS 1.3', () => {
    const tls = scenarioOf({ tlsVersion: 'tls1.3', group: 'p-384', serverKeyType: 'ecdsa-p256' });

    expect(groupListOf(tls, 'client')).toBe('P-384');
    expect(groupListOf(tls, 'server')).toBe('P-384');
  });

  it('adds ECDSA leaf curves after the group in TLS 1.2', () => {
    const tls = scenarioOf({ tlsVersion: 'tls1.2', group: 'x25519', serverKeyType: 'ecdsa-p384', clientKeyType: 'ecdsa-p256' });

    expect(groupListOf(tls, 'client')).toBe('X25519:P-384:P-256');
    expect(groupListOf(tls, 'server')).toBe('X25519:P-256');
  });

  it('keeps the client list the same for tls and mtls', () => {
    const base = { tlsVersion: 'tls1.2', group: 'x25519', serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p384' } as const;

    expect(groupListOf(scenarioOf({ ...base, auth: 'tls' }), 'client')).toBe('X25519:P-256:P-384');
    expect(groupListOf(scenarioOf({ ...base, auth: 'mtls' }), 'client')).toBe('X25519:P-256:P-384');
    expect(groupListOf(scenarioOf({ ...base, auth: 'tls' }), 'server')).toBe('X25519');
  });

  it('adds nothing for RSA and Ed25519 leaves', () => {
    const tls = scenarioOf({ tlsVersion: 'tls1.2', group: 'p-256', serverKeyType: 'rsa-2048', clientKeyType: 'ed25519' });

    expect(groupListOf(tls, 'client')).toBe('P-256');
    expect(groupListOf(tls, 'server')).toBe('P-256');
  });

  it('does not repeat the requested group', () => {
    const tls = scenarioOf({ tlsVersion: 'tls1.2', group: 'p-256', serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256' });

    expect(groupListOf(tls, 'client')).toBe('P-256');
    expect(groupListOf(tls, 'server')).toBe('P-256');
  });
});
