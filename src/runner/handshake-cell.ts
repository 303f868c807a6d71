import { HandshakeDriver } from '../drivers/handshake.ts';
import type { HandshakeRunResult } from '../drivers/handshake.ts';
import { handshakeFloorUs } from '../drivers/crypto-floor.ts';
import type { ClientObservations } from '../checks/types.ts';
import type { CellCheck, CellResult, FailedCell, RoundResult } from '../results/types.ts';
import type { HandshakeWorkload } from '../scenario/types.ts';
import type { ServerWindowStats } from '../servers/types.ts';
import { mergeNegotiationCounts } from '../checks/tally.ts';
import { cellIdentityOf, inWindow, serverCountsOf, verifyPhase, warmupFailed } from './measure-cell.ts';
import type { CellContext, CellMeasurement } from './measure-cell.ts';
import { clientLoadOf } from '../results/client-load.ts';
import {
  mergeErrorCounts,
  mergeLatencySummaries,
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
const WARMUP_TIME_LIMIT_MS = 10_000;

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
export class HandshakeCellMeasurement implements CellMeasurement {
  readonly #context: CellContext;
  readonly #workload: HandshakeWorkload;
  readonly #driver: HandshakeDriver;
  readonly #checks: CellCheck[] = [];
  readonly #rounds = new RoundLog<HandshakeRunResult>();

  constructor(context: CellContext, workload: HandshakeWorkload) {
    this.#context = context;
    this.#workload = workload;
    const { endpoint, cell } = context;
    this.#driver = new HandshakeDriver({
      host: endpoint.host,
      ...(endpoint.servername === undefined ? {} : { servername: endpoint.servername }),
      port: endpoint.handshakePort,
      protocol: endpoint.handshakeProtocol,
      tls: cell.tls,
      certs: endpoint.certs,
      concurrency: workload.concurrency,
      payloadBytes: workload.payloadBytes,
    });
  }

  async warmUp(): Promise<FailedCell | null> {
    const { cell, server } = this.#context;
    if (this.#workload.warmupCount === 0) return null;
    const warmup = await inWindow(server, () =>
      this.#driver.run({ maxCount: this.#workload.warmupCount, durationMs: WARMUP_TIME_LIMIT_MS }),
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
    await this.#rounds.record(server, () =>
      this.#driver.run({
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

    const errors = mergeErrorCounts(runs.map((run) => run.errors));
    const resumed = runs.reduce((sum, run) => sum + run.resumed, 0);
    const floor = cryptoFloor === null ? undefined : handshakeFloorUs(cryptoFloor, cell.tls);
    const serverCpuUs = stats === null ? null : (usPerOp(stats.cpuUs, serverOperations(stats)) ?? 0);
    return {
      ...cellIdentityOf(cell),
      state: 'measured',
      probes: [],
      durationMs,
      checks: this.#checks,
      negotiated: [...runs].reverse().find((run) => run.negotiated !== null)?.negotiated ?? null,
      handshake: {
        count,
        errors: runs.reduce((sum, run) => sum + run.errorCount, 0),
        errorsByCode: errors,
        resumed,
        resumedShare: count === 0 ? 0 : resumed / count,
        handshakesPerSec: elapsedUs === 0 ? 0 : count / (elapsedUs / 1e6),
        connectUs: mergeLatencySummaries(runs.map((run) => run.connectUs)),
        latencyUs: {
          full: mergeLatencySummaries(runs.map((run) => run.latencyUs.full)),
          resumed: mergeLatencySummaries(runs.map((run) => run.latencyUs.resumed)),
        },
      },
      server: serverCountsOf(stats),
      cpu: {
        serverUsPerOp: serverCpuUs,
        clientUsPerOp: usPerOp(sumCpuUs(runs.map((run) => run.clientCpuUs)), count) ?? 0,
      },
      client: clientLoadOf(runs),
      rounds: this.#rounds.roundResults(roundResultOf),
      ...(floor === undefined ? {} : { cryptoFloorUs: floor }),
    };
  }
}
