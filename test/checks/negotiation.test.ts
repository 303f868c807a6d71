import { describe, expect, it } from 'vitest';
import { checkCell, describeCheck } from '../../src/checks/cell-checks.ts';
import { checkNegotiation } from '../../src/checks/negotiation.ts';
import type { CheckInput } from '../../src/checks/types.ts';
import type { CellCheck, CheckName } from '../../src/results/types.ts';
import type { NegotiationCount } from '../../src/servers/types.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

/** Builds the count of one full TLS 1.3 client handshake, as the handshake driver makes it, with overrides. */
function clientEntry(overrides: Partial<NegotiationCount> = {}): NegotiationCount {
  return {
    protocol: 'TLSv1.3',
    cipherSuite: 'TLS_AES_256_GCM_SHA384',
    resumed: false,
    group: 'x25519',
    peerKeyType: null,
    clientCertVerified: null,
    count: 1,
    ...overrides,
  };
}

/** Builds the count of one full mTLS handshake, as the echo server makes it, with overrides. */
function serverEntry(overrides: Partial<NegotiationCount> = {}): NegotiationCount {
  return clientEntry({ group: null, clientCertVerified: true, ...overrides });
}

function input(overrides: Partial<CheckInput> & Pick<CheckInput, 'client' | 'server'>): CheckInput {
  return { tls: scenarioOf({ auth: 'mtls' }), phase: 'measured', ...overrides };
}

function named(checks: CellCheck[], name: CheckName): CellCheck {
  const check = checks.find((candidate) => candidate.name === name);
  if (check === undefined) throw new Error(`no ${name} check among ${checks.map((candidate) => candidate.name).join(', ')}`);
  return check;
}

describe('checkNegotiation', () => {
  it('passes connections that match the scenario', () => {
    const checks = checkNegotiation(
      input({
        client: { negotiations: [clientEntry({ peerKeyType: 'ecdsa-p256' }), clientEntry({ count: 63 })], sessions: null },
        server: [serverEntry({ peerKeyType: 'ecdsa-p256' }), serverEntry({ count: 63 })],
      }),
    );

    expect(checks).toEqual([
      { name: 'protocol', phase: 'measured', expected: 'TLSv1.3', actual: 'negotiated TLSv1.3 on 64 of 64 handshakes', passed: true },
      { name: 'group', phase: 'measured', expected: 'x25519', actual: 'negotiated x25519 on 64 of 64 full handshakes', passed: true },
      { name: 'server key type', phase: 'measured', expected: 'ecdsa-p256', actual: 'got ecdsa-p256 on 1 of 1 sampled full handshakes', passed: true },
      { name: 'client certificate', phase: 'measured', expected: 'verified', actual: 'verified on 64 of 64 full handshakes', passed: true },
      { name: 'client key type', phase: 'measured', expected: 'ecdsa-p256', actual: 'got ecdsa-p256 on 1 of 1 sampled full handshakes', passed: true },
    ]);
  });

  it('lists every value seen, most frequent first', () => {
    const checks = checkNegotiation(
      input({
        client: {
          negotiations: [clientEntry({ protocol: 'TLSv1.3', count: 3 }), clientEntry({ protocol: 'TLSv1.2', count: 17 })],
          sessions: null,
        },
        server: [],
      }),
    );

    const protocol = named(checks, 'protocol');
    expect(protocol.passed).toBe(false);
    expect(describeCheck(protocol)).toBe('protocol: expected TLSv1.3, negotiated TLSv1.2 on 17 of 20 handshakes, TLSv1.3 on 3 of 20 handshakes');
  });

  it('fails a protocol a closed socket could not report', () => {
    const checks = checkNegotiation(input({ client: { negotiations: [clientEntry({ protocol: null, count: 2 })], sessions: null }, server: [] }));

    expect(named(checks, 'protocol').actual).toBe('negotiated none on 2 of 2 handshakes');
    expect(named(checks, 'protocol').passed).toBe(false);
  });

  it('checks the cipher suite only when the scenario names one', () => {
    const negotiations = [clientEntry({ cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256' })];

    const unnamed = checkNegotiation(input({ client: { negotiations, sessions: null }, server: [] }));
    const withSuite = checkNegotiation(
      input({ tls: scenarioOf({ cipherSuite: 'TLS_AES_128_GCM_SHA256' }), client: { negotiations, sessions: null }, server: [] }),
    );

    expect(unnamed.map((check) => check.name)).not.toContain('cipher suite');
    expect(describeCheck(named(withSuite, 'cipher suite'))).toBe(
      'cipher suite: expected TLS_AES_128_GCM_SHA256, negotiated TLS_CHACHA20_POLY1305_SHA256 on 1 of 1 handshakes',
    );
  });

  it('leaves resumed handshakes out', () => {
    const resumed = clientEntry({ resumed: true, group: null, count: 40 });
    const checks = checkNegotiation(
      input({ client: { negotiations: [resumed], sessions: null }, server: [serverEntry({ resumed: true, clientCertVerified: true, count: 40 })] }),
    );

    expect(checks.map((check) => check.name)).toEqual(['protocol']);
  });

  it('counts only sampled handshakes for key types', () => {
    const checks = checkNegotiation(
      input({
        client: { negotiations: [clientEntry({ peerKeyType: 'rsa-2048', count: 2 }), clientEntry({ count: 126 })], sessions: null },
        server: [],
      }),
    );

    expect(describeCheck(named(checks, 'server key type'))).toBe(
      'server key type: expected ecdsa-p256, got rsa-2048 on 2 of 2 sampled full handshakes',
    );
  });

  it('fails a group outside the project list', () => {
    const checks = checkNegotiation(input({ client: { negotiations: [clientEntry({ group: 'X448' })], sessions: null }, server: [] }));

    expect(named(checks, 'group').actual).toBe('negotiated X448 on 1 of 1 full handshakes');
    expect(named(checks, 'group').passed).toBe(false);
  });

  it('fails partly verified client certificates', () => {
    const checks = checkNegotiation(
      input({
        client: { negotiations: [clientEntry({ count: 10 })], sessions: null },
        server: [serverEntry({ count: 7 }), serverEntry({ clientCertVerified: false, count: 3 })],
      }),
    );

    expect(describeCheck(named(checks, 'client certificate'))).toBe(
      'client certificate: expected verified, verified on 7 of 10 full handshakes, not verified on 3 of 10 full handshakes',
    );
    expect(named(checks, 'client certificate').passed).toBe(false);
  });

  it('skips server checks in tls cells', () => {
    const checks = checkNegotiation(
      input({
        tls: scenarioOf({ auth: 'tls' }),
        client: { negotiations: [clientEntry()], sessions: null },
        server: [serverEntry({ clientCertVerified: false, peerKeyType: 'none' })],
      }),
    );

    expect(checks.map((check) => check.name)).toEqual(['protocol', 'group']);
  });

  it('returns nothing for a phase without connections', () => {
    expect(checkCell(input({ client: { negotiations: [], sessions: { offered: 0, received: 0, resumedWithTicket: null } }, server: [] }))).toEqual([]);
  });
});
