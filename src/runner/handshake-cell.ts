import { HandshakeDriver } from '../drivers/handshake.ts';
import type { HandshakeDriverOptions, HandshakeRunBounds, HandshakeRunResult } from '../drivers/handshake.ts';
import { startHandshakePool } from '../drivers/handshake-pool.ts';
import { handshakeFloorUs } from '../drivers/crypto-floor.ts';
import type { ClientObservations } from '../checks/types.ts';
import type { CellCheck, CellResult, FailedCell, RoundResult } from '../results/types.ts';
import type { HandshakeWorkload } from '../scenario/types.ts';
import type { ServerWindowStats } from '../servers/types.ts';
import { mergeNegotiationCounts } from '../checks/tally.ts';
import { cellIdentityOf, inWindow, serverCountsOf, verifyPhase, warmupFailed } from './measure-cell.ts';
import type { CellContext, CellMeasurement } from './measure-cell.ts';
import { clientLoadOf } from '../results/client-load.ts';
import { mergeArrivals } from '../results/arrivals.ts';
import { countErrors, splitClientResourceErrors } from '../results/client-errors.ts';
import { mergeErrorCounts } from '../stats/counts.ts';
import { mergeLatencySummaries } from '../stats/histogram.ts';
import {
  mergeServerWindows,
  roundCount,
  roundDurationMs,
  RoundLog,
  roundPercentile,
  sumCpuUs,
  usPerOp,
} from './rounds.ts';

/**
 * Upper bound on a handshake warm-up, so a server that accepts and never responds cannot hold
 * the run. Each connection also has its own handshake timeout in the driver.
 */
export const WARMUP_TIME_LIMIT_MS = 10_000;

/** Adds up what the client saw over several runs; `resumedWithTicket` stays null when any run could not tell. */
function observationsOf(runs: readonly HandshakeRunResult[]): ClientObservations {
  let resumedWithTicket: number | null = 0;
  for (const run of runs) {
    resumedWithTicket = resumedWithTicket === null || run.resumedWithTicket === null ? null : resumedWithTicket + run.resumedWithTicket;
  }
  return {
    negotiations: mergeNegotiationCounts(runs.map((run) => run.negotiations)),
    sessions: {
      offered: runs.reduce((sum, run) => sum + run.sessionsOffered, 0),
      received: runs.reduce((sum, run) => sum + run.sessionsReceived, 0),
      resumedWithTicket,
    },
  };
}

function serverOperations(stats: ServerWindowStats | null): number {
  return stats === null ? 0 : stats.handshakes.full + stats.handshakes.resumed;
}

function roundResultOf(run: HandshakeRunResult, stats: ServerWindowStats | null): RoundResult {
  return {
    durationMs: Math.round(run.elapsedUs / 1000),
    count: run.count,
    values: {
      'handshake.full.p50': roundPercentile(run.latencyUs.full, 'p50'),
      'handshake.full.p99': roundPercentile(run.latencyUs.full, 'p99'),
      'handshake.resumed.p50': roundPercentile(run.latencyUs.resumed, 'p50'),
      'handshake.resumed.p99': roundPercentile(run.latencyUs.resumed, 'p99'),
      throughput: run.count === 0 ? null : run.handshakesPerSec,
      'cpu.server': stats === null ? null : usPerOp(stats.cpuUs, serverOperations(stats)),
      'cpu.client': usPerOp(run.clientCpuUs, run.count),
    },
  };
}

/**
 * New-connection handshakes: a warm-up of `warmupCount` handshakes in a server window of its own,
 * so that its checks see both sides, then rounds that each get an equal share of the count and
 * time bounds. The driver keeps its sessions across rounds, so resumption carries over.
 */
/** The runner of a cell's connections: one driver in this thread, or a pool of them in worker threads. */
interface HandshakeRunner {
  run(bounds: HandshakeRunBounds): Promise<HandshakeRunResult>;
  close?(): Promise<void>;
}

export class HandshakeCellMeasurement implements CellMeasurement {
  readonly #context: CellContext;
  readonly #workload: HandshakeWorkload;
  readonly #driverOptions: HandshakeDriverOptions;
  #runner: HandshakeRunner | null = null;
  readonly #checks: CellCheck[] = [];
  readonly #rounds = new RoundLog<HandshakeRunResult>();

  constructor(context: CellContext, workload: HandshakeWorkload) {
    this.#context = context;
    this.#workload = workload;
    const { endpoint, cell } = context;
    this.#driverOptions = {
      host: endpoint.host,
      ...(endpoint.servername === undefined ? {} : { servername: endpoint.servername }),
      port: endpoint.handshakePort,
      protocol: endpoint.handshakeProtocol,
      tls: cell.tls,
      certs: endpoint.certs,
      concurrency: workload.concurrency,
      payloadBytes: workload.payloadBytes,
      ratePerSec: workload.ratePerSec,
    };
    // One thread builds its driver now, so that bad options fail the cell before its warm-up.
    if (workload.workers === 1) this.#runner = new HandshakeDriver(this.#driverOptions);
  }

  /** The driver, or with `workers` above 1 the pool, which starts its threads on first use. */
  async #driver(): Promise<HandshakeRunner> {
    this.#runner ??= await startHandshakePool({ ...this.#driverOptions, workers: this.#workload.workers });
    return this.#runner;
  }

  async close(): Promise<void> {
    await this.#runner?.close?.();
  }

  async warmUp(): Promise<FailedCell | null> {
    const { cell, server } = this.#context;
    const driver = await this.#driver();
    if (this.#workload.warmupCount === 0) return null;
    const warmup = await inWindow(server, () =>
      driver.run({ maxCount: this.#workload.warmupCount, durationMs: WARMUP_TIME_LIMIT_MS }),
    );
    const failed = verifyPhase(cell, 'warm-up', observationsOf([warmup.run]), warmup.stats, this.#checks, 0);
    if (failed !== null) return failed;
    // When every warm-up handshake failed, the measured rounds would fail the same way.
    if (warmup.run.count === 0 && warmup.run.errorCount > 0) {
      return warmupFailed(cell, 'handshake', warmup.run.errors, this.#checks);
    }
    return null;
  }

  async measureRound(): Promise<void> {
    const { rounds, server } = this.#context;
    const driver = await this.#driver();
    await this.#rounds.record(server, () =>
      driver.run({
        maxCount: roundCount(this.#workload.maxCount, rounds, this.#rounds.runs.length),
        durationMs: roundDurationMs(this.#workload.durationMs, rounds),
      }),
    );
  }

  finish(): CellResult {
    const { cell, cryptoFloor } = this.#context;
    const { runs, windows } = this.#rounds;
    const stats = mergeServerWindows(windows);
    const count = runs.reduce((sum, run) => sum + run.count, 0);
    const elapsedUs = runs.reduce((sum, run) => sum + run.elapsedUs, 0);
    const durationMs = Math.round(elapsedUs / 1000);
    const failed = verifyPhase(cell, 'measured', observationsOf(runs), stats, this.#checks, durationMs);
    if (failed !== null) return failed;

    const errors = splitClientResourceErrors(mergeErrorCounts(runs.map((run) => run.errors)));
    const resumed = runs.reduce((sum, run) => sum + run.resumed, 0);
    const floor = cryptoFloor === null ? undefined : handshakeFloorUs(cryptoFloor, cell.tls);
    const serverCpuUs = stats === null ? null : (usPerOp(stats.cpuUs, serverOperations(stats)) ?? 0);
    const arrivals = mergeArrivals(runs.flatMap((run) => (run.arrivals === null ? [] : [run.arrivals])));
    return {
      ...cellIdentityOf(cell),
      state: 'measured',
      probes: [],
      durationMs,
      checks: this.#checks,
      negotiated: [...runs].reverse().find((run) => run.negotiated !== null)?.negotiated ?? null,
      handshake: {
        count,
        errors: countErrors(errors.other),
        errorsByCode: errors.other,
        clientResourceErrors: errors.clientResource,
        resumed,
        resumedShare: count === 0 ? 0 : resumed / count,
        handshakesPerSec: elapsedUs === 0 ? 0 : count / (elapsedUs / 1e6),
        connectUs: mergeLatencySummaries(runs.map((run) => run.connectUs)),
        latencyUs: {
          full: mergeLatencySummaries(runs.map((run) => run.latencyUs.full)),
          resumed: mergeLatencySummaries(runs.map((run) => run.latencyUs.resumed)),
        },
        ...(arrivals === undefined ? {} : { arrivals }),
      },
      server: serverCountsOf(stats),
      cpu: {
        serverUsPerOp: serverCpuUs,
        clientUsPerOp: usPerOp(sumCpuUs(runs.map((run) => run.clientCpuUs)), count) ?? 0,
      },
      client: clientLoadOf(runs, this.#workload.workers),
      rounds: this.#rounds.roundResults(roundResultOf),
      ...(floor === undefined ? {} : { cryptoFloorUs: floor }),
    };
  }
}
