import { debuglog } from 'node:util';

import type { CryptoFloor } from '../drivers/crypto-floor.ts';
import { MtlsBenchError } from '../errors.ts';
import { failedProbes } from '../probes/run-probes.ts';
import type { ProbeOutcome } from '../probes/types.ts';
import type { CellResult, FailedCell } from '../results/types.ts';
import type { Cell } from '../scenario/types.ts';
import type { RunEventListener } from './events.ts';
import { createCellMeasurement } from './create-measurement.ts';
import { cellIdentityOf, noOperationError } from './measure-cell.ts';
import type { CellContext, CellMeasurement } from './measure-cell.ts';
import { planCellGroups } from './plan.ts';
import { WARMUP_TIME_LIMIT_MS } from './handshake-cell.ts';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from '../drivers/handshake.ts';
import type { CellGroup } from './plan.ts';

const debug = debuglog('mtls-bench');

/** Servers, or a target, that the cells of one group run against, set up before the first of them. */
export interface PreparedGroup {
  /** Returns a cell's endpoint, and the server window that counts the other side or null. */
  contextFor(cell: Cell): Promise<Omit<CellContext, 'cryptoFloor' | 'cell' | 'rounds'>>;
  /**
   * Probe outcomes of the mTLS server an `mtls` cell runs against, or the error that kept the
   * probes from running. Undefined for a `tls` cell.
   */
  probesFor(cell: Cell): ProbeOutcome[] | Error | undefined;
  /**
   * Starts again any server of the group that has exited, so that a crash fails only the cells
   * that were running on it. Called before each pair after the first. Optional: a target is not
   * restarted.
   */
  recover?(): Promise<void>;
  /** Stops what the group started. */
  release(): Promise<void>;
}

/** Sets up a group's servers, or what stands for them, and probes its mTLS servers. */
export type GroupPreparer = (group: CellGroup) => Promise<PreparedGroup>;

/** Everything the loop needs besides the cells. */
export interface CellLoopOptions {
  prepare: GroupPreparer;
  cryptoFloor: CryptoFloor | null;
  emit: RunEventListener;
  /** Milliseconds since the run started, for progress events. */
  elapsedMs: () => number;
  /** Measured rounds per cell. */
  rounds: number;
  /** Creates each cell's measurement. Default `createCellMeasurement`; tests pass fakes to see the order of steps. */
  createMeasurement?: (context: CellContext) => CellMeasurement;
  /** Hard bound on each step of a cell, in milliseconds. Default `stepTimeLimitMs`; tests pass a short one. */
  stepTimeLimitMs?: (cell: Cell, step: 'warm-up' | 'round') => number;
  /**
   * Stops the loop: the pair under way is abandoned, its servers stopped, and only the cells
   * that finished before are returned.
   */
  signal?: AbortSignal;
}

/** Thrown out of `measurePair` when the run's signal aborts it. */
export class RunInterrupted extends Error {
  constructor() {
    super('the run was interrupted');
    this.name = 'RunInterrupted';
  }
}

/** Time a step gets beyond twice its nominal length: connection setup, worker start-up and teardown. */
const STEP_GRACE_MS = 30_000;

/**
 * Returns the hard bound on one step of a cell: twice the step's nominal length plus 30 s.
 * The drivers stop by themselves well before it. It exists so that a step that never settles
 * (a bug, or a peer that keeps connections open in a way no timeout covers) cannot block the run. A
 * handshake round bounded by count alone has no nominal length, so it gets, per connection slot,
 * the connections it has to make times the handshake timeout.
 */
export function stepTimeLimitMs(cell: Cell, step: 'warm-up' | 'round', rounds: number, handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS): number {
  const { workload } = cell;
  let nominalMs: number;
  if (workload.kind === 'requests') {
    nominalMs = step === 'warm-up' ? workload.warmupMs : workload.durationMs / rounds;
  } else if (step === 'warm-up') {
    nominalMs = WARMUP_TIME_LIMIT_MS;
  } else if (workload.durationMs !== null) {
    nominalMs = workload.durationMs / rounds;
  } else {
    const perSlot = Math.ceil((workload.maxCount ?? 0) / rounds / workload.concurrency);
    nominalMs = perSlot * handshakeTimeoutMs;
  }
  return Math.ceil(2 * nominalMs) + STEP_GRACE_MS;
}

/** A function, because TypeScript keeps `signal.aborted` narrowed to false after one check. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Outcome of a raced step. */
type StepOutcome<T> = { kind: 'done'; value: T } | { kind: 'timed-out' } | { kind: 'interrupted' };

/**
 * Waits for `work` for at most `limitMs`, or until `signal` aborts. Work that is given up on goes
 * on in the background; its eventual error is only logged.
 */
async function raceStep<T>(work: Promise<T>, limitMs: number, signal: AbortSignal | undefined): Promise<StepOutcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<StepOutcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timed-out' }), limitMs);
    onAbort = () => resolve({ kind: 'interrupted' });
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value) => ({ kind: 'done' as const, value })), stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    work.catch((error: unknown) => debug('a step given up on failed later: %o', error));
  }
}

export function failedCell(cell: Cell, error: unknown): FailedCell {
  const code = error instanceof MtlsBenchError ? error.code : ((error as NodeJS.ErrnoException)?.code ?? 'ERROR');
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...cellIdentityOf(cell),
    state: 'failed',
    durationMs: 0,
    error: { code, message },
    checks: [],
    probes: [],
  };
}

/** Fails a measured cell whose workload completed no operation, because it measured nothing. */
function rejectEmptyMeasurement(cell: Cell, measured: CellResult): CellResult {
  if (measured.state === 'failed') return measured;
  const section = measured.handshake ?? measured.requests;
  if (section === undefined || section.count > 0) return measured;
  const { code, message } = noOperationError('no operation completed', {
    ...section.errorsByCode,
    ...section.clientResourceErrors,
  });
  const failed = failedCell(cell, new MtlsBenchError(code, message));
  return { ...failed, checks: measured.checks, probes: measured.probes };
}

/**
 * Codes with which Node's client rejects a server certificate (OpenSSL's verify results, and
 * Node's own for a name mismatch). A probe that ends with one failed on the client's side.
 */
const SERVER_VERIFICATION_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Returns the error that fails a cell whose server was probed: a server that accepts a wrong
 * client is not an mTLS server, and its cells report no numbers. Null when every probe that
 * ran passed.
 */
function probeFailure(probes: ProbeOutcome[] | Error): MtlsBenchError | null {
  if (probes instanceof Error) {
    return new MtlsBenchError('PROBE_FAILED', `enforcement probes could not run: ${probes.message}`, { cause: probes });
  }
  const failed = failedProbes(probes);
  if (failed.length === 0) return null;

  // A server that turns the right client away (another cipher suite, version or CA) rejects
  // every probe for the same reason, so the probes show nothing about its enforcement of mTLS.
  const right = failed.find((probe) => probe.name === 'right-certificate');
  if (right !== undefined && right.actual === 'timeout') {
    return new MtlsBenchError(
      'PROBE_FAILED',
      `the server did not answer the right client certificate (${right.detail ?? right.code ?? 'timeout'}), so it cannot be measured ` +
        `and its enforcement of mTLS cannot be judged`,
    );
  }
  if (right !== undefined && right.code !== null && SERVER_VERIFICATION_CODES.has(right.code)) {
    return new MtlsBenchError(
      'PROBE_FAILED',
      `the server's certificate did not verify (${right.code}): the client rejected the server, not the other way round; ` +
        "check that the CA file (target.ca for a target) issued the server's certificate and that the server name matches it",
    );
  }
  if (right !== undefined) {
    const code = right.code === null ? '' : ` with ${right.code}`;
    return new MtlsBenchError(
      'PROBE_FAILED',
      `the server rejected the right client certificate${code}, so the scenario's settings do not work ` +
        `against it and its enforcement of mTLS cannot be judged`,
    );
  }
  const list = failed.map((probe) => `${probe.name} expected ${probe.expected}, got ${probe.actual}`).join('; ');
  return new MtlsBenchError('PROBE_FAILED', `the server is not enforcing mTLS: ${list}`);
}

/**
 * Cells measured together: a baseline and the mTLS cells that compare against it, or a cell on
 * its own when its partner is not in the run.
 */
export function pairCells(cells: readonly Cell[]): Cell[][] {
  const pairs: Cell[][] = [];
  const pairByBaseline = new Map<string, Cell[]>();
  for (const cell of cells) {
    const pair = cell.baselineId === null ? undefined : pairByBaseline.get(cell.baselineId);
    if (pair !== undefined) {
      pair.push(cell);
      continue;
    }
    const fresh = [cell];
    pairs.push(fresh);
    pairByBaseline.set(cell.id, fresh);
  }
  return pairs;
}

/** A cell of a pair: its measurement while it runs, or its result once it failed or finished. */
interface PairMember {
  cell: Cell;
  probes: ProbeOutcome[];
  measurement: CellMeasurement | null;
  result: CellResult | null;
}

/**
 * Measures a pair: every cell's warm-up, then the rounds, alternating the order round by round
 * (baseline first, then mTLS first), so that a drift in the machine's speed hits both alike.
 * A cell that fails drops out; its partner goes on alone.
 */
export async function measurePair(
  pair: Cell[],
  prepared: PreparedGroup,
  options: CellLoopOptions,
  onRound: (round: number) => void,
): Promise<CellResult[]> {
  const members: PairMember[] = [];
  for (const cell of pair) {
    const member: PairMember = { cell, probes: [], measurement: null, result: null };
    members.push(member);
    try {
      const probes = prepared.probesFor(cell);
      const probeError = probes === undefined ? null : probeFailure(probes);
      member.probes = probes === undefined || probes instanceof Error ? [] : probes;
      if (probeError !== null) {
        member.result = failedCell(cell, probeError);
        continue;
      }
      const context = await prepared.contextFor(cell);
      const create = options.createMeasurement ?? createCellMeasurement;
      member.measurement = create({ ...context, cell, cryptoFloor: options.cryptoFloor, rounds: options.rounds });
    } catch (error) {
      member.result = failedCell(cell, error);
    }
  }

  const limitOf = options.stepTimeLimitMs ?? ((cell, kind) => stepTimeLimitMs(cell, kind, options.rounds));
  const step = async (
    member: PairMember,
    kind: 'warm-up' | 'round' | 'finish',
    work: (measurement: CellMeasurement) => Promise<CellResult | null>,
  ): Promise<void> => {
    if (member.result !== null || member.measurement === null) return;
    if (options.signal?.aborted === true) throw new RunInterrupted();
    try {
      if (kind === 'finish') {
        member.result = await work(member.measurement);
        return;
      }
      const limitMs = limitOf(member.cell, kind);
      const outcome = await raceStep(work(member.measurement), limitMs, options.signal);
      if (outcome.kind === 'interrupted') throw new RunInterrupted();
      if (outcome.kind === 'done') {
        member.result = outcome.value;
        return;
      }
      const stepName = kind === 'warm-up' ? 'the warm-up' : 'a round';
      const limit = limitMs < 10_000 ? `${limitMs} ms` : `${Math.round(limitMs / 1000)} s`;
      member.result = failedCell(
        member.cell,
        new MtlsBenchError('CELL_TIMEOUT', `${stepName} timed out after ${limit}, the cell's hard bound, so the cell was abandoned`),
      );
    } catch (error) {
      // After a stop, a failure is most likely its consequence, not the cell's.
      if (error instanceof RunInterrupted || isAborted(options.signal)) throw new RunInterrupted();
      debug('cell %s failed: %o', member.cell.id, error);
      member.result = failedCell(member.cell, error);
    }
  };

  try {
    for (const member of members) await step(member, 'warm-up', (measurement) => measurement.warmUp());
    for (let round = 0; round < options.rounds; round++) {
      if (options.signal?.aborted === true) throw new RunInterrupted();
      onRound(round);
      const order = round % 2 === 0 ? members : [...members].reverse();
      for (const member of order) {
        await step(member, 'round', async (measurement) => {
          await measurement.measureRound();
          return null;
        });
      }
    }
    for (const member of members) {
      await step(member, 'finish', async (measurement) => rejectEmptyMeasurement(member.cell, measurement.finish()));
    }
  } finally {
    for (const { cell, measurement } of members) {
      await measurement?.close?.().catch((error: unknown) => debug('closing the measurement of %s failed: %o', cell.id, error));
    }
  }

  return members.map(({ cell, probes, result }) => ({ ...(result ?? failedCell(cell, new Error('cell was not run'))), probes }));
}

/**
 * Measures the cells group by group (see `planCellGroups`), each group against what `prepare`
 * sets up for it, and inside a group pair by pair (see `measurePair`). A cell that fails is
 * recorded as failed and the loop goes on. Returns the results by cell id.
 */
export async function runCellGroups(cells: Cell[], options: CellLoopOptions): Promise<Map<string, CellResult>> {
  const { prepare, emit, elapsedMs } = options;
  const results = new Map<string, CellResult>();
  let index = 0;
  const record = (result: CellResult): void => {
    results.set(result.id, result);
    emit({ type: 'cell-end', index: index++, cellCount: cells.length, result, elapsedMs: elapsedMs() });
  };

  const aborted = (): boolean => isAborted(options.signal);
  for (const group of planCellGroups(cells)) {
    if (aborted()) break;
    let prepared: PreparedGroup;
    try {
      prepared = await prepare(group);
    } catch (error) {
      if (aborted()) break;
      for (const cell of group.cells) record(failedCell(cell, error));
      continue;
    }

    try {
      let first = true;
      for (const pair of pairCells(group.cells)) {
        if (aborted()) break;
        if (!first) await prepared.recover?.();
        first = false;
        const done = index;
        emit({
          type: 'cell-start',
          index,
          cellCount: cells.length,
          cells: pair,
          elapsedMs: elapsedMs(),
          estimatedRemainingMs: done === 0 ? null : Math.round((elapsedMs() / done) * (cells.length - done)),
        });
        const onRound = (round: number): void => {
          emit({ type: 'round-start', round, rounds: options.rounds, elapsedMs: elapsedMs() });
        };
        let pairResults: CellResult[];
        try {
          pairResults = await measurePair(pair, prepared, options, onRound);
        } catch (error) {
          // The pair under way is dropped: none of its cells finished.
          if (error instanceof RunInterrupted) break;
          throw error;
        }
        for (const result of pairResults) record(result);
      }
    } finally {
      await prepared.release();
    }
  }
  return results;
}
