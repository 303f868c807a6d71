import { describe, expect, it } from 'vitest';
import { checkCell, describeCheck } from '../../src/checks/cell-checks.ts';
import type { CellCheck, CheckName } from '../../src/results/types.ts';
import type { TlsScenario } from '../../src/scenario/types.ts';
import { certsFor, scenarioOf } from '../servers/scenario-fixture.ts';
import { observeHandshakes, observeRequests } from './observe.ts';

const COUNT = 20;

function byName(checks: CellCheck[], name: CheckName): CellCheck | undefined {
  return checks.find((check) => check.name === name);
}

function failedNames(checks: CellCheck[]): CheckName[] {
  return checks.filter((check) => !check.passed).map((check) => check.name);
}

/** Runs the handshakes of a correctly set-up echo server and checks them against the same scenario. */
async function checkMatchingServer(tls: TlsScenario): Promise<CellCheck[]> {
  const certs = await certsFor(tls.serverKeyType, tls.clientKeyType);
  const observed = await observeHandshakes({ server: tls, client: tls, certs }, COUNT, 2);
  return checkCell({ tls, phase: 'warm-up', ...observed });
}

describe('checks against a server set up as requested', () => {
  it('pass TLS 1.2 mtls with session IDs', async () => {
    const tls = scenarioOf({
      tlsVersion: 'tls1.2',
      cipherSuite: 'ECDHE-ECDSA-AES256-GCM-SHA384',
      group: 'p-256',
      resumption: 'session-ids',
      auth: 'mtls',
      clientKeyType: 'ed25519',
    });

    const checks = await checkMatchingServer(tls);

    expect(checks.map((check) => check.name)).toEqual([
      'protocol',
      'cipher suite',
      'group',
      'server key type',
      'client certificate',
      'client key type',
      'resumption',
      'resumption mechanism',
    ]);
    expect(failedNames(checks)).toEqual([]);
    expect(byName(checks, 'resumption mechanism')?.actual).toBe(`${COUNT - 2} of ${COUNT - 2} resumed handshakes as requested`);
    expect(byName(checks, 'cipher suite')?.actual).toBe(`negotiated ECDHE-ECDSA-AES256-GCM-SHA384 on ${COUNT} of ${COUNT} handshakes`);
    expect(byName(checks, 'client key type')?.actual).toMatch(/^got ed25519 on \d+ of \d+ sampled full handshakes$/);
  });

  it('pass TLS 1.3 mtls with tickets', async () => {
    const checks = await checkMatchingServer(scenarioOf({ tlsVersion: 'tls1.3', resumption: 'tickets', auth: 'mtls' }));

    expect(failedNames(checks)).toEqual([]);
    // Two lanes start without a session. Every later connection offers one and resumes.
    expect(byName(checks, 'resumption')?.actual).toBe(`measured 100% resumed (${COUNT - 2} of ${COUNT - 2} handshakes that offered a session)`);
    expect(byName(checks, 'client certificate')?.actual).toBe('verified on 2 of 2 full handshakes');
  });

  it('pass TLS 1.3 tls without resumption', async () => {
    const checks = await checkMatchingServer(scenarioOf({ tlsVersion: 'tls1.3', resumption: 'none', auth: 'tls' }));

    expect(checks.map((check) => check.name)).toEqual(['protocol', 'group', 'server key type', 'resumption']);
    expect(failedNames(checks)).toEqual([]);
    expect(byName(checks, 'group')?.actual).toBe(`negotiated x25519 on ${COUNT} of ${COUNT} full handshakes`);
    expect(byName(checks, 'resumption')?.actual).toBe(`measured 0 of ${COUNT} handshakes resumed`);
  });
});

describe('checks against a misconfigured server', () => {
  it('fail the protocol of a TLS 1.2 setup', async () => {
    const expected = scenarioOf({ tlsVersion: 'tls1.3', auth: 'tls' });
    const setup = { ...expected, tlsVersion: 'tls1.2' } as const;

    const observed = await observeHandshakes({ server: setup, client: setup, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['protocol']);
    expect(describeCheck(byName(checks, 'protocol')!)).toBe(`protocol: expected TLSv1.3, negotiated TLSv1.2 on ${COUNT} of ${COUNT} handshakes`);
  });

  it('fail a cipher suite the server swapped', async () => {
    const expected = scenarioOf({ tlsVersion: 'tls1.2', cipherSuite: 'ECDHE-ECDSA-AES256-GCM-SHA384', auth: 'tls' });
    const server = { ...expected, cipherSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256' };
    // The client offers OpenSSL's default list, which contains the server's only suite.
    const client = { ...expected, cipherSuite: null };

    const observed = await observeHandshakes({ server, client, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['cipher suite']);
    expect(describeCheck(byName(checks, 'cipher suite')!)).toBe(
      `cipher suite: expected ECDHE-ECDSA-AES256-GCM-SHA384, negotiated ECDHE-ECDSA-AES128-GCM-SHA256 on ${COUNT} of ${COUNT} handshakes`,
    );
  });

  it('fail a group the server swapped', async () => {
    // In TLS 1.2 the client also lists P-256, the curve of the ECDSA leaves, after X25519.
    const expected = scenarioOf({ tlsVersion: 'tls1.2', group: 'x25519', auth: 'tls' });
    const server = { ...expected, group: 'p-256' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['group']);
    expect(describeCheck(byName(checks, 'group')!)).toBe(`group: expected x25519, negotiated p-256 on ${COUNT} of ${COUNT} full handshakes`);
  });

  it('fail a server certificate of another key type', async () => {
    const expected = scenarioOf({ serverKeyType: 'ecdsa-p256', auth: 'tls' });
    const setup = { ...expected, serverKeyType: 'ed25519' } as const;

    const observed = await observeHandshakes({ server: setup, client: setup, certs: await certsFor('ed25519', 'ecdsa-p256') }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['server key type']);
    expect(byName(checks, 'server key type')?.actual).toMatch(/^got ed25519 on (\d+) of \1 sampled full handshakes$/);
  });

  it('fail a client certificate the server never requested', async () => {
    const expected = scenarioOf({ auth: 'mtls' });
    // A `tls` server sets requestCert and rejectUnauthorized to false.
    const server = { ...expected, auth: 'tls' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['client certificate', 'client key type']);
    expect(describeCheck(byName(checks, 'client certificate')!)).toBe(
      `client certificate: expected verified, not verified on ${COUNT} of ${COUNT} full handshakes`,
    );
    expect(byName(checks, 'client key type')?.actual).toBe('got none on 1 of 1 sampled full handshakes');
  });

  it('fail a client certificate of another key type', async () => {
    const expected = scenarioOf({ auth: 'mtls', clientKeyType: 'ecdsa-p256' });
    const setup = { ...expected, clientKeyType: 'ed25519' } as const;

    const observed = await observeHandshakes({ server: setup, client: setup, certs: await certsFor('ecdsa-p256', 'ed25519') }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['client key type']);
    expect(describeCheck(byName(checks, 'client key type')!)).toBe(
      'client key type: expected ecdsa-p256, got ed25519 on 1 of 1 sampled full handshakes',
    );
  });

  it.each(['tls1.2', 'tls1.3'] as const)('fail tickets the server disabled in %s', async (tlsVersion) => {
    const expected = scenarioOf({ tlsVersion, resumption: 'tickets', auth: 'tls' });
    // A `none` server sets SSL_OP_NO_TICKET and keeps no session cache.
    const server = { ...expected, resumption: 'none' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['resumption']);
    expect(describeCheck(byName(checks, 'resumption')!)).toBe(
      `resumption: expected at least 95% resumed, measured 0% resumed (0 of ${COUNT - 1} handshakes that offered a session)`,
    );
  });

  it('fail session IDs the server cannot look up', async () => {
    const expected = scenarioOf({ tlsVersion: 'tls1.2', resumption: 'session-ids', auth: 'mtls' });
    const server = { ...expected, resumption: 'none' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'measured', ...observed });

    expect(failedNames(checks)).toEqual(['resumption']);
    expect(byName(checks, 'resumption')?.actual).toBe(`measured 0% resumed (0 of ${COUNT - 1} handshakes that offered a session)`);
  });

  it('fail session IDs resumed through tickets', async () => {
    const expected = scenarioOf({ tlsVersion: 'tls1.2', resumption: 'session-ids', auth: 'tls' });
    // A `tickets` server issues tickets and keeps no session cache, so every resumption is a ticket's.
    const server = { ...expected, resumption: 'tickets' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'measured', ...observed });

    expect(failedNames(checks)).toEqual(['resumption mechanism']);
    expect(describeCheck(byName(checks, 'resumption mechanism')!)).toBe(
      `resumption mechanism: expected resumed through session IDs, ${COUNT - 1} of ${COUNT - 1} resumed handshakes used a session ticket`,
    );
  });

  it('fail tickets resumed through session IDs', async () => {
    const expected = scenarioOf({ tlsVersion: 'tls1.2', resumption: 'tickets', auth: 'mtls' });
    // A `session-ids` server turns tickets off and keeps a session cache.
    const server = { ...expected, resumption: 'session-ids' } as const;

    const observed = await observeHandshakes({ server, client: expected, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'measured', ...observed });

    expect(failedNames(checks)).toEqual(['resumption mechanism']);
    expect(byName(checks, 'resumption mechanism')?.actual).toBe(`${COUNT - 1} of ${COUNT - 1} resumed handshakes used a session ID`);
  });

  it('fail resumed handshakes under resumption none', async () => {
    const expected = scenarioOf({ resumption: 'none', auth: 'tls' });
    // Server and client both resume, as a tickets cell would.
    const setup = { ...expected, resumption: 'tickets' } as const;

    const observed = await observeHandshakes({ server: setup, client: setup, certs: await certsFor() }, COUNT);
    const checks = checkCell({ tls: expected, phase: 'warm-up', ...observed });

    expect(failedNames(checks)).toEqual(['resumption']);
    expect(describeCheck(byName(checks, 'resumption')!)).toBe(
      `resumption: expected no resumed handshake, measured ${COUNT - 1} of ${COUNT} handshakes resumed`,
    );
  });
});

describe('checks of keep-alive requests', () => {
  const CONNECTIONS = 3;

  it('pass with tickets, leaving out the resumed share', async () => {
    const tls = scenarioOf({ tlsVersion: 'tls1.3', resumption: 'tickets', auth: 'mtls' });

    const observed = await observeRequests({ server: tls, client: tls, certs: await certsFor() }, CONNECTIONS, 200);
    const checks = checkCell({ tls, phase: 'measured', ...observed });

    expect(checks.map((check) => check.name)).toEqual(['protocol', 'group', 'server key type', 'client certificate', 'client key type']);
    expect(failedNames(checks)).toEqual([]);
    expect(byName(checks, 'protocol')?.actual).toBe(`negotiated TLSv1.3 on ${CONNECTIONS} of ${CONNECTIONS} handshakes`);
  });

  it('fail a client certificate the server never requested', async () => {
    const expected = scenarioOf({ auth: 'mtls' });
    const server = { ...expected, auth: 'tls' } as const;

    const observed = await observeRequests({ server, client: expected, certs: await certsFor() }, CONNECTIONS, 200);
    const checks = checkCell({ tls: expected, phase: 'measured', ...observed });

    expect(failedNames(checks)).toEqual(['client certificate', 'client key type']);
    expect(byName(checks, 'client certificate')?.actual).toBe(`not verified on ${CONNECTIONS} of ${CONNECTIONS} full handshakes`);
  });
});
