import { readdirSync } from 'node:fs';
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import type { RunEvent } from '../../src/runner/events.ts';
import type { MeasuredCell, RunResults } from '../../src/results/types.ts';

const suite = resolveSuite(
  {
    name: 'runner-test',
    matrix: { keyType: 'ecdsa-p256', tlsVersion: 'tls1.3', resumption: 'tickets', auth: ['tls', 'mtls'] },
    workloads: [
      { kind: 'handshake', count: 30, duration: '5s', warmup: 3 },
      { kind: 'requests', connections: 2, duration: '300ms', warmup: '50ms' },
    ],
  },
  { file: INLINE_SUITE_FILE },
);

function privateDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith('mtls-bench-'));
}

function measured(results: RunResults, id: string): MeasuredCell {
  const cell = results.cells.find((candidate) => candidate.id === id);
  if (cell?.state !== 'measured') throw new Error(`cell ${id} was not measured: ${JSON.stringify(cell)}`);
  return cell;
}

describe('runSuite', () => {
  let results: RunResults;
  const events: RunEvent[] = [];
  let dirsBefore: string[];

  beforeAll(async () => {
    dirsBefore = privateDirs();
    results = await runSuite(suite, { onEvent: (event) => events.push(event) });
  });

  it('measures every cell of the suite in suite order', () => {
    expect(results.cells.map((cell) => cell.id)).toEqual(suite.cells.map((cell) => cell.id));
    expect(results.cells.every((cell) => cell.state === 'measured')).toBe(true);
  });

  it('pairs the mtls cell with its tls baseline', () => {
    const mtls = measured(results, 'handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    expect(mtls.baselineId).toBe('handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/tls');
  });

  it('fills the handshake fields from both sides', () => {
    const cell = measured(results, 'handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    const handshake = cell.handshake!;
    expect(handshake.count).toBe(30);
    expect(handshake.errors).toBe(0);
    // The warm-up left a ticket behind, so every measured handshake resumes.
    expect(handshake.resumed).toBe(30);
    expect(handshake.latencyUs.resumed.count).toBe(30);
    expect(handshake.latencyUs.full.count).toBe(0);
    expect(Number.isInteger(handshake.latencyUs.resumed.p50)).toBe(true);
    expect(handshake.latencyUs.resumed.p50).toBeGreaterThan(0);
    expect(cell.server?.handshakesResumed).toBe(30);
    expect(cell.negotiated).toMatchObject({ protocol: 'TLSv1.3', group: 'x25519' });
    expect(cell.cpu.serverUsPerOp).toBeGreaterThan(0);
    expect(cell.cpu.clientUsPerOp).toBeGreaterThan(0);
    expect(cell.cryptoFloorUs?.serverUs).toBeGreaterThan(0);
  });

  it('fills the requests fields with verified connections', () => {
    const cell = measured(results, 'requests/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    const requests = cell.requests!;
    expect(requests.count).toBeGreaterThan(0);
    expect(requests.errors).toBe(0);
    // Each of 5 rounds opens 2 connections, whose first responses waited for the handshake.
    expect(requests.latencyUs.count).toBe(requests.count - 10);
    expect(requests.connectionsVerified).toBe(10);
    expect(requests.connectionsUnverified).toBe(0);
    expect(cell.server?.clientCertsVerified).toBe(10);
    expect(requests.throughputRps).toBeGreaterThan(0);
  });

  it('measures each cell in five rounds', () => {
    expect(results.rounds).toBe(5);
    for (const cell of results.cells) {
      if (cell.state !== 'measured') continue;
      expect(cell.rounds).toHaveLength(5);
      const section = cell.handshake ?? cell.requests;
      expect(cell.rounds.reduce((sum, round) => sum + round.count, 0)).toBe(section?.count);
    }
    const handshake = measured(results, 'handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    // 30 handshakes in 5 rounds: 6 per round, too few for percentiles, enough for rate and CPU.
    expect(handshake.rounds.map((round) => round.count)).toEqual([6, 6, 6, 6, 6]);
    for (const round of handshake.rounds) {
      expect(round.values['handshake.resumed.p50']).toBeNull();
      expect(round.values.throughput).toBeGreaterThan(0);
      expect(round.values['cpu.server']).toBeGreaterThan(0);
      expect(Number.isInteger(round.values['cpu.client'])).toBe(true);
    }
    const requests = measured(results, 'requests/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    expect(requests.rounds.every((round) => (round.values['requests.p50'] ?? 0) > 0)).toBe(true);
  });

  it('checks the warm-up and measured connections of every cell', () => {
    const handshake = measured(results, 'handshake/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');
    const requests = measured(results, 'requests/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls');

    expect(results.cells.every((cell) => cell.checks.length > 0 && cell.checks.every((check) => check.passed))).toBe(true);
    // Every measured handshake resumed, so the measured run shows no full handshake to check.
    expect(handshake.checks.map((check) => `${check.phase} ${check.name}`)).toEqual([
      'warm-up protocol',
      'warm-up group',
      'warm-up server key type',
      'warm-up client certificate',
      'warm-up client key type',
      'warm-up resumption',
      'measured protocol',
      'measured resumption',
    ]);
    expect(handshake.checks.at(-1)?.actual).toBe('measured 100% resumed (30 of 30 handshakes that offered a session)');
    // autocannon offers no session, so requests cells are not held to the resumed share.
    expect(requests.checks.filter((check) => check.name === 'resumption')).toEqual([]);
  });

  it('probes each mtls cell before measuring', () => {
    for (const cell of results.cells) {
      if (cell.scenario.auth === 'tls') {
        expect(cell.probes).toEqual([]);
        continue;
      }
      expect(cell.probes.map((probe) => probe.name)).toEqual([
        'no-certificate',
        'other-ca',
        'expired',
        'server-auth-only',
        'unsent-intermediate',
        'right-certificate',
      ]);
      expect(cell.probes.every((probe) => probe.passed)).toBe(true);
    }
  });

  it('records the environment and the crypto floor', () => {
    expect(results.environment.node).toBe(process.versions.node);
    expect(results.environment.openssl).toBe(process.versions.openssl);
    expect(results.cryptoFloor?.signUs['ecdsa-p256']).toBeGreaterThan(0);
    expect(results.cryptoFloor?.keyExchangeUs.x25519).toBeGreaterThan(0);
  });

  it('reports progress for every cell', () => {
    expect(events.filter((event) => event.type === 'cell-end')).toHaveLength(4);
    // Two pairs of cells, five rounds each.
    expect(events.filter((event) => event.type === 'round-start')).toHaveLength(10);
    expect(events.at(-1)?.type).toBe('run-end');
  });

  it('removes its private key directory', () => {
    // Only new directories count: other processes may remove their own meanwhile.
    expect(privateDirs().filter((name) => !dirsBefore.includes(name))).toEqual([]);
  });

  it('writes no private key into the results', () => {
    expect(JSON.stringify(results)).not.toContain('PRIVATE KEY');
  });
});

describe('runSuite with a failing warm-up', () => {
  it('stops a cell whose warm-up completed nothing', async () => {
    const base = resolveSuite(
      {
        name: 'failing-warmup',
        matrix: { keyType: 'ecdsa-p256', tlsVersion: 'tls1.2', auth: 'tls' },
        workloads: [{ kind: 'handshake', count: 50, warmup: 3 }],
      },
      { file: INLINE_SUITE_FILE },
    );
    // An RSA-only suite on an ECDSA server: the server starts, every handshake fails.
    const broken = {
      ...base,
      cells: base.cells.map((cell) => ({ ...cell, tls: { ...cell.tls, cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' } })),
    };
    const results = await runSuite(broken, { skipCryptoFloor: true });
    const [cell] = results.cells;
    expect(cell?.state).toBe('failed');
    expect(cell?.state === 'failed' ? cell.error.message : '').toMatch(/^no warm-up handshake completed; errors: \S+ x3$/);
  });
});

describe('runSuite with a failing cell', () => {
  it('marks a cell failed when no operation completes and goes on', async () => {
    // The loader accepts an RSA-only TLS 1.2 suite only with RSA keys. Forcing it past the
    // loader onto ECDSA keys lets the server start, but every handshake then fails.
    const base = resolveSuite(
      {
        name: 'failing-cell',
        matrix: { keyType: 'ecdsa-p256', tlsVersion: 'tls1.2', auth: ['tls', 'mtls'] },
        workloads: [{ kind: 'handshake', count: 5, warmup: 0 }],
      },
      { file: INLINE_SUITE_FILE },
    );
    const broken = {
      ...base,
      cells: base.cells.map((cell) =>
        cell.tls.auth === 'tls' ? { ...cell, tls: { ...cell.tls, cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256' } } : cell,
      ),
    };
    const results = await runSuite(broken, { skipCryptoFloor: true });
    const [tls, mtls] = results.cells;
    expect(tls?.state).toBe('failed');
    expect(tls?.state === 'failed' ? tls.error.message : '').toMatch(/^no operation completed; errors: /);
    expect(mtls?.state).toBe('measured');
  });
});
