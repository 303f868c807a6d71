import { describe, expect, it } from 'vitest';
import { HandshakeDriver } from '../../src/drivers/handshake.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import type { NegotiationCount } from '../../src/servers/types.ts';
import { certsFor, scenarioOf, withEchoServer } from '../servers/scenario-fixture.ts';

const COUNT = 20;

/** Returns the distinct values of one field over the full handshakes that have it. */
function fullValues(counts: NegotiationCount[], field: 'cipherSuite' | 'group' | 'peerKeyType'): (string | null)[] {
  return [...new Set(counts.filter((entry) => !entry.resumed && entry[field] !== null).map((entry) => entry[field]))];
}

/** Runs a few handshakes against a fresh echo server and returns both sides' views. */
async function negotiate(scenario: TlsScenario) {
  const certs = await certsFor(scenario.serverKeyType, scenario.clientKeyType);
  return withEchoServer(scenario, certs, async (server) => {
    const driver = new HandshakeDriver({ port: server.ports.tls, tls: scenario, certs, concurrency: 2, payloadBytes: 1 });
    await server.beginWindow();
    const run = await driver.run({ maxCount: COUNT, durationMs: null });
    const stats = await server.endWindow();
    return { run, stats };
  });
}

describe('negotiated cipher suite', () => {
  it('matches a requested TLS 1.2 suite', async () => {
    const { run, stats } = await negotiate(
      scenarioOf({ tlsVersion: 'tls1.2', cipherSuite: 'ECDHE-ECDSA-AES256-GCM-SHA384', serverKeyType: 'ecdsa-p256', clientKeyType: 'ecdsa-p256' }),
    );

    expect(run.count).toBe(COUNT);
    expect(run.negotiated?.protocol).toBe('TLSv1.2');
    expect(run.negotiated?.cipherSuite).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(fullValues(stats.negotiations, 'cipherSuite')).toEqual(['ECDHE-ECDSA-AES256-GCM-SHA384']);
    expect(fullValues(run.negotiations, 'cipherSuite')).toEqual(['ECDHE-ECDSA-AES256-GCM-SHA384']);
  });

  it('matches a TLS 1.3-only cipher list', async () => {
    const { run, stats } = await negotiate(scenarioOf({ tlsVersion: 'tls1.3', cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' }));

    expect(run.count).toBe(COUNT);
    expect(run.negotiated?.protocol).toBe('TLSv1.3');
    expect(run.negotiated?.cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(fullValues(stats.negotiations, 'cipherSuite')).toEqual(['TLS_CHACHA20_POLY1305_SHA256']);
  });

  it('works with Ed25519 certificates in TLS 1.2 mtls', async () => {
    const { run, stats } = await negotiate(
      scenarioOf({
        tlsVersion: 'tls1.2',
        cipherSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256',
        serverKeyType: 'ed25519',
        clientKeyType: 'ed25519',
        auth: 'mtls',
      }),
    );

    expect(run.count).toBe(COUNT);
    expect(run.errors).toEqual({});
    expect(run.negotiated?.cipherSuite).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(run.negotiated?.peerKeyType).toBe('ed25519');
    expect(stats.clientCertsVerified).toBe(COUNT);
    expect(fullValues(stats.negotiations, 'peerKeyType')).toEqual(['ed25519']);
    expect(fullValues(run.negotiations, 'peerKeyType')).toEqual(['ed25519']);
  });
});

describe('negotiated group', () => {
  it.each(['x25519', 'p-256', 'p-384'] as const)('matches %s in TLS 1.3', async (group) => {
    const { run, stats } = await negotiate(scenarioOf({ tlsVersion: 'tls1.3', group }));

    expect(run.count).toBe(COUNT);
    expect(run.negotiated?.group).toBe(group);
    // Node 20's server sockets report no key exchange, so only the client counts groups.
    expect(fullValues(run.negotiations, 'group')).toEqual([group]);
    expect(fullValues(stats.negotiations, 'group')).toEqual([]);
  });

  it.each([
    ['x25519', 'ecdsa-p256', 'ecdsa-p256'],
    ['p-384', 'ecdsa-p256', 'ecdsa-p256'],
    ['x25519', 'ecdsa-p384', 'ecdsa-p256'],
  ] as const)('matches %s in TLS 1.2 mtls with %s and %s leaves', async (group, serverKeyType, clientKeyType) => {
    const { run } = await negotiate(scenarioOf({ tlsVersion: 'tls1.2', group, serverKeyType, clientKeyType, auth: 'mtls' }));

    expect(run.errors).toEqual({});
    expect(run.count).toBe(COUNT);
    expect(run.negotiated?.protocol).toBe('TLSv1.2');
    expect(run.negotiated?.group).toBe(group);
    expect(run.negotiated?.peerKeyType).toBe(serverKeyType);
  });
});
