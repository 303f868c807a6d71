import { describe, expect, it } from 'vitest';
import { measurePair, pairCells, RunInterrupted, runCellGroups, stepTimeLimitMs } from '../../src/runner/cell-loop.ts';
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

/** Records every step of every fake measurement in `steps`, as `auth:step`; `hangOnRound` never settles. */
function recordingFactory(steps: string[], failOnRound?: { auth: string; round: number }, hangOnRound?: { auth: string; round: number }) {
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
        if (hangOnRound?.auth === auth && hangOnRound.round === round) await new Promise(() => {});
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

describe('hard bound on a step', () => {
  it('hung round: cell fails, partner goes on', async () => {
    const steps: string[] = [];
    const pair = pairCells(suite.cells)[0]!;
    const options = { ...loopOptions(steps), createMeasurement: recordingFactory(steps, undefined, { auth: 'mtls', round: 2 }), stepTimeLimitMs: () => 200 };
    const results = await measurePair(pair, prepared, options, () => {});
    expect(results[1]).toMatchObject({ state: 'failed', error: { code: 'CELL_TIMEOUT' } });
    expect((results[1] as { error: { message: string } }).error.message).toBe(
      "a round timed out after 200 ms, the cell's hard bound, so the cell was abandoned",
    );
    expect(steps.filter((step) => step.startsWith('tls:round'))).toHaveLength(4);
    expect(steps).toContain('tls:finish');
  });

  it('limit: twice nominal plus 30 s', () => {
    const [handshakeCell] = suite.cells;
    expect(stepTimeLimitMs({ ...handshakeCell!, workload: { ...handshakeCell!.workload, durationMs: 4000 } as never }, 'round', 4)).toBe(32_000);
    // 10 handshakes over 4 rounds at concurrency 1: 3 per slot, each up to 10 s.
    expect(stepTimeLimitMs({ ...handshakeCell!, workload: { ...handshakeCell!.workload, durationMs: null, maxCount: 10, concurrency: 1 } as never }, 'round', 4)).toBe(90_000);
    expect(stepTimeLimitMs(handshakeCell!, 'warm-up', 4)).toBe(50_000);
  });
});

describe('interrupted loop', () => {
  it('stop: drops the pair under way', async () => {
    const steps: string[] = [];
    const controller = new AbortController();
    const releases: number[] = [];
    const options = {
      ...loopOptions(steps),
      // The second pair's mtls round 1 hangs until the run is stopped.
      createMeasurement: recordingFactory(steps, undefined, { auth: 'mtls', round: 1 }),
      prepare: async () => ({ ...prepared, release: async () => void releases.push(1) }),
      signal: controller.signal,
      emit: (event: { type: string }) => {
        if (event.type === 'round-start' && steps.filter((step) => step === 'mtls:round 0').length === 2) controller.abort('SIGINT');
      },
    };
    // Two pairs in two groups; the first pair's mtls cell hangs too, so give it a short bound.
    const results = await runCellGroups(suite.cells, { ...options, stepTimeLimitMs: () => 300 });
    expect([...results.keys()]).toEqual(suite.cells.slice(0, 2).map((cell) => cell.id));
    expect(results.get(suite.cells[1]!.id)).toMatchObject({ state: 'failed', error: { code: 'CELL_TIMEOUT' } });
    // Both groups' servers were released.
    expect(releases).toHaveLength(2);
  });

  it('stop mid-step: throws RunInterrupted', async () => {
    const controller = new AbortController();
    const pair = pairCells(suite.cells)[0]!;
    const steps: string[] = [];
    const options = { ...loopOptions(steps), createMeasurement: recordingFactory(steps, undefined, { auth: 'tls', round: 0 }), signal: controller.signal };
    setTimeout(() => controller.abort('SIGINT'), 100);
    await expect(measurePair(pair, prepared, options, () => {})).rejects.toBeInstanceOf(RunInterrupted);
  });
});
