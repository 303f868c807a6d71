import { describe, expect, it } from 'vitest';
import { measurePair, pairCells } from '../../src/runner/cell-loop.ts';
import type { PreparedGroup } from '../../src/runner/cell-loop.ts';
import type { CellMeasurement } from '../../src/runner/measure-cell.ts';
import { cellIdentityOf } from '../../src/runner/measure-cell.ts';
import type { CellResult } from '../../src/results/types.ts';
import { INLINE_SUITE_FILE, resolveSuite } from '../../src/scenario/load.ts';
import type { Cell } from '../../src/scenario/types.ts';

const suite = resolveSuite(
  {
    name: 'pairs-test',
    matrix: { keyType: ['ecdsa-p256', 'ed25519'], auth: ['tls', 'mtls'] },
    workloads: [{ kind: 'handshake', count: 10 }],
  },
  { file: INLINE_SUITE_FILE },
);

/** A prepared group whose probes all pass and whose endpoint no fake measurement uses. */
const prepared: PreparedGroup = {
  async contextFor() {
    return {
      endpoint: { host: '127.0.0.1', handshakePort: 1, handshakeProtocol: 'tls', requestsPort: 1, certs: { ca: '', cert: '', key: '' } as never },
      server: null,
    };
  },
  probesFor: () => undefined,
  async release() {},
};

/** Records every step of every fake measurement in `steps`, as `auth:step`. */
function recordingFactory(steps: string[], failOnRound?: { auth: string; round: number }) {
  return (context: { cell: Cell }): CellMeasurement => {
    const auth = context.cell.tls.auth;
    let round = 0;
    return {
      async warmUp() {
        steps.push(`${auth}:warm-up`);
        return null;
      },
      async measureRound() {
        steps.push(`${auth}:round ${round}`);
        if (failOnRound?.auth === auth && failOnRound.round === round) throw new Error('server exited');
        round++;
      },
      finish(): CellResult {
        steps.push(`${auth}:finish`);
        return { ...cellIdentityOf(context.cell), state: 'failed', durationMs: 0, error: { code: 'TEST', message: 'fake' }, checks: [], probes: [] };
      },
    };
  };
}

function loopOptions(steps: string[], failOnRound?: { auth: string; round: number }) {
  return {
    prepare: async () => prepared,
    cryptoFloor: null,
    emit: () => {},
    elapsedMs: () => 0,
    rounds: 4,
    createMeasurement: recordingFactory(steps, failOnRound),
  };
}

describe('pairCells', () => {
  it('pairs each mtls cell with its baseline', () => {
    const pairs = pairCells(suite.cells);
    expect(pairs.map((pair) => pair.map((cell) => cell.tls.auth))).toEqual([
      ['tls', 'mtls'],
      ['tls', 'mtls'],
    ]);
    expect(pairs[0]?.[1]?.baselineId).toBe(pairs[0]?.[0]?.id);
  });

  it('keeps a cell without its baseline alone', () => {
    const mtlsOnly = suite.cells.filter((cell) => cell.tls.auth === 'mtls');
    expect(pairCells(mtlsOnly).map((pair) => pair.length)).toEqual([1, 1]);
  });
});

describe('measurePair', () => {
  it('warms both up, then alternates the order by round', async () => {
    const steps: string[] = [];
    const pair = pairCells(suite.cells)[0]!;
    await measurePair(pair, prepared, loopOptions(steps), () => {});
    expect(steps).toEqual([
      'tls:warm-up',
      'mtls:warm-up',
      'tls:round 0',
      'mtls:round 0',
      'mtls:round 1',
      'tls:round 1',
      'tls:round 2',
      'mtls:round 2',
      'mtls:round 3',
      'tls:round 3',
      'tls:finish',
      'mtls:finish',
    ]);
  });

  it('goes on with the partner of a cell that failed', async () => {
    const steps: string[] = [];
    const pair = pairCells(suite.cells)[0]!;
    const results = await measurePair(pair, prepared, loopOptions(steps, { auth: 'mtls', round: 1 }), () => {});
    expect(steps.filter((step) => step.startsWith('mtls:'))).toEqual(['mtls:warm-up', 'mtls:round 0', 'mtls:round 1']);
    expect(steps.filter((step) => step.startsWith('tls:round'))).toHaveLength(4);
    expect(results[1]).toMatchObject({ state: 'failed', error: { message: 'server exited' } });
  });
});
