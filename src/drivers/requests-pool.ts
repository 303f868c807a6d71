/**
 * Keep-alive requests spread over worker threads, for loads that one event loop cannot drive.
 * Each worker runs `runRequests` (autocannon in that thread) with a share of the connections,
 * of the rate and of each run's count bound, and the pool merges the workers' results into one.
 *
 * autocannon 9 has a `workers` option of its own, which this pool does not use. Read in
 * autocannon 9.0.0's `lib/`, that mode:
 * - takes `setupClient` as a file path that each of its workers loads with `require()`
 *   (`validate.js`, `worker.js`), because functions cannot be sent to a thread. The hooks of
 *   `runRequests` that verify each server certificate and count its responses would then run
 *   where their counters cannot be read, and a TypeScript file cannot be loaded that way.
 * - sends back only autocannon's result, whose latencies `run.js` records in milliseconds, and
 *   returns their merged summary (`manager.js`, `aggregateResult.js`). The microsecond HDR
 *   histograms, verification counts and negotiations of `runRequests` would be lost.
 * - splits `amount` and `connections` with `Math.floor(value / workers)`, so remainders are
 *   dropped, and gives every worker the whole `overallRate`, so N workers send N times the rate.
 *
 * No worker sends a request before the connections of every worker have ended their handshakes.
 * A Node 20 server such as the echo server accepts one connection per event-loop turn (libuv
 * 1.46), and each turn serves every connection with a request ready. Without this wait, the
 * worker whose connections came up first loaded the server while the other workers' connections
 * waited in its accept queue. Of 1000 connections in 2 workers, 300 to 750 verified within 2 to
 * 8 s. None failed, so no error was reported.
 *
 * Known limits:
 * - The window of every worker includes that wait, during which no requests are sent, so
 *   throughput over a short window is lower than that of one `runRequests`, whose first
 *   connections send requests while the others connect.
 * - A run's window, and so its throughput, runs from the earliest worker start to the latest
 *   window close. The workers start when their request message arrives, a fraction of a
 *   millisecond apart on an idle machine.
 * - `clientCpuUs` is this process's CPU time from posting the run to the last worker's result,
 *   read in the calling thread. It includes each worker's teardown of its connections after its
 *   window closed, which a single `runRequests` leaves out.
 */
import { MtlsBenchError } from '../errors.ts';
import { clientMaterialOf } from '../servers/tls-options.ts';
import type { RequestsRunOptions, RequestsRunResult } from './requests.ts';
import { mergeRequestsRuns } from './merge-runs.ts';
import type { WorkerRun } from './merge-runs.ts';
import { DriverWorkerPool } from './worker-pool.ts';
import { splitCount, splitInProportion } from './worker-shares.ts';

/** Options of `startRequestsPool`: those of `runRequests` without the bounds, and the number of worker threads. */
export interface RequestsPoolOptions extends Omit<RequestsRunOptions, 'durationMs' | 'maxCount' | 'beforeRequests'> {
  /** Worker threads, at least 2 and at most `connections` (and `rateRps`, when set). */
  workers: number;
}

/** Bounds of one pool run, as `runRequests` takes them. */
export type RequestsPoolBounds = Pick<RequestsRunOptions, 'durationMs' | 'maxCount'>;

/** One worker's options: `runRequests` options with its shares, without the bounds. */
export type RequestsWorkerSetup = Omit<RequestsRunOptions, 'durationMs' | 'maxCount' | 'beforeRequests'>;

/** One worker's request for a run: its bounds, and the counter that all workers of the run share. */
export interface RequestsWorkerRequest extends RequestsPoolBounds {
  /** One Int32 counting the workers whose connections have all ended their handshakes. */
  connectedWorkers: SharedArrayBuffer;
  /** Workers of the pool: the count at which every worker starts sending requests. */
  workers: number;
}

/** `runRequests` in worker threads, run as one. Create with `startRequestsPool`. */
export interface RequestsPool {
  /** Worker threads of the pool. */
  readonly workers: number;
  /** Each worker's share of `connections`, in worker order. */
  readonly connections: readonly number[];
  /** Each worker's share of `rateRps`, in worker order, or null without a rate. */
  readonly ratesRps: readonly number[] | null;
  /**
   * Runs every worker at once, each with the whole `durationMs` and its share of `maxCount`,
   * and merges their results. Throws `INVALID_ARGUMENT` for bad bounds, and `RUN_FAILED`
   * naming the worker when a worker crashed or autocannon failed in it.
   */
  run(bounds: RequestsPoolBounds): Promise<RequestsRunResult>;
  /** Terminates every worker thread and resolves once all have exited. */
  close(): Promise<void>;
}

function invalid(message: string): MtlsBenchError {
  return new MtlsBenchError('INVALID_ARGUMENT', `requests pool: ${message}`);
}

/**
 * Returns each worker's share of `rateRps`, in proportion to its connections, so that every
 * connection gets the same rate as under a single `runRequests`.
 */
function rateSharesOf(rateRps: number | null, connections: readonly number[]): number[] | null {
  if (rateRps === null) return null;
  if (!(Number.isInteger(rateRps) && rateRps >= connections.length)) {
    throw invalid(`rateRps: got ${rateRps}; expected null or an integer of at least workers (${connections.length}), so that every worker sends requests`);
  }
  const shares = splitInProportion(rateRps, connections);
  const index = shares.findIndex((share) => share < 1);
  if (index !== -1) {
    throw invalid(`rateRps ${rateRps} split over connections ${connections.join(', ')} leaves worker ${index + 1} no request per second; raise rateRps`);
  }
  return shares;
}

/** Returns each worker's share of `maxCount`, each at least that worker's connections, as autocannon requires. */
function maxCountSharesOf(maxCount: number | null, connections: readonly number[]): (number | null)[] {
  if (maxCount === null) return connections.map(() => null);
  const total = connections.reduce((sum, share) => sum + share, 0);
  if (!(Number.isInteger(maxCount) && maxCount >= total)) {
    throw invalid(`run: maxCount: got ${maxCount}; expected null or an integer of at least connections (${total})`);
  }
  // Both totals split with splitCount, larger shares first, so maxCount >= connections keeps
  // every worker's share at least its connections. The check below guards that invariant.
  const shares = splitCount(maxCount, connections.length);
  shares.forEach((share, index) => {
    const needed = connections[index] ?? 0;
    if (share < needed) throw invalid(`run: maxCount ${maxCount} gives worker ${index + 1} ${share} requests, fewer than its ${needed} connections`);
  });
  return shares;
}

/**
 * Starts `workers` threads, each to run `runRequests` with its share of the connections and of
 * the rate, and resolves once all are ready. Throws `INVALID_ARGUMENT` when `workers` is not
 * an integer of at least 2, or when `connections` or `rateRps` is below `workers`. Other options
 * are checked by `runRequests` in each worker, on the first run.
 */
export async function startRequestsPool(options: RequestsPoolOptions): Promise<RequestsPool> {
  const { workers, ...runOptions } = options;
  if (!(Number.isInteger(workers) && workers >= 2)) {
    throw invalid(`workers: got ${workers}; expected an integer of at least 2 (use runRequests for one)`);
  }
  if (!(Number.isInteger(options.connections) && options.connections >= workers)) {
    throw invalid(`connections: got ${options.connections}; expected an integer of at least workers (${workers}), because each worker needs a connection. Lower workers or raise connections.`);
  }
  const connections = splitCount(options.connections, workers);
  const ratesRps = rateSharesOf(options.rateRps, connections);
  const setups: RequestsWorkerSetup[] = connections.map((share, index) => ({
    ...runOptions,
    // Only the client's side of the material crosses to the workers: the CA certificate, the
    // client chain and its key. The root and server keys of a generated set stay here.
    certs: clientMaterialOf(options.certs),
    connections: share,
    rateRps: ratesRps === null ? null : (ratesRps[index] ?? null),
  }));

  const pool = await DriverWorkerPool.start<RequestsWorkerSetup, RequestsWorkerRequest, WorkerRun<RequestsRunResult>>({
    name: 'requests',
    moduleUrl: new URL('./requests-worker.ts', import.meta.url),
    setups,
  });
  let running = false;

  return {
    workers,
    connections,
    ratesRps,
    async run(bounds) {
      const maxCounts = maxCountSharesOf(bounds.maxCount, connections);
      if (running) throw invalid('run: a run is already in progress on this pool');
      running = true;
      try {
        const connectedWorkers = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
        const requests = maxCounts.map((maxCount) => ({ durationMs: bounds.durationMs, maxCount, connectedWorkers, workers }));
        const cpuStart = process.cpuUsage();
        const runs = await pool.runAll(requests);
        return mergeRequestsRuns(runs, process.cpuUsage(cpuStart));
      } finally {
        running = false;
      }
    },
    close: () => pool.close(),
  };
}
