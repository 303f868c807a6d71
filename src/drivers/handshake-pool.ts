/**
 * Handshake workloads spread over worker threads, for rates that one event loop cannot open
 * connections at. Each worker runs its own `HandshakeDriver` with a share of the concurrency and
 * of each run's count bound, and the pool merges the workers' results into one.
 *
 * Known limits:
 * - Each worker keeps its own TLS session, so every worker's first connections are full
 *   handshakes: a run after a warm-up resumes from its first connection, as a single driver does.
 * - The workers start a run when their request message arrives. They are posted back to back, so
 *   their starts differ by the time a message takes to reach an idle thread, and `elapsedUs` runs
 *   from the earliest start to the latest end.
 * - `clientCpuUs` is this process's CPU time over the whole run, read in the calling thread. It
 *   includes whatever else the process did meanwhile, as a single driver's figure does.
 */
import { MtlsBenchError } from '../errors.ts';
import { clientMaterialOf } from '../servers/tls-options.ts';
import type { HandshakeDriverOptions, HandshakeRunBounds, HandshakeRunResult } from './handshake.ts';
import { mergeHandshakeRuns } from './merge-runs.ts';
import type { WorkerRun } from './merge-runs.ts';
import { DriverWorkerPool } from './worker-pool.ts';
import { splitCount, splitRate } from './worker-shares.ts';

/** Options of `startHandshakePool`: a driver's options and the number of worker threads. */
export interface HandshakePoolOptions extends HandshakeDriverOptions {
  /** Worker threads, at least 2 and at most `concurrency`. Each gets a share of `concurrency`. */
  workers: number;
}

/** Handshake drivers in worker threads that run as one. Create with `startHandshakePool`. */
export interface HandshakePool {
  /** Worker threads of the pool. */
  readonly workers: number;
  /** Each worker's share of `concurrency`, in worker order. */
  readonly concurrencies: readonly number[];
  /**
   * Runs every worker at once, each with its share of `maxCount` and the whole `durationMs`, and
   * merges their results. Throws `INVALID_ARGUMENT` for bad bounds, and `RUN_FAILED` naming the
   * worker when a worker crashed or its driver could not start connections.
   */
  run(bounds: HandshakeRunBounds): Promise<HandshakeRunResult>;
  /** Terminates every worker thread and resolves once all have exited. */
  close(): Promise<void>;
}

function invalid(message: string): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `handshake pool: ${message}`);
}

/** Returns each worker's driver options: its shares, and the rest passed through unchanged. */
function workerOptionsOf(options: HandshakePoolOptions): HandshakeDriverOptions[] {
  const { workers, ...driverOptions } = options;
  const concurrencies = splitCount(options.concurrency, workers);
  const rates = splitRate(driverOptions.ratePerSec, workers);
  return concurrencies.map((concurrency, index) => {
    const shared: HandshakeDriverOptions = {
      ...driverOptions,
      // Only the client's side of the material crosses to the workers: the CA certificate, the
      // client chain and its key. The root and server keys of a generated set stay here.
      certs: clientMaterialOf(options.certs),
      concurrency,
    };
    // An absent rate stays absent, so the workers' options equal the caller's apart from shares.
    const rate = rates[index];
    if (rate !== undefined) shared.ratePerSec = rate;
    // Worker k of N starts its schedule k/N of its interval late, so that the workers' starts
    // interleave evenly instead of coming N at a time.
    if (rate != null) shared.ratePhase = index / workers;
    return shared;
  });
}

function checkBounds(bounds: HandshakeRunBounds): void {
  if (bounds.maxCount === null && bounds.durationMs === null) {
    throw invalid('run: maxCount and durationMs are both null; set at least one');
  }
  if (bounds.maxCount !== null && !(Number.isInteger(bounds.maxCount) && bounds.maxCount >= 0)) {
    throw invalid(`run: maxCount: got ${bounds.maxCount}; expected null or an integer, 0 or more`);
  }
}

/**
 * Starts `workers` threads, each with a `HandshakeDriver` for its share of the concurrency, and
 * resolves once all are ready. Throws `INVALID_ARGUMENT` when `workers` is not an integer of at
 * least 2, when `concurrency` is below `workers`, or when a worker's driver rejects its options.
 */
export async function startHandshakePool(options: HandshakePoolOptions): Promise<HandshakePool> {
  const { workers, concurrency } = options;
  if (!(Number.isInteger(workers) && workers >= 2)) {
    throw invalid(`workers: got ${workers}; expected an integer of at least 2 (use HandshakeDriver for one)`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= workers)) {
    throw invalid(`concurrency: got ${concurrency}; expected an integer of at least workers (${workers}), because each worker needs a connection in flight. Lower workers or raise concurrency.`);
  }

  const setups = workerOptionsOf(options);
  const pool = await DriverWorkerPool.start<HandshakeDriverOptions, HandshakeRunBounds, WorkerRun<HandshakeRunResult>>({
    name: 'handshake',
    moduleUrl: new URL('./handshake-worker.ts', import.meta.url),
    setups,
  });
  let running = false;

  return {
    workers,
    concurrencies: setups.map((setup) => setup.concurrency),
    async run(bounds) {
      checkBounds(bounds);
      if (running) throw invalid('run: a run is already in progress on this pool');
      running = true;
      try {
        const maxCounts = bounds.maxCount === null ? setups.map(() => null) : splitCount(bounds.maxCount, workers);
        const requests = maxCounts.map((maxCount) => ({ maxCount, durationMs: bounds.durationMs }));
        const cpuStart = process.cpuUsage();
        const runs = await pool.runAll(requests);
        return mergeHandshakeRuns(runs, process.cpuUsage(cpuStart));
      } finally {
        running = false;
      }
    },
    close: () => pool.close(),
  };
}
