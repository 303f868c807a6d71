/**
 * Saturation of the load generator. The handshake driver and autocannon run on this process's
 * main thread, or with `workers` on that many worker threads, so the client can use one core per
 * thread at most, and no more than the machine has. A cell whose client kept those cores nearly
 * busy measured the client's limit as much as the server's.
 */
import os from 'node:os';

/**
 * Share of the cores the client may use above which a cell is marked client-bound. Below 90%
 * the client still had idle time between operations, so the server or the network set the pace.
 */
export const CLIENT_BOUND_SHARE = 0.9;

/** The client side's load over a cell's measured rounds. */
export interface ClientLoad {
  /** Client CPU time over wall time, where 1 is one core busy all the time. */
  cpuShare: number;
  /** Cores the load generator may use: its threads, at most the machine's cores. Absent in older files, where it was 1. */
  cores?: number;
  /** True when `cpuShare` is above {@link CLIENT_BOUND_SHARE} of `cores`. */
  bound: boolean;
}

/**
 * Computes the client's load from the rounds' CPU use (`process.cpuUsage` differences, which
 * cover every thread) and wall times, for a load generator of `threads` threads.
 */
export function clientLoadOf(
  runs: readonly { clientCpuUs: { user: number; system: number }; elapsedUs: number }[],
  threads = 1,
  machineCores = os.availableParallelism(),
): ClientLoad {
  const cpuUs = runs.reduce((sum, run) => sum + run.clientCpuUs.user + run.clientCpuUs.system, 0);
  const elapsedUs = runs.reduce((sum, run) => sum + run.elapsedUs, 0);
  const cpuShare = elapsedUs === 0 ? 0 : Math.round((cpuUs / elapsedUs) * 1000) / 1000;
  const cores = Math.max(1, Math.min(threads, machineCores));
  return { cpuShare, cores, bound: cpuShare > CLIENT_BOUND_SHARE * cores };
}
