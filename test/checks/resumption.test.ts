import { describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/checks/cell-checks.ts';
import { checkResumption } from '../../src/checks/resumption.ts';
import type { CheckInput, ClientObservations } from '../../src/checks/types.ts';
import type { Resumption } from '../../src/scenario/types.ts';
import type { NegotiationCount } from '../../src/servers/types.ts';
import { scenarioOf } from '../servers/scenario-fixture.ts';

function entries(full: number, resumed: number): NegotiationCount[] {
  const base = { protocol: 'TLSv1.2', cipherSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256', group: null, peerKeyType: null, clientCertVerified: null };
  return [
    { ...base, resumed: false, count: full },
    { ...base, resumed: true, count: resumed },
  ].filter((entry) => entry.count > 0);
}

function input(resumption: Resumption, client: ClientObservations, server: NegotiationCount[] = []): CheckInput {
  return { tls: scenarioOf({ tlsVersion: 'tls1.2', resumption }), phase: 'measured', client, server };
}

describe('checkResumption with tickets or session IDs', () => {
  it('passes when every offered session resumed', () => {
    const [check] = checkResumption(input('tickets', { negotiations: entries(1, 19), sessions: { offered: 19, received: 20, resumedWithTicket: null } }));

    expect(check).toEqual({
      name: 'resumption',
      phase: 'measured',
      expected: 'at least 95% resumed',
      actual: 'measured 100% resumed (19 of 19 handshakes that offered a session)',
      passed: true,
    });
  });

  it('passes a share right at the floor', () => {
    const [check] = checkResumption(input('session-ids', { negotiations: entries(1, 19), sessions: { offered: 20, received: 20, resumedWithTicket: null } }));

    expect(check?.actual).toBe('measured 95% resumed (19 of 20 handshakes that offered a session)');
    expect(check?.passed).toBe(true);
  });

  it('fails a share just below the floor', () => {
    const [check] = checkResumption(input('tickets', { negotiations: entries(1, 1899), sessions: { offered: 2000, received: 2000, resumedWithTicket: null } }));

    expect(describeCheck(check!)).toBe('resumption: expected at least 95% resumed, measured 94.9% resumed (1899 of 2000 handshakes that offered a session)');
    expect(check?.passed).toBe(false);
  });

  it('takes another floor', () => {
    const observed = { negotiations: entries(10, 10), sessions: { offered: 20, received: 20, resumedWithTicket: null } };

    const [strict] = checkResumption(input('tickets', observed));
    const [lenient] = checkResumption({ ...input('tickets', observed), resumedShareFloor: 0.5 });

    expect(strict?.passed).toBe(false);
    expect(lenient?.expected).toBe('at least 50% resumed');
    expect(lenient?.passed).toBe(true);
  });

  it('skips a phase without session offers', () => {
    expect(checkResumption(input('tickets', { negotiations: entries(4, 0), sessions: { offered: 0, received: 4, resumedWithTicket: null } }))).toEqual([]);
  });

  it('fails a server that issued no session', () => {
    const [check] = checkResumption(input('session-ids', { negotiations: entries(20, 0), sessions: { offered: 0, received: 0, resumedWithTicket: null } }));

    expect(check?.actual).toBe('received no session from the server in 20 handshakes');
    expect(check?.passed).toBe(false);
  });

  it('leaves requests workloads out', () => {
    expect(checkResumption(input('tickets', { negotiations: entries(10, 0), sessions: null }, entries(10, 0)))).toEqual([]);
  });
});

describe('checkResumption with none', () => {
  it('passes when nothing resumed', () => {
    const [check] = checkResumption(input('none', { negotiations: entries(20, 0), sessions: { offered: 0, received: 0, resumedWithTicket: null } }, entries(20, 0)));

    expect(check?.actual).toBe('measured 0 of 20 handshakes resumed');
    expect(check?.passed).toBe(true);
  });

  it('fails a resumption only the server counted', () => {
    const [check] = checkResumption(input('none', { negotiations: entries(10, 0), sessions: null }, entries(9, 1)));

    expect(describeCheck(check!)).toBe(
      'resumption: expected no resumed handshake, measured 0 of 10 handshakes resumed; the server counted 1 of 10 resumed',
    );
    expect(check?.passed).toBe(false);
  });

  it('applies to requests workloads too', () => {
    const [check] = checkResumption(input('none', { negotiations: entries(2, 1), sessions: null }, entries(2, 1)));

    expect(check?.passed).toBe(false);
  });
});
