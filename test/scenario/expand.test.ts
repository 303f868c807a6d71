import { describe, expect, it } from 'vitest';

import { buildCellId, expandCells } from '../../src/scenario/expand.ts';
import type { ResolvedMatrixEntry } from '../../src/scenario/expand.ts';
import type { HandshakeWorkload, TlsScenario } from '../../src/scenario/types.ts';

const WORKLOAD: HandshakeWorkload = {
  kind: 'handshake',
  name: 'connect',
  concurrency: 1,
  ratePerSec: null,
  workers: 1,
  maxCount: null,
  durationMs: 1000,
  warmupCount: 0,
  payloadBytes: 1,
};

function entry(overrides: Partial<ResolvedMatrixEntry>): ResolvedMatrixEntry {
  return {
    keyTypes: [{ server: 'ecdsa-p256', client: 'ecdsa-p256' }],
    tlsVersion: ['tls1.3'],
    cipherSuite: [null],
    group: ['x25519'],
    resumption: ['none'],
    auth: ['tls', 'mtls'],
    chainDepth: [0],
    ...overrides,
  };
}

const TLS: TlsScenario = {
  serverKeyType: 'rsa-2048',
  clientKeyType: 'ed25519',
  tlsVersion: 'tls1.2',
  cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
  group: 'p-384',
  resumption: 'session-ids',
  auth: 'mtls',
  chainDepth: 2,
};

describe('buildCellId', () => {
  it('joins every value in order', () => {
    expect(buildCellId('connect', TLS)).toBe(
      'connect/rsa-2048+ed25519/tls1.2/ECDHE-RSA-AES128-GCM-SHA256/p-384/session-ids/d2/mtls',
    );
  });

  it('writes one key type when both match', () => {
    expect(buildCellId('connect', { ...TLS, clientKeyType: 'rsa-2048', cipherSuite: null })).toBe(
      'connect/rsa-2048/tls1.2/default/p-384/session-ids/d2/mtls',
    );
  });
});

describe('expandCells', () => {
  it('nests axes with auth innermost', () => {
    const cells = expandCells([entry({ chainDepth: [0, 1], group: ['x25519', 'p-256'] })], [WORKLOAD]);

    expect(cells.map((cell) => cell.id)).toEqual([
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d1/tls',
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d1/mtls',
      'connect/ecdsa-p256/tls1.3/default/p-256/none/d0/tls',
      'connect/ecdsa-p256/tls1.3/default/p-256/none/d0/mtls',
      'connect/ecdsa-p256/tls1.3/default/p-256/none/d1/tls',
      'connect/ecdsa-p256/tls1.3/default/p-256/none/d1/mtls',
    ]);
  });

  it('links each mtls cell to its baseline', () => {
    const cells = expandCells([entry({})], [WORKLOAD]);

    expect(cells[0]?.baselineId).toBeNull();
    expect(cells[1]?.baselineId).toBe(cells[0]?.id);
  });

  it('moves a late baseline up to its partner', () => {
    const cells = expandCells(
      [entry({ auth: ['mtls'], resumption: ['none', 'tickets'] }), entry({ auth: ['tls'], resumption: ['tickets'] })],
      [WORKLOAD],
    );

    expect(cells.map((cell) => [cell.id, cell.baselineId])).toEqual([
      ['connect/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls', null],
      ['connect/ecdsa-p256/tls1.3/default/x25519/tickets/d0/tls', null],
      [
        'connect/ecdsa-p256/tls1.3/default/x25519/tickets/d0/mtls',
        'connect/ecdsa-p256/tls1.3/default/x25519/tickets/d0/tls',
      ],
    ]);
  });

  it('drops cells repeated across entries', () => {
    const cells = expandCells([entry({}), entry({ tlsVersion: ['tls1.2', 'tls1.3'] })], [WORKLOAD]);

    expect(cells.map((cell) => cell.id)).toEqual([
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d0/tls',
      'connect/ecdsa-p256/tls1.3/default/x25519/none/d0/mtls',
      'connect/ecdsa-p256/tls1.2/default/x25519/none/d0/tls',
      'connect/ecdsa-p256/tls1.2/default/x25519/none/d0/mtls',
    ]);
  });

  it('shares the workload object', () => {
    const cells = expandCells([entry({})], [WORKLOAD]);

    expect(cells.every((cell) => cell.workload === WORKLOAD)).toBe(true);
  });
});
