import { beforeAll, describe, expect, it } from 'vitest';
import { renderTables } from '../../src/report/table.ts';
import type { CellResult, RunResults } from '../../src/results/types.ts';
import { runSuite } from '../../src/runner/run.ts';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';
import type { Cell, ResolvedSuite } from '../../src/scenario/types.ts';

/**
 * A TLS 1.2 suite that TLS 1.3 cells name after loading, because the loader rejects it. Node
 * splits `ciphers` by name and keeps the default TLS 1.3 suites when it gets only a TLS 1.2 name,
 * so such a cell negotiates TLS_AES_256_GCM_SHA384 instead.
 */
const TLS12_SUITE = 'ECDHE-ECDSA-AES128-GCM-SHA256';
const MEASURED_COUNT = 12;
const WARMUP_COUNT = 4;

function cellOf(suite: ResolvedSuite, prefix: string): Cell {
  const cell = suite.cells.find((candidate) => candidate.id.startsWith(prefix));
  if (cell === undefined) throw new Error(`no cell starts with ${prefix}`);
  return cell;
}

function withTls12Suite(cell: Cell): Cell {
  return { ...cell, tls: { ...cell.tls, cipherSuite: TLS12_SUITE } };
}

function withBounds(cell: Cell, idSuffix: string, bounds: { warmupCount: number; maxCount: number }): Cell {
  if (cell.workload.kind !== 'handshake') throw new Error('expected a handshake cell');
  return { ...cell, id: `${cell.id}/${idSuffix}`, workload: { ...cell.workload, ...bounds } };
}

/**
 * Builds six TLS 1.3 cells. The first four name a TLS 1.2 suite: a handshake cell with and
 * without a warm-up, then a requests cell with and without one. The fifth is a handshake cell
 * whose measured run has a count bound of 0, and the last is set up as requested.
 */
function suiteWithMismatches(): ResolvedSuite {
  const base = resolveSuite(
    {
      name: 'checks-runner',
      matrix: { keyType: 'ecdsa-p256', tlsVersion: 'tls1.3', resumption: ['none', 'tickets'], auth: 'tls' },
      workloads: [
        { kind: 'handshake', count: MEASURED_COUNT, warmup: WARMUP_COUNT },
        { kind: 'requests', connections: 2, duration: '200ms', warmup: '100ms' },
      ],
    },
    { file: INLINE_SUITE_FILE },
  );
  const handshakeNone = cellOf(base, 'handshake/ecdsa-p256/tls1.3/default/x25519/none/');
  const handshakeTickets = cellOf(base, 'handshake/ecdsa-p256/tls1.3/default/x25519/tickets/');
  const requestsNone = cellOf(base, 'requests/ecdsa-p256/tls1.3/default/x25519/none/');
  const requestsTickets = cellOf(base, 'requests/ecdsa-p256/tls1.3/default/x25519/tickets/');
  if (requestsTickets.workload.kind !== 'requests') throw new Error('expected a requests cell');
  const cells = [
    withTls12Suite(handshakeNone),
    withBounds(withTls12Suite(handshakeTickets), 'no-warm-up', { warmupCount: 0, maxCount: MEASURED_COUNT }),
    withTls12Suite(requestsNone),
    withTls12Suite({ ...requestsTickets, workload: { ...requestsTickets.workload, warmupMs: 0 } }),
    withBounds(handshakeTickets, 'empty', { warmupCount: WARMUP_COUNT, maxCount: 0 }),
    handshakeTickets,
  ];
  return { ...base, cells };
}

function failure(cell: CellResult | undefined): { code: string; message: string } {
  if (cell?.state !== 'failed') throw new Error(`expected a failed cell: ${JSON.stringify(cell)}`);
  return cell.error;
}

describe('runSuite with cells that negotiate something else', () => {
  let results: RunResults;

  beforeAll(async () => {
    results = await runSuite(suiteWithMismatches(), { skipCryptoFloor: true });
  });

  it('fails a warm-up before measuring', () => {
    const [cell] = results.cells;

    expect(failure(cell)).toEqual({
      code: 'CHECK_FAILED',
      message: `checks failed in the warm-up: cipher suite: expected ${TLS12_SUITE}, negotiated TLS_AES_256_GCM_SHA384 on ${WARMUP_COUNT} of ${WARMUP_COUNT} handshakes`,
    });
    expect(cell?.durationMs).toBe(0);
    expect(cell?.checks.every((check) => check.phase === 'warm-up')).toBe(true);
    expect(cell?.checks.find((check) => check.name === 'protocol')?.passed).toBe(true);
    expect(cell).not.toHaveProperty('handshake');
  });

  it('checks measured handshakes too', () => {
    const cell = results.cells[1];

    expect(failure(cell).message).toBe(
      `checks failed in the measured run: cipher suite: expected ${TLS12_SUITE}, negotiated TLS_AES_256_GCM_SHA384 on ${MEASURED_COUNT} of ${MEASURED_COUNT} handshakes`,
    );
    expect(cell?.durationMs).toBeGreaterThan(0);
    expect(cell?.checks.map((check) => `${check.phase} ${check.name} ${check.passed}`)).toEqual([
      'measured protocol true',
      'measured cipher suite false',
      'measured group true',
      'measured server key type true',
      'measured resumption true',
    ]);
  });

  it('fails a requests warm-up', () => {
    const cell = results.cells[2];

    expect(failure(cell).message).toBe(
      `checks failed in the warm-up: cipher suite: expected ${TLS12_SUITE}, negotiated TLS_AES_256_GCM_SHA384 on 2 of 2 handshakes`,
    );
    expect(cell).not.toHaveProperty('requests');
  });

  it('checks measured requests too', () => {
    const cell = results.cells[3];

    expect(failure(cell).message).toMatch(/^checks failed in the measured run: cipher suite: expected ECDHE-ECDSA-AES128-GCM-SHA256, /);
    expect(cell?.checks.every((check) => check.phase === 'measured')).toBe(true);
  });

  it('keeps warm-up checks of empty cells', () => {
    const cell = results.cells[4];

    expect(failure(cell)).toEqual({ code: 'RUN_FAILED', message: 'no operation completed' });
    expect(cell?.checks.length).toBeGreaterThan(0);
    expect(cell?.checks.every((check) => check.phase === 'warm-up' && check.passed)).toBe(true);
  });

  it('measures the next cell', () => {
    const cell = results.cells[5];

    expect(cell?.state).toBe('measured');
    expect(cell?.checks.length).toBeGreaterThan(0);
    expect(cell?.checks.every((check) => check.passed)).toBe(true);
    expect(new Set(cell?.checks.map((check) => check.phase))).toEqual(new Set(['warm-up', 'measured']));
  });

  it('shows failed checks in the table', () => {
    const text = renderTables(results, { color: false });

    expect(text).toContain(`FAILED in the warm-up: cipher suite: expected ${TLS12_SUITE},`);
    expect(text).toContain('FAILED in the measured run: cipher suite:');
  });
});
